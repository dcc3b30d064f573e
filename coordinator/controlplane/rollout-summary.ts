import type { RolloutCurrent, RolloutRecord } from './rollout-record.js';

export const secs = (ms: number): string => `${Math.round(ms / 1000)} s`;
/** Elapsed, rounded down: "4 s of 5 s" never reads "5 s of 5 s" while still waiting. */
export const elapsedSecs = (ms: number): string => `${Math.max(0, Math.floor(ms / 1000))} s`;

/**
 * One line for `belayctl rollout status`, e.g. "kube-apiserver revision 3:
 * m2 waiting ready (4 s of 5 s stable), 1 of 3 done". With `at` it counts
 * the stable window; without, it leaves the seconds out.
 */
export function rolloutSummary(r: RolloutRecord, at?: { nowMs: number; stableWindowMs: number }): string {
  const head = `${r.component} revision ${r.revision}${r.undoOf !== undefined ? ` (undo of ${r.undoOf})` : ''}`;
  const n = r.order.length;
  const progress = `${r.done.length} of ${n} done`;
  if (r.state === 'complete') return `${head}: complete, ${progress}`;
  if (r.state === 'halted') return `${head}: halted, ${progress}: ${r.haltReason ?? 'no reason recorded'}`;
  const paused = r.state === 'paused' ? 'paused, ' : '';
  const c = r.current;
  if (!c) {
    const next = r.order.find((m) => !r.done.includes(m));
    return `${head}: ${paused}${progress}${next !== undefined ? `, next ${next}` : ''}`;
  }
  return `${head}: ${paused}${c.master} ${phaseText(c, at)}, ${progress}`;
}

function phaseText(c: RolloutCurrent, at: { nowMs: number; stableWindowMs: number } | undefined): string {
  const stable = (what: string): string =>
    c.readySinceMs !== undefined && at ? `${what} (${elapsedSecs(at.nowMs - c.readySinceMs)} of ${secs(at.stableWindowMs)} stable)` : what;
  switch (c.phase) {
    case 'draining':
      return 'draining';
    case 'applying':
      return 'applying the new manifest';
    case 'waiting-ready':
      return stable('waiting ready');
    case 'rolling-back':
      return stable(`rolling back (${c.failure?.reason ?? 'failed'})`);
    case 'enabling':
      return c.failure ? 'enabling after its rollback' : c.abortReason !== undefined ? `enabling, not rolled (${c.abortReason})` : 'enabling';
  }
}
