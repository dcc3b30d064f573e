/** bench-supervisor's belay side: a built agent per trial supervising containerd, its faults timed from outside and from its own log. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { AgentConfigFile } from '../../agent/config.js';
import type { ServiceConfigInput } from '../../agent/supervisor/config.js';
import { sleep } from './common.js';
import { ageTo, fault, ready, type Measured } from './supervisor-fault.js';
import { childGone, log, now, stopChild, tail } from './supervisor-processes.js';
import { ms, type Mode } from './supervisor-report.js';
import { ctdService, reset, type Bench } from './supervisor-setup.js';

export async function startAgent(b: Bench, label: string, services: Record<string, ServiceConfigInput>): Promise<void> {
  await reset(b);
  const cfg: AgentConfigFile = {
    node: { name: 'm1', address: b.address },
    // nobody listens there: the agent retries with backoff; supervision does not depend on it
    coordinators: [`${b.address}:7702`],
    services,
  };
  const cfgFile = path.join(b.root, 'etc', 'belay', `agent-${label}.yaml`);
  fs.writeFileSync(cfgFile, YAML.stringify(cfg));
  const logFile = path.join(b.root, 'var', 'log', 'belay', `agent-${label}.log`);
  const fd = fs.openSync(logFile, 'a');
  const cmd = b.daemonCommand('agent');
  let child: ChildProcess;
  try {
    child = spawn(cmd.file, [...cmd.args, '--config', cfgFile, '--root', b.root, '--log-format', 'json'], { stdio: ['ignore', fd, fd] });
  } finally {
    fs.closeSync(fd);
  }
  child.once('error', () => undefined);
  b.agent = { child, log: logFile, label };
}

export function agentDied(b: Bench): string | undefined {
  const agent = b.agent;
  if (!agent || !childGone(agent.child)) return undefined;
  return `agent ${agent.label} exited (code ${agent.child.exitCode}, signal ${agent.child.signalCode}); ${agent.log}:\n${tail(agent.log)}`;
}

export async function stopAgent(b: Bench): Promise<void> {
  if (!b.agent) return;
  await stopChild(b.agent.child, 8_000);
  b.agent = undefined;
}

/** The first event of one of `kinds` for `service` the agent logged at or after `sinceMs` (wall clock; its log is one JSON object a line). */
function agentEvent(b: Bench, service: string, kinds: string[], sinceMs = 0): { at: number; kind: string } | undefined {
  if (!b.agent) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(b.agent.log, 'utf8');
  } catch {
    return undefined;
  }
  for (const l of text.split('\n')) {
    if (!l.startsWith('{') || !l.includes('"event"')) continue;
    let e: { event?: string; service?: string; timestamp?: string };
    try {
      e = JSON.parse(l) as typeof e;
    } catch {
      continue;
    }
    const at = Date.parse(e.timestamp ?? '');
    if (e.event !== undefined && kinds.includes(e.event) && e.service === service && at >= sinceMs) return { at, kind: e.event };
  }
  return undefined;
}

/**
 * When the agent decided to act on the fault, from its own log (ms
 * resolution): its first Exited (process gone) or Hung (checks failing on a
 * process it believes alive) event for containerd after the fault.
 */
function detectedAfter(b: Bench, m: Measured): { ms: number | null; kind: string } {
  const e = agentEvent(b, 'containerd', ['Exited', 'Hung'], m.wallMs - 1);
  return e === undefined ? { ms: null, kind: 'none' } : { ms: Math.max(0, e.at - m.wallMs), kind: e.kind };
}
const det = (d: { ms: number | null; kind: string }): string => (d.ms === null ? 'no event' : `${ms(d.ms)} (${d.kind})`);

/** Each trial on a fresh agent: its policy then is that of a daemon healthy for longer than healthyResetMs (no backoff streak). */
export async function belay(b: Bench, mode: Mode): Promise<void> {
  const f = b.results.figures[mode];
  const { kill: TRIALS, hang: HANG_TRIALS, loop: LOOP_TRIALS } = b.trials;
  const died = (): string | undefined => agentDied(b);
  for (let i = 1; i <= TRIALS; i++) {
    await startAgent(b, `${mode}-kill-${i}`, { containerd: ctdService(b, mode) });
    try {
      let cur = await ready(b, `belay ${mode}`, died);
      // pidfile mode polls every 50 ms for startTimeoutMs (10 s) after a start: measure the steady 1 s poll after that
      if (mode === 'pidfile') await ageTo(cur, 10.6);
      await sleep(1_000 + Math.random() * 1_000); // a random phase against the agent's poll and check timers
      const k = await fault(b, cur, 'SIGKILL', died);
      const detected = detectedAfter(b, k);
      f.killDetected.push(detected.ms);
      if (detected.kind === 'Hung') b.results.killSeenAsHang[mode]++;
      f.killBegun.push(k.begun);
      f.killHealthy.push(k.healthy);
      let line = `belay ${mode} kill -9 #${i}: detected ${det(detected)}, restart begun ${ms(k.begun)}, healthy ${ms(k.healthy)}`;
      if (i <= HANG_TRIALS && k.next && k.healthy !== null) {
        // within 30 s of that restart: the second failure in a row waits backoffInitialMs (250 ms) by design
        cur = k.next;
        await sleep(2_000);
        const h = await fault(b, cur, 'SIGSTOP', died);
        f.hangAfter.push(h.begun);
        line += `; hang 2 s after it → detected ${det(detectedAfter(b, h))}, restarted ${ms(h.begun)}, healthy ${ms(h.healthy)}`;
      }
      log(line);
    } finally {
      await stopAgent(b);
    }
  }
  for (let i = 1; i <= HANG_TRIALS; i++) {
    await startAgent(b, `${mode}-hang-${i}`, { containerd: ctdService(b, mode) });
    try {
      const cur = await ready(b, `belay ${mode}`, died);
      await sleep(5_000 + Math.random() * 500);
      const h = await fault(b, cur, 'SIGSTOP', died);
      f.hangLong.push(h.begun);
      log(`belay ${mode} hang after ≥ 5 s healthy #${i}: detected ${det(detectedAfter(b, h))}, restarted ${ms(h.begun)}, healthy ${ms(h.healthy)}`);
    } finally {
      await stopAgent(b);
    }
  }
  // (c) in child mode only: in pidfile mode the 0-1 s poll phase would swamp the comparison
  for (let i = 1; mode === 'child' && i <= LOOP_TRIALS; i++) {
    await startAgent(b, `${mode}-loop-${i}`, {
      // crash-looping: exits at once, every time; capped at 1 s so it keeps the agent busy (as the integration test)
      looper: { mode: 'child', command: ['/bin/sh', b.looperScript], budgetRestarts: 3, budgetWindowMs: 60_000, backoffMaxMs: 1_000 },
      containerd: ctdService(b, mode),
    });
    try {
      const cur = await ready(b, `belay ${mode} with a crash-looper`, died);
      const deadline = now() + 20_000;
      while (agentEvent(b, 'looper', ['CrashLooping']) === undefined && now() < deadline) await sleep(100);
      if (agentEvent(b, 'looper', ['CrashLooping']) === undefined) throw new Error(`the looper was not reported crash-looping within 20 s; ${b.agent?.log}`);
      await sleep(Math.random() * 1_000);
      const k = await fault(b, cur, 'SIGKILL', died);
      f.loopHealthy.push(k.healthy);
      log(
        `belay ${mode} kill -9 while another service crash-loops #${i}: detected ${det(detectedAfter(b, k))}, restart begun ${ms(k.begun)}, healthy ${ms(k.healthy)}`,
      );
    } finally {
      await stopAgent(b);
    }
  }
  await reset(b);
}
