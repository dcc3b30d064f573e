#!/usr/bin/env node
import '../proto/common/warnings.js';
import type http from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { runDaemon, shutdownServer } from '../proto/common/daemon.js';
import { addHealth, belayProto, bindServer, observeCalls, readTls, serverOptions, serverCredentials } from '../proto/common/grpc.js';
import { createRegistry, serveMetrics } from '../proto/common/metrics.js';
import { loadCoordinatorConfig } from './config.js';
import { ReportStore } from './reports/store.js';
import { coordinatorService } from './rpc/server.js';

runDaemon({
  name: 'belay-coordinator',
  summary: 'keeps the HA control plane of this master and its peers',
  description:
    'belay-coordinator runs on every master beside belay-agent. It receives the agents\' host reports\n' +
    'over mutual-TLS gRPC (belay.v1.Coordinator) and answers belayctl. Later: gossip with its peers,\n' +
    'and when elected, orchestration of etcd and the control plane.',
  configName: 'coordinator.yaml',
  async start(ctx) {
    const cfg = loadCoordinatorConfig(ctx.configFile);
    const log = ctx.logger(cfg.logLevel).child({ node: cfg.node.name });
    if (cfg.insecure) log.warn('insecure: true: gRPC is plaintext and unauthenticated; any local process can read and call it', { code: 'INSECURE' });
    const tls = cfg.insecure
      ? 'insecure'
      : readTls({ ca: ctx.paths.host(cfg.tls.ca), cert: ctx.paths.host(cfg.tls.cert), key: ctx.paths.host(cfg.tls.key) });

    const { registry, grpcErrors } = createRegistry('coordinator');
    const store = new ReportStore(cfg.nodes);
    const server = new grpc.Server(serverOptions(cfg.maxMessageBytes, [observeCalls({ grpcErrors, log: log.child({ component: 'rpc' }), maxMessageBytes: cfg.maxMessageBytes })]));
    const service = coordinatorService({ node: cfg.node.name, store, log: log.child({ component: 'rpc' }), registry, insecure: cfg.insecure, nowMs: Date.now });
    server.addService(belayProto().belay.v1.Coordinator.service, service.handlers);
    const health = addHealth(server, ['belay.v1.Coordinator']);
    let metrics: http.Server | undefined;
    try {
      await bindServer(server, cfg.listen, serverCredentials(tls));
      metrics = await serveMetrics(registry, cfg.metricsListen);
    } catch (err) {
      server.forceShutdown();
      throw err;
    }
    log.info('coordinator started', { listen: cfg.listen, metrics: cfg.metricsListen, nodes: cfg.nodes.map((n) => n.name), root: ctx.paths.root });
    return {
      log,
      async stop() {
        health.setStatus('', 'NOT_SERVING');
        health.setStatus('belay.v1.Coordinator', 'NOT_SERVING');
        metrics?.close();
        service.endStreams();
        await shutdownServer(server, cfg.shutdownGraceMs);
      },
    };
  },
});
