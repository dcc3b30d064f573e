/**
 * The /proc side of bench-supervisor: a process's identity (pid + start time),
 * finding containerd by its config file, health polling, and stopping what the
 * bench started.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runCheck, type HealthCheck } from '../../agent/supervisor/probes.js';
import { readProcStat } from '../../proto/common/proc.js';
import { readCmdline } from '../../test/harness/runtimes.js';
import { sleep } from './common.js';

const SCAN_MS = 5;
const HEALTH_POLL_MS = 20;
export const TICKS_PER_S = 100; // USER_HZ

export const now = (): number => performance.now();
export const log = (line: string): void => console.log(`bench: ${line}`);

export interface Ident {
  pid: number;
  startTicks: number;
}

export function isAlive(id: Ident): boolean {
  const st = readProcStat(id.pid);
  // a zombie is dead, only not reaped yet (PID 1 here reaps late)
  return st !== undefined && st.startTicks === id.startTicks && st.state !== 'Z' && st.state !== 'X';
}

export function identOf(pid: number): Ident | undefined {
  const st = readProcStat(pid);
  return st === undefined || st.state === 'Z' || st.state === 'X' ? undefined : { pid, startTicks: st.startTicks };
}

export function signal(id: Ident, sig: NodeJS.Signals): void {
  if (!isAlive(id)) return;
  try {
    process.kill(id.pid, sig);
  } catch {
    // ESRCH: gone meanwhile
  }
}

/** Seconds since the process started, from its start ticks and /proc/uptime. */
export function ageSeconds(id: Ident): number {
  const up = Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  return up - id.startTicks / TICKS_PER_S;
}

/**
 * Finds the live containerd processes running on one config file. New pids
 * are read (stat + cmdline) for their first 2 s, which covers a wrapper's
 * fork-then-exec; a pid that was something else for longer is skipped, so a
 * scan is one readdir plus a few reads.
 */
export class DaemonFinder {
  private readonly known = new Map<number, { startTicks: number; match: boolean; seenAt: number }>();

  constructor(private readonly config: string) {}

  scan(): Ident[] {
    const t = now();
    const found: Ident[] = [];
    const present = new Set<number>();
    for (const e of fs.readdirSync('/proc')) {
      const c = e.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const pid = Number(e);
      present.add(pid);
      const k = this.known.get(pid);
      if (k && !k.match && t - k.seenAt > 2_000) continue;
      const st = readProcStat(pid);
      if (!st || st.state === 'Z' || st.state === 'X') continue;
      let match: boolean;
      if (k && k.startTicks === st.startTicks && k.match) {
        match = true;
      } else {
        const argv = readCmdline(pid);
        match = path.basename(argv[0] ?? '') === 'containerd' && argv.includes(this.config);
        if (k && k.startTicks === st.startTicks) k.match = match;
        else this.known.set(pid, { startTicks: st.startTicks, match, seenAt: t });
      }
      if (match) found.push({ pid, startTicks: st.startTicks });
    }
    for (const pid of this.known.keys()) if (!present.has(pid)) this.known.delete(pid);
    return found;
  }

  /** The first live containerd that is none of `not`, and when it was seen; undefined after timeoutMs. */
  async waitNew(not: Ident[], timeoutMs: number): Promise<{ at: number; id: Ident } | undefined> {
    const deadline = now() + timeoutMs;
    while (now() < deadline) {
      const fresh = this.scan().find((p) => !not.some((o) => o.pid === p.pid && o.startTicks === p.startTicks));
      if (fresh) return { at: now(), id: fresh };
      await sleep(SCAN_MS);
    }
    return undefined;
  }
}

/** Polls the check every HEALTH_POLL_MS until it passes; the time it passed, or undefined. */
export async function waitHealthy(check: HealthCheck, timeoutMs: number, abort?: () => string | undefined): Promise<number | undefined> {
  const deadline = now() + timeoutMs;
  while (now() < deadline) {
    const why = abort?.();
    if (why !== undefined) throw new Error(why);
    const started = now();
    const r = await runCheck(check, 250);
    if (r.ok) return now();
    await sleep(Math.max(0, started + HEALTH_POLL_MS - now()));
  }
  return undefined;
}

/** Runs a command to its end; its stdout, or throws with its stderr. */
export function runOk(file: string, args: string[], timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')}: ${stderr.trim() || err.message}`, { cause: err }));
      else resolve(stdout);
    });
  });
}

export function tail(file: string, lines = 20): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no ${file})`;
  }
}

export function childGone(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** SIGTERM a child of ours, SIGKILL after graceMs; resolves once it exited (bounded). */
export async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.pid === undefined || childGone(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const waitExit = (ms: number): Promise<boolean> => Promise.race([exited.then(() => true), sleep(ms).then(() => false)]);
  child.kill('SIGTERM');
  if (await waitExit(graceMs)) return;
  child.kill('SIGKILL');
  await waitExit(5_000);
}

/** Kills (SIGKILL, or SIGTERM first) every live process whose command line names `tmp` (the bench's temp dir): only ours. */
export async function sweep(tmp: string, first: 'SIGKILL' | 'SIGTERM', graceMs = 10_000): Promise<number> {
  const ours = (): Ident[] => {
    const found: Ident[] = [];
    for (const e of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
      if (!readCmdline(Number(e)).some((a) => a.includes(tmp))) continue;
      const id = identOf(Number(e));
      if (id) found.push(id);
    }
    return found;
  };
  const procs = ours();
  if (procs.length === 0) return 0;
  for (const p of procs) {
    signal(p, first);
    if (first === 'SIGTERM') signal(p, 'SIGCONT');
  }
  const deadline = now() + (first === 'SIGTERM' ? graceMs : 2_000);
  while (procs.some(isAlive) && now() < deadline) await sleep(20);
  for (const p of procs) signal(p, 'SIGKILL');
  const hard = now() + 2_000;
  while (procs.some(isAlive) && now() < hard) await sleep(20);
  return procs.length;
}
