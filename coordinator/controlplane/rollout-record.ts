import type { AdminState, OperationalState } from '../../proto/common/balancer.js';
import type { ControlPlaneComponent } from '../kube/flag-names.js';

// The rollout's record (what the leader keeps in etcd, one per revision),
// what the planner observes, and the steps it returns. rollout-plan.ts says
// the rules.

export type RolloutComponent = ControlPlaneComponent;
export type RolloutPhase = 'draining' | 'applying' | 'waiting-ready' | 'enabling' | 'rolling-back';
export type RolloutState = 'running' | 'paused' | 'halted' | 'complete';

export const ROLLOUT_DEFAULTS = {
  /**
   * The longest wait for a drained apiserver's sessions to end. Short
   * requests end within seconds; what is left after that are watches, logs
   * and exec streams, which never end by themselves. Those are ended by
   * the apiserver's own graceful shutdown when the new manifest restarts
   * it: --shutdown-delay-duration (it fails /readyz but keeps serving),
   * then it drains and closes them, and clients reconnect through the
   * balancer to another apiserver. Longer only delays the rollout.
   */
  drainTimeoutMs: 15_000,
  /**
   * Drained sessions that have not gone down for this long are long-lived
   * (keep-alive connections, watches): waiting longer only delays the
   * rollout. Short requests end well within it.
   */
  drainSettleMs: 500,
} as const;

/** The component's section of the spec at a revision: what undo puts back into the spec. */
export interface ComponentSettings {
  image?: string | undefined;
  extraArgs: Record<string, string>;
  /** `rollout restart`: the kubectl.kubernetes.io/restartedAt annotation. */
  restartedAt?: string | undefined;
}

export interface RolloutFailure {
  master: string;
  /** Where it failed: applying (the agent never took the manifest), waiting-ready, or enabling (the balancer never saw it UP). */
  phase: RolloutPhase;
  /** One line: what did not happen within which deadline. */
  reason: string;
  /** As the agent or balancer said it, e.g. "readiness probe failed: HTTP 503". */
  notReadyReason: string;
  /** The component's last log lines on that master, as its agent gave them. */
  logTail: string[];
  /** From the apply (or the enable) to giving up. */
  afterMs: number;
  /** How the rollback ended: "ready again on its previous manifest", or why not. */
  rolledBack?: string | undefined;
}

export interface RolloutCurrent {
  master: string;
  phase: RolloutPhase;
  phaseSinceMs: number;
  /** When applying began (before the apply): readiness older than this is the old pod's. */
  applyStartedAtMs?: number | undefined;
  /** Since when it has been seen ready without a break (waiting-ready, rolling-back): the stable window. */
  readySinceMs?: number | undefined;
  /** draining: the fewest sessions seen on it in all balancers since it was drained, and when first seen that low. */
  drainLow?: { sessions: number; sinceMs: number } | undefined;
  /** Set when it is put back into the balancers without being rolled (the others went unready). */
  abortReason?: string | undefined;
  /** Set once it is being rolled back. */
  failure?: RolloutFailure | undefined;
}

/** What the leader stores in etcd, one per revision; JSON-serialisable. */
export interface RolloutRecord {
  /** `${component}-${revision}`. */
  id: string;
  component: RolloutComponent;
  /** Increasing per component, from 1. */
  revision: number;
  /** The revision it started from (0: as first deployed). */
  fromRevision: number;
  /** Human lines: "image: registry.k8s.io/kube-apiserver:v1.31.0 → …", "--v: 2 → 4", "undo of revision 3". */
  changes: string[];
  settings: ComponentSettings;
  previousSettings: ComponentSettings;
  /** Master names in spec order: the order they are rolled in. */
  order: string[];
  /** sha256 (hex) of each master's manifest at this revision. */
  targetSha: Record<string, string>;
  /** sha256 of each master's manifest when the rollout started: what a rollback (and an undo) applies. */
  previousSha: Record<string, string>;
  /** Masters finished, in the order they were. */
  done: string[];
  current?: RolloutCurrent | undefined;
  state: RolloutState;
  haltReason?: string | undefined;
  failure?: RolloutFailure | undefined;
  /** The revision this one undoes. */
  undoOf?: number | undefined;
  startedAtMs: number;
  updatedAtMs: number;
  requestedBy: string;
}

export interface ServerView {
  admin: AdminState;
  operational: OperationalState;
  /** Sessions open on this server now. */
  currentSessions: number;
  /** The last health check's result (L7OK, L4CON…): for messages. */
  checkStatus?: string | undefined;
}

export interface BalancerView {
  /** e.g. "haproxy on m2", "external haproxy". */
  name: string;
  /** Its backend's servers by master name; undefined when its runtime API did not answer. */
  servers: Record<string, ServerView> | undefined;
  /** Why it did not answer (the agent's refusal, the socket missing…), for the blocked reason. */
  error?: string | undefined;
}

export interface MasterView {
  name: string;
  /** Its agent reports (the component runs under it, whatever its coordinator does). */
  alive: boolean;
  /** sha256 of the component's manifest its agent has now; '' if none. */
  manifestSha: string;
  /** sha256 of the manifest the running instance was started from, when the agent knows it. */
  runningSha?: string | undefined;
  /** The component's pod is ready, as the agent reports it. */
  ready: boolean;
  /**
   * While ready: since when, in the instance running now (a restart resets
   * it), in the leader's clock: the shell turns the agent's "ready for N ms"
   * into nowMs − N, as the hosts' clocks differ.
   */
  readySinceMs?: number | undefined;
  notReadyReason?: string | undefined;
  /** The component's last log lines: kept in the failure when it is rolled back. */
  logTail?: string[] | undefined;
}

export interface RolloutObservation {
  masters: MasterView[];
  /** apiserver: every haproxy (one per master in static-pod mode, or the external one). Ignored for the others. */
  balancers: BalancerView[];
  etcd: { healthy: boolean; reason?: string | undefined };
}

export interface RolloutLimits {
  /** Ready without a break this long before the rollout moves on (spec.rollout.stableWindow). */
  stableWindowMs: number;
  /** Not ready this long after its apply (or rollback, or enable): given up (spec.rollout.readyTimeout). */
  readyTimeoutMs: number;
  drainTimeoutMs: number;
  /** Sessions not going down for this long are long-lived: applying (ROLLOUT_DEFAULTS.drainSettleMs). */
  drainSettleMs: number;
}

export interface RolloutPlanInput {
  nowMs: number;
  record: RolloutRecord | undefined;
  observed: RolloutObservation;
  limits: RolloutLimits;
}

export type RolloutStep =
  | { kind: 'idle'; reason: string }
  | { kind: 'blocked'; reason: string }
  | { kind: 'wait'; reason: string; wakeAtMs?: number | undefined }
  /** Set this master's server to DRAIN in these balancers (runtime API `set server B/S state drain`). */
  | { kind: 'drain'; master: string; balancers: string[] }
  /** Hand the master's agent the manifest whose sha256 is `sha`. */
  | { kind: 'apply'; master: string; sha: string }
  /** Set this master's server to READY in these balancers. */
  | { kind: 'enable'; master: string; balancers: string[] }
  /** Hand the master's agent its previous manifest (from the agent's history). */
  | { kind: 'rollback'; master: string; toSha: string; reason: string }
  /** Store this record (fenced); nothing else. `reason` is the transition, for the log. */
  | { kind: 'mark'; record: RolloutRecord; reason: string }
  | { kind: 'halt'; record: RolloutRecord; reason: string }
  | { kind: 'complete'; record: RolloutRecord; reason: string };

/** The record a step asks the shell to store, if any. */
export function stepRecord(s: RolloutStep): RolloutRecord | undefined {
  return s.kind === 'mark' || s.kind === 'halt' || s.kind === 'complete' ? s.record : undefined;
}

/** belayctl's word for a component: `belayctl rollout apiserver`. */
export function rolloutCommandName(c: RolloutComponent): string {
  return c === 'kube-apiserver' ? 'apiserver' : c === 'kube-scheduler' ? 'scheduler' : 'controller-manager';
}
