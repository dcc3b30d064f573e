import fs from 'node:fs';

/** The fields of /proc/<pid>/stat we use; comm may hold spaces and parentheses, so parse from the last ')'. */
export interface ProcStat {
  pid: number;
  comm: string;
  /** Kernel state letter: R running, S sleeping, D disk sleep, Z zombie, T stopped, ... */
  state: string;
  ppid: number;
  /** CPU time in user and kernel mode, clock ticks. */
  utimeTicks: number;
  stimeTicks: number;
  /** Start time in clock ticks after boot: pid plus this identifies a process for good. */
  startTicks: number;
}

export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); starttime is field 22 → rest[19].
  const startTicks = Number(rest[19]);
  if (!Number.isFinite(startTicks)) return undefined;
  // rest[n] is field n + 3 of proc(5): utime is field 14, stime 15.
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: rest[0] ?? '?',
    ppid: Number(rest[1]),
    utimeTicks: Number(rest[11]),
    stimeTicks: Number(rest[12]),
    startTicks,
  };
}

export function readProcStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Whether the process that had `startTicks` is still running: a reused pid
 * has another start time, and a zombie is dead (PID 1 may reap it late).
 */
export function isRunning(pid: number, startTicks: number): boolean {
  const st = readProcStat(pid);
  return st !== undefined && st.startTicks === startTicks && st.state !== 'Z' && st.state !== 'X';
}

let bootTimeMs: number | undefined;

/** Wall-clock start time of a process from its start ticks (btime from /proc/stat; USER_HZ is 100 on Linux). */
export function startTimeMs(startTicks: number, ticksPerSecond = 100): number {
  if (bootTimeMs === undefined) {
    try {
      const m = /^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'));
      bootTimeMs = m ? Number(m[1]) * 1000 : 0;
    } catch {
      bootTimeMs = 0;
    }
  }
  return bootTimeMs + Math.round((startTicks * 1000) / ticksPerSecond);
}
