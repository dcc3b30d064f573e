import crypto from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';

/**
 * The certificate a TLS server at host:port presents (PEM); undefined when nothing answers in time.
 * Read only, never trusted: it is compared with the file on disk, and its SANs checked. kube-apiserver
 * reads apiserver.crt at start only, so what it serves is what its clients see, whatever the file says.
 */
export function servedCertificate(host: string, port: number, timeoutMs = 2_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const done = (pem: string | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(pem);
    };
    const socket = tls.connect({ host, port, rejectUnauthorized: false, ...(net.isIP(host) ? {} : { servername: host }) }, () => {
      const raw = socket.getPeerCertificate().raw as Buffer | undefined;
      done(raw ? new crypto.X509Certificate(raw).toString() : undefined);
    });
    socket.on('error', () => done(undefined));
    const timer = setTimeout(() => done(undefined), timeoutMs);
  });
}
