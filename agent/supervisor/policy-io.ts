/**
 * What goes into a supervision policy (policy.ts) and what comes out: the
 * inputs the shell feeds it, the actions and events it returns, and the
 * status it reports.
 */

/** A process for good: a pid alone may have been reused by the time we signal it. */
export interface Proc {
  pid: number;
  startTicks: number;
}

export type Input =
  /** Time passed (the shell's timer fired at wakeAtMs). */
  | { kind: 'tick'; nowMs: number }
  /** What liveness shows now (first observation at start-up, and every poll in non-child modes); null: no process. */
  | { kind: 'observed'; nowMs: number; proc: Proc | null; reason?: string }
  /** The start action produced this process. */
  | { kind: 'started'; nowMs: number; proc: Proc }
  | { kind: 'startFailed'; nowMs: number; reason: string }
  /** The process exited (a child's exit event, or found gone). */
  | { kind: 'exited'; nowMs: number; proc: Proc; reason: string }
  | { kind: 'checked'; nowMs: number; ok: boolean; reason: string }
  | { kind: 'dependency'; nowMs: number; name: string; ready: boolean }
  | { kind: 'pause'; nowMs: number; by: string }
  | { kind: 'resume'; nowMs: number; by: string }
  | { kind: 'resources'; nowMs: number; cpuPercent: number; rssBytes: number };

export type Action =
  | { kind: 'start' }
  /** SIGTERM goes with a SIGCONT, so that a stopped (SIGSTOPped) process can act on it. */
  | { kind: 'signal'; proc: Proc; signal: 'SIGTERM' | 'SIGKILL' }
  | { kind: 'check' };

export interface PolicyEvent {
  kind: string;
  severity: 'info' | 'warning' | 'alert';
  message: string;
  fields?: Record<string, string | number | boolean>;
}

export interface Output {
  actions: Action[];
  events: PolicyEvent[];
  /** The shell arms one timer for this; Infinity: nothing due. */
  wakeAtMs: number;
}

export type ServiceState = 'starting' | 'running' | 'unhealthy' | 'stopping' | 'backoff' | 'crash-looping' | 'waiting' | 'paused' | 'stopped';

export interface PolicyStatus {
  state: ServiceState;
  proc: Proc | null;
  restarts: number;
  healthy: boolean;
  lastFailure: string;
  lastFailureAtMs: number;
  nextRestartAtMs: number;
  crashLooping: boolean;
  /** Ready for dependents: running and (if checked) healthy. */
  ready: boolean;
}
