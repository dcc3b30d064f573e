/** bench-supervisor's monit side: monit 5.33 from its own control file (`set daemon 1`) on the same containerd, the same faults. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { findOnPath } from '../../test/harness/runtimes.js';
import { sleep } from './common.js';
import { ageTo, CAP_MS, fault, ready } from './supervisor-fault.js';
import { ageSeconds, childGone, identOf, isAlive, log, runOk, signal, stopChild, tail, waitHealthy, type Ident } from './supervisor-processes.js';
import { ms } from './supervisor-report.js';
import { reset, type Bench } from './supervisor-setup.js';

function writeMonitrc(b: Bench, file: string, withLooper: boolean): void {
  const lines = [
    'set daemon 1',
    `set logfile ${path.join(b.monitDir, 'monit.log')}`,
    `set pidfile ${path.join(b.monitDir, 'monit.pid')}`,
    `set idfile ${path.join(b.monitDir, 'monit.id')}`,
    `set statefile ${path.join(b.monitDir, 'monit.state')}`,
    '',
    `check process ctd with pidfile ${b.ctdPidfile}`,
    `  start program = "/bin/sh ${b.startScript}"`,
    `  stop program = "/bin/sh ${b.stopScript}"`,
    // what monit can test on a gRPC socket: that it accepts a connection
    `  if failed unixsocket ${b.ctd.socket} with timeout 1 seconds then restart`,
    '',
  ];
  if (withLooper) {
    lines.push(`check process looper with pidfile ${path.join(b.monitDir, 'looper.pid')}`, `  start program = "/bin/sh ${b.looperScript}"`, '');
  }
  fs.writeFileSync(file, lines.join('\n'), { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

/** How long each failing start of the looper held monit's loop, s (from its log: whole seconds). */
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

async function startMonit(b: Bench, withLooper: boolean): Promise<void> {
  await reset(b);
  fs.mkdirSync(b.monitDir, { recursive: true });
  for (const f of ['monit.pid', 'monit.state']) fs.rmSync(path.join(b.monitDir, f), { force: true });
  const rc = path.join(b.monitDir, withLooper ? 'monitrc-looper' : 'monitrc');
  writeMonitrc(b, rc, withLooper);
  await runOk('monit', ['-c', rc, '-t']);
  const out = path.join(b.monitDir, 'monit.out');
  const fd = fs.openSync(out, 'a');
  // tini -s: a subreaper that reaps containerd (daemonized by the start script) at once when it dies, as
  // systemd does on a real host; PID 1 here reaps late and monit takes a zombie for a running process.
  const tini = findOnPath('tini') ?? findOnPath('docker-init');
  b.results.tiniUsed = tini !== undefined;
  const [file, args] = tini ? [tini, ['-s', '--', 'monit', '-c', rc, '-I']] : ['monit', ['-c', rc, '-I']];
  let child: ChildProcess;
  try {
    child = spawn(file, args, { stdio: ['ignore', fd, fd] });
  } finally {
    fs.closeSync(fd);
  }
  child.once('error', () => undefined);
  b.monit = { child, pidfile: path.join(b.monitDir, 'monit.pid'), out };
}

function monitDied(b: Bench): string | undefined {
  const monit = b.monit;
  if (!monit || !childGone(monit.child)) return undefined;
  return `monit exited (code ${monit.child.exitCode}); ${monit.out}:\n${tail(monit.out)}`;
}

export async function stopMonit(b: Bench): Promise<void> {
  if (!b.monit) return;
  let monitProc: Ident | undefined;
  try {
    monitProc = identOf(Number(fs.readFileSync(b.monit.pidfile, 'utf8').trim()));
  } catch {
    monitProc = undefined;
  }
  await stopChild(b.monit.child, 5_000);
  if (monitProc) signal(monitProc, 'SIGKILL');
  b.monit = undefined;
}

export async function monitRuns(b: Bench): Promise<void> {
  const f = b.results.figures.monit;
  const died = (): string | undefined => monitDied(b);
  await startMonit(b, false);
  try {
    let cur = await ready(b, 'monit', died);
    for (let i = 1; i <= b.trials.kill; i++) {
      await sleep(1_000 + Math.random() * 1_000);
      const k = await fault(b, cur, 'SIGKILL', died);
      f.killBegun.push(k.begun);
      f.killHealthy.push(k.healthy);
      log(`monit kill -9 #${i}: restart begun ${ms(k.begun)}, healthy ${ms(k.healthy)}`);
      if (!k.next || k.healthy === null) throw new Error('monit did not bring containerd back after kill -9');
      cur = k.next;
    }
    // (b) within 30 s of the previous restart (the last kill -9 above)
    await sleep(2_000);
    const after = await fault(b, cur, 'SIGSTOP', died);
    f.hangAfter.push(after.begun);
    log(`monit hang 2 s after a restart: ${after.begun === null ? `not restarted within ${CAP_MS / 1000} s (SIGCONT sent)` : `restarted ${ms(after.begun)}`}`);
    if (after.next) cur = after.next;
    // (b) long-running: past monit's 30 s start timeout, when its connection test runs at all
    await ageTo(cur, 31);
    if (!isAlive(cur)) throw new Error('containerd under monit went away while ageing');
    await waitHealthy(b.ctdCheck, 10_000, died);
    await sleep(5_000 + Math.random() * 500);
    const age = ageSeconds(cur);
    const long = await fault(b, cur, 'SIGSTOP', died);
    f.hangLong.push(long.begun);
    log(
      `monit hang on a ${Math.round(age)} s old containerd: ${long.begun === null ? `not restarted within ${CAP_MS / 1000} s (SIGCONT sent)` : `restarted ${ms(long.begun)}`}`,
    );
  } finally {
    await stopMonit(b);
  }
  // (c) a second check whose start program fails: monit runs it until its start timeout
  await startMonit(b, true);
  try {
    let cur = await ready(b, 'monit with a crash-looper', died);
    const loopTrials = b.trials.monitLoop;
    for (let i = 1; i <= loopTrials; i++) {
      // monit's cycle is now one ~30 s blocked start: kill at a random phase across it, stratified over the
      // trials (trial i in the i-th slice of 30 s); the wait costs nothing extra, the kill waits out the rest
      await sleep(((i - 1 + Math.random()) / loopTrials) * 30_000);
      const k = await fault(b, cur, 'SIGKILL', died);
      f.loopHealthy.push(k.healthy);
      log(`monit kill -9 while another service crash-loops #${i}: restart begun ${ms(k.begun)}, healthy ${ms(k.healthy)}`);
      if (!k.next || k.healthy === null) break;
      cur = k.next;
    }
    b.results.monitLoopBlock = blockedStarts(path.join(b.monitDir, 'monit.log'));
  } finally {
    await stopMonit(b);
  }
  await reset(b);
}
