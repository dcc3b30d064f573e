import fs from 'node:fs';
import path from 'node:path';
import { isRunning } from '../../proto/common/proc.js';
import { readState, type DevProcess } from './state.js';

/** Listing and stopping a dev cluster's processes: the daemons dev up started, and the pods and services their agents started. */

/** SIGTERM each process, SIGKILL what is left after graceMs. Only processes whose identity still matches are signalled. */
export async function stopProcesses(processes: DevProcess[], graceMs: number): Promise<DevProcess[]> {
  const live = processes.filter((p) => isRunning(p.pid, p.startTicks));
  for (const p of live) signal(p, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (live.some((p) => isRunning(p.pid, p.startTicks)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const p of live) if (isRunning(p.pid, p.startTicks)) signal(p, 'SIGKILL');
  return live;
}

function signal(p: DevProcess, sig: NodeJS.Signals): void {
  try {
    process.kill(p.pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** Processes the agents under `roots` started and recorded (supervisor/children/*.json), still alive with the same identity. */
export function agentChildren(roots: string[]): { pid: number; startTicks: number; file: string }[] {
  const out: { pid: number; startTicks: number; file: string }[] = [];
  for (const root of roots) {
    const dir = path.join(root, 'var', 'lib', 'belay', 'supervisor', 'children');
    let names: string[];
    try {
      names = fs.readdirSync(dir).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
    } catch {
      continue;
    }
    for (const n of names) {
      try {
        const p = JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8')) as { pid?: unknown; startTicks?: unknown };
        if (typeof p.pid === 'number' && typeof p.startTicks === 'number' && isRunning(p.pid, p.startTicks))
          out.push({ pid: p.pid, startTicks: p.startTicks, file: path.join(dir, n) });
      } catch {
        // a half-written or foreign file: not ours to signal
      }
    }
  }
  return out;
}

export async function stopChildren(roots: string[], graceMs: number): Promise<void> {
  const live = agentChildren(roots);
  const kill = (pid: number, sig: NodeJS.Signals): void => {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, sig);
      } catch {
        // gone, or not a group leader
      }
    }
  };
  for (const c of live) kill(c.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (live.some((c) => isRunning(c.pid, c.startTicks)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const c of live) if (isRunning(c.pid, c.startTicks)) kill(c.pid, 'SIGKILL');
  for (const c of live) fs.rmSync(c.file, { force: true });
}

export function devPs(dir: string): (DevProcess & { running: boolean })[] {
  const state = readState(dir);
  return (state?.processes ?? []).map((p) => ({ ...p, running: isRunning(p.pid, p.startTicks) }));
}
