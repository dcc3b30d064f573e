import fsp from 'node:fs/promises';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { errorText } from '../../proto/common/errors.js';
import type { Logger } from '../../proto/common/log.js';
import type { DiskLatency__Output } from '../../proto/gen/belay/v1/DiskLatency.js';

export const DISK_LATENCY_DEFAULTS = {
  /** Between measurements. Each costs `samples` fdatasyncs, ~1 s on a slow disk; a disk does not change by the minute. */
  intervalMs: 5 * 60_000,
  /** fdatasyncs per measurement: with 100 the nearest-rank p99 is the second slowest. */
  samples: 100,
  /** Bytes appended before each fdatasync, about one etcd WAL entry (etcd's fio test uses --bs=2300). */
  writeBytes: 2048,
  /** etcd's hardware guide: WAL fdatasync p99 under 10 ms, or heartbeats and elections suffer. */
  slowP99Ms: 10,
  /** After a slow or failed measurement, measure again this soon: one busy minute should not block joins for five. */
  recheckMs: 30_000,
} as const;

/**
 * The timed loop runs in a worker thread with synchronous calls: timed on
 * the main thread, every fdatasync would also count the thread pool's queue
 * and the event loop's delay, which on a busy master (an agent starting next
 * to etcd) doubled the p99 with the disk itself no slower.
 */
const TIMER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { file, samples, writeBytes } = workerData;
const block = Buffer.alloc(writeBytes, 'x');
const fd = fs.openSync(file, 'w', 0o600);
const ns = [];
try {
  for (let i = 0; i < samples; i++) {
    fs.writeSync(fd, block);
    const t0 = process.hrtime.bigint();
    fs.fdatasyncSync(fd);
    ns.push(process.hrtime.bigint() - t0);
  }
} finally {
  fs.closeSync(fd);
}
parentPort.postMessage(ns);
`;

function timeFdatasyncs(file: string, samples: number, writeBytes: number): Promise<bigint[]> {
  return new Promise((resolve, reject) => {
    const w = new Worker(TIMER_SOURCE, { eval: true, workerData: { file, samples, writeBytes } });
    w.once('message', (ns: bigint[]) => resolve(ns));
    w.once('error', reject);
    w.once('exit', (code) => {
      if (code !== 0) reject(new Error(`timer thread exited with code ${code}`));
    });
  });
}

/** What HostReport.etcd_disk holds before the first measurement. */
export const NOT_MEASURED: DiskLatency__Output = { fdatasyncP50Ms: 0, fdatasyncP99Ms: 0, samples: 0, measuredAtMs: 0, dir: '', error: '' };

/**
 * fdatasync latency where etcd's WAL lives, measured as etcd's docs suggest
 * with fio (--rw=write --fdatasync=1 --bs=2300): sequential appends, each
 * made durable before the next. In the data dir, or before etcd's first
 * start in its nearest existing ancestor (the same filesystem, most likely).
 * Timed in a worker thread (see TIMER_SOURCE), so the event loop stays
 * free while the disk is slow. Failures are a result (`error`), never a rejection.
 */
export async function measureFdatasync(o: {
  etcdDataDir: string;
  host: (p: string) => string;
  nowMs?: () => number;
  samples?: number;
  writeBytes?: number;
}): Promise<DiskLatency__Output> {
  const nowMs = o.nowMs ?? Date.now;
  const samples = o.samples ?? DISK_LATENCY_DEFAULTS.samples;
  const result = (dir: string, fields: Partial<DiskLatency__Output>): DiskLatency__Output => ({ ...NOT_MEASURED, dir, measuredAtMs: nowMs(), ...fields });
  let dir: string;
  try {
    dir = await nearestExistingDir(o.etcdDataDir, o.host);
  } catch (err) {
    return result('', { error: `finding a directory for ${o.etcdDataDir}: ${errorText(err)}` });
  }
  const name = `.belay-fsync-test-${process.pid}`;
  const hostFile = path.posix.join(dir, name);
  const file = path.join(o.host(dir), name);
  let ns: bigint[];
  try {
    ns = await timeFdatasyncs(file, samples, o.writeBytes ?? DISK_LATENCY_DEFAULTS.writeBytes);
  } catch (err) {
    return result(dir, { error: `writing and fdatasyncing ${hostFile}: ${errorText(err)}` });
  } finally {
    await fsp.rm(file, { force: true }).catch(() => undefined);
  }
  const sorted = ns.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return result(dir, { fdatasyncP50Ms: nearestRankMs(sorted, 50), fdatasyncP99Ms: nearestRankMs(sorted, 99), samples: sorted.length });
}

/** The p-th percentile of ascending nanosecond samples, nearest-rank (the smallest value with p% at or below it), in ms. */
export function nearestRankMs(sortedNs: readonly bigint[], p: number): number {
  if (sortedNs.length === 0) return 0;
  const rank = Math.min(sortedNs.length, Math.max(1, Math.ceil((p / 100) * sortedNs.length)));
  return Number(sortedNs[rank - 1] ?? 0n) / 1e6;
}

/** Host path of `hostPath` itself if it is a directory, else of its nearest existing ancestor directory. */
async function nearestExistingDir(hostPath: string, host: (p: string) => string): Promise<string> {
  for (let cur = path.posix.resolve(hostPath); ; cur = path.posix.dirname(cur)) {
    const st = await fsp.stat(host(cur)).catch(() => undefined);
    if (st?.isDirectory()) return cur;
    if (cur === '/') throw new Error(`no directory on the way to ${hostPath} exists`);
  }
}

/**
 * Measures at start and every interval, off the report path: a report takes
 * the latest result and never waits for one. One measurement at a time.
 * Logs when the disk turns slow or unmeasurable, and when it recovers.
 */
export class DiskLatencySampler {
  latest: DiskLatency__Output = NOT_MEASURED;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private state: 'unknown' | 'ok' | 'slow' | 'failed' = 'unknown';

  constructor(private readonly o: { etcdDataDir: string; host: (p: string) => string; log: Logger; intervalMs?: number }) {}

  start(): void {
    this.stopped = false;
    this.loop();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private running: Promise<DiskLatency__Output> | undefined;

  /**
   * The latest measurement, measured again first if it is not good (slow,
   * failed or missing) and older than maxAgeMs: a preflight asks for a
   * fresh report, and a disk that was busy a minute ago may be fine now.
   */
  async fresh(maxAgeMs = 5_000, nowMs = Date.now()): Promise<DiskLatency__Output> {
    const l = this.latest;
    const good = !l.error && l.measuredAtMs > 0 && l.fdatasyncP99Ms <= DISK_LATENCY_DEFAULTS.slowP99Ms;
    if (good || nowMs - Number(l.measuredAtMs) < maxAgeMs) return l;
    return this.measure();
  }

  /** Measures once (the loop's body), or joins the measurement running now: one at a time, they share a test file. */
  measure(): Promise<DiskLatency__Output> {
    this.running ??= this.measureOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async measureOnce(): Promise<DiskLatency__Output> {
    const r = await measureFdatasync({ etcdDataDir: this.o.etcdDataDir, host: this.o.host });
    this.latest = r;
    this.note(r);
    return r;
  }

  private loop(): void {
    this.measure().then(
      () => this.schedule(),
      (err: unknown) => {
        this.o.log.error('etcd disk latency measurement failed', { err: errorText(err) });
        this.schedule();
      },
    );
  }

  private schedule(): void {
    if (this.stopped) return;
    const every = this.o.intervalMs ?? DISK_LATENCY_DEFAULTS.intervalMs;
    const again = this.state === 'ok' ? every : Math.min(every, DISK_LATENCY_DEFAULTS.recheckMs);
    this.timer = setTimeout(() => this.loop(), again);
    this.timer.unref();
  }

  private note(r: DiskLatency__Output): void {
    const state = r.error ? 'failed' : r.fdatasyncP99Ms > DISK_LATENCY_DEFAULTS.slowP99Ms ? 'slow' : 'ok';
    const fields = { path: r.dir, p50Ms: r.fdatasyncP50Ms, p99Ms: r.fdatasyncP99Ms, samples: r.samples };
    if (state !== this.state) {
      if (state === 'failed') this.o.log.warn('etcd disk latency not measured', { ...fields, err: r.error, code: 'DISK_LATENCY_FAILED' });
      else if (state === 'slow')
        this.o.log.warn('etcd disk slow', {
          ...fields,
          code: 'ETCD_DISK_SLOW',
          hint: `etcd wants fdatasync p99 under ${DISK_LATENCY_DEFAULTS.slowP99Ms} ms: move its data dir to an SSD or a less busy disk`,
        });
      else this.o.log.info('etcd disk latency measured', fields);
    } else {
      this.o.log.debug('etcd disk latency measured', fields);
    }
    this.state = state;
  }
}
