import type http from 'node:http';
import * as grpc from '@grpc/grpc-js';
import type { Counter, Registry } from 'prom-client';
import { shutdownServer } from './daemon.js';
import { addHealth, bindServer, observeCalls, readTls, serverCredentials, serverOptions, type TlsMaterial } from './grpc.js';
import type { Logger } from './log.js';
import { serveMetrics } from './metrics.js';
import type { HostPaths } from './paths.js';

/** The config fields every daemon's serving side reads. */
export interface ServingConfig {
  listen: string;
  metricsListen: string;
  tls: { ca: string; cert: string; key: string };
  insecure: boolean;
  maxMessageBytes: number;
  shutdownGraceMs: number;
}

/** The daemon's TLS material read under --root, or 'insecure' with the warning every start must log. */
export function daemonTls(cfg: ServingConfig, paths: HostPaths, log: Logger): TlsMaterial | 'insecure' {
  if (cfg.insecure) {
    log.warn('insecure: true: gRPC is plaintext and unauthenticated; any local process can read and call it', { code: 'INSECURE' });
    return 'insecure';
  }
  return readTls({ ca: paths.host(cfg.tls.ca), cert: paths.host(cfg.tls.cert), key: paths.host(cfg.tls.key) });
}

/**
 * Serves one belay service plus grpc.health.v1 on cfg.listen, and /metrics.
 * stop() turns health NOT_SERVING, closes /metrics and drains within shutdownGraceMs.
 */
export async function serve<H extends grpc.UntypedServiceImplementation>(o: {
  cfg: ServingConfig;
  tls: TlsMaterial | 'insecure';
  serviceName: string;
  service: grpc.ServiceDefinition;
  handlers: H;
  registry: Registry;
  grpcErrors: Counter<'method' | 'code'>;
  log: Logger;
}): Promise<{ stop(): Promise<void> }> {
  const server = new grpc.Server(
    serverOptions(o.cfg.maxMessageBytes, [observeCalls({ grpcErrors: o.grpcErrors, log: o.log, maxMessageBytes: o.cfg.maxMessageBytes })]),
  );
  server.addService(o.service, o.handlers);
  const health = addHealth(server, [o.serviceName]);
  let metrics: http.Server;
  try {
    await bindServer(server, o.cfg.listen, serverCredentials(o.tls));
    metrics = await serveMetrics(o.registry, o.cfg.metricsListen);
  } catch (err) {
    server.forceShutdown();
    throw err;
  }
  return {
    async stop() {
      for (const s of ['', o.serviceName]) health.setStatus(s, 'NOT_SERVING');
      metrics.close();
      await shutdownServer(server, o.cfg.shutdownGraceMs);
    },
  };
}
