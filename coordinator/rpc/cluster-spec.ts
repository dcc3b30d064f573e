import type * as grpc from '@grpc/grpc-js';
import { ConfigError } from '../../proto/common/config-file.js';
import { OperatorError, unsafeError } from '../../proto/common/errors.js';
import type { ApplyClusterResponse__Output } from '../../proto/gen/belay/v1/ApplyClusterResponse.js';
import type { CoordinatorHandlers } from '../../proto/gen/belay/v1/Coordinator.js';
import { ETCD_KEYS } from '../cluster/etcd-keys.js';
import { unsafeSpecChange } from '../cluster/spec-change.js';
import { balancerChanged } from '../cluster/spec-fields.js';
import { balancerChangeWarnings, formatClusterSpec, parseClusterSpec, specChanges, specWarnings, type ClusterSpec } from '../cluster/spec.js';
import { activeRollout } from '../controlplane/rollout-requests.js';
import { shortError } from '../etcd/client.js';
import { masterOf } from '../etcd/plan.js';
import { peerUrl } from '../etcd/render.js';
import { readRolloutHistory } from '../leader/rollouts.js';
import type { ClusterHandlerDeps } from './deps.js';
import { specInvalid, specUnaryOf } from './spec-errors.js';

/**
 * The Cluster spec over gRPC: ApplyCluster checks a new spec against the one
 * in etcd (refusing unsafe changes), stores it and fans it out to the other
 * coordinators; GetCluster reads this coordinator's copy.
 */
export function clusterSpecHandlers(d: ClusterHandlerDeps): Pick<CoordinatorHandlers, 'ApplyCluster' | 'GetCluster'> {
  const specUnary = specUnaryOf(d);

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
  };
}

/** "127.0.1.1:7703" or "[fd00::1]:7703" → the host. */
function hostOf(addr: string): string {
  return addr.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
}
