import assert from 'node:assert/strict';
import { OperatorError } from '../../../proto/common/errors.js';
import type { RolloutChangeRequest } from '../../../coordinator/controlplane/rollout-requests.js';
import { planRollout } from '../../../coordinator/controlplane/rollout-plan.js';
import {
  stepRecord,
  type BalancerView,
  type MasterView,
  type RolloutCurrent,
  type RolloutLimits,
  type RolloutObservation,
  type RolloutRecord,
  type RolloutStep,
  type ServerView,
} from '../../../coordinator/controlplane/rollout-record.js';

// Fixtures the rollout planner's tests share: three masters, a record, what is
// observed, one planner pass, an operator's change.
//
// Every assert.ok has a message: without one, a failing assert.ok makes node
// re-parse the call site to build one, which under tsx (the file is one line
// to it) takes minutes instead of failing at once.

export const OLD = 'a'.repeat(64);
export const NEW = 'b'.repeat(64);
export const NAMES = ['m1', 'm2', 'm3'];
export const LIMITS: RolloutLimits = { stableWindowMs: 5_000, readyTimeoutMs: 120_000, drainTimeoutMs: 15_000, drainSettleMs: 1_000 };
export const NOW = 1_000_000;
export const shas = (sha: string, names = NAMES): Record<string, string> => Object.fromEntries(names.map((n) => [n, sha]));

export const record = (o: Partial<RolloutRecord> = {}): RolloutRecord => ({
  id: 'kube-apiserver-2',
  component: 'kube-apiserver',
  revision: 2,
  fromRevision: 1,
  changes: ['image: v1.31.0 → v1.31.1'],
  settings: { image: 'registry.k8s.io/kube-apiserver:v1.31.1', extraArgs: {} },
  previousSettings: { extraArgs: {} },
  order: [...NAMES],
  targetSha: shas(NEW),
  previousSha: shas(OLD),
  done: [],
  state: 'running',
  startedAtMs: NOW - 60_000,
  updatedAtMs: NOW - 60_000,
  requestedBy: 'admin',
  ...o,
});
export const current = (c: Partial<RolloutCurrent> & Pick<RolloutCurrent, 'master' | 'phase'>): RolloutCurrent => ({ phaseSinceMs: NOW - 1_000, ...c });
export const view = (name: string, o: Partial<MasterView> = {}): MasterView => ({ name, alive: true, manifestSha: OLD, ready: true, readySinceMs: 0, ...o });
export const server = (o: Partial<ServerView> = {}): ServerView => ({ admin: 'READY', operational: 'UP', currentSessions: 2, ...o });
/** One haproxy per master (static-pod mode), each with every master as a server; `per` overrides a master's server in all of them. */
export const balancers = (per: Record<string, Partial<ServerView>> = {}): BalancerView[] =>
  NAMES.map((b) => ({ name: `haproxy on ${b}`, servers: Object.fromEntries(NAMES.map((m) => [m, server(per[m])])) }));
export const observed = (
  o: { masters?: Record<string, Partial<MasterView>>; balancers?: BalancerView[]; etcd?: RolloutObservation['etcd'] } = {},
): RolloutObservation => ({
  masters: NAMES.map((n) => view(n, o.masters?.[n])),
  balancers: o.balancers ?? balancers(),
  etcd: o.etcd ?? { healthy: true },
});
export const plan = (r: RolloutRecord | undefined, obs: RolloutObservation = observed(), nowMs = NOW): RolloutStep =>
  planRollout({ nowMs, record: r, observed: obs, limits: LIMITS });
export const reasonOf = (s: RolloutStep): string => ('reason' in s ? s.reason : '');
export const markedCurrent = (s: RolloutStep): RolloutCurrent | undefined => {
  assert.equal(s.kind, 'mark', `expected a mark, got ${JSON.stringify(s)}`);
  return stepRecord(s)?.current;
};

export const change = (o: Partial<RolloutChangeRequest> = {}): RolloutChangeRequest => ({
  kind: 'change',
  component: 'kube-apiserver',
  order: [...NAMES],
  targetSha: shas(NEW),
  currentSha: shas(OLD),
  changes: ['image: v1.31.0 → v1.31.1'],
  settings: { image: 'registry.k8s.io/kube-apiserver:v1.31.1', extraArgs: {} },
  previousSettings: { extraArgs: {} },
  requestedBy: 'admin',
  ...o,
});
export const refusal = (f: () => unknown, code: string, message: RegExp): OperatorError => {
  let caught: unknown;
  try {
    f();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof OperatorError, `expected ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code);
  assert.match(caught.message, message);
  return caught;
};
