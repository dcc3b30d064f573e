#!/usr/bin/env node
import '../proto/common/warnings.js';
import type http from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { Counter, Histogram } from 'prom-client';
import { runDaemon, shutdownServer } from '../proto/common/daemon.js';
import { addHealth, belayProto, bindServer, clientCredentials, observeCalls, readTls, serverCredentials, serverOptions } from '../proto/common/grpc.js';
import { createRegistry, serveMetrics } from '../proto/common/metrics.js';
import { loadAgentConfig } from './config.js';
import { HostCollector } from './host/facts.js';
import { Reporter } from './report/reporter.js';
import { ReportStream } from './report/stream.js';
import { agentService } from './rpc/server.js';

runDaemon({
  name: 'belay-agent',
  summary: 'watches this master and reports it to the coordinators',
  description:
    'belay-agent runs on every master. Every report interval it collects the host\'s state\n' +
    '(load, memory, filesystems with the etcd data dir flagged, control-plane processes) and\n' +
    'streams it to its coordinators over mutual-TLS gRPC; it serves belay.v1.Agent.',
  configName: 'agent.yaml',
  async start(ctx) {
    const cfg = loadAgentConfig(ctx.configFile);
    const log = ctx.logger(cfg.logLevel).child({ node: cfg.node.name });
    if (cfg.insecure) log.warn('insecure: true: gRPC is plaintext and unauthenticated; any local process can read and call it', { code: 'INSECURE' });
    const tls = cfg.insecure
      ? 'insecure'
      : readTls({ ca: ctx.paths.host(cfg.tls.ca), cert: ctx.paths.host(cfg.tls.cert), key: ctx.paths.host(cfg.tls.key) });

    const { registry, grpcErrors } = createRegistry('agent');
    const collected = new Counter({ name: 'belay_reports_collected_total', help: 'Host reports collected', registers: [registry] });
    const ackLatency = new Histogram({
      name: 'belay_report_latency_seconds',
      help: 'From sending a report to the coordinator\'s acknowledgement',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
    const streams = cfg.coordinators.map(
      (endpoint) =>
        new ReportStream({ endpoint, credentials: clientCredentials(tls), maxMessageBytes: cfg.maxMessageBytes, log: log.child({ component: 'report' }), ackLatency, random: Math.random }),
    );
    const reporter = new Reporter({
      node: cfg.node,
      etcdDataDir: ctx.paths.host(cfg.etcdDataDir),
      intervalMs: cfg.reportIntervalMs,
      collector: new HostCollector(),
      log: log.child({ component: 'report' }),
      collected,
      publish: (r) => streams.forEach((s) => s.publish(r)),
    });

    const server = new grpc.Server(serverOptions(cfg.maxMessageBytes, [observeCalls({ grpcErrors, log: log.child({ component: 'rpc' }), maxMessageBytes: cfg.maxMessageBytes })]));
    server.addService(belayProto().belay.v1.Agent.service, agentService({ node: cfg.node.name, reporter, log: log.child({ component: 'rpc' }) }));
    const health = addHealth(server, ['belay.v1.Agent']);
    let metrics: http.Server | undefined;
    try {
      await bindServer(server, cfg.listen, serverCredentials(tls));
      metrics = await serveMetrics(registry, cfg.metricsListen);
    } catch (err) {
      server.forceShutdown();
      throw err;
    }
    streams.forEach((s) => s.start());
    reporter.start();
    log.info('agent started', { listen: cfg.listen, metrics: cfg.metricsListen, coordinators: cfg.coordinators, intervalMs: cfg.reportIntervalMs, root: ctx.paths.root });
    return {
      log,
      async stop() {
        health.setStatus('', 'NOT_SERVING');
        health.setStatus('belay.v1.Agent', 'NOT_SERVING');
        reporter.stop();
        streams.forEach((s) => s.stop());
        metrics?.close();
        await shutdownServer(server, cfg.shutdownGraceMs);
      },
    };
  },
});
