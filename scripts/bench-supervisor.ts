/**
 * Supervision figures, belay-agent side by side with monit 5.33 on the same
 * daemon (a real containerd with its own state dirs), printed, not asserted:
 *  (a) kill -9 → restart begun, and → healthy again;
 *  (b) hang (SIGSTOP) → restarted, on a long-running daemon and 2 s after a restart;
 *  (c) kill -9 → healthy again while another service crash-loops, against alone;
 *  and the agent's CPU and RSS while it supervises three services.
 * belay runs as built (dist/agent/main.js) in direct-child and in pidfile mode;
 * monit runs from its own control file (`set daemon 1`) in a temp dir.
 *
 * Everything is measured from outside, the same way for both: a /proc scan
 * every 5 ms finds the containerd process running on this bench's config (its
 * identity is pid + start time) and timestamps when a new one exists ("restart
 * begun"); from then on its gRPC Version call is polled every 20 ms ("healthy
 * again"). Every wait is bounded; every process started is ended and the temp
 * dir removed at the end, also on error or Ctrl-C. Usage:
 *   npm run build && npx tsx scripts/bench-supervisor.ts
 * Environment: BENCH_TRIALS (5: kill -9 trials per supervisor), BENCH_HANG_TRIALS
 * (2: belay hang trials per case), BENCH_LOOP_TRIALS (3: belay crash-loop
 * trials), BENCH_MONIT_LOOP_TRIALS (2: each up to one 30 s monit start timeout),
 * BENCH_IDLE_SECONDS (30: CPU/RSS window), BENCH_ONLY (child,pidfile,monit,usage: the parts to run).
 */
import '../proto/common/warnings.js';
import { fromDist } from './dist.js';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import type { AgentConfigFile } from '../agent/config.js';
import type { ServiceConfigInput } from '../agent/supervisor/config.js';
import { sampleUsage } from '../agent/supervisor/liveness.js';
import { runCheck, type HealthCheck } from '../agent/supervisor/probes.js';
import { readProcStat } from '../proto/common/proc.js';
import { containerdCommand, dockerdCommand, findOnPath, unmountUnder } from '../test/harness/runtimes.js';

type Cluster = typeof import('../coordinator/dev/cluster.js');
type Pki = typeof import('../coordinator/pki/init.js');

const top = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The agent is started from dist/ too (not imported: that would run it).
if (!fs.existsSync(path.join(top, 'dist', 'agent', 'main.js'))) {
  console.error('bench-supervisor: dist/ is missing: run npm run build first');
  process.exit(1);
}
const cluster = await fromDist<Cluster>('coordinator/dev/cluster.js', 'bench-supervisor');
const pki = await fromDist<Pki>('coordinator/pki/init.js', 'bench-supervisor');

const envInt = (name: string, def: number, min: number): number => {
  const v = Number(process.env[name] ?? def);
  return Number.isInteger(v) && v >= min ? v : def;
};
const TRIALS = envInt('BENCH_TRIALS', 5, 1);
const HANG_TRIALS = envInt('BENCH_HANG_TRIALS', 2, 1);
const LOOP_TRIALS = envInt('BENCH_LOOP_TRIALS', 3, 1);
const MONIT_LOOP_TRIALS = envInt('BENCH_MONIT_LOOP_TRIALS', 2, 1);
const IDLE_SECONDS = envInt('BENCH_IDLE_SECONDS', 30, 5);

const VERSION_METHOD = '/containerd.services.version.v1.Version/Version';
/** Longest wait for anything measured (the issue: cap each monit wait at 40 s). */
const CAP_MS = 40_000;
const SCAN_MS = 5;
const HEALTH_POLL_MS = 20;
/** A start (agent or monit, plus containerd) that shows no healthy containerd by then failed. */
const READY_MS = 30_000;
/** Hard stop of the whole run, whatever hangs: cleanup runs and the bench exits 1. */
const RUN_LIMIT_MS = 15 * 60_000;
const TICKS_PER_S = 100; // USER_HZ

const now = (): number => performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const log = (line: string): void => console.log(`bench: ${line}`);

// ---------------------------------------------------------------- processes

interface Ident {
  pid: number;
  startTicks: number;
}

function isAlive(id: Ident): boolean {
  const st = readProcStat(id.pid);
  // a zombie is dead, only not reaped yet (PID 1 here reaps late)
  return st !== undefined && st.startTicks === id.startTicks && st.state !== 'Z' && st.state !== 'X';
}

function identOf(pid: number): Ident | undefined {
  const st = readProcStat(pid);
  return st === undefined || st.state === 'Z' || st.state === 'X' ? undefined : { pid, startTicks: st.startTicks };
}

function cmdline(pid: number): string[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter((a) => a !== '');
  } catch {
    return [];
  }
}

function signal(id: Ident, sig: NodeJS.Signals): void {
  if (!isAlive(id)) return;
  try {
    process.kill(id.pid, sig);
  } catch {
    // ESRCH: gone meanwhile
  }
}

/** Seconds since the process started, from its start ticks and /proc/uptime. */
function ageSeconds(id: Ident): number {
  const up = Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  return up - id.startTicks / TICKS_PER_S;
}

/**
 * Finds the live containerd processes running on one config file. New pids
 * are read (stat + cmdline) for their first 2 s, which covers a wrapper's
 * fork-then-exec; a pid that was something else for longer is skipped, so a
 * scan is one readdir plus a few reads.
 */
class DaemonFinder {
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
        const argv = cmdline(pid);
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
async function waitHealthy(check: HealthCheck, timeoutMs: number, abort?: () => string | undefined): Promise<number | undefined> {
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

function run(file: string, args: string[], timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')}: ${stderr.trim() || err.message}`, { cause: err }));
      else resolve(stdout);
    });
  });
}

function tail(file: string, lines = 20): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no ${file})`;
  }
}

function childGone(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** SIGTERM a child of ours, SIGKILL after graceMs; resolves once it exited (bounded). */
async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.pid === undefined || childGone(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const waitExit = (ms: number): Promise<boolean> => Promise.race([exited.then(() => true), sleep(ms).then(() => false)]);
  child.kill('SIGTERM');
  if (await waitExit(graceMs)) return;
  child.kill('SIGKILL');
  await waitExit(5_000);
}

// ---------------------------------------------------------------- setup

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'bsup-'));
/** The agent's --root: containerd's and dockerd's dirs are under it, so the config names them as /ctd/..., /dkr/... */
const ROOT = path.join(TMP, 'r');
const ADDRESS = `127.5.${1 + Math.floor(Math.random() * 250)}.1`;
const CTD_DIR = path.join(ROOT, 'ctd');
const ctd = containerdCommand(CTD_DIR);
const CTD_PIDFILE = path.join(CTD_DIR, 'ctd.pid');
const CTD_CHECK: HealthCheck = { type: 'grpc-unix', socket: ctd.socket, method: VERSION_METHOD };
const finder = new DaemonFinder(ctd.config);
const under = (real: string): string => '/' + path.relative(ROOT, real);

/**
 * One start command for belay's pidfile mode and for monit: containerd in the
 * background, its pid ($!) into the pidfile, and exit. Not `echo $$; exec
 * containerd`: monit runs a start program to its end (up to its 30 s start
 * timeout) and sees the service only after, so a start program that execs the
 * daemon in the foreground blocks monit's whole loop on every restart.
 */
const START_SCRIPT = path.join(CTD_DIR, 'start.sh');
const STOP_SCRIPT = path.join(CTD_DIR, 'stop.sh');
const LOOPER_SCRIPT = path.join(TMP, 'looper.sh');

let agent: { child: ChildProcess; log: string; label: string } | undefined;
let monit: { child: ChildProcess; pidfile: string; out: string } | undefined;

function writeScripts(): void {
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  fs.writeFileSync(
    START_SCRIPT,
    `#!/bin/sh\n${q(ctd.file)} ${ctd.args.map(q).join(' ')} >>${q(path.join(CTD_DIR, 'containerd.log'))} 2>&1 </dev/null &\necho $! > ${q(CTD_PIDFILE)}\n`,
    { mode: 0o755 },
  );
  fs.writeFileSync(STOP_SCRIPT, `#!/bin/sh\nkill $(cat ${q(CTD_PIDFILE)})\n`, { mode: 0o755 });
  fs.writeFileSync(LOOPER_SCRIPT, '#!/bin/sh\nexit 1\n', { mode: 0o755 });
}

async function setupPki(): Promise<void> {
  const out = path.join(TMP, 'pki');
  await pki.initPki({ outDir: out, nodes: [{ name: 'm1', address: ADDRESS }], force: true });
  const dir = path.join(ROOT, 'etc', 'belay', 'pki');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const f of ['ca.crt', 'm1.crt', 'm1.key']) fs.copyFileSync(path.join(out, f), path.join(dir, f));
  fs.chmodSync(path.join(dir, 'm1.key'), 0o600);
  fs.mkdirSync(path.join(ROOT, 'var', 'log', 'belay'), { recursive: true });
  fs.mkdirSync(path.join(ROOT, 'var', 'lib', 'belay'), { recursive: true });
}

function ctdService(mode: 'child' | 'pidfile'): ServiceConfigInput {
  const health = { type: 'grpc-unix' as const, socket: under(ctd.socket), method: VERSION_METHOD };
  return mode === 'child'
    ? { mode: 'child', command: [ctd.file, ...ctd.args], health }
    : { mode: 'pidfile', pidfile: under(CTD_PIDFILE), command: ['/bin/sh', START_SCRIPT], health };
}

/** Kills (SIGKILL, or SIGTERM first) every live process whose command line names this bench's temp dir: only ours. */
async function sweep(first: 'SIGKILL' | 'SIGTERM', graceMs = 10_000): Promise<number> {
  const ours = (): Ident[] => {
    const found: Ident[] = [];
    for (const e of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
      if (!cmdline(Number(e)).some((a) => a.includes(TMP))) continue;
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

/** Between runs: no containerd of ours, no pidfile, no supervisor state (children to adopt) left. */
async function reset(): Promise<void> {
  await sweep('SIGKILL');
  fs.rmSync(CTD_PIDFILE, { force: true });
  fs.rmSync(path.join(ROOT, 'var', 'lib', 'belay', 'supervisor'), { recursive: true, force: true });
  if (finder.scan().length > 0) throw new Error('a containerd of this bench survived SIGKILL');
}

// ---------------------------------------------------------------- belay

async function startAgent(label: string, services: Record<string, ServiceConfigInput>): Promise<void> {
  await reset();
  const cfg: AgentConfigFile = {
    node: { name: 'm1', address: ADDRESS },
    // nobody listens there: the agent retries with backoff; supervision does not depend on it
    coordinators: [`${ADDRESS}:7702`],
    services,
  };
  const cfgFile = path.join(ROOT, 'etc', 'belay', `agent-${label}.yaml`);
  fs.writeFileSync(cfgFile, YAML.stringify(cfg));
  const logFile = path.join(ROOT, 'var', 'log', 'belay', `agent-${label}.log`);
  const fd = fs.openSync(logFile, 'a');
  const cmd = cluster.daemonCommand('agent');
  let child: ChildProcess;
  try {
    child = spawn(cmd.file, [...cmd.args, '--config', cfgFile, '--root', ROOT, '--log-format', 'json'], { stdio: ['ignore', fd, fd] });
  } finally {
    fs.closeSync(fd);
  }
  child.once('error', () => undefined);
  agent = { child, log: logFile, label };
}

function agentDied(): string | undefined {
  if (!agent || !childGone(agent.child)) return undefined;
  return `agent ${agent.label} exited (code ${agent.child.exitCode}, signal ${agent.child.signalCode}); ${agent.log}:\n${tail(agent.log)}`;
}

async function stopAgent(): Promise<void> {
  if (!agent) return;
  await stopChild(agent.child, 8_000);
  agent = undefined;
}

/** The first event of one of `kinds` for `service` the agent logged at or after `sinceMs` (wall clock; its log is one JSON object a line). */
function agentEvent(service: string, kinds: string[], sinceMs = 0): { at: number; kind: string } | undefined {
  if (!agent) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(agent.log, 'utf8');
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
function detectedAfter(m: Measured): { ms: number | null; kind: string } {
  const e = agentEvent('containerd', ['Exited', 'Hung'], m.wallMs - 1);
  return e === undefined ? { ms: null, kind: 'none' } : { ms: Math.max(0, e.at - m.wallMs), kind: e.kind };
}
const det = (d: { ms: number | null; kind: string }): string => (d.ms === null ? 'no event' : `${ms(d.ms)} (${d.kind})`);
/** Kill trials the agent acted on as a hang: its checks failed twice before its liveness poll saw the exit. */
const killSeenAsHang: Record<Mode, number> = { child: 0, pidfile: 0 };

/** Waits for exactly one containerd of ours, answering; returns it. */
async function ready(what: string, abort: () => string | undefined): Promise<Ident> {
  const at = await waitHealthy(CTD_CHECK, READY_MS, abort);
  if (at === undefined)
    throw new Error(
      `${what}: containerd not healthy within ${READY_MS / 1000} s; ${path.join(CTD_DIR, 'containerd.log')}:\n${tail(path.join(CTD_DIR, 'containerd.log'))}`,
    );
  const procs = finder.scan();
  const [p] = procs;
  if (procs.length !== 1 || !p) throw new Error(`${what}: expected one containerd on ${ctd.config}, found ${procs.length}`);
  return p;
}

interface Measured {
  /** Date.now() at the fault, to match the agent's log. */
  wallMs: number;
  /** ms from the fault to a new containerd process; null: none within CAP_MS. */
  begun: number | null;
  /** ms from the fault to the new one answering; null: not within CAP_MS. */
  healthy: number | null;
  next: Ident | undefined;
}

/** Faults `cur` (kill -9, or SIGSTOP for a hang) and times the recovery from outside. */
async function fault(cur: Ident, how: 'SIGKILL' | 'SIGSTOP', abort?: () => string | undefined): Promise<Measured> {
  const wallMs = Date.now();
  const t0 = now();
  process.kill(cur.pid, how);
  const n = await finder.waitNew([cur], CAP_MS);
  if (!n) {
    if (how === 'SIGSTOP') signal(cur, 'SIGCONT');
    return { wallMs, begun: null, healthy: null, next: undefined };
  }
  const h = await waitHealthy(CTD_CHECK, Math.max(0, t0 + CAP_MS - now()), abort);
  return { wallMs, begun: n.at - t0, healthy: h === undefined ? null : h - t0, next: n.id };
}

type Mode = 'child' | 'pidfile';
type Series = (number | null)[];
interface Figures {
  killDetected: Series;
  killBegun: Series;
  killHealthy: Series;
  hangLong: Series;
  hangAfter: Series;
  loopHealthy: Series;
}
const emptyFigures = (): Figures => ({ killDetected: [], killBegun: [], killHealthy: [], hangLong: [], hangAfter: [], loopHealthy: [] });
const figures: Record<Mode | 'monit', Figures> = { child: emptyFigures(), pidfile: emptyFigures(), monit: emptyFigures() };

const ms = (v: number | null): string => (v === null || v === Infinity ? `> ${CAP_MS / 1000} s` : Number.isNaN(v) ? 'n/a' : `${Math.round(v)} ms`);

/** Each trial on a fresh agent: its policy then is that of a daemon healthy for longer than healthyResetMs (no backoff streak). */
async function belay(mode: Mode): Promise<void> {
  const f = figures[mode];
  for (let i = 1; i <= TRIALS; i++) {
    await startAgent(`${mode}-kill-${i}`, { containerd: ctdService(mode) });
    try {
      let cur = await ready(`belay ${mode}`, agentDied);
      // pidfile mode polls every 50 ms for startTimeoutMs (10 s) after a start: measure the steady 1 s poll after that
      if (mode === 'pidfile') await ageTo(cur, 10.6);
      await sleep(1_000 + Math.random() * 1_000); // a random phase against the agent's poll and check timers
      const k = await fault(cur, 'SIGKILL', agentDied);
      const detected = detectedAfter(k);
      f.killDetected.push(detected.ms);
      if (detected.kind === 'Hung') killSeenAsHang[mode]++;
      f.killBegun.push(k.begun);
      f.killHealthy.push(k.healthy);
      let line = `belay ${mode} kill -9 #${i}: detected ${det(detected)}, restart begun ${ms(k.begun)}, healthy ${ms(k.healthy)}`;
      if (i <= HANG_TRIALS && k.next && k.healthy !== null) {
        // within 30 s of that restart: the second failure in a row waits backoffInitialMs (250 ms) by design
        cur = k.next;
        await sleep(2_000);
        const h = await fault(cur, 'SIGSTOP', agentDied);
        f.hangAfter.push(h.begun);
        line += `; hang 2 s after it → detected ${det(detectedAfter(h))}, restarted ${ms(h.begun)}, healthy ${ms(h.healthy)}`;
      }
      log(line);
    } finally {
      await stopAgent();
    }
  }
  for (let i = 1; i <= HANG_TRIALS; i++) {
    await startAgent(`${mode}-hang-${i}`, { containerd: ctdService(mode) });
    try {
      const cur = await ready(`belay ${mode}`, agentDied);
      await sleep(5_000 + Math.random() * 500);
      const h = await fault(cur, 'SIGSTOP', agentDied);
      f.hangLong.push(h.begun);
      log(`belay ${mode} hang after ≥ 5 s healthy #${i}: detected ${det(detectedAfter(h))}, restarted ${ms(h.begun)}, healthy ${ms(h.healthy)}`);
    } finally {
      await stopAgent();
    }
  }
  // (c) in child mode only: in pidfile mode the 0-1 s poll phase would swamp the comparison
  for (let i = 1; mode === 'child' && i <= LOOP_TRIALS; i++) {
    await startAgent(`${mode}-loop-${i}`, {
      // crash-looping: exits at once, every time; capped at 1 s so it keeps the agent busy (as the integration test)
      looper: { mode: 'child', command: ['/bin/sh', LOOPER_SCRIPT], budgetRestarts: 3, budgetWindowMs: 60_000, backoffMaxMs: 1_000 },
      containerd: ctdService(mode),
    });
    try {
      const cur = await ready(`belay ${mode} with a crash-looper`, agentDied);
      const deadline = now() + 20_000;
      while (agentEvent('looper', ['CrashLooping']) === undefined && now() < deadline) await sleep(100);
      if (agentEvent('looper', ['CrashLooping']) === undefined) throw new Error(`the looper was not reported crash-looping within 20 s; ${agent?.log}`);
      await sleep(Math.random() * 1_000);
      const k = await fault(cur, 'SIGKILL', agentDied);
      f.loopHealthy.push(k.healthy);
      log(
        `belay ${mode} kill -9 while another service crash-loops #${i}: detected ${det(detectedAfter(k))}, restart begun ${ms(k.begun)}, healthy ${ms(k.healthy)}`,
      );
    } finally {
      await stopAgent();
    }
  }
  await reset();
}

// ---------------------------------------------------------------- monit

const MONIT_DIR = path.join(TMP, 'monit');

function writeMonitrc(file: string, withLooper: boolean): void {
  const lines = [
    'set daemon 1',
    `set logfile ${path.join(MONIT_DIR, 'monit.log')}`,
    `set pidfile ${path.join(MONIT_DIR, 'monit.pid')}`,
    `set idfile ${path.join(MONIT_DIR, 'monit.id')}`,
    `set statefile ${path.join(MONIT_DIR, 'monit.state')}`,
    '',
    `check process ctd with pidfile ${CTD_PIDFILE}`,
    `  start program = "/bin/sh ${START_SCRIPT}"`,
    `  stop program = "/bin/sh ${STOP_SCRIPT}"`,
    // what monit can test on a gRPC socket: that it accepts a connection
    `  if failed unixsocket ${ctd.socket} with timeout 1 seconds then restart`,
    '',
  ];
  if (withLooper) {
    lines.push(`check process looper with pidfile ${path.join(MONIT_DIR, 'looper.pid')}`, `  start program = "/bin/sh ${LOOPER_SCRIPT}"`, '');
  }
  fs.writeFileSync(file, lines.join('\n'), { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

let tiniUsed: boolean | undefined;
/** How long each failing start of the looper held monit's loop, s (from its log: whole seconds). */
let monitLoopBlock: number[] = [];

function blockedStarts(logFile: string): number[] {
  const at = (l: string): number => Date.parse((/^\[([^\]]+)\]/.exec(l)?.[1] ?? '').replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  let started: number | undefined;
  const out: number[] = [];
  for (const l of tail(logFile, 10_000).split('\n')) {
    if (l.includes("'looper' start:")) started = at(l);
    else if (l.includes("'looper' failed to start") && started !== undefined) {
      out.push((at(l) - started) / 1000);
      started = undefined;
    }
  }
  return out.filter((x) => Number.isFinite(x));
}

async function startMonit(withLooper: boolean): Promise<void> {
  await reset();
  fs.mkdirSync(MONIT_DIR, { recursive: true });
  for (const f of ['monit.pid', 'monit.state']) fs.rmSync(path.join(MONIT_DIR, f), { force: true });
  const rc = path.join(MONIT_DIR, withLooper ? 'monitrc-looper' : 'monitrc');
  writeMonitrc(rc, withLooper);
  await run('monit', ['-c', rc, '-t']);
  const out = path.join(MONIT_DIR, 'monit.out');
  const fd = fs.openSync(out, 'a');
  // tini -s: a subreaper that reaps containerd (daemonized by the start script) at once when it dies, as
  // systemd does on a real host; PID 1 here reaps late and monit takes a zombie for a running process.
  const tini = findOnPath('tini') ?? findOnPath('docker-init');
  tiniUsed = tini !== undefined;
  const [file, args] = tini ? [tini, ['-s', '--', 'monit', '-c', rc, '-I']] : ['monit', ['-c', rc, '-I']];
  let child: ChildProcess;
  try {
    child = spawn(file, args, { stdio: ['ignore', fd, fd] });
  } finally {
    fs.closeSync(fd);
  }
  child.once('error', () => undefined);
  monit = { child, pidfile: path.join(MONIT_DIR, 'monit.pid'), out };
}

function monitDied(): string | undefined {
  if (!monit || !childGone(monit.child)) return undefined;
  return `monit exited (code ${monit.child.exitCode}); ${monit.out}:\n${tail(monit.out)}`;
}

async function stopMonit(): Promise<void> {
  if (!monit) return;
  let monitProc: Ident | undefined;
  try {
    monitProc = identOf(Number(fs.readFileSync(monit.pidfile, 'utf8').trim()));
  } catch {
    monitProc = undefined;
  }
  await stopChild(monit.child, 5_000);
  if (monitProc) signal(monitProc, 'SIGKILL');
  monit = undefined;
}

/** Waits (bounded) until containerd is at least `seconds` old, to be past monit's 30 s start timeout. */
async function ageTo(cur: Ident, seconds: number): Promise<void> {
  const deadline = now() + (seconds + 5) * 1000;
  while (isAlive(cur) && ageSeconds(cur) < seconds && now() < deadline) await sleep(200);
}

async function monitRuns(): Promise<void> {
  const f = figures.monit;
  await startMonit(false);
  try {
    let cur = await ready('monit', monitDied);
    for (let i = 1; i <= TRIALS; i++) {
      await sleep(1_000 + Math.random() * 1_000);
      const k = await fault(cur, 'SIGKILL', monitDied);
      f.killBegun.push(k.begun);
      f.killHealthy.push(k.healthy);
      log(`monit kill -9 #${i}: restart begun ${ms(k.begun)}, healthy ${ms(k.healthy)}`);
      if (!k.next || k.healthy === null) throw new Error('monit did not bring containerd back after kill -9');
      cur = k.next;
    }
    // (b) within 30 s of the previous restart (the last kill -9 above)
    await sleep(2_000);
    const after = await fault(cur, 'SIGSTOP', monitDied);
    f.hangAfter.push(after.begun);
    log(`monit hang 2 s after a restart: ${after.begun === null ? `not restarted within ${CAP_MS / 1000} s (SIGCONT sent)` : `restarted ${ms(after.begun)}`}`);
    if (after.next) cur = after.next;
    // (b) long-running: past monit's 30 s start timeout, when its connection test runs at all
    await ageTo(cur, 31);
    if (!isAlive(cur)) throw new Error('containerd under monit went away while ageing');
    await waitHealthy(CTD_CHECK, 10_000, monitDied);
    await sleep(5_000 + Math.random() * 500);
    const age = ageSeconds(cur);
    const long = await fault(cur, 'SIGSTOP', monitDied);
    f.hangLong.push(long.begun);
    log(
      `monit hang on a ${Math.round(age)} s old containerd: ${long.begun === null ? `not restarted within ${CAP_MS / 1000} s (SIGCONT sent)` : `restarted ${ms(long.begun)}`}`,
    );
  } finally {
    await stopMonit();
  }
  // (c) a second check whose start program fails: monit runs it until its start timeout
  await startMonit(true);
  try {
    let cur = await ready('monit with a crash-looper', monitDied);
    for (let i = 1; i <= MONIT_LOOP_TRIALS; i++) {
      // monit's cycle is now one ~30 s blocked start: kill at a random phase across it, stratified over the
      // trials (trial i in the i-th slice of 30 s); the wait costs nothing extra, the kill waits out the rest
      await sleep(((i - 1 + Math.random()) / MONIT_LOOP_TRIALS) * 30_000);
      const k = await fault(cur, 'SIGKILL', monitDied);
      f.loopHealthy.push(k.healthy);
      log(`monit kill -9 while another service crash-loops #${i}: restart begun ${ms(k.begun)}, healthy ${ms(k.healthy)}`);
      if (!k.next || k.healthy === null) break;
      cur = k.next;
    }
    monitLoopBlock = blockedStarts(path.join(MONIT_DIR, 'monit.log'));
  } finally {
    await stopMonit();
  }
  await reset();
}

// ---------------------------------------------------------------- agent CPU and RSS

let usage = '';

async function agentUsage(): Promise<void> {
  const dkrDir = path.join(ROOT, 'dkr');
  const dkr = dockerdCommand(dkrDir, { containerdSocket: ctd.socket });
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const tsx = import.meta.resolve('tsx');
  await startAgent('three', {
    containerd: ctdService('child'),
    docker: {
      mode: 'pidfile',
      pidfile: under(dkr.pidfile),
      command: [dkr.file, ...dkr.args],
      health: { type: 'unix-http', socket: under(dkr.socket), path: '/_ping' },
      dependsOn: ['containerd'],
    },
    kubelet: {
      mode: 'child',
      command: [
        process.execPath,
        '--import',
        tsx,
        path.join(top, 'test/stand-ins/kubelet-stand-in.ts'),
        '--port',
        String(port),
        '--runtime-socket',
        ctd.socket,
      ],
      health: { type: 'http', url: `http://127.0.0.1:${port}/healthz` },
      dependsOn: ['containerd'],
    },
  });
  try {
    await ready('belay, three services', agentDied);
    for (const [name, check] of [
      ['dockerd', { type: 'unix-http', socket: dkr.socket, path: '/_ping' }],
      ['kubelet stand-in', { type: 'http', url: `http://127.0.0.1:${port}/healthz` }],
    ] as const) {
      if ((await waitHealthy(check, 60_000, agentDied)) === undefined) throw new Error(`${name} not healthy within 60 s; ${agent?.log}`);
    }
    const pid = agent?.child.pid;
    if (pid === undefined) throw new Error('no agent pid');
    log(`agent supervising containerd (child), dockerd (pidfile) and a kubelet stand-in (child); settling 5 s, then ${IDLE_SECONDS} s idle`);
    await sleep(5_000);
    const t0 = now();
    const c0 = sampleUsage(pid)?.ticks ?? 0;
    const rss: number[] = [];
    while (now() - t0 < IDLE_SECONDS * 1000) {
      const why = agentDied();
      if (why) throw new Error(why);
      rss.push(sampleUsage(pid)?.rssBytes ?? 0);
      await sleep(1_000);
    }
    const s = (now() - t0) / 1000;
    const cpu = (((sampleUsage(pid)?.ticks ?? c0) - c0) / TICKS_PER_S / s) * 100;
    const mb = (b: number): string => (b / 1e6).toFixed(1);
    usage = `agent CPU ${cpu.toFixed(2)} % of one core, RSS mean ${mb(rss.reduce((a, b) => a + b, 0) / rss.length)} MB / max ${mb(Math.max(...rss))} MB over ${s.toFixed(0)} s, supervising containerd (child) + dockerd (pidfile, on that containerd) + kubelet stand-in (child); checks at the defaults; no coordinator listening (reports are collected, not sent)`;
  } finally {
    await stopAgent();
    // dockerd gets SIGTERM and time: it unmounts what it mounted only on a clean exit
    await sweep('SIGTERM', 15_000);
    await unmountUnder(dkrDir);
  }
}

// ---------------------------------------------------------------- output

function stats(xs: Series): string {
  if (xs.length === 0) return '—';
  const v = xs.map((x) => x ?? Infinity).sort((a, b) => a - b);
  const fmt = (x: number): string => (x === Infinity ? `>${CAP_MS / 1000} s` : x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`);
  const misses = xs.filter((x) => x === null).length;
  if (misses === xs.length) return `not within ${CAP_MS / 1000} s (n=${xs.length})`;
  const median = v.length % 2 === 1 ? (v[(v.length - 1) / 2] ?? NaN) : ((v[v.length / 2 - 1] ?? NaN) + (v[v.length / 2] ?? NaN)) / 2;
  return `${fmt(median)} / ${fmt(v[v.length - 1] ?? NaN)} (n=${xs.length})`;
}

function table(): string {
  const c = figures.child;
  const p = figures.pidfile;
  const m = figures.monit;
  const rows: string[][] = [
    ['case (median / max)', 'belay child', 'belay pidfile', 'monit 5.33', 'aim'],
    [
      "(a) kill -9 → detected (agent's own event)",
      stats(c.killDetected),
      stats(p.killDetected),
      '— (log in whole s)',
      'child ≤ 50 ms; pidfile ≤ 1 poll (1000 ms)',
    ],
    ['(a) kill -9 → restart begun', stats(c.killBegun), stats(p.killBegun), stats(m.killBegun), ''],
    ['(a) kill -9 → healthy again', stats(c.killHealthy), stats(p.killHealthy), stats(m.killHealthy), '—'],
    ['(b) hang, long-running → restarted', stats(c.hangLong), stats(p.hangLong), stats(m.hangLong), '≤ 3000 ms'],
    ['(b) hang 2 s after a restart → restarted', stats(c.hangAfter), stats(p.hangAfter), stats(m.hangAfter), '≤ 3000 ms'],
    ['(c) kill -9 → healthy, other crash-looping', stats(c.loopHealthy), 'not measured (*)', stats(m.loopHealthy), 'no slower than alone'],
    ['(c)   … alone (= (a) healthy again)', stats(c.killHealthy), '', stats(m.killHealthy), ''],
  ];
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string =>
    r
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join(' | ')
      .trimEnd();
  const sep = widths.map((w) => '-'.repeat(w)).join('-|-');
  return [line(rows[0] ?? []), sep, ...rows.slice(1).map(line)].join('\n');
}

/** Aim verdicts for belay, one line each. */
function verdicts(): string[] {
  const max = (xs: Series): number => (xs.length === 0 ? NaN : Math.max(...xs.map((x) => x ?? Infinity)));
  const med = (xs: Series): number => {
    const v = xs.map((x) => x ?? Infinity).sort((a, b) => a - b);
    return v.length === 0 ? NaN : v.length % 2 === 1 ? (v[(v.length - 1) / 2] ?? NaN) : ((v[v.length / 2 - 1] ?? NaN) + (v[v.length / 2] ?? NaN)) / 2;
  };
  const say = (ok: boolean, text: string): string => (text.includes('n/a') ? `n/a    ${text}` : `${ok ? 'met   ' : 'MISSED'} ${text}`);
  const c = figures.child;
  const p = figures.pidfile;
  return [
    say(max(c.killDetected) <= 50, `child mode: kill -9 detected ≤ 50 ms (max ${ms(max(c.killDetected))}; restart begun max ${ms(max(c.killBegun))})`),
    say(
      max(p.killDetected) <= 1_000,
      `pidfile mode: kill -9 detected ≤ one 1 s poll (max ${ms(max(p.killDetected))}; restart begun max ${ms(max(p.killBegun))})`,
    ),
    say(max([...c.hangLong, ...c.hangAfter]) <= 3_000, `child mode: hang → restarted ≤ 3 s, both cases (max ${ms(max([...c.hangLong, ...c.hangAfter]))})`),
    say(max([...p.hangLong, ...p.hangAfter]) <= 3_000, `pidfile mode: hang → restarted ≤ 3 s, both cases (max ${ms(max([...p.hangLong, ...p.hangAfter]))})`),
    // "no slower": within 20 % or 50 ms of the median alone, whichever is larger (run-to-run noise)
    ...(['child'] as const).map((mode) => {
      const f = figures[mode];
      const alone = med(f.killHealthy);
      const loop = med(f.loopHealthy);
      return say(
        loop <= alone + Math.max(50, alone * 0.2),
        `${mode} mode: recovery during a crash loop no slower than alone (median ${ms(loop)} vs ${ms(alone)}; allowance max(50 ms, 20 %))`,
      );
    }),
  ];
}

// ---------------------------------------------------------------- main

let cleaning: Promise<void> | undefined;
async function cleanupOnce(): Promise<void> {
  try {
    await stopAgent();
  } catch {
    /* best effort */
  }
  try {
    await stopMonit();
  } catch {
    /* best effort */
  }
  const n = await sweep('SIGTERM', 10_000).catch(() => 0);
  await unmountUnder(TMP);
  fs.rmSync(TMP, { recursive: true, force: true });
  if (n > 0) log(`cleanup: ended ${n} leftover process(es) of this bench`);
}
const cleanup = (): Promise<void> => (cleaning ??= cleanupOnce());
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    console.error(`bench: ${sig}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}
setTimeout(() => {
  console.error(`bench: still running after ${RUN_LIMIT_MS / 60_000} min: giving up`);
  void cleanup().finally(() => process.exit(1));
}, RUN_LIMIT_MS).unref();

let failed = false;
let ctdVersion = '';
const t0 = now();
try {
  for (const [bin, pkg] of [
    ['containerd', 'containerd'],
    ['monit', 'monit'],
    ['dockerd', 'docker.io'],
  ] as const) {
    if (!findOnPath(bin)) throw new Error(`${bin} not on PATH: apt-get install ${pkg}`);
  }
  ctdVersion = (await run(ctd.file, ['--version'])).trim().split(/\s+/)[2] ?? '';
  writeScripts();
  await setupPki();
  log(`temp dir ${TMP}; agent on ${ADDRESS} with mutual TLS (certificates from initPki); containerd ${ctd.file} on ${ctd.config}`);
  log(
    `trials: kill -9 ${TRIALS} per supervisor; belay hang ${HANG_TRIALS} per case; belay crash-loop ${LOOP_TRIALS}, monit crash-loop ${MONIT_LOOP_TRIALS}; every wait capped at ${CAP_MS / 1000} s`,
  );
  const only = (part: string): boolean => (process.env.BENCH_ONLY ?? 'child,pidfile,monit,usage').split(',').includes(part);
  if (only('child')) await belay('child');
  if (only('pidfile')) await belay('pidfile');
  if (only('monit')) await monitRuns();
  if (only('usage')) await agentUsage();
} catch (err) {
  failed = true;
  console.error(`bench: FAILED: ${err instanceof Error ? err.message : String(err)}`);
} finally {
  await cleanup();
}

console.log('');
console.log(
  `Supervision of containerd ${ctdVersion} — belay-agent (built, shipped supervision defaults) vs monit 5.33 (set daemon 1), run took ${((now() - t0) / 1000).toFixed(0)} s`,
);
console.log('Measured from outside: restart begun = a new containerd process exists (/proc scan every 5 ms, identity pid + start time);');
console.log('healthy again = its gRPC Version call answers (polled every 20 ms from restart begun); times from the kill -9 / SIGSTOP.');
console.log(
  "belay: a fresh agent per trial (its policy then is a long-healthy daemon's: no backoff streak); detected = the agent's own Exited/Hung event (its log, ms).",
);
if (tiniUsed !== undefined)
  console.log(
    `monit: ${tiniUsed ? 'under tini -s (a subreaper reaps the dead daemon at once, as systemd would; PID 1 here reaps late and monit takes a zombie for running)' : 'without a subreaper (PID 1 here reaps late: monit waits for the zombie to go)'}.`,
  );
console.log(
  'pidfile mode and monit start containerd through the same script (containerd &; echo $! > pidfile). monit tests the socket with `if failed unixsocket` (connect only: it cannot speak gRPC).',
);
console.log('pidfile mode (a): killed ≥ 10.6 s after the start, past the 50 ms polling that follows a start, i.e. at the steady 1 s poll.');
for (const mode of ['child', 'pidfile'] as const) {
  if (killSeenAsHang[mode] > 0) {
    console.log(
      `${mode} mode: ${killSeenAsHang[mode]} of ${figures[mode].killDetected.length} kill -9s were acted on as a hang (Hung event): two health checks (500 ms apart) failed before the ${mode === 'pidfile' ? '1 s liveness poll' : 'exit event'} saw the process gone.`,
    );
  }
}
console.log('(*) (c) in child mode only: in pidfile mode the 0-1 s poll phase would swamp the comparison (the runners are independent in both modes).');
if ([...figures.monit.hangLong, ...figures.monit.hangAfter].some((x) => x === null)) {
  console.log(
    'monit (b): a SIGSTOPped containerd still accepts connections on its socket (the kernel queues them), so `if failed unixsocket` passes; and for its 30 s start timeout after a start monit skips the test altogether.',
  );
}
if (monitLoopBlock.length > 0) {
  console.log(
    `(c) monit: each failing start of the other service held its single loop ${Math.min(...monitLoopBlock)}-${Math.max(...monitLoopBlock)} s (its log, ${monitLoopBlock.length} starts): a kill waits for the rest of that, 0-${Math.max(...monitLoopBlock) + 1} s by phase, ~${Math.round(Math.max(...monitLoopBlock) / 2)} s on average.`,
  );
}
console.log(
  '(c) belay: a second service `sh -c exit 1` in the same agent, already crash-looping (alert raised; budget 3, backoff capped at 1 s so it restarts every second);',
);
console.log('    monit: a second `check process` whose start program exits 1 (monit then waits its 30 s start timeout for the pidfile).');
console.log('');
console.log(table());
console.log('');
console.log(usage === '' ? `agent CPU/RSS: not measured (${failed ? 'the run failed before' : 'not run'})` : usage);
console.log('');
for (const v of verdicts()) console.log(v);
process.exit(failed ? 1 : 0);
