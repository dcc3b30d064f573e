import fsp from 'node:fs/promises';
import { errorText } from '../../proto/common/errors.js';
import type { Logger } from '../../proto/common/log.js';
import type { ServiceStatus } from '../../proto/gen/belay/v1/ServiceStatus.js';
import type { RaisedEvent } from '../report/events.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import type { InventoryEntry, ManifestInventory } from './inventory.js';
import { podServices } from './pod-services.js';
import { isEtcd } from '../etcd/etcd-process.js';

/**
 * The `host` runtime (docs/architecture.md, "Design"): runs each valid manifest's containers as
 * supervised host processes. A changed manifest restarts its pod gracefully
 * (the old processes get SIGTERM and terminationGracePeriodSeconds, then the
 * new ones start); a removed one is stopped; an invalid one changes nothing:
 * the running pod is left as it is. A change is acted on once the file has
 * been still for settleMs: a manifest written in place a few bytes at a time
 * can be a valid Pod halfway (cut after a flag) and must not be run. One file
 * at a time, in order.
 */
export class HostRuntime {
  /** Per manifest file: the sha running and its services. */
  private readonly running = new Map<string, { sha256: string; services: string[]; graceMs: number }>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly settling = new Map<string, NodeJS.Timeout>();
  /** Per manifest file: since when its running pod has been seen ready (reset when not ready or replaced). */
  private readonly readySince = new Map<string, { sha256: string; atMs: number }>();

  constructor(
    private readonly d: {
      inventory: ManifestInventory;
      supervisor: Supervisor;
      host(p: string): string;
      podLogDir: string;
      log: Logger;
      raise(e: RaisedEvent): void;
      /** Quiet time before a change is acted on, ms (default 250). */
      settleMs?: number;
      /** Asked before every start of an etcd container: a reason holds it back (agent/etcd/data-guard.ts). */
      etcdStartGate?: () => Promise<string | undefined>;
    },
  ) {}

  start(): void {
    this.d.inventory.onChange((file) => {
      clearTimeout(this.settling.get(file));
      this.settling.set(
        file,
        setTimeout(() => {
          this.settling.delete(file);
          this.enqueue(file, () => this.sync(file, this.d.inventory.byFile(file)));
        }, this.d.settleMs ?? 250),
      );
    });
    for (const info of this.d.inventory.list()) this.enqueue(info.file, () => this.sync(info.file, this.d.inventory.byFile(info.file)));
  }

  stop(): void {
    for (const t of this.settling.values()) clearTimeout(t);
  }

  /**
   * The agent itself has just written (or removed) `file`, atomically and
   * validated: there is no write under way to wait out, so act at once.
   */
  applyNow(file: string): void {
    clearTimeout(this.settling.get(file));
    this.settling.delete(file);
    this.enqueue(file, () => this.sync(file, this.d.inventory.byFile(file)));
  }

  /** The pod's phase and readiness from its containers' supervision (`services`: the supervisor's list, taken once per report). */
  podStatus(
    file: string,
    services: ServiceStatus[] = this.d.supervisor.list(),
    nowMs = Date.now(),
  ): { podPhase: string; podReady: boolean; podNotReadyReason: string; runningSha256: string; podReadyForMs: number } {
    const running = this.running.get(file);
    if (!running) {
      this.readySince.delete(file);
      return { podPhase: 'Stopped', podReady: false, podNotReadyReason: 'not run by the host runtime', runningSha256: '', podReadyForMs: 0 };
    }
    const statuses = services.filter((s) => running.services.includes(s.name ?? ''));
    const failed = statuses.some((s) => s.state === 'backoff' || s.state === 'crash-looping');
    const pending = statuses.length < running.services.length || statuses.some((s) => s.state !== 'running' && s.state !== 'unhealthy');
    const notReady = statuses.filter((s) => !s.ready).map((s) => `${(s.name ?? '').split('/').pop() ?? ''}: ${s.notReadyReason || 'not ready'}`);
    const podReady = statuses.length > 0 && notReady.length === 0;
    // Ready since this pod (this sha) was first seen ready: a rollout waits for the new pod's readiness to hold.
    const since = this.readySince.get(file);
    if (!podReady || since?.sha256 !== running.sha256) this.readySince.delete(file);
    if (podReady && !this.readySince.has(file)) this.readySince.set(file, { sha256: running.sha256, atMs: nowMs });
    const readyAt = this.readySince.get(file)?.atMs;
    return {
      podPhase: failed ? 'Failed' : pending ? 'Pending' : 'Running',
      podReady,
      podNotReadyReason: notReady.join('; '),
      runningSha256: running.sha256,
      podReadyForMs: readyAt === undefined ? 0 : nowMs - readyAt,
    };
  }

  private enqueue(file: string, work: () => Promise<void>): void {
    const next = (this.queues.get(file) ?? Promise.resolve()).then(work).catch((err: unknown) => {
      this.d.log.error('host runtime failed to apply a manifest', {
        file,
        err: errorText(err),
        code: 'HOST_RUNTIME_FAILED',
        hint: 'see the agent log; the manifest is left as it is',
      });
    });
    this.queues.set(file, next);
  }

  private async sync(file: string, entry: InventoryEntry | undefined): Promise<void> {
    const current = this.running.get(file);
    if (entry && !entry.info.valid) return; // never touch a running pod for a broken file
    if (entry && current?.sha256 === entry.info.sha256) return;
    if (current) {
      for (const s of current.services) await this.d.supervisor.remove(s, current.graceMs);
      this.running.delete(file);
    }
    if (!entry?.parsed.pod) return;
    await this.makeHostPaths(file, entry.parsed.pod);
    const { defs, problems } = podServices(entry.parsed.pod, { host: (p) => this.d.host(p), logDir: this.d.podLogDir });
    for (const p of problems) this.d.raise({ kind: 'PodProblem', severity: 'warning', message: `${file}: ${p}`, fields: { file } });
    const gate = this.d.etcdStartGate;
    for (const def of defs) this.d.supervisor.add(gate && isEtcd(def.command ?? []) ? { ...def, startGate: gate } : def);
    this.running.set(file, { sha256: entry.info.sha256, services: defs.map((x) => x.name), graceMs: defs[0]?.policy.stopTimeoutMs ?? 30_000 });
    this.d.raise({
      kind: current ? 'PodRestarted' : 'PodStarted',
      severity: 'info',
      message: `${current ? 'restarted' : 'started'} pod ${entry.info.podName} from ${file} (${defs.length} containers)`,
      fields: { file, sha256: entry.info.sha256 },
    });
  }

  /** As kubelet does before starting a pod: hostPath DirectoryOrCreate dirs made (0755), FileOrCreate files made empty (0644). */
  private async makeHostPaths(file: string, pod: unknown): Promise<void> {
    const volumes = (pod as { spec?: { volumes?: { hostPath?: { path?: string; type?: string } }[] } }).spec?.volumes ?? [];
    for (const v of volumes) {
      const hp = v.hostPath;
      if (!hp?.path || (hp.type !== 'DirectoryOrCreate' && hp.type !== 'FileOrCreate')) continue;
      // A hostPath is a host path as written (docs/architecture.md, "Design"; a rendered manifest has --root in it already).
      const real = hp.path;
      try {
        if (hp.type === 'DirectoryOrCreate') await fsp.mkdir(real, { recursive: true, mode: 0o755 });
        else {
          await fsp.mkdir(real.slice(0, real.lastIndexOf('/')) || '/', { recursive: true, mode: 0o755 });
          await fsp.writeFile(real, '', { flag: 'a', mode: 0o644 });
        }
      } catch (err) {
        this.d.raise({
          kind: 'PodProblem',
          severity: 'warning',
          message: `${file}: cannot make hostPath ${hp.path} (${hp.type}): ${errorText(err)}`,
          fields: { file },
        });
      }
    }
  }
}
