/** bench-supervisor's fault and its measure, the same for belay and monit: kill -9 or SIGSTOP, then a new containerd and its answer. */
import path from 'node:path';
import { sleep } from './common.js';
import { ageSeconds, isAlive, now, signal, tail, waitHealthy, type Ident } from './supervisor-processes.js';
import type { Bench } from './supervisor-setup.js';

/** Longest wait for anything measured (the issue: cap each monit wait at 40 s). */
export const CAP_MS = 40_000;
/** A start (agent or monit, plus containerd) that shows no healthy containerd by then failed. */
const READY_MS = 30_000;

/** Waits for exactly one containerd of ours, answering; returns it. */
export async function ready(b: Bench, what: string, abort: () => string | undefined): Promise<Ident> {
  const at = await waitHealthy(b.ctdCheck, READY_MS, abort);
  if (at === undefined)
    throw new Error(
      `${what}: containerd not healthy within ${READY_MS / 1000} s; ${path.join(b.ctdDir, 'containerd.log')}:\n${tail(path.join(b.ctdDir, 'containerd.log'))}`,
    );
  const procs = b.finder.scan();
  const [p] = procs;
  if (procs.length !== 1 || !p) throw new Error(`${what}: expected one containerd on ${b.ctd.config}, found ${procs.length}`);
  return p;
}

export interface Measured {
  /** Date.now() at the fault, to match the agent's log. */
  wallMs: number;
  /** ms from the fault to a new containerd process; null: none within CAP_MS. */
  begun: number | null;
  /** ms from the fault to the new one answering; null: not within CAP_MS. */
  healthy: number | null;
  next: Ident | undefined;
}

/** Faults `cur` (kill -9, or SIGSTOP for a hang) and times the recovery from outside. */
export async function fault(b: Bench, cur: Ident, how: 'SIGKILL' | 'SIGSTOP', abort?: () => string | undefined): Promise<Measured> {
  const wallMs = Date.now();
  const t0 = now();
  process.kill(cur.pid, how);
  const n = await b.finder.waitNew([cur], CAP_MS);
  if (!n) {
    if (how === 'SIGSTOP') signal(cur, 'SIGCONT');
    return { wallMs, begun: null, healthy: null, next: undefined };
  }
  const h = await waitHealthy(b.ctdCheck, Math.max(0, t0 + CAP_MS - now()), abort);
  return { wallMs, begun: n.at - t0, healthy: h === undefined ? null : h - t0, next: n.id };
}

/** Waits (bounded) until containerd is at least `seconds` old, to be past monit's 30 s start timeout. */
export async function ageTo(cur: Ident, seconds: number): Promise<void> {
  const deadline = now() + (seconds + 5) * 1000;
  while (isAlive(cur) && ageSeconds(cur) < seconds && now() < deadline) await sleep(200);
}
