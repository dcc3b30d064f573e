import * as grpc from '@grpc/grpc-js';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { OperatorError, errorText } from '../../proto/common/errors.js';
import { peerName, toServiceError } from '../../proto/common/grpc.js';
import type { Logger } from '../../proto/common/log.js';
import { BELAY_VERSION } from '../../proto/common/version.js';
import type { AgentMessage__Output } from '../../proto/gen/belay/v1/AgentMessage.js';
import type { CoordinatorHandlers } from '../../proto/gen/belay/v1/Coordinator.js';
import type { ReportAck } from '../../proto/gen/belay/v1/ReportAck.js';
import type { Gossip } from '../gossip/service.js';
import type { LocalClusterStore } from '../cluster/store.js';
import type { HostPaths } from '../../proto/common/paths.js';
import type { EtcdService } from '../leader/service.js';
import { clusterHandlers } from './cluster.js';
import { leaderRelay } from './leader-relay.js';
import { rolloutHandlers } from './rollout.js';
import { pkiHandlers } from './pki.js';
import { matches, type EventStore } from '../reports/events.js';
import { gossipHandlers, memberOf } from './gossip.js';
import type { ReportStore } from '../reports/store.js';
import type { AgentApi } from '../agents/client.js';
import { unary } from '../../proto/common/handlers.js';

export interface CoordinatorServiceDeps {
  node: string;
  store: ReportStore;
  events: EventStore;
  /** A client for the agent of a known master, or undefined for an unknown one. */
  agent: (node: string) => AgentApi | undefined;
  log: Logger;
  registry: Registry;
  /** Plaintext server: there is no certificate to tell who is calling. */
  insecure: boolean;
  nowMs: () => number;
  /** Gossip, when on: members for Status, push-pull, keys. */
  gossip?: Gossip | undefined;
  /** The Cluster spec kept here, and etcd (leader, members, orchestration). */
  local: LocalClusterStore;
  etcd: EtcdService;
  paths: HostPaths;
}

/** belay.v1.Coordinator: decode, check who calls, call the store, map errors. */
export function coordinatorService(d: CoordinatorServiceDeps): { handlers: CoordinatorHandlers; endStreams(): void } {
  /** Open report streams, ended at shutdown so that draining does not wait out the grace period on them. */
  const open = new Set<grpc.ServerDuplexStream<AgentMessage__Output, ReportAck>>();
  const followers = new Set<() => void>();
  /**
   * The agent's own refusal (unknown service, ...) passes through as the agent sent it (status, details, code and
   * hint); anything else is the client's AGENT_UNREACHABLE.
   */
  const forwardError = (method: string, err: unknown): grpc.ServiceError => {
    const sent = err instanceof OperatorError ? (err.cause as Partial<grpc.ServiceError> | undefined) : undefined;
    return sent?.metadata?.get('belay-code')[0] ? (sent as grpc.ServiceError) : fail(method, err);
  };
  const eventsReceived = new Counter({
    name: 'belay_events_received_total',
    help: 'Agent events stored (resends not counted), by master and severity',
    labelNames: ['node', 'severity'] as const,
    registers: [d.registry],
  });
  const received = new Counter({
    name: 'belay_reports_received_total',
    help: 'Host reports stored, by master',
    labelNames: ['node'] as const,
    registers: [d.registry],
  });
  const refused = new Counter({
    name: 'belay_reports_refused_total',
    help: 'Report streams refused, by reason code',
    labelNames: ['code'] as const,
    registers: [d.registry],
  });
  const latency = new Histogram({
    name: 'belay_report_latency_seconds',
    help: 'From the end of a report collection on the agent to its storage here (includes clock skew between masters)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [d.registry],
  });
  new Gauge({
    name: 'belay_agents_connected',
    help: 'Masters with an open report stream',
    registers: [d.registry],
    collect() {
      this.set(d.store.connectedCount());
    },
  });

  const ctx = { node: d.node, log: d.log };
  const fail = (method: string, err: unknown): grpc.ServiceError => toServiceError(err, d.log, d.node, method);
  /** Who asked, for the agent's event and log: the caller's certificate name and this coordinator. */
  const caller = (call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>): string => {
    const peer = d.insecure ? 'someone' : (peerName(call) ?? 'someone');
    // A coordinator relaying an operator's request to the leader says whose it is; only a master's certificate may.
    const behalf = call.metadata.get('belay-on-behalf-of')[0]?.toString();
    if (behalf && !d.insecure && d.agent(peer) !== undefined) return behalf.slice(0, 200);
    return `${peer} via ${d.node}`;
  };
  /**
   * One call to one master's agent, its refusals passed through unchanged (not `unary`: that would answer
   * with the client's OperatorError, its message prefixed with the master's name).
   */
  const toAgent = <T>(method: string, node: string, callback: grpc.sendUnaryData<T>, call: (agent: AgentApi) => Promise<T>): void => {
    const agent = d.agent(node);
    if (!agent) {
      callback(fail(method, new OperatorError({ code: 'NO_SUCH_NODE', message: `no master named "${node}"`, hint: 'belayctl status lists the masters' })));
      return;
    }
    call(agent).then(
      (res) => callback(null, res),
      (err: unknown) => callback(forwardError(method, err)),
    );
  };

  const handlers: CoordinatorHandlers = {
    ...gossipHandlers({ node: d.node, gossip: d.gossip, log: d.log, insecure: d.insecure, nowMs: d.nowMs }),
    ...clusterHandlers({ node: d.node, paths: d.paths, local: d.local, etcd: d.etcd, gossip: d.gossip, agent: d.agent, log: d.log, caller }),
    ...pkiHandlers({ node: d.node, local: d.local, etcd: d.etcd, gossip: d.gossip, agent: d.agent, log: d.log, caller }),
    ...rolloutHandlers({
      node: d.node,
      etcd: d.etcd,
      gossip: d.gossip,
      log: d.log,
      caller,
      onLeader: leaderRelay({ node: d.node, etcd: d.etcd, gossip: d.gossip, log: d.log, caller }).onLeader,
    }),
    StreamReports(call) {
      open.add(call);
      const peer = d.insecure ? undefined : peerName(call);
      let node: string | undefined;
      let closed = false;
      const close = (): void => {
        if (closed) return;
        closed = true;
        open.delete(call);
        if (node) {
          d.store.streamClosed(node);
          d.log.info('agent disconnected', { node });
        }
      };
      call.on('data', (m: AgentMessage__Output) => {
        if (closed) return;
        const from = m.report?.node ?? m.event?.node ?? '';
        try {
          if (!d.insecure && peer === undefined) {
            throw new OperatorError({
              code: 'NO_CLIENT_CERTIFICATE',
              message: 'report stream without a client certificate',
              hint: 'configure the agent with tls.cert and tls.key',
            });
          }
          if (node !== undefined && from !== node) {
            throw new OperatorError({
              code: 'NODE_NAME_MISMATCH',
              message: `stream of ${node} sent a message for ${from}`,
              hint: 'one stream carries one master',
            });
          }
          if (node === undefined) {
            d.store.authorize(peer, from);
            node = from;
            d.store.streamOpened(node);
            d.log.info('agent connected', { node, peer: call.getPeer() });
          }
          const now = d.nowMs();
          if (m.report) {
            const r = m.report;
            if (d.store.record(r, now)) {
              received.inc({ node });
              d.etcd.leaderRollout()?.reportArrived(node);
              latency.observe(Math.max(0, now - r.collectedAtMs - r.collectDurationMs) / 1000);
            }
            call.write({ seq: r.seq, receivedAtMs: now, eventSeq: 0 });
          } else if (m.event) {
            if (d.events.add(m.event)) eventsReceived.inc({ node, severity: m.event.severity });
            call.write({ seq: 0, receivedAtMs: now, eventSeq: m.event.seq });
          }
        } catch (err) {
          const code = err instanceof OperatorError ? err.code : 'INTERNAL';
          refused.inc({ code });
          if (err instanceof OperatorError) d.log.warn('report refused', { node: from, peer, code, err: err.message });
          close();
          call.emit('error', fail('StreamReports', err));
        }
      });
      call.on('end', () => {
        close();
        call.end();
      });
      call.on('error', (err) => {
        d.log.debug('report stream error', { node, err: errorText(err) });
        close();
      });
      call.on('cancelled', close);
      call.on('close', close);
    },

    Status: unary(ctx, 'Status', () => {
      const members = d.gossip?.members() ?? [];
      const nodes = d.store.status(d.nowMs()).map((n) => {
        const m = members.find((x) => x.name === n.name);
        const { api: _api, ...summary } = m?.tags ?? {};
        return { ...n, member: m ? memberOf(m) : null, summary };
      });
      const etcd = d.etcd.summary();
      return {
        coordinator: d.node,
        nowMs: d.nowMs(),
        nodes,
        version: BELAY_VERSION,
        leader: etcd.leader?.name ?? '',
        leaderTerm: etcd.leader?.term ?? 0,
        reconcile: etcd.reconcile,
        etcdPhase: etcd.phase,
        etcdAlarms: etcd.alarms,
        lastSnapshot: etcd.lastSnapshot ?? null,
        lastDrill: etcd.lastDrill ?? null,
        backupAlert: etcd.backupAlert,
        controlPlane: etcd.controlPlane ?? '',
      };
    }),

    Events(call) {
      const { node, service, follow, limit } = call.request;
      const filter = { node, service };
      for (const e of d.events.list(filter, limit)) call.write(e);
      if (!follow) {
        call.end();
        return;
      }
      // Followers are ended at shutdown like report streams.
      const stop = d.events.follow((e) => {
        if (matches(e, filter)) call.write(e);
      });
      const done = (): void => {
        stop();
        followers.delete(end);
      };
      const end = (): void => {
        done();
        call.end();
      };
      followers.add(end);
      call.on('cancelled', done);
      call.on('close', done);
    },

    Supervise(call, callback) {
      const { node, service, action } = call.request;
      if (d.agent(node) && action !== 'pause' && action !== 'resume') {
        callback(fail('Supervise', new OperatorError({ code: 'BAD_ACTION', message: `unknown supervise action "${action}"`, hint: 'use pause or resume' })));
        return;
      }
      const by = caller(call);
      toAgent('Supervise', node, callback, (agent) => agent.SetSupervision({ service, paused: action === 'pause', requestedBy: by }));
    },

    GetManifest(call, callback) {
      const { node, name } = call.request;
      toAgent('GetManifest', node, callback, (agent) => agent.GetManifest({ name }));
    },

    ManifestHistory(call, callback) {
      const { node, name } = call.request;
      toAgent('ManifestHistory', node, callback, (agent) => agent.ManifestHistory({ file: name }));
    },

    ApplyManifest(call, callback) {
      const { node, request } = call.request;
      const by = caller(call);
      toAgent('ApplyManifest', node, callback, (agent) =>
        agent.ApplyManifest({ ...request, file: request?.file ?? '', content: request?.content ?? '', force: request?.force ?? false, requestedBy: by }),
      );
    },

    RemoveManifest(call, callback) {
      const { node, request } = call.request;
      const by = caller(call);
      toAgent('RemoveManifest', node, callback, (agent) =>
        agent.RemoveManifest({ file: request?.file ?? '', force: request?.force ?? false, requestedBy: by }),
      );
    },

    RollbackManifest(call, callback) {
      const { node, request } = call.request;
      const by = caller(call);
      toAgent('RollbackManifest', node, callback, (agent) =>
        agent.RollbackManifest({ file: request?.file ?? '', toSha256: request?.toSha256 ?? '', requestedBy: by }),
      );
    },
  };
  return {
    handlers,
    endStreams() {
      for (const call of open) call.end();
      for (const end of followers) end();
    },
  };
}
