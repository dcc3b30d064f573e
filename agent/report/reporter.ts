import type { Counter } from 'prom-client';
import { errorText } from '../../proto/common/errors.js';
import type { Logger } from '../../proto/common/log.js';
import { BELAY_VERSION } from '../../proto/common/version.js';
import type { DiskLatency } from '../../proto/gen/belay/v1/DiskLatency.js';
import type { EtcdDataStatus } from '../../proto/gen/belay/v1/EtcdDataStatus.js';
import type { HostReport } from '../../proto/gen/belay/v1/HostReport.js';
import type { ManifestInfo } from '../../proto/gen/belay/v1/ManifestInfo.js';
import type { ServiceStatus } from '../../proto/gen/belay/v1/ServiceStatus.js';
import type { HostCollector } from '../host/facts.js';

export interface ReporterDeps {
  node: { name: string; address: string };
  etcdDataDir: string;
  /** The agent's --root, "/" on a real master. */
  root: string;
  intervalMs: number;
  collector: HostCollector;
  log: Logger;
  collected: Counter;
  /** Called with every new report (the streams to the coordinators). */
  publish(report: HostReport): void;
  /** The supervised services' state, added to every report. */
  services(): ServiceStatus[];
  /** The manifests dir's inventory, added to every report. */
  manifests(): ManifestInfo[];
  /** The latest fdatasync measurement of the etcd data dir's disk; never waited for. */
  etcdDisk(): DiskLatency;
  /** The etcd data dir guard's latest reading (agent/etcd/data-guard.ts). */
  etcdData?(): EtcdDataStatus;
  agentInstance: string;
}

/**
 * Collects a host report every interval (never two at once: the next starts
 * an interval after the previous finished) and hands it to the streams.
 */
export class Reporter {
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<HostReport> | undefined;
  private stopped = false;
  latest: HostReport | undefined;

  constructor(private readonly d: ReporterDeps) {}

  start(): void {
    this.loop();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Sends the latest report again with the services' current state (after a supervision change). */
  republish(): void {
    if (!this.latest) return;
    // A new seq: coordinators keep a report only if its seq is higher than the one they hold.
    this.latest = {
      ...this.latest,
      seq: ++this.seq,
      services: this.d.services(),
      manifests: this.d.manifests(),
      etcdDisk: this.d.etcdDisk(),
      etcdData: this.d.etcdData?.(),
      publishedAtMs: Date.now(),
    };
    this.d.publish(this.latest);
  }

  /** Collects now (joining a collection already under way) and publishes it. */
  collectNow(): Promise<HostReport> {
    if (this.running) return this.running;
    const running = this.d.collector
      .collect({
        node: this.d.node.name,
        address: this.d.node.address,
        agentInstance: this.d.agentInstance,
        seq: this.seq + 1,
        etcdDataDir: this.d.etcdDataDir,
        nowMs: Date.now,
      })
      .then((r) => {
        // Numbered when sent, not when begun: a republish while collecting has taken the next seq.
        const report = {
          ...r,
          seq: ++this.seq,
          agentVersion: BELAY_VERSION,
          root: this.d.root,
          etcdDisk: this.d.etcdDisk(),
          etcdData: this.d.etcdData?.(),
          services: this.d.services(),
          manifests: this.d.manifests(),
          publishedAtMs: Date.now(),
        };
        this.latest = report;
        this.d.collected.inc();
        this.d.publish(report);
        return report;
      })
      .finally(() => {
        this.running = undefined;
      });
    this.running = running;
    return running;
  }

  private loop(): void {
    if (this.stopped) return;
    this.collectNow().then(
      () => this.schedule(),
      (err: unknown) => {
        this.d.log.error('host report failed', { err: errorText(err) });
        this.schedule();
      },
    );
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.loop(), this.d.intervalMs);
  }
}
