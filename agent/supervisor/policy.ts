/**
 * The supervision policy of one service, as a pure state machine: the shell
 * (runner.ts) feeds it what happened (a process started or exited, a health
 * check result, a tick of the clock) and carries out what it returns (start,
 * signal, check). No clocks, timers or I/O here: `nowMs` comes with every input.
 *
 * Compared with monit (docs/measured-behaviour.md, "Supervision: monit as the yardstick"): a direct child's exit is an event, not
 * a poll; checks count again as soon as a restarted service first passes one
 * (no 30 s blind window); a hung process is SIGTERMed (with SIGCONT, so a
 * stopped one can act on it) and SIGKILLed after stopTimeoutMs; a crash loop
 * raises an alert but restarts go on at the capped backoff, never a permanent
 * give-up; and a failure while a dependency is down is not charged to the service.
 */

import type { PolicyConfig } from './policy-config.js';
import type { Input, Output, PolicyStatus, Proc, ServiceState } from './policy-io.js';

type Phase = 'unknown' | 'waiting' | 'starting' | 'grace' | 'running' | 'stopping' | 'backoff' | 'paused';

export class SupervisionPolicy {
  private phase: Phase;
  private proc: Proc | null = null;
  private healthy = false;
  private readonly hasCheck: boolean;
  private failures = 0;
  private checkInFlight = false;
  private nextCheckAtMs = Infinity;
  private graceUntilMs = 0;
  private startDeadlineMs = Infinity;
  private killAtMs = Infinity;
  private killed = false;
  private stopReason = '';
  private restartAtMs = Infinity;
  /** Restarts in a row without a healthyResetMs stretch of health in between. */
  private streak = 0;
  /** Times of charged restarts within the budget window. */
  private charged: number[] = [];
  private crashLooping = false;
  private healthySinceMs = Infinity;
  private restarts = 0;
  private lastFailure = '';
  private lastFailureAtMs = 0;
  private readonly deps = new Map<string, boolean>();
  private resourceHigh = false;

  constructor(
    private readonly cfg: PolicyConfig,
    o: { hasCheck: boolean; dependsOn?: readonly string[]; paused?: boolean },
  ) {
    this.hasCheck = o.hasCheck;
    for (const d of o.dependsOn ?? []) this.deps.set(d, false);
    this.phase = o.paused ? 'paused' : 'unknown';
  }

  step(input: Input): Output {
    const out: Output = { actions: [], events: [], wakeAtMs: Infinity };
    const now = input.nowMs;
    switch (input.kind) {
      case 'tick':
        break;
      case 'observed':
        this.onObserved(now, input.proc, input.reason ?? 'process gone', out);
        break;
      case 'started':
        this.onStarted(now, input.proc, out);
        break;
      case 'startFailed':
        if (this.phase === 'starting') this.failed(now, `start failed: ${input.reason}`, out, 'StartFailed');
        break;
      case 'exited':
        this.onExited(now, input.proc, input.reason, out);
        break;
      case 'checked':
        this.onChecked(now, input.ok, input.reason, out);
        break;
      case 'dependency':
        if (this.deps.has(input.name)) this.deps.set(input.name, input.ready);
        break;
      case 'pause':
        this.onPause(input.by, out);
        break;
      case 'resume':
        this.onResume(now, input.by, out);
        break;
      case 'resources':
        this.onResources(input.cpuPercent, input.rssBytes, out);
        break;
    }
    this.advance(now, out);
    out.wakeAtMs = this.wakeAt();
    return out;
  }

  status(): PolicyStatus {
    // Crash-looping stays the state, up or down, until the service has been healthy for healthyResetMs (Recovered).
    const state: ServiceState =
      this.phase === 'paused'
        ? 'paused'
        : this.phase === 'stopping'
          ? 'stopping'
          : this.crashLooping
            ? 'crash-looping'
            : this.phase === 'backoff'
              ? 'backoff'
              : this.phase === 'running'
                ? this.failures > 0
                  ? 'unhealthy'
                  : 'running'
                : this.phase === 'grace' || this.phase === 'starting'
                  ? 'starting'
                  : this.phase === 'waiting'
                    ? 'waiting'
                    : 'stopped';
    return {
      state,
      proc: this.proc,
      restarts: this.restarts,
      healthy: this.healthy,
      lastFailure: this.lastFailure,
      lastFailureAtMs: this.lastFailureAtMs,
      nextRestartAtMs: this.phase === 'backoff' ? this.restartAtMs : 0,
      crashLooping: this.crashLooping,
      ready: this.phase === 'running' && (!this.hasCheck || this.healthy),
    };
  }

  private depsReady(): boolean {
    for (const ready of this.deps.values()) if (!ready) return false;
    return true;
  }

  private downDeps(): string[] {
    return [...this.deps].filter(([, ready]) => !ready).map(([name]) => name);
  }

  private onObserved(now: number, proc: Proc | null, reason: string, out: Output): void {
    if (this.phase === 'unknown') {
      if (proc) {
        this.proc = proc;
        this.enterGrace(now);
        out.events.push({ kind: 'Adopted', severity: 'info', message: `supervising the running process ${proc.pid}`, fields: { pid: proc.pid } });
      } else {
        this.startOrWait(now, out, false);
      }
      return;
    }
    if (this.phase === 'paused') {
      this.proc = proc;
      return;
    }
    if (proc && (!this.proc || !sameProc(proc, this.proc))) {
      if (this.phase === 'starting' && !this.proc) {
        // pidfile, process and systemd modes: the start command ran, and here is its process.
        this.onStarted(now, proc, out);
        return;
      }
      // Someone else (an operator, systemd) started it: supervise that one instead of starting
      // another. Not our restart, so not charged.
      if (this.proc)
        out.events.push({
          kind: 'Exited',
          severity: 'warning',
          message: `pid ${this.proc.pid} was replaced by pid ${proc.pid}`,
          fields: { pid: this.proc.pid, by: proc.pid },
        });
      this.proc = proc;
      this.restartAtMs = Infinity;
      this.startDeadlineMs = Infinity;
      this.enterGrace(now);
      out.events.push({ kind: 'Adopted', severity: 'info', message: `supervising the running process ${proc.pid}`, fields: { pid: proc.pid } });
      return;
    }
    if (!proc && this.proc) this.onExited(now, this.proc, reason, out);
  }

  private onStarted(now: number, proc: Proc, out: Output): void {
    if (this.phase === 'paused') {
      this.proc = proc;
      return;
    }
    this.proc = proc;
    this.startDeadlineMs = Infinity;
    this.enterGrace(now);
    out.events.push({ kind: 'Started', severity: 'info', message: `started, pid ${proc.pid}`, fields: { pid: proc.pid } });
  }

  private enterGrace(now: number): void {
    this.failures = 0;
    this.healthy = false;
    this.killed = false;
    this.killAtMs = Infinity;
    if (this.hasCheck) {
      this.phase = 'grace';
      this.graceUntilMs = now + this.cfg.startupGraceMs;
      this.nextCheckAtMs = now;
    } else {
      this.phase = 'running';
      this.healthySinceMs = now;
    }
  }

  private onExited(now: number, proc: Proc, reason: string, out: Output): void {
    if (!this.proc || !sameProc(proc, this.proc)) return;
    this.proc = null;
    this.healthy = false;
    this.checkInFlight = false;
    this.nextCheckAtMs = Infinity;
    if (this.phase === 'paused') {
      out.events.push({ kind: 'Exited', severity: 'warning', message: `${reason} (paused: not restarting)`, fields: { reason } });
      return;
    }
    if (this.phase === 'stopping') {
      this.failed(now, this.stopReason, out);
      return;
    }
    out.events.push({ kind: 'Exited', severity: 'warning', message: reason, fields: { pid: proc.pid, reason } });
    this.failed(now, reason, out);
  }

  private onChecked(now: number, ok: boolean, reason: string, out: Output): void {
    this.checkInFlight = false;
    if (this.phase !== 'grace' && this.phase !== 'running') return;
    if (ok) {
      const wasFailing = this.failures > 0;
      this.failures = 0;
      if (!this.healthy) {
        this.healthy = true;
        this.healthySinceMs = now;
        if (this.phase === 'grace' || wasFailing) out.events.push({ kind: 'Healthy', severity: 'info', message: `healthy: ${reason}` });
      }
      this.phase = 'running';
      return;
    }
    // Failures while a dependency is down are its doing: wait for it instead.
    if (!this.depsReady()) return;
    if (this.phase === 'grace' && now < this.graceUntilMs) return;
    this.phase = 'running';
    this.failures++;
    if (this.healthy) {
      this.healthy = false;
      this.healthySinceMs = Infinity;
      out.events.push({ kind: 'Unhealthy', severity: 'warning', message: `health check failed: ${reason}`, fields: { reason } });
    }
    if (this.failures >= this.cfg.failureThreshold && this.proc) {
      this.stopReason = `hung: alive but failed ${this.failures} health checks in a row: ${reason}`;
      out.events.push({
        kind: 'Hung',
        severity: 'warning',
        message: `${this.stopReason}; stopping pid ${this.proc.pid}`,
        fields: { pid: this.proc.pid, failures: this.failures, reason },
      });
      this.stop(now, out);
    }
  }

  private stop(now: number, out: Output): void {
    if (!this.proc) return;
    this.phase = 'stopping';
    this.nextCheckAtMs = Infinity;
    this.killAtMs = now + this.cfg.stopTimeoutMs;
    this.killed = false;
    out.actions.push({ kind: 'signal', proc: this.proc, signal: 'SIGTERM' });
  }

  /** The service is down for `reason`: count it, and schedule the restart. */
  private failed(now: number, reason: string, out: Output, kind?: string): void {
    this.lastFailure = reason;
    this.lastFailureAtMs = now;
    this.healthy = false;
    this.proc = null;
    if (kind) out.events.push({ kind, severity: 'warning', message: reason, fields: { reason } });
    const down = this.downDeps();
    if (down.length > 0) {
      // Not charged: the restart waits for the dependency and goes first once it is ready.
      this.phase = 'waiting';
      out.events.push({
        kind: 'WaitingForDependency',
        severity: 'info',
        message: `waiting for ${down.join(', ')} before restarting (not counted against the restart budget)`,
        fields: { dependencies: down.join(',') },
      });
      return;
    }
    this.charged = this.charged.filter((t) => now - t < this.cfg.budgetWindowMs);
    this.charged.push(now);
    this.streak++;
    if (!this.crashLooping && this.charged.length > this.cfg.budgetRestarts) {
      this.crashLooping = true;
      out.events.push({
        kind: 'CrashLooping',
        severity: 'alert',
        message: `crash-looping: ${this.charged.length} restarts within ${Math.round(this.cfg.budgetWindowMs / 1000)} s; still restarting every ${this.cfg.backoffMaxMs / 1000} s (last: ${reason})`,
        fields: { restarts: this.charged.length, windowMs: this.cfg.budgetWindowMs, reason },
      });
    }
    const delayMs = this.crashLooping
      ? this.cfg.backoffMaxMs
      : this.streak <= 1
        ? 0
        : Math.min(this.cfg.backoffMaxMs, this.cfg.backoffInitialMs * Math.pow(this.cfg.backoffMultiplier, this.streak - 2));
    this.phase = 'backoff';
    this.restartAtMs = now + delayMs;
    out.events.push({
      kind: 'RestartScheduled',
      severity: 'info',
      message: delayMs === 0 ? 'restarting now' : `restarting in ${delayMs} ms`,
      fields: { delayMs, streak: this.streak },
    });
  }

  private startOrWait(now: number, out: Output, isRestart: boolean): void {
    if (!this.depsReady()) {
      if (this.phase !== 'waiting') {
        this.phase = 'waiting';
        const down = this.downDeps();
        out.events.push({
          kind: 'WaitingForDependency',
          severity: 'info',
          message: `waiting for ${down.join(', ')} before starting`,
          fields: { dependencies: down.join(',') },
        });
      }
      return;
    }
    if (isRestart) this.restarts++;
    this.phase = 'starting';
    this.startDeadlineMs = now + this.cfg.startTimeoutMs;
    out.actions.push({ kind: 'start' });
  }

  private onPause(by: string, out: Output): void {
    if (this.phase === 'paused') return;
    this.phase = 'paused';
    this.restartAtMs = Infinity;
    this.startDeadlineMs = Infinity;
    this.killAtMs = Infinity;
    this.nextCheckAtMs = Infinity;
    this.failures = 0;
    out.events.push({ kind: 'Paused', severity: 'warning', message: `paused by ${by}: not restarted until resumed`, fields: { by } });
  }

  private onResume(now: number, by: string, out: Output): void {
    if (this.phase !== 'paused') return;
    out.events.push({ kind: 'Resumed', severity: 'info', message: `resumed by ${by}`, fields: { by } });
    this.streak = 0;
    if (this.proc) this.enterGrace(now);
    else this.startOrWait(now, out, false);
  }

  private onResources(cpuPercent: number, rssBytes: number, out: Output): void {
    const overRss = this.cfg.maxRssBytes > 0 && rssBytes > this.cfg.maxRssBytes;
    const overCpu = this.cfg.maxCpuPercent > 0 && cpuPercent > this.cfg.maxCpuPercent;
    const high = overRss || overCpu;
    if (high === this.resourceHigh) return;
    this.resourceHigh = high;
    const fields = { cpuPercent: Math.round(cpuPercent * 10) / 10, rssBytes, maxCpuPercent: this.cfg.maxCpuPercent, maxRssBytes: this.cfg.maxRssBytes };
    out.events.push(
      high
        ? {
            kind: 'ResourceHigh',
            severity: 'warning',
            message: `over its resource threshold: ${[overCpu && `CPU ${fields.cpuPercent} % > ${this.cfg.maxCpuPercent} %`, overRss && `RSS ${rssBytes} B > ${this.cfg.maxRssBytes} B`].filter(Boolean).join(', ')}`,
            fields,
          }
        : { kind: 'ResourceNormal', severity: 'info', message: 'back under its resource thresholds', fields },
    );
  }

  /** Everything that is due at `now`. */
  private advance(now: number, out: Output): void {
    if (this.phase === 'paused' || this.phase === 'unknown') return;
    if (this.phase === 'waiting' && this.depsReady() && !this.proc) this.startOrWait(now, out, this.lastFailureAtMs > 0);
    if (this.phase === 'backoff' && now >= this.restartAtMs) {
      this.restartAtMs = Infinity;
      this.startOrWait(now, out, true);
    }
    if (this.phase === 'starting' && now >= this.startDeadlineMs) {
      this.startDeadlineMs = Infinity;
      this.failed(now, `start failed: no process after ${this.cfg.startTimeoutMs} ms`, out, 'StartFailed');
    }
    if (this.phase === 'stopping' && now >= this.killAtMs && this.proc) {
      if (!this.killed) {
        this.killed = true;
        this.killAtMs = now + this.cfg.stopTimeoutMs;
        out.events.push({
          kind: 'Killed',
          severity: 'warning',
          message: `pid ${this.proc.pid} ignored SIGTERM for ${this.cfg.stopTimeoutMs} ms: SIGKILL`,
          fields: { pid: this.proc.pid },
        });
        out.actions.push({ kind: 'signal', proc: this.proc, signal: 'SIGKILL' });
      } else {
        // Unkillable (uninterruptible sleep, or its exit went unseen): try again, never give up silently.
        this.killAtMs = now + this.cfg.stopTimeoutMs;
        out.actions.push({ kind: 'signal', proc: this.proc, signal: 'SIGKILL' });
      }
    }
    if ((this.phase === 'grace' || this.phase === 'running') && this.hasCheck && !this.checkInFlight && now >= this.nextCheckAtMs) {
      this.checkInFlight = true;
      this.nextCheckAtMs = now + (this.healthy || this.phase === 'running' ? this.cfg.checkIntervalMs : this.cfg.startupCheckIntervalMs);
      out.actions.push({ kind: 'check' });
    }
    if (this.phase === 'grace' && now >= this.graceUntilMs) {
      // Grace over without a passing check: from now on failures count.
      this.phase = 'running';
    }
    if (this.phase === 'running' && this.healthySinceMs !== Infinity && now - this.healthySinceMs >= this.cfg.healthyResetMs) {
      this.healthySinceMs = Infinity;
      this.streak = 0;
      this.charged = [];
      if (this.crashLooping) {
        this.crashLooping = false;
        out.events.push({
          kind: 'Recovered',
          severity: 'info',
          message: `healthy for ${Math.round(this.cfg.healthyResetMs / 1000)} s: no longer crash-looping`,
        });
      }
    }
  }

  private wakeAt(): number {
    switch (this.phase) {
      case 'backoff':
        return this.restartAtMs;
      case 'starting':
        return this.startDeadlineMs;
      case 'stopping':
        return this.killAtMs;
      case 'grace':
        return Math.min(this.checkInFlight ? Infinity : this.nextCheckAtMs, this.graceUntilMs);
      case 'running': {
        const reset = this.healthySinceMs === Infinity ? Infinity : this.healthySinceMs + this.cfg.healthyResetMs;
        return Math.min(this.hasCheck && !this.checkInFlight ? this.nextCheckAtMs : Infinity, reset);
      }
      default:
        return Infinity;
    }
  }
}

export function sameProc(a: Proc, b: Proc): boolean {
  return a.pid === b.pid && a.startTicks === b.startTicks;
}
