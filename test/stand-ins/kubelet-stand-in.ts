/**
 * kubelet stand-in, for tests only: there is no kubelet binary on these
 * machines. Like kubelet it serves GET /healthz on a local port, and, like
 * kubelet without its container runtime, it reports unhealthy while the
 * runtime's socket does not answer. Usage:
 *   node --import tsx test/stand-ins/kubelet-stand-in.ts --port 10248 --runtime-socket /run/containerd/containerd.sock
 */
import http from 'node:http';
import net from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string', default: '10248' }, 'runtime-socket': { type: 'string' }, 'fail-with': { type: 'string' } } });
if (values['fail-with']) {
  // A bad flag: kubelet exits at once with an error, as it does until it is configured.
  process.stderr.write(`kubelet-stand-in: ${values['fail-with']}\n`);
  process.exit(1);
}

function runtimeAnswers(): Promise<boolean> {
  const socket = values['runtime-socket'];
  if (!socket) return Promise.resolve(true);
  return new Promise((resolve) => {
    const c = net.connect(socket);
    const done = (ok: boolean): void => {
      c.destroy();
      resolve(ok);
    };
    c.setTimeout(200, () => done(false));
    c.once('connect', () => done(true));
    c.once('error', () => done(false));
  });
}

const server = http.createServer((req, res) => {
  if (req.url !== '/healthz') {
    res.writeHead(404).end();
    return;
  }
  void runtimeAnswers().then((ok) => res.writeHead(ok ? 200 : 500).end(ok ? 'ok' : 'container runtime is down'));
});
server.listen(Number(values.port), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
