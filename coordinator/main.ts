#!/usr/bin/env node
import '../proto/common/warnings.js';
import { runDaemon } from '../proto/common/daemon.js';
import { belayProto } from '../proto/common/grpc.js';
import { createRegistry } from '../proto/common/metrics.js';
import { daemonTls, serve } from '../proto/common/serve.js';
import { loadCoordinatorConfig } from './config.js';
import { startGossip } from './gossip/service.js';
import { AgentClients } from './agents/clients.js';
import { EventStore } from './reports/events.js';
import { ReportStore } from './reports/store.js';
import { coordinatorService } from './rpc/server.js';
import { LocalClusterStore } from './cluster/store.js';
import { EtcdService } from './leader/service.js';

runDaemon({
  name: 'belay-coordinator',
  summary: 'keeps the HA control plane of this master and its peers',
  description:
    "belay-coordinator runs on every master beside belay-agent. It receives the agents' host reports over mutual-TLS gRPC (belay.v1.Coordinator) and answers belayctl. It gossips with the other coordinators (SWIM membership and failure detection, encrypted UDP on gossip.port) so that any coordinator knows every master. Once etcd exists (belayctl bootstrap), the coordinators elect one leader through an etcd lease; the leader joins every master of the Cluster spec to etcd as a learner, one at a time, and replaces members whose host is gone, never below quorum.",
  configName: 'coordinator.yaml',
  async start(ctx) {
    const cfg = loadCoordinatorConfig(ctx.configFile);
    const log = ctx.logger(cfg.logLevel).child({ node: cfg.node.name });
    const tls = daemonTls(cfg, ctx.paths, log);

    const { registry, grpcErrors } = createRegistry('coordinator');
    const store = new ReportStore(cfg.nodes);
    const events = new EventStore();
    const agents = new AgentClients(cfg.nodes, cfg.agentPort, tls, cfg.maxMessageBytes);
    const rpcLog = log.child({ component: 'rpc' });
    const gossip = await startGossip({ cfg, paths: ctx.paths, tls, log, registry, store });
    const local = new LocalClusterStore(ctx.paths);
    const etcd = new EtcdService({
      registry,
      me: cfg.node.name,
      paths: ctx.paths,
      local,
      gossip: () => gossip?.members() ?? [],
      agent: (n) => agents.of(n, local.read()?.spec.spec.masters.find((m) => m.name === n)?.address),
      report: (n) => store.latest(n),
      log: log.child({ component: 'etcd' }),
    });
    etcd.start();
    const service = coordinatorService({
      node: cfg.node.name,
      store,
      events,
      agent: (n) => agents.of(n, local.read()?.spec.spec.masters.find((m) => m.name === n)?.address),
      log: rpcLog,
      registry,
      insecure: cfg.insecure,
      nowMs: Date.now,
      gossip,
      local,
      etcd,
      paths: ctx.paths,
    });
    const serving = await serve({
      cfg,
      tls,
      serviceName: 'belay.v1.Coordinator',
      service: belayProto().belay.v1.Coordinator.service,
      handlers: service.handlers,
      registry,
      grpcErrors,
      log: rpcLog,
    });
    log.info('coordinator started', { listen: cfg.listen, metrics: cfg.metricsListen, nodes: cfg.nodes.map((n) => n.name), root: ctx.paths.root });
    return {
      log,
      async stop() {
        await etcd.stop();
        await gossip?.stop();
        service.endStreams();
        await serving.stop();
        agents.close();
      },
    };
  },
});
