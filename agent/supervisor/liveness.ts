import fs from 'node:fs';
import { matchProcessName } from '../host/report.js';
import { readProcStat } from '../../proto/common/proc.js';
import type { Proc } from './policy-io.js';

/**
 * How a supervised process is found when it is not the agent's own child.
 * Each returns the process (pid + start time) or null with the reason, and
 * never throws: garbage in a pidfile is "no process", not a crash.
 */
export type Observation = { proc: Proc; reason?: undefined } | { proc: null; reason: string };

/** A live process's identity, or undefined for none (or a zombie: dead, just not reaped yet). */
export function liveProc(pid: number): Proc | undefined {
  const st = readProcStat(pid);
  if (!st || st.state === 'Z' || st.state === 'X') return undefined;
  return { pid, startTicks: st.startTicks };
}

export function observePidfile(pidfile: string): Observation {
  let text: string;
  try {
    text = fs.readFileSync(pidfile, 'utf8');
  } catch (err) {
    return { proc: null, reason: `pidfile ${pidfile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  }
  const m = /^\s*(\d{1,10})\s*$/.exec(text);
  const pid = m ? Number(m[1]) : NaN;
  if (!Number.isSafeInteger(pid) || pid < 2) {
    return { proc: null, reason: `pidfile ${pidfile} holds no pid: ${JSON.stringify(text.slice(0, 40))}` };
  }
  const proc = liveProc(pid);
  return proc ? { proc } : { proc: null, reason: `pid ${pid} from ${pidfile} is not running` };
}

/** The oldest process running `name` (by comm and executable, as the host report matches them). */
export function observeProcessName(name: string): Observation {
  let best: Proc | undefined;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    let comm: string;
    try {
      comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trimEnd();
    } catch {
      continue;
    }
    if (!name.startsWith(comm) || comm.length === 0) continue;
    let exe: string | undefined;
    try {
      exe = fs.readlinkSync(`/proc/${pid}/exe`);
    } catch {
      exe = undefined;
    }
    if (!matchProcessName({ comm, ...(exe ? { exe } : {}) }, [name])) continue;
    const proc = liveProc(pid);
    if (proc && (!best || proc.startTicks < best.startTicks)) best = proc;
  }
  return best ? { proc: best } : { proc: null, reason: `no process named ${name}` };
}

/** Sends `signal` to the process only if it is still the one identified (never to a reused pid). */
export function signalProc(proc: Proc, signal: NodeJS.Signals, group: boolean): 'sent' | 'gone' {
  const now = liveProc(proc.pid);
  if (!now || now.startTicks !== proc.startTicks) return 'gone';
  try {
    process.kill(group ? -proc.pid : proc.pid, signal);
    return 'sent';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return 'gone';
    throw err;
  }
}

/** CPU ticks (utime + stime) and RSS of a process, for the resource thresholds. */
export function sampleUsage(pid: number): { ticks: number; rssBytes: number } | undefined {
  try {
    const st = readProcStat(pid);
    if (!st) return undefined;
    const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { ticks: st.utimeTicks + st.stimeTicks, rssBytes: Number(rss?.[1] ?? 0) * 1024 };
  } catch {
    return undefined;
  }
}
