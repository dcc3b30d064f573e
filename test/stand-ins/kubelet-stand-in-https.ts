import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { log } from './kubelet-stand-in-pods.js';

/** The kubelet stand-in's HTTPS API: its self-signed serving certificate, client certificates checked against --client-ca-file, GET /pods. */

const CLIENT_CA_POLL_MS = 1_000;

/** kubelet's layout when it is given no certificate: --root-dir/pki/kubelet.{crt,key}, made once, reused. */
async function servingCert(rootDir: string, nodeName: string): Promise<{ cert: string; key: string }> {
  const pki = path.join(rootDir, 'pki');
  const certFile = path.join(pki, 'kubelet.crt');
  const keyFile = path.join(pki, 'kubelet.key');
  try {
    return { cert: fs.readFileSync(certFile, 'utf8'), key: fs.readFileSync(keyFile, 'utf8') };
  } catch {
    // not made yet
  }
  // @peculiar/x509 needs the Reflect metadata API loaded first; only this mode pays for either.
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(crypto.webcrypto as unknown as Crypto);
  // As client-go's GenerateSelfSignedCertKey: a CA "<host>-ca@<unix>" signing "<host>@<unix>", both in
  // the .crt; the leaf names the host only (no 127.0.0.1), so clients check it against the node name.
  // kubelet's keys are RSA 2048; P-256 is quicker to make.
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const unix = Math.floor(Date.now() / 1000);
  const notBefore = new Date(Date.now() - 3_600_000);
  const notAfter = new Date(Date.now() + 365 * 86_400_000);
  const caKeys = await crypto.webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${nodeName}-ca@${unix}`,
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature, true),
    ],
  });
  const keys = await crypto.webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: `CN=${nodeName}@${unix}`,
    issuer: ca.subject,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([net.isIP(nodeName) ? { type: 'ip', value: nodeName } : { type: 'dns', value: nodeName }]),
    ],
  });
  const der = await crypto.webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const key = crypto
    .createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' })
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const cert = `${leaf.toString('pem')}\n${ca.toString('pem')}\n`;
  fs.mkdirSync(pki, { recursive: true, mode: 0o755 });
  fs.writeFileSync(keyFile, key, { mode: 0o600 });
  fs.writeFileSync(certFile, cert, { mode: 0o644 });
  log(`made a self-signed serving certificate ${certFile} for ${nodeName}`);
  return { cert, key };
}

/**
 * The HTTPS API on --address:--secure-port: x509 client authentication
 * against --client-ca-file, re-read every second (belay writes the cluster
 * CA after kubelet starts); until it is there, every request is 401.
 */
export async function serveSecure(
  port: number,
  podList: () => object,
  o: { address: string; rootDir: string; clientCaFile: string | undefined; nodeName: string; manifestDir: string; runtimeAnswers: () => Promise<boolean> },
): Promise<{ stopPolling(): void }> {
  const { address, nodeName, manifestDir, runtimeAnswers } = o;
  const { cert, key } = await servingCert(o.rootDir, nodeName);
  const caFile = o.clientCaFile;
  let clientCa: string | undefined;
  let caError: string | undefined;
  const secure = https.createServer({ cert, key, requestCert: true, rejectUnauthorized: false, requestTimeout: 10_000 }, (req, res) => {
    const send = (code: number, body: string, type = 'text/plain; charset=utf-8'): void => void res.writeHead(code, { 'content-type': type }).end(body);
    // kubelet (anonymous auth off) authenticates before anything else.
    if (clientCa === undefined || !(req.socket as TLSSocket).authorized) return send(401, 'Unauthorized');
    // Authorization: kubelet would ask the apiserver (a SubjectAccessReview for nodes/proxy); any authenticated client may read here.
    const url = new URL(req.url ?? '/', 'https://kubelet');
    if (req.method === 'GET' && (url.pathname === '/pods' || url.pathname === '/pods/')) return send(200, JSON.stringify(podList()), 'application/json');
    if (req.method === 'GET' && url.pathname === '/healthz') {
      void runtimeAnswers().then((ok) => send(ok ? 200 : 500, ok ? 'ok' : 'container runtime is down'));
      return;
    }
    send(404, '404 page not found');
  });
  const loadCa = (): void => {
    if (caFile === undefined) return;
    let pem: string;
    try {
      pem = fs.readFileSync(caFile, 'utf8');
    } catch {
      return; // not written yet, or gone: the last one read stays
    }
    if (pem === clientCa) return;
    try {
      secure.setSecureContext({ cert, key, ca: pem });
      clientCa = pem;
      caError = undefined;
      log(`client CA ${caFile} loaded`);
    } catch (err) {
      if (caError !== pem) log(`client CA ${caFile} not loaded: ${(err as Error).message}`);
      caError = pem;
    }
  };
  loadCa();
  const timer = setInterval(loadCa, CLIENT_CA_POLL_MS);
  await new Promise<void>((resolve, reject) => {
    secure.once('error', reject);
    secure.listen(port, address, () => resolve());
  });
  log(`a stand-in for tests, not kubelet: static pods of ${manifestDir} as node ${nodeName}, API on https://${address}:${port}`);
  return { stopPolling: () => clearInterval(timer) };
}
