import type * as grpc from '@grpc/grpc-js';
import { Metadata } from '@grpc/grpc-js';
import { ConfigError } from '../../proto/common/config-file.js';
import { OperatorError, unsafeError } from '../../proto/common/errors.js';
import { toServiceError } from '../../proto/common/grpc.js';
import { serverStream, unary } from '../../proto/common/handlers.js';
import type { Logger } from '../../proto/common/log.js';
import type { ApplyClusterResponse__Output } from '../../proto/gen/belay/v1/ApplyClusterResponse.js';
import type { CoordinatorClient, CoordinatorHandlers } from '../../proto/gen/belay/v1/Coordinator.js';
import type { EtcdMember } from '../../proto/gen/belay/v1/EtcdMember.js';
import type { Progress, Progress__Output } from '../../proto/gen/belay/v1/Progress.js';
import { balancerChangeWarnings, formatClusterSpec, parseClusterSpec, specChanges, specWarnings, type ClusterSpec } from '../cluster/spec.js';
import { balancerChanged } from '../cluster/spec-fields.js';
import { activeRollout } from '../controlplane/rollout-requests.js';
import { unsafeSpecChange } from '../cluster/spec-change.js';
import { readRolloutHistory } from '../leader/rollouts.js';
import { ETCD_KEYS } from '../cluster/etcd-keys.js';
import type { LocalClusterStore } from '../cluster/store.js';
import { bootstrapEtcd } from '../etcd/bootstrap.js';
import { hexId, shortError } from '../etcd/client.js';
import { masterOf } from '../etcd/plan.js';
import { canRemoveMember } from '../etcd/removal.js';
import { clientUrl, peerUrl } from '../etcd/render.js';
import type { EtcdService } from '../leader/service.js';
import type { Gossip } from '../gossip/service.js';
import type { HostPaths } from '../../proto/common/paths.js';
import { readJson, snapshotInfo } from '../etcd/backups.js';
import { defragCluster } from '../etcd/defrag.js';
import { restoreEtcd } from '../etcd/restore.js';
import { listSnapshots } from '../etcd/snapshot.js';
import type { DrillInfo } from '../../proto/gen/belay/v1/DrillInfo.js';
import type { AgentApi } from '../agents/client.js';

type ClusterHandlers = Pick<
  CoordinatorHandlers,
  'ApplyCluster' | 'GetCluster' | 'Bootstrap' | 'EtcdMembers' | 'EtcdAdd' | 'EtcdRemove' | 'EtcdSnapshot' | 'EtcdSnapshots' | 'EtcdRestore' | 'EtcdDefrag'
>;

export interface ClusterHandlerDeps {
  node: string;
  paths: HostPaths;
  local: LocalClusterStore;
  etcd: EtcdService;
  gossip: Gossip | undefined;
  agent: (master: string) => AgentApi | undefined;
  log: Logger;
  caller(call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>): string;
}

/** A step line of a long operation; `planned`: a line of a dry run's plan. */
export type ProgressLine = (step: string, message: string, planned?: boolean) => void;

/** A long operation's work: its last line, or its last line and a result for result_json. */
export type StreamedWork = (progress: ProgressLine) => Promise<string | { message: string; result: unknown }>;

/** The Coordinator methods that stream Progress, which `onLeader` can relay. */
export type ProgressMethod = {
  [K in keyof CoordinatorClient]: CoordinatorClient[K] extends (...args: never[]) => grpc.ClientReadableStream<Progress__Output> ? K : never;
}[keyof CoordinatorClient];

/**
 * Long operations on a server stream (`streamed`), and the relay that runs
 * leader-only ones on the leader (`onLeader`): there in turn with its
 * reconcile passes, from any other coordinator relayed to it on behalf of
 * the caller. Shared by every handler module with leader-only work.
 */
export function leaderRelay(d: Pick<ClusterHandlerDeps, 'node' | 'etcd' | 'gossip' | 'log' | 'caller'>): {
  streamed: (method: string, call: grpc.ServerWritableStream<unknown, Progress>, work: StreamedWork) => void;
  onLeader: <Req>(method: ProgressMethod, call: grpc.ServerWritableStream<Req, Progress>, work: StreamedWork, o?: { exclusive?: boolean }) => void;
} {
  const fail = (method: string, err: unknown): grpc.ServiceError => toServiceError(asSpecInvalid(err), d.log, d.node, method);

  /** Runs a long operation on a server stream: progress lines, then done, or the error. */
  const streamed = (method: string, call: grpc.ServerWritableStream<unknown, Progress>, work: StreamedWork): void => {
    const progress = (step: string, message: string, planned = false): void => {
      call.write({ atMs: Date.now(), step, message, done: false, planned });
    };
    serverStream({ node: d.node, log: d.log }, method, async () => {
      let last: Awaited<ReturnType<StreamedWork>>;
      try {
        last = await work(progress);
      } catch (err) {
        throw asSpecInvalid(err);
      }
      const { message, result } = typeof last === 'string' ? { message: last, result: undefined } : last;
      call.write({ atMs: Date.now(), step: 'done', message, done: true, planned: false, resultJson: result === undefined ? '' : JSON.stringify(result) });
    })(call);
  };

  /** Who leads now: its coordinator's gRPC address from gossip. */
  const leaderPeer = (): { name: string; api: string } => {
    const leader = d.etcd.summary().leader;
    if (!leader)
      throw new OperatorError({
        code: 'NO_LEADER',
        message: 'no coordinator leads right now (no etcd yet, or no quorum)',
        hint: 'belayctl status shows why; bootstrap first if there is no etcd',
        retryable: true,
      });
    const api = d.gossip?.members().find((m) => m.name === leader.name)?.tags.api;
    if (!api)
      throw new OperatorError({
        code: 'NO_LEADER',
        message: `the leader ${leader.name} is not reachable through gossip`,
        hint: 'retry in a few seconds',
        retryable: true,
      });
    return { name: leader.name, api };
  };

  /** Runs `work` here if this coordinator leads, else relays the leader's stream. */
  /** `exclusive: false`: the work takes its own locks (a rollout that follows itself for minutes must not hold etcd's passes). */
  const onLeader = <Req>(method: ProgressMethod, call: grpc.ServerWritableStream<Req, Progress>, work: StreamedWork, o: { exclusive?: boolean } = {}): void => {
    const rec = d.etcd.leaderReconciler();
    if (rec) {
      streamed(method, call, (p) => (o.exclusive === false ? work(p) : rec.exclusive(() => work(p))));
      return;
    }
    try {
      const leader = leaderPeer();
      const peer = d.gossip?.peer(leader.api);
      if (!peer) throw new Error('gossip is off');
      const md = new Metadata();
      md.set('belay-on-behalf-of', d.caller(call));
      const up = (peer[method] as (req: Req, md: Metadata, opts: grpc.CallOptions) => grpc.ClientReadableStream<Progress>).call(peer, call.request, md, {
        deadline: new Date(Date.now() + 15 * 60_000),
      });
      up.on('data', (m: Progress) => call.write(m));
      up.on('error', (err: grpc.ServiceError) => call.emit('error', err));
      up.on('end', () => call.end());
      call.on('cancelled', () => up.cancel());
    } catch (err) {
      call.emit('error', fail(method, err));
    }
  };
  return { streamed, onLeader };
}

/**
 * The Cluster spec, bootstrap and etcd membership over gRPC. Membership
 * changes run on the leader only (forwarded to it from any coordinator), in
 * turn with its reconcile passes, so there is never more than one at a time.
 */
export function clusterHandlers(d: ClusterHandlerDeps): ClusterHandlers {
  const { streamed, onLeader } = leaderRelay(d);
  /** The shared adapter, a spec that does not parse (ConfigError) answered as SPEC_INVALID. */
  const specUnary = <Req, Res>(
    method: string,
    fn: (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res> | Res,
  ): grpc.handleUnaryCall<Req, Res> =>
    unary({ node: d.node, log: d.log }, method, async (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => {
      try {
        return await fn(request, call);
      } catch (err) {
        throw asSpecInvalid(err);
      }
    });

  const parse = (text: string): ClusterSpec => {
    try {
      return parseClusterSpec(text, 'spec');
    } catch (err) {
      if (err instanceof ConfigError) throw specInvalid(err);
      throw err;
    }
  };

  /** Refuses, as unsafe, a change the spec may not make while etcd holds data under it (cluster/spec-change.ts). */
  const refuseUnsafeChange = async (prev: ClusterSpec, next: ClusterSpec): Promise<void> => {
    const cluster = d.etcd.client();
    if (!cluster) return;
    let members;
    try {
      members = await cluster.members();
    } catch (err) {
      throw new OperatorError({
        code: 'ETCD_UNAVAILABLE',
        message: `cannot check the change against etcd's members: ${shortError(err)}`,
        hint: 'retry once etcd answers (belayctl status)',
        retryable: true,
      });
    }
    const masters = prev.spec.masters.map((m) => ({ name: m.name, peerUrl: peerUrl(prev, m.name) }));
    const etcdMembers = members.map((m) => masterOf(m, masters)).filter((n): n is string => n !== undefined);
    // The rollout history is read only when the rule needs it.
    const rollout = balancerChanged(prev, next) ? activeRollout(await readRolloutHistory(cluster)) : undefined;
    const refusal = unsafeSpecChange({ prev, next, etcdMembers, activeRollout: rollout });
    if (refusal) throw unsafeError(refusal);
  };

  const fanOut = async (text: string): Promise<{ ok: string[]; errors: string[] }> => {
    const g = d.gossip;
    const others = g ? g.members().filter((m) => m.name !== d.node && (m.state === 'alive' || m.state === 'suspect')) : [];
    const ok: string[] = [];
    const errors: string[] = [];
    await Promise.all(
      others.map(
        (m) =>
          new Promise<void>((resolve) => {
            const api = m.tags.api;
            if (!api || !g) {
              errors.push(`${m.name}: no gRPC address in its gossip tags`);
              resolve();
              return;
            }
            g.peer(api).ApplyCluster(
              { spec: text, dryRun: false, localOnly: true },
              { deadline: new Date(Date.now() + 10_000) },
              (err: grpc.ServiceError | null) => {
                if (err) errors.push(`${m.name}: ${err.details}`);
                else ok.push(m.name);
                resolve();
              },
            );
          }),
      ),
    );
    return { ok, errors };
  };

  return {
    ApplyCluster: specUnary('ApplyCluster', async (request, call): Promise<ApplyClusterResponse__Output> => {
      const { spec: text, dryRun, localOnly } = request;
      const next = parse(text);
      const formatted = formatClusterSpec(next);
      const cluster = d.etcd.client();
      if (localOnly) {
        const changed = await d.local.write(next, Date.now());
        d.etcd.leaderReconciler()?.wake();
        return { spec: formatted, changed, storedIn: 'state-dir', warnings: [], coordinators: [d.node], errors: [], changes: [] };
      }
      let prev = d.local.read()?.spec;
      let storedIn = 'state-dir';
      // etcd runs somewhere but this coordinator cannot reach it: its copy would be overwritten from etcd, unchecked.
      const etcdElsewhere = d.gossip?.members().find((m) => m.tags.etcd === 'healthy');
      if (!cluster && etcdElsewhere && prev) {
        throw new OperatorError({
          code: 'NO_ETCD_CLIENT',
          message: `${d.node} has no etcd client yet, but etcd runs (on ${etcdElsewhere.name}): the spec must be applied where it can be checked against etcd`,
          hint: `apply through another coordinator, e.g. belayctl --endpoint ${etcdElsewhere.tags.api ?? `${etcdElsewhere.name}:7702`} apply -f ...`,
          retryable: true,
        });
      }
      if (cluster) {
        const inEtcd = await cluster.kv
          .get(ETCD_KEYS.spec)
          .string()
          .catch(() => undefined);
        if (inEtcd) {
          prev = parseClusterSpec(inEtcd, ETCD_KEYS.spec);
          storedIn = 'etcd';
        }
      }
      if (prev) await refuseUnsafeChange(prev, next);
      const changes = specChanges(prev, next);
      const same = prev !== undefined && formatClusterSpec(prev) === formatted;
      // A master nobody hears from is likely a wrong address (or belay is not running there yet): say so, it cannot join.
      const heard = d.gossip?.members() ?? [];
      const unheard = d.gossip
        ? next.spec.masters.filter((m) => {
            const g = heard.find((x) => x.name === m.name);
            return !g || g.state !== 'alive' || hostOf(g.addr) !== m.address;
          })
        : [];
      const warnings = [
        ...specWarnings(next),
        ...(prev ? balancerChangeWarnings(prev, next) : []),
        ...unheard.map((m) => {
          const g = heard.find((x) => x.name === m.name);
          return g && hostOf(g.addr) !== m.address
            ? `master ${m.name}: its coordinator gossips from ${hostOf(g.addr)}, not ${m.address}: check the address`
            : `master ${m.name} (${m.address}) is not alive in gossip${g ? ` (${g.state})` : ''}: is belay running there, and is the address right? It joins etcd once it is`;
        }),
      ];
      const base = { spec: formatted, changed: !same, storedIn, warnings, changes: same ? [] : changes };
      if (dryRun) return { ...base, coordinators: [], errors: [] };
      const now = Date.now();
      if (storedIn === 'etcd' && cluster) {
        await cluster.kv.put(ETCD_KEYS.spec).value(formatted);
        await cluster.kv.put(ETCD_KEYS.specAppliedAt).value(String(now));
        // A master dropped from the spec is no longer held out of joins.
        for (const k of await cluster.kv.getAll().prefix(ETCD_KEYS.heldOut).keys()) {
          if (!next.spec.masters.some((m) => ETCD_KEYS.heldOut + m.name === k)) await cluster.kv.delete().key(k);
        }
      }
      await d.local.write(next, now);
      const out = await fanOut(text);
      d.etcd.leaderReconciler()?.wake();
      d.log.info('cluster spec applied', { by: d.caller(call), storedIn, changes });
      return { ...base, coordinators: [d.node, ...out.ok], errors: out.errors };
    }),

    GetCluster: specUnary('GetCluster', () => {
      const local = d.local.read();
      return { spec: local?.text ?? '', storedIn: local ? (d.etcd.client() ? 'etcd' : 'state-dir') : '', appliedAtMs: local?.appliedAtMs ?? 0 };
    }),

    Bootstrap(call) {
      const { node, dryRun } = call.request;
      const by = d.caller(call);
      streamed('Bootstrap', call, async (progress) => {
        await bootstrapEtcd({ me: d.node, local: d.local, agent: d.agent, requestedBy: by, progress }, node, dryRun);
        if (dryRun) return 'dry run: nothing was changed';
        d.log.warn('etcd bootstrapped', { node, by });
        void d.etcd.refresh().catch(() => undefined);
        return `etcd bootstrapped on ${node}; the leader now joins the other masters one at a time (belayctl etcd members)`;
      });
    },

    EtcdMembers: specUnary('EtcdMembers', async () => {
      const cluster = d.etcd.client();
      const leader = d.etcd.summary().leader;
      const base = { coordinator: d.node, leader: leader?.name ?? '', term: leader?.term ?? 0 };
      if (!cluster)
        return { ...base, members: [], clusterId: '', error: 'no etcd yet (or this master has no etcd client certificate): belayctl bootstrap --node NAME' };
      let list;
      try {
        list = await cluster.members();
      } catch (err) {
        return { ...base, members: [], clusterId: '', error: `cannot list members: ${shortError(err)}` };
      }
      const spec = d.local.read()?.spec;
      const alarms = await cluster.alarms().catch(() => []);
      const rows: EtcdMember[] = await Promise.all(
        list.map(async (m) => {
          const master = spec
            ? masterOf(
                m,
                spec.spec.masters.map((x) => ({ name: x.name, peerUrl: peerUrl(spec, x.name) })),
              )
            : undefined;
          const url = m.clientUrls[0] ?? (spec && master ? clientUrl(spec, master) : undefined);
          const s = url ? await cluster.status(url, 1_500) : undefined;
          const role = m.isLearner ? 'learner' : s?.ok && s.memberId === s.leaderId ? 'leader' : 'follower';
          return {
            name: m.name || (master ? `${master} (not started)` : ''),
            id: hexId(m.id),
            peerUrls: m.peerUrls,
            clientUrls: m.clientUrls,
            role,
            healthy: Boolean(s?.ok),
            dbSizeBytes: s?.dbSizeBytes ?? 0,
            dbSizeInUseBytes: s?.dbSizeInUseBytes ?? 0,
            raftIndex: s?.raftIndex ?? 0,
            raftTerm: s?.raftTerm ?? 0,
            version: s?.version ?? '',
            alarms: alarms.filter((a) => a.memberId === m.id).map((a) => a.alarm),
            error: s?.ok ? '' : (s?.error ?? 'not started: no client URL yet'),
          };
        }),
      );
      const clusterId = await cluster.kv.maintenance
        .status()
        .then((s) => hexId(s.header.cluster_id))
        .catch(() => '');
      rows.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
      return { ...base, members: rows, clusterId, error: '' };
    }),

    EtcdRemove(call) {
      const { name, dryRun } = call.request;
      const by = d.caller(call);
      onLeader('EtcdRemove', call, async (progress) => {
        const rec = d.etcd.leaderReconciler();
        const cluster = d.etcd.client();
        const spec = d.local.read()?.spec;
        if (!rec || !cluster || !spec)
          throw new OperatorError({ code: 'NO_LEADER', message: 'this coordinator stopped leading', hint: 'retry', retryable: true });
        const { members, statuses } = await rec.observe();
        if (!members)
          throw new OperatorError({
            code: 'ETCD_UNAVAILABLE',
            message: 'cannot read the member list',
            hint: 'belayctl status shows whether etcd has quorum',
            retryable: true,
          });
        const masters = spec.spec.masters.map((m) => ({ name: m.name, peerUrl: peerUrl(spec, m.name) }));
        const target = members.find((m) => m.name === name || masterOf(m, masters) === name);
        if (!target)
          throw new OperatorError({
            code: 'NO_SUCH_MEMBER',
            message: `${name} is not an etcd member (members: ${members.map((m) => m.name || hexId(m.id)).join(', ')})`,
            hint: 'belayctl etcd members lists them',
          });
        const removal = canRemoveMember(
          members.map((m) => ({ id: m.id, name: m.name || hexId(m.id), isLearner: m.isLearner, healthy: statuses.get(m.id)?.ok === true })),
          { id: target.id, name, isLearner: target.isLearner },
        );
        if (!removal.ok) throw unsafeError(removal);
        const isLeader = statuses.get(target.id)?.ok === true && statuses.get(target.id)?.memberId === statuses.get(target.id)?.leaderId;
        const plan = [
          ...(isLeader ? [`move etcd leadership away from ${name}`] : []),
          `remove member ${name} (${hexId(target.id)}${target.isLearner ? ', learner' : ''}) from etcd`,
          `stop etcd on ${name} (remove its etcd.yaml; its data dir is kept)`,
          `keep ${name} out of automatic joins until belayctl etcd add ${name}`,
        ];
        if (dryRun) {
          for (const line of plan) progress('plan', line, true);
          return 'dry run: nothing was changed';
        }
        const master = masterOf(target, masters);
        if (master) await cluster.kv.put(ETCD_KEYS.heldOut + master).value(JSON.stringify({ atMs: Date.now(), by }));
        await rec.removeByHand({ memberId: target.id, master, isLearner: target.isLearner, isLeader, reason: `removed by ${by}` }, members, statuses, progress);
        d.log.warn('etcd member removed by hand', { name, by });
        return `${name} removed from etcd`;
      });
    },

    EtcdSnapshot(call) {
      onLeader('EtcdSnapshot', call, async (progress) => {
        const backups = d.etcd.leaderBackups();
        if (!backups) throw new OperatorError({ code: 'NO_LEADER', message: 'this coordinator stopped leading', hint: 'retry', retryable: true });
        progress('snapshot', `taking a snapshot on ${d.node}`);
        const meta = await backups.snapshot();
        const info = snapshotInfo(meta, d.paths);
        if (!meta.verified)
          throw new OperatorError({
            code: 'SNAPSHOT_NOT_VERIFIED',
            message: `snapshot ${info.file} could not be verified: ${meta.error}`,
            hint: "see the leader's log; the earlier snapshots are kept",
          });
        return {
          message: `snapshot ${info.file} on ${d.node}: revision ${meta.revision}, ${meta.keyCount} keys, ${(meta.sizeBytes / 1024 ** 2).toFixed(1)} MiB, sha256 ${meta.sha256.slice(0, 12)}…, verified in ${meta.durationMs} ms`,
          result: { ...info, node: d.node },
        };
      });
    },

    EtcdSnapshots: specUnary('EtcdSnapshots', async () => {
      const spec = d.local.read()?.spec;
      if (!spec) return { node: d.node, snapshots: [], lastDrill: null, error: 'no Cluster spec yet' };
      const dirs = [spec.spec.backup.dir, ...(spec.spec.backup.secondaryDir ? [spec.spec.backup.secondaryDir] : [])];
      const errors: string[] = [];
      const snapshots = dirs.flatMap((dir) => {
        try {
          return listSnapshots(d.paths.host(dir)).map((m) => snapshotInfo(m, d.paths));
        } catch (err) {
          errors.push(`${dir}: ${shortError(err)}`);
          return [];
        }
      });
      snapshots.sort((a, b) => Number(b.takenAtMs) - Number(a.takenAtMs));
      const cluster = d.etcd.client();
      const lastDrill = cluster ? ((await readJson<DrillInfo>(cluster, ETCD_KEYS.lastDrill).catch(() => undefined)) ?? null) : null;
      return { node: d.node, snapshots, lastDrill, error: errors.join('; ') };
    }),

    EtcdRestore(call) {
      const { snapshot, node, dryRun, force } = call.request;
      const by = d.caller(call);
      streamed('EtcdRestore', call, async (progress) => {
        const msg = await restoreEtcd(
          { me: d.node, paths: d.paths, local: d.local, agent: d.agent, requestedBy: by, progress },
          { snapshot, node, dryRun, force },
        );
        if (!dryRun) d.log.warn('etcd restored from a snapshot', { snapshot, node: node || d.node, by });
        return msg;
      });
    },

    EtcdDefrag(call) {
      const { dryRun } = call.request;
      onLeader('EtcdDefrag', call, async (progress) => {
        const rec = d.etcd.leaderReconciler();
        const cluster = d.etcd.client();
        if (!rec || !cluster) throw new OperatorError({ code: 'NO_LEADER', message: 'this coordinator stopped leading', hint: 'retry', retryable: true });
        // onLeader runs this in turn with the reconcile passes already.
        return defragCluster(cluster, () => rec.observe(), progress, dryRun);
      });
    },

    EtcdAdd(call) {
      const { name, dryRun } = call.request;
      onLeader('EtcdAdd', call, async (progress) => {
        const rec = d.etcd.leaderReconciler();
        const cluster = d.etcd.client();
        const spec = d.local.read()?.spec;
        if (!rec || !cluster || !spec)
          throw new OperatorError({ code: 'NO_LEADER', message: 'this coordinator stopped leading', hint: 'retry', retryable: true });
        if (!spec.spec.masters.some((m) => m.name === name)) {
          throw new OperatorError({
            code: 'NOT_IN_SPEC',
            message: `${name} is not a master of the spec (masters: ${spec.spec.masters.map((m) => m.name).join(', ')})`,
            hint: `add it to spec.masters and belayctl apply -f first`,
          });
        }
        const pf = await rec.preflightOk(name, spec, (await rec.observe()).statuses);
        if (dryRun) {
          progress('plan', pf.line, true);
          for (const line of [
            `add ${name} as a learner (${peerUrl(spec, name)})`,
            `write its etcd certificates and etcd.yaml (initial-cluster-state existing)`,
            'promote it once in sync',
            'wait until it is healthy',
          ])
            progress('plan', line, true);
          return 'dry run: nothing was changed';
        }
        await cluster.kv.delete().key(ETCD_KEYS.heldOut + name);
        rec.clearBackoff(name);
        if (!pf.ok)
          throw new OperatorError({
            code: 'PREFLIGHT_FAILED',
            message: pf.line,
            hint: 'fix the host (or relax spec.etcd.preflight); the leader retries by itself',
          });
        progress('preflight', pf.line);
        return rec.joinByHand(name, progress);
      });
    },
  };
}

/** A ConfigError (the spec does not parse) as the operator sees it; anything else as it is. */
function asSpecInvalid(err: unknown): unknown {
  return err instanceof ConfigError ? specInvalid(err) : err;
}

function specInvalid(err: ConfigError): OperatorError {
  return new OperatorError({
    code: 'SPEC_INVALID',
    message: `the Cluster spec is not valid:\n  ${err.problems.join('\n  ')}`,
    hint: 'fix the fields named above; docs/config.md lists every field of the Cluster spec',
  });
}

/** "127.0.1.1:7703" or "[fd00::1]:7703" → the host. */
function hostOf(addr: string): string {
  return addr.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
}
