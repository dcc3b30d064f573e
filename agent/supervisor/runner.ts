import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { errorText } from '../../proto/common/errors.js';
import type { Logger } from '../../proto/common/log.js';
import { startTimeMs } from '../../proto/common/proc.js';
import type { ServiceStatus } from '../../proto/gen/belay/v1/ServiceStatus.js';
import type { RaisedEvent } from '../report/events.js';
import { SUPERVISOR_DEFAULTS, type ServiceDef } from './config.js';
import { liveProc, observePidfile, observeProcessName, sampleUsage, signalProc, type Observation } from './liveness.js';
import type { Action, Input, Proc } from './policy-io.js';
import { SupervisionPolicy } from './policy.js';
import { runCheck } from './probes.js';
import { ReadinessTracker } from './readiness.js';
import { showUnit, unitAction } from './systemd.js';

export interface RunnerDeps {
  def: ServiceDef;
  log: Logger;
  raise(e: RaisedEvent): void;
  /** /var/lib/belay/supervisor under --root: where a child's identity is kept for adoption after an agent restart. */
  stateDir: string;
  /** /var/log/belay/services under --root: a child's stdout and stderr. */
  logDir: string;
  paused: boolean;
  /** Called when the service becomes ready for its dependents, or stops being so. */
  onReadyChange(name: string, ready: boolean): void;
  systemctl?: string;
}

/**
 * Where a child's identity (pid + start ticks) is kept for adoption after an
 * agent restart, and for `dev down`. Pod services are named POD/CONTAINER:
 * the name is encoded so that it stays one file.
 */
export function childStateFile(stateDir: string, service: string): string {
  return path.join(stateDir, 'children', `${encodeURIComponent(service)}.json`);
}

/** While starting or stopping, non-child modes poll this often so that the new state is seen at once. */
const FAST_POLL_MS = 50;
/** Readiness checks of a process not yet ready once, ms (a local GET, for the seconds a component starts). */
const FIRST_READY_POLL_MS = 100;

/**
 * The I/O shell around one service's SupervisionPolicy: it owns the timers,
 * spawns, signals, checks and polls, and feeds what happened back. Each
 * service has its own runner, timers and in-flight work, so a wedged start or
 * check of one never delays another.
 */
export class ServiceRunner {
  private readonly policy: SupervisionPolicy;
  private wakeTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private resourceTimer: NodeJS.Timeout | undefined;
  private pollInFlight = false;
  private fastPollUntilMs = 0;
  /** Our own child, when in child mode and not adopted. */
  private child: ChildProcess | undefined;
  private ready_ = false;
  private stopped = false;
  private lastUsage: { ticks: number; atMs: number; cpuPercent: number; rssBytes: number } | undefined;
  /** The readiness probe's state, for the process it was reset for (pid + start ticks). */
  private readonly readiness: ReadinessTracker | undefined;
  private readinessFor = '';
  private readinessTimer: NodeJS.Timeout | undefined;

  constructor(private readonly d: RunnerDeps) {
    this.policy = new SupervisionPolicy(d.def.policy, { hasCheck: d.def.health !== undefined, dependsOn: d.def.dependsOn, paused: d.paused });
    this.readiness = d.def.readiness ? new ReadinessTracker(d.def.readiness) : undefined;
  }

  get name(): string {
    return this.d.def.name;
  }

  start(): void {
    void this.observe().then((o) => this.feed({ kind: 'observed', nowMs: Date.now(), proc: o.proc, ...(o.reason ? { reason: o.reason } : {}) }));
    this.schedulePoll();
    this.resourceTimer = setInterval(() => this.sampleResources(), SUPERVISOR_DEFAULTS.resourceIntervalMs);
  }

  /** Stops supervising; the service's process is left running (an agent restart must not restart containerd). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.wakeTimer);
    clearTimeout(this.pollTimer);
    clearInterval(this.resourceTimer);
    clearTimeout(this.readinessTimer);
    this.child?.removeAllListeners();
    this.child?.unref();
  }

  /** Ready for its dependents: running and healthy. */
  get ready(): boolean {
    return this.ready_;
  }

  /**
   * Stops the service for good (its manifest was removed or changed): SIGTERM (with SIGCONT),
   * SIGKILL after graceMs, and no restart. Resolves once the process is gone.
   */
  async retire(graceMs: number): Promise<void> {
    const proc = this.policy.status().proc;
    this.stop();
    if (!proc) return;
    const group = this.d.def.killMode === 'group';
    const gone = (): boolean => {
      const now = liveProc(proc.pid);
      return !now || now.startTicks !== proc.startTicks;
    };
    const waitGone = async (ms: number): Promise<boolean> => {
      const until = Date.now() + ms;
      while (!gone() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      return gone();
    };
    if (signalProc(proc, 'SIGTERM', group) === 'sent') signalProc(proc, 'SIGCONT', group);
    if (!(await waitGone(graceMs))) {
      signalProc(proc, 'SIGKILL', group);
      await waitGone(2_000);
    }
    this.d.raise({
      service: this.d.def.name,
      kind: 'Stopped',
      severity: 'info',
      message: `stopped pid ${proc.pid} (no longer supervised)`,
      fields: { pid: proc.pid },
    });
    fs.rmSync(this.stateFile(), { force: true });
  }

  dependency(name: string, ready: boolean): void {
    this.feed({ kind: 'dependency', nowMs: Date.now(), name, ready });
  }

  pause(by: string): void {
    this.feed({ kind: 'pause', nowMs: Date.now(), by });
  }

  resume(by: string): void {
    this.feed({ kind: 'resume', nowMs: Date.now(), by });
  }

  status(): ServiceStatus {
    const s = this.policy.status();
    return {
      name: this.d.def.name,
      state: s.state,
      pid: s.proc?.pid ?? 0,
      startedAtMs: s.proc ? startTimeMs(s.proc.startTicks) : 0,
      restarts: s.restarts,
      lastFailure: s.lastFailure,
      lastFailureAtMs: s.lastFailureAtMs,
      healthy: s.healthy,
      mode: this.d.def.mode,
      dependsOn: this.d.def.dependsOn,
      nextRestartAtMs: s.nextRestartAtMs,
      cpuPercent: s.proc ? (this.lastUsage?.cpuPercent ?? 0) : 0,
      rssBytes: s.proc ? (this.lastUsage?.rssBytes ?? 0) : 0,
      ...this.readyStatus(),
    };
  }

  /** Ready for traffic: the readiness probe passes (without one: running and healthy, as kubelet has it). */
  private readyStatus(): { ready: boolean; notReadyReason: string } {
    const s = this.policy.status();
    if (!s.proc) return { ready: false, notReadyReason: s.state === 'paused' ? 'paused' : 'not running' };
    if (this.readiness) return { ready: this.readiness.ready, notReadyReason: this.readiness.reason };
    if (s.state === 'starting') return { ready: false, notReadyReason: 'starting' };
    return s.healthy || this.d.def.health === undefined
      ? { ready: true, notReadyReason: '' }
      : { ready: false, notReadyReason: s.lastFailure || 'health check failing' };
  }

  /** Readiness follows the process: a new one starts not ready and is first checked after the probe's initial delay. */
  private trackReadiness(): void {
    const probe = this.d.def.readiness;
    if (!probe || !this.readiness) return;
    const proc = this.policy.status().proc;
    const id = proc ? `${proc.pid}/${proc.startTicks}` : '';
    if (id === this.readinessFor) return;
    this.readinessFor = id;
    clearTimeout(this.readinessTimer);
    if (this.readiness.reset(proc ? 'not checked yet' : 'not running')) this.readinessChanged();
    if (!proc) return;
    // Until its first pass a starting process is looked at every FIRST_READY_POLL_MS, not every period: a
    // rollout waits for exactly this moment, and each period's worth of lag is added to every master's turn.
    let everReady = false;
    const run = (): void => {
      if (this.stopped || this.readinessFor !== id) return;
      const state = this.policy.status().state;
      // As kubelet: no readiness checks until the startup probe (here: the start-up grace) has passed.
      if (state === 'starting' || state === 'stopping') {
        this.readinessTimer = setTimeout(run, Math.min(probe.periodMs, FIRST_READY_POLL_MS));
        return;
      }
      void runCheck(probe.check, probe.timeoutMs).then((r) => {
        if (this.stopped || this.readinessFor !== id || !this.readiness) return;
        if (this.readiness.record(r.ok, r.reason)) this.readinessChanged();
        everReady ||= this.readiness.ready;
        this.readinessTimer = setTimeout(run, everReady ? probe.periodMs : Math.min(probe.periodMs, FIRST_READY_POLL_MS));
      });
    };
    this.readinessTimer = setTimeout(run, probe.initialDelayMs);
  }

  private readinessChanged(): void {
    const ready = this.readiness?.ready ?? false;
    this.d.raise({
      service: this.d.def.name,
      kind: ready ? 'Ready' : 'NotReady',
      severity: ready ? 'info' : 'warning',
      message: ready ? 'readiness probe passes' : this.readiness?.reason || 'not ready',
      fields: {},
    });
  }

  private feed(input: Input): void {
    if (this.stopped) return;
    const out = this.policy.step(input);
    for (const e of out.events) this.d.raise({ ...e, service: this.d.def.name });
    for (const a of out.actions) this.act(a);
    clearTimeout(this.wakeTimer);
    if (out.wakeAtMs !== Infinity) this.wakeTimer = setTimeout(() => this.feed({ kind: 'tick', nowMs: Date.now() }), Math.max(0, out.wakeAtMs - Date.now()));
    this.trackReadiness();
    const ready = this.policy.status().ready;
    if (ready !== this.ready_) {
      this.ready_ = ready;
      this.d.onReadyChange(this.d.def.name, ready);
    }
  }

  private act(a: Action): void {
    switch (a.kind) {
      case 'start':
        this.startService();
        return;
      case 'signal':
        this.signal(a.proc, a.signal);
        return;
      case 'check': {
        const check = this.d.def.health;
        if (!check) return;
        void runCheck(check, this.d.def.checkTimeoutMs).then(async (r) => {
          // Not our child: a failed check may mean the process is gone before the poll saw it.
          // Look first, so a kill is reported as an exit, not as a hang of a dead process.
          if (!r.ok && this.needsPoll()) {
            const o = await this.observe();
            const current = this.policy.status().proc;
            if (current && (o.proc === null || o.proc.pid !== current.pid || o.proc.startTicks !== current.startTicks)) {
              this.feed({ kind: 'observed', nowMs: Date.now(), proc: o.proc, ...(o.reason ? { reason: o.reason } : {}) });
              this.feed({ kind: 'checked', nowMs: Date.now(), ok: false, reason: r.reason });
              return;
            }
          }
          this.feed({ kind: 'checked', nowMs: Date.now(), ok: r.ok, reason: r.reason });
        });
        return;
      }
    }
  }

  private startService(): void {
    const gate = this.d.def.startGate;
    if (!gate) {
      this.spawnService();
      return;
    }
    void gate().then(
      (held) => {
        if (held === undefined) this.spawnService();
        else this.feed({ kind: 'startFailed', nowMs: Date.now(), reason: `held back: ${held}` });
      },
      (err: unknown) => this.feed({ kind: 'startFailed', nowMs: Date.now(), reason: `held back: its start check failed: ${errorText(err)}` }),
    );
  }

  private spawnService(): void {
    if (this.stopped) return;
    const def = this.d.def;
    this.fastPollUntilMs = Date.now() + def.policy.startTimeoutMs;
    if (def.mode === 'systemd') {
      unitAction('start', def.unit ?? '', def.policy.startTimeoutMs, this.systemctlOpts()).then(
        () => this.schedulePoll(0),
        (err: unknown) => this.feed({ kind: 'startFailed', nowMs: Date.now(), reason: errorText(err) }),
      );
      return;
    }
    const [file, ...args] = def.command ?? [];
    if (!file) return;
    const logFile = def.logFile ?? path.join(this.d.logDir, `${def.name}.log`);
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    const logFd = fs.openSync(logFile, 'a');
    let child: ChildProcess;
    try {
      // Detached: its own process group (killMode group signals exactly that) and it outlives an agent restart.
      child = spawn(file, args, { detached: true, stdio: ['ignore', logFd, logFd], env: { ...process.env, ...def.env }, ...(def.cwd ? { cwd: def.cwd } : {}) });
    } catch (err) {
      this.feed({ kind: 'startFailed', nowMs: Date.now(), reason: errorText(err) });
      return;
    } finally {
      fs.closeSync(logFd);
    }
    if (def.mode !== 'child') {
      // A start command: what it starts is found by the poll (pidfile or process name).
      child.once('error', (err) => this.feed({ kind: 'startFailed', nowMs: Date.now(), reason: `${file}: ${errorText(err)}` }));
      child.once('exit', (code) => {
        if (code !== 0 && code !== null) this.d.log.warn('start command failed', { service: def.name, code });
      });
      child.unref();
      this.schedulePoll(0);
      return;
    }
    this.child = child;
    let proc: Proc | undefined;
    child.once('error', (err) => {
      if (this.child === child) this.child = undefined;
      this.feed({ kind: 'startFailed', nowMs: Date.now(), reason: `${file}: ${errorText(err)}` });
    });
    child.once('spawn', () => {
      const pid = child.pid ?? 0;
      // It may be gone already (a bad flag): its exit event still follows.
      proc = liveProc(pid) ?? { pid, startTicks: -1 };
      this.remember(proc);
      this.feed({ kind: 'started', nowMs: Date.now(), proc });
    });
    child.once('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      if (!proc) return;
      const reason = signal ? `killed by ${signal}` : `exited with code ${code ?? '?'}`;
      this.feed({ kind: 'exited', nowMs: Date.now(), proc, reason });
    });
  }

  private signal(proc: Proc, signal: 'SIGTERM' | 'SIGKILL'): void {
    const def = this.d.def;
    this.fastPollUntilMs = Date.now() + def.policy.stopTimeoutMs * 2;
    if (def.mode === 'systemd') {
      void unitAction('kill', def.unit ?? '', def.policy.stopTimeoutMs, { ...this.systemctlOpts(), signal }).catch((err: unknown) =>
        this.d.log.warn('systemctl kill failed', { service: def.name, err: errorText(err) }),
      );
      this.schedulePoll(0);
      return;
    }
    if (signal === 'SIGTERM' && def.stopCommand) {
      this.runStopCommand(def.stopCommand, proc);
      this.schedulePoll(0);
      return;
    }
    const group = def.killMode === 'group';
    try {
      const r = signalProc(proc, signal, group);
      // A stopped (SIGSTOPped, or traced) process acts on SIGTERM only once continued, as systemd does.
      if (r === 'sent' && signal === 'SIGTERM') signalProc(proc, 'SIGCONT', group);
      if (r === 'gone') this.d.log.info('process already gone', { service: def.name, pid: proc.pid });
    } catch (err) {
      this.d.log.error('signal failed', {
        service: def.name,
        pid: proc.pid,
        signal,
        err: errorText(err),
        code: 'SIGNAL_FAILED',
        hint: 'is the agent running as root?',
      });
    }
    this.schedulePoll(0);
  }

  /** The configured stop command, bounded by stopTimeoutMs (the policy SIGKILLs the service after that anyway). */
  private runStopCommand(cmd: string[], proc: Proc): void {
    const [file, ...args] = cmd;
    if (!file) return;
    const def = this.d.def;
    const child = spawn(file, args, { detached: true, stdio: 'ignore', env: { ...process.env, ...def.env, MAINPID: String(proc.pid) } });
    const timer = setTimeout(() => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, def.policy.stopTimeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      this.d.log.warn('stop command failed', { service: def.name, err: errorText(err) });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) this.d.log.warn('stop command failed', { service: def.name, code });
    });
  }

  /** Non-child modes, and a child adopted after an agent restart (not ours to wait for). */
  private needsPoll(): boolean {
    return this.d.def.mode !== 'child' || (this.child === undefined && this.policy.status().proc !== null);
  }

  private schedulePoll(delayMs?: number): void {
    if (this.stopped) return;
    clearTimeout(this.pollTimer);
    const interval = Date.now() < this.fastPollUntilMs ? FAST_POLL_MS : this.d.def.pollIntervalMs;
    this.pollTimer = setTimeout(() => void this.poll(), delayMs ?? interval);
  }

  private async poll(): Promise<void> {
    if (this.pollInFlight || this.stopped) return;
    if (this.needsPoll()) {
      this.pollInFlight = true;
      try {
        const o = await this.observe();
        const current = this.policy.status().proc;
        const changed = o.proc === null ? current !== null : current === null || o.proc.pid !== current.pid || o.proc.startTicks !== current.startTicks;
        if (changed) this.feed({ kind: 'observed', nowMs: Date.now(), proc: o.proc, ...(o.reason ? { reason: o.reason } : {}) });
      } finally {
        this.pollInFlight = false;
      }
    }
    this.schedulePoll();
  }

  private async observe(): Promise<Observation> {
    const def = this.d.def;
    switch (def.mode) {
      case 'pidfile':
        return observePidfile(def.pidfile ?? '');
      case 'process':
        return observeProcessName(def.processName ?? '');
      case 'systemd': {
        try {
          const u = await showUnit(def.unit ?? '', def.checkTimeoutMs, this.d.systemctl);
          if (u.loadState === 'not-found') return { proc: null, reason: `unit ${def.unit} not found` };
          const proc = u.mainPid > 0 && u.activeState === 'active' ? liveProc(u.mainPid) : undefined;
          return proc ? { proc } : { proc: null, reason: `unit ${def.unit} is ${u.activeState}/${u.subState}` };
        } catch (err) {
          // Cannot tell: keep what we believe rather than restart on a systemctl hiccup.
          const current = this.policy.status().proc;
          return current ? { proc: current } : { proc: null, reason: errorText(err) };
        }
      }
      case 'child': {
        const current = this.policy.status().proc ?? this.remembered();
        if (!current) return { proc: null, reason: 'not started' };
        const now = liveProc(current.pid);
        return now && now.startTicks === current.startTicks ? { proc: current } : { proc: null, reason: `pid ${current.pid} is gone` };
      }
    }
  }

  private stateFile(): string {
    return childStateFile(this.d.stateDir, this.d.def.name);
  }

  private remember(proc: Proc): void {
    try {
      const dir = path.dirname(this.stateFile());
      fs.mkdirSync(dir, { recursive: true });
      const tmp = path.join(dir, `.${path.basename(this.stateFile())}.tmp`);
      fs.writeFileSync(tmp, JSON.stringify(proc));
      fs.renameSync(tmp, this.stateFile());
    } catch (err) {
      this.d.log.warn('cannot record child for adoption', { service: this.d.def.name, err: errorText(err) });
    }
  }

  private remembered(): Proc | undefined {
    try {
      const p = JSON.parse(fs.readFileSync(this.stateFile(), 'utf8')) as Partial<Proc>;
      return typeof p.pid === 'number' && typeof p.startTicks === 'number' ? { pid: p.pid, startTicks: p.startTicks } : undefined;
    } catch {
      return undefined;
    }
  }

  private sampleResources(): void {
    const proc = this.policy.status().proc;
    if (!proc) return;
    const u = sampleUsage(proc.pid);
    if (!u) return;
    const now = Date.now();
    const prev = this.lastUsage;
    const cpuPercent = prev && now > prev.atMs ? ((u.ticks - prev.ticks) / 100 / ((now - prev.atMs) / 1000)) * 100 : 0;
    this.lastUsage = { ticks: u.ticks, atMs: now, cpuPercent: Math.max(0, cpuPercent), rssBytes: u.rssBytes };
    if (prev) this.feed({ kind: 'resources', nowMs: now, cpuPercent: this.lastUsage.cpuPercent, rssBytes: u.rssBytes });
  }

  private systemctlOpts(): { systemctl?: string } {
    return this.d.systemctl ? { systemctl: this.d.systemctl } : {};
  }
}
