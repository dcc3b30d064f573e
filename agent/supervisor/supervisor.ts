import fs from 'node:fs';
import path from 'node:path';
import { OperatorError, errorText } from '../../proto/common/errors.js';
import type { Logger } from '../../proto/common/log.js';
import type { ServiceStatus } from '../../proto/gen/belay/v1/ServiceStatus.js';
import type { RaisedEvent } from '../report/events.js';
import type { ServiceDef } from './config.js';
import { ServiceRunner } from './runner.js';
import { systemdAvailable, unitExists } from './systemd.js';

interface PausedFile {
  /** service → who paused it and when; kept so a pause survives an agent restart. */
  paused: Record<string, { by: string; atMs: number }>;
}

/**
 * Every supervised service of this master: one independent ServiceRunner
 * each, wired by their dependencies (a runner's readiness is fed to the
 * services that depend on it), and the operator's pauses, kept on disk.
 */
export class Supervisor {
  private readonly runners = new Map<string, ServiceRunner>();
  private readonly pausedFile: string;
  private pausedState: PausedFile;

  constructor(
    private readonly defs: readonly ServiceDef[],
    private readonly d: { stateDir: string; logDir: string; log: Logger; raise(e: RaisedEvent): void; systemctl?: string },
  ) {
    this.pausedFile = path.join(d.stateDir, 'paused.json');
    this.pausedState = this.readPaused();
  }

  /** Starts supervising the enabled services; `enabled: auto` ones only if present on this host. */
  async start(): Promise<void> {
    const enabled: ServiceDef[] = [];
    for (const def of this.defs) {
      if (def.enabled === false) continue;
      if (def.enabled === 'auto' && !(await present(def))) {
        this.d.log.info('service not present on this host: not supervised', { service: def.name, mode: def.mode, unit: def.unit });
        continue;
      }
      enabled.push(def);
    }
    const names = new Set(enabled.map((d) => d.name));
    // A dependency that is not supervised here (docker on a containerd host) is not waited for.
    for (const def of enabled) this.runners.set(def.name, this.createRunner({ ...def, dependsOn: def.dependsOn.filter((n) => names.has(n)) }));
    for (const r of this.runners.values()) r.start();
    this.d.log.info('supervising', { services: [...this.runners.keys()], paused: Object.keys(this.pausedState.paused) });
  }

  /**
   * Supervises one more service from now on (the host runtime's pod containers come and go
   * with their manifests). Its dependencies must already be supervised.
   */
  add(def: ServiceDef): void {
    if (this.runners.has(def.name)) {
      throw new OperatorError({ code: 'SERVICE_EXISTS', message: `service ${def.name} is already supervised`, hint: 'remove it first' });
    }
    const runner = this.createRunner(def);
    this.runners.set(def.name, runner);
    runner.start();
    for (const dep of def.dependsOn) {
      const d = this.runners.get(dep);
      if (d?.ready) runner.dependency(dep, true);
    }
  }

  /** Stops a service's process (SIGTERM, SIGKILL after graceMs) and stops supervising it; its dependents see it go. */
  async remove(name: string, graceMs: number): Promise<void> {
    const r = this.runners.get(name);
    if (!r) return;
    this.runners.delete(name);
    await r.retire(graceMs);
    for (const other of this.runners.values()) other.dependency(name, false);
  }

  private createRunner(def: ServiceDef): ServiceRunner {
    const runner: ServiceRunner = new ServiceRunner({
      def,
      log: this.d.log,
      raise: (e) => this.d.raise(e),
      stateDir: this.d.stateDir,
      logDir: this.d.logDir,
      paused: def.name in this.pausedState.paused,
      onReadyChange: (name, ready) => {
        for (const other of this.runners.values()) if (other !== runner) other.dependency(name, ready);
      },
      ...(this.d.systemctl ? { systemctl: this.d.systemctl } : {}),
    });
    return runner;
  }

  stop(): void {
    for (const r of this.runners.values()) r.stop();
  }

  list(): ServiceStatus[] {
    return [...this.runners.values()].map((r) => r.status());
  }

  setPaused(name: string, paused: boolean, by: string): ServiceStatus {
    const r = this.runners.get(name);
    if (!r) {
      throw new OperatorError({
        code: 'NO_SUCH_SERVICE',
        message: `no supervised service "${name}" on this master; supervised: ${[...this.runners.keys()].join(', ') || 'none'}`,
        hint: 'belayctl supervise list shows them',
      });
    }
    if (paused) this.pausedState.paused[name] = { by, atMs: Date.now() };
    else delete this.pausedState.paused[name];
    this.writePaused();
    if (paused) r.pause(by);
    else r.resume(by);
    return r.status();
  }

  private readPaused(): PausedFile {
    try {
      const p = JSON.parse(fs.readFileSync(this.pausedFile, 'utf8')) as Partial<PausedFile>;
      return { paused: typeof p.paused === 'object' && p.paused !== null ? p.paused : {} };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.d.log.warn('ignoring unreadable pause file', { path: this.pausedFile, err: errorText(err) });
      return { paused: {} };
    }
  }

  /** Atomically (temp file, fsync, rename), so a crash never leaves half a file that would un-pause everything. */
  private writePaused(): void {
    fs.mkdirSync(this.d.stateDir, { recursive: true });
    const tmp = path.join(this.d.stateDir, '.paused.json.tmp');
    const fd = fs.openSync(tmp, 'w', 0o600);
    try {
      fs.writeSync(fd, JSON.stringify(this.pausedState, null, 2) + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.pausedFile);
  }
}

/** Whether an `enabled: auto` service exists on this host. */
async function present(def: ServiceDef): Promise<boolean> {
  switch (def.mode) {
    case 'systemd':
      return systemdAvailable() && (await unitExists(def.unit ?? '', 5_000).catch(() => false));
    case 'pidfile':
    case 'child':
    case 'process':
      return onPath(def.command?.[0] ?? def.processName ?? '');
  }
}

function onPath(bin: string): boolean {
  if (bin.includes('/')) return fs.existsSync(bin);
  return (process.env.PATH ?? '').split(':').some((dir) => dir && fs.existsSync(path.join(dir, bin)));
}
