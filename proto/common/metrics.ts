import http from 'node:http';
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import { OperatorError } from './errors.js';

/** A daemon's metrics: Node's default process metrics plus the gRPC error counter both daemons share. */
export function createRegistry(daemon: string): { registry: Registry; grpcErrors: Counter<'method' | 'code'> } {
  const registry = new Registry();
  registry.setDefaultLabels({ daemon });
  // process_resident_memory_bytes, process_cpu_seconds_total, event loop lag, ...
  collectDefaultMetrics({ register: registry });
  const grpcErrors = new Counter({
    name: 'belay_grpc_errors_total',
    help: 'gRPC calls answered or ended with an error, by method and status code name',
    labelNames: ['method', 'code'] as const,
    registers: [registry],
  });
  return { registry, grpcErrors };
}

/** Serves GET /metrics in the Prometheus text format on `listen` (host:port). */
export async function serveMetrics(registry: Registry, listen: string): Promise<http.Server> {
  const { host, port } = splitHostPort(listen, 'metrics.listen');
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404).end('not found: try GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (err: unknown) => res.writeHead(500).end(`collecting metrics failed: ${String(err)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) =>
      reject(
        new OperatorError({
          code: 'LISTEN_FAILED',
          message: `cannot serve metrics on ${listen}: ${err.message}`,
          hint: 'pick a free port for metrics.listen',
          cause: err,
        }),
      ),
    );
    server.listen(port, host, () => resolve());
  });
  return server;
}

export function splitHostPort(hostPort: string, field: string): { host: string; port: number } {
  const m = /^(.*):(\d{1,5})$/.exec(hostPort);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !m[1] || port > 65535) {
    throw new OperatorError({ code: 'BAD_ADDRESS', message: `${field}: "${hostPort}" is not HOST:PORT`, hint: 'write it like 127.0.1.1:7702' });
  }
  return { host: m[1].replace(/^\[(.*)\]$/, '$1'), port };
}
