import type { Refusal } from '../../proto/common/errors.js';
import { balancerChanged } from './spec-fields.js';
import type { ClusterSpec } from './spec.js';

/**
 * The changes a new Cluster spec may not make while etcd holds data under
 * the current one (belayctl apply refuses them as unsafe, exit 3). Pure:
 * the shell (rpc/cluster.ts) observes which masters are etcd members and
 * the active rollout, and throws what this returns; tested case by case in
 * test/coordinator/cluster/spec-change.test.ts.
 */

/** The rollout running now, as far as this rule looks at it. */
export interface ActiveRolloutView {
  component: string;
  revision: number;
  state: string;
}

export interface SpecChange {
  prev: ClusterSpec;
  next: ClusterSpec;
  /** The masters of `prev` that are etcd members, in etcd's member order. */
  etcdMembers: readonly string[];
  /** The rollout in progress, if any (looked up by the shell when the balancer changes). */
  activeRollout?: ActiveRolloutView | undefined;
}

/** The first reason `next` may not replace `prev`, or undefined when it may. */
export function unsafeSpecChange(c: SpecChange): Refusal | undefined {
  const { prev, next } = c;
  for (const name of c.etcdMembers) {
    const after = next.spec.masters.find((x) => x.name === name);
    if (!after)
      return {
        code: 'SPEC_REMOVES_MEMBER',
        message: `the spec drops ${name}, which is an etcd member`,
        hint: `remove it from etcd first (belayctl etcd remove ${name}, which checks quorum), then apply`,
      };
    if (after.address !== prev.spec.masters.find((x) => x.name === name)?.address)
      return {
        code: 'SPEC_MOVES_MEMBER',
        message: `the spec moves etcd member ${name} to ${after.address}`,
        hint: `remove it from etcd first (belayctl etcd remove ${name}), apply the new address, then belayctl etcd add ${name}`,
      };
  }
  for (const f of ['clientPort', 'peerPort', 'metricsPort', 'dataDir'] as const) {
    if (prev.spec.etcd[f] !== next.spec.etcd[f])
      return {
        code: 'SPEC_CHANGE_UNSUPPORTED',
        message: `spec.etcd.${f} cannot change on a running cluster (${String(prev.spec.etcd[f])} → ${String(next.spec.etcd[f])})`,
        hint: 'keep the current value',
      };
  }
  if (prev.metadata.name !== next.metadata.name)
    return {
      code: 'SPEC_CHANGE_UNSUPPORTED',
      message: `metadata.name is etcd's cluster token and cannot change (${prev.metadata.name} → ${next.metadata.name})`,
      hint: 'keep the current name',
    };
  // A rollout drains and enables each master in the balancers it observes: changing them under it could leave
  // a master drained in a balancer it no longer looks at while it takes the next one out.
  const active = c.activeRollout;
  if (active?.component === 'kube-apiserver' && balancerChanged(prev, next))
    return {
      code: 'SPEC_BALANCER_DURING_ROLLOUT',
      message: `spec.loadBalancer cannot change while the kube-apiserver rollout (revision ${active.revision}, ${active.state}) works through the balancers`,
      hint: 'let it finish (belayctl rollout status apiserver) or undo it, then apply',
    };
  return undefined;
}
