import { execFile } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import si from 'systeminformation';
import { errorText } from '../../proto/common/errors.js';
import { BELAY_VERSION } from '../../proto/common/version.js';
import type { Filesystem__Output } from '../../proto/gen/belay/v1/Filesystem.js';
import type { HostFacts__Output } from '../../proto/gen/belay/v1/HostFacts.js';
import type { HostReport__Output } from '../../proto/gen/belay/v1/HostReport.js';
import type { ProcessInfo__Output } from '../../proto/gen/belay/v1/ProcessInfo.js';
import {
  argv0Of,
  commandLine,
  commMayMatch,
  cpuBusyPercent,
  matchProcessName,
  parseMountinfo,
  parseProcessStat,
  parseSystemStat,
  parseVmRssBytes,
  planFilesystems,
  PROCESSES_OF_INTEREST,
  toFilesystem,
  toProcessInfo,
  type ClockBase,
  type CpuTicks,
  type FsUsage,
  type MountEntry,
  type SystemStat,
} from './report.js';

export { PROCESSES_OF_INTEREST } from './report.js';

export interface CollectOptions {
  /** Master name. */
  node: string;
  /** Master address. */
  address: string;
  /** Random id per agent process. */
  agentInstance: string;
  seq: number;
  /** Real host path (already under --root); may not exist yet. */
  etcdDataDir: string;
  nowMs: () => number;
}

/**
 * statfs on a mount whose NFS server stopped answering blocks a libuv thread
 * for good; waiting longer would only stall the report. A mount still blocked
 * is skipped at the next report, so hung calls never pile up in the pool.
 */
const STATFS_TIMEOUT_MS = 1_000;

/** USER_HZ, which /proc counts in; 100 on every architecture Kubernetes runs on. Used if getconf fails. */
const FALLBACK_CLOCK_TICKS_PER_SEC = 100;

const execFileAsync = promisify(execFile);

/**
 * Collects HostReports. The agent does this every 5 s and must stay under 1%
 * of a core, so only what changes is read each time, straight from /proc and
 * statfs(2); facts fixed while the agent runs (os, kernel, cpu model,
 * timezone, clock ticks) come from systeminformation once.
 *
 * Measured on a 2-core VM, CPU per call including children. si.processes
 * spawns ps, then a shell running one `cat` per process: 110 ms with 75
 * processes, 570 ms with 470 (2-11% of a core at one call per 5 s). Reading
 * every /proc/<pid>/comm and then stat, status and cmdline of the matches
 * only costs 1 ms with 75; a whole collect here costs 3 ms with 75 processes,
 * 8 ms with 470. si.fsSize costs 13 ms (execSync cat blocking the event loop,
 * then df, which has no timeout on a hung NFS mount) against 0.2 ms for
 * mountinfo plus statfs, which also see the tmpfs or overlay si leaves out.
 * si.currentLoad and si.time execSync `cat /proc/stat | grep` and `date` each
 * call: /proc/stat is read here directly, node:os gives uptime and load.
 */
export class HostCollector {
  private readonly names: readonly string[];
  private osFacts: { os: string; kernel: string } | undefined;
  private cpuFacts: { cores: number; model: string } | undefined;
  private timezone: string | undefined;
  private ticksPerSec: number | undefined;
  private prevCpu: CpuTicks | undefined;
  private readonly statfsPending = new Set<string>();
  /** comm is at most 16 bytes with its newline. */
  private readonly commBuf = Buffer.alloc(64);

  constructor(opts: { processNames?: readonly string[] } = {}) {
    this.names = opts.processNames ?? PROCESSES_OF_INTEREST;
  }

  /** A full report; a part that fails becomes a line in collectErrors, never a rejection. */
  async collect(o: CollectOptions): Promise<HostReport__Output> {
    const collectedAtMs = o.nowMs();
    // Monotonic, so a clock step during collection cannot make a negative duration.
    const started = performance.now();
    const errors: string[] = [];
    await this.loadStaticFacts(errors);
    const stat = readSystemStat(errors);
    const clock: ClockBase = {
      btimeSec: stat?.btimeSec ?? Math.round(collectedAtMs / 1000 - os.uptime()),
      uptimeSec: os.uptime(),
      ticksPerSec: this.ticksPerSec ?? FALLBACK_CLOCK_TICKS_PER_SEC,
    };
    const busyPercent = stat ? cpuBusyPercent(this.prevCpu, stat.cpu) : 0;
    if (stat) this.prevCpu = stat.cpu;
    const [host, filesystems, processes] = await Promise.all([
      guarded('host', errors, null, () => this.hostFacts(o, busyPercent, errors)),
      guarded('filesystems', errors, [], () => this.filesystems(o.etcdDataDir, errors)),
      guarded('processes', errors, [], () => this.processes(clock, errors)),
    ]);
    return {
      node: o.node,
      address: o.address,
      seq: o.seq,
      agentInstance: o.agentInstance,
      collectedAtMs,
      collectDurationMs: Math.round(performance.now() - started),
      // The reporter sets it when it sends the report.
      publishedAtMs: collectedAtMs,
      host,
      filesystems,
      processes,
      collectErrors: errors,
      agentVersion: BELAY_VERSION,
      etcdDataDir: o.etcdDataDir,
      // Filled in by the reporter from its config, the disk latency sampler, the etcd data dir guard, the supervisor and the manifests inventory.
      root: '',
      etcdDisk: null,
      etcdData: null,
      services: [],
      manifests: [],
    };
  }

  /** Loads each static fact not yet known; a failed one is retried at the next report. */
  private async loadStaticFacts(errors: string[]): Promise<void> {
    await Promise.all([
      this.osFacts ??
        si.osInfo().then(
          (i) => {
            this.osFacts = { os: [i.distro, i.release].filter(Boolean).join(' '), kernel: i.kernel };
          },
          (err: unknown) => {
            errors.push(`os info: ${errorText(err)}`);
          },
        ),
      this.cpuFacts ??
        si.cpu().then(
          (c) => {
            this.cpuFacts = { cores: c.cores, model: [c.manufacturer, c.brand].filter(Boolean).join(' ') };
          },
          (err: unknown) => {
            errors.push(`cpu info: ${errorText(err)}`);
          },
        ),
      this.ticksPerSec ??
        execFileAsync('getconf', ['CLK_TCK'], { timeout: 2_000 }).then(
          (r) => {
            this.ticksPerSec = Number(r.stdout.trim()) || FALLBACK_CLOCK_TICKS_PER_SEC;
          },
          (err: unknown) => {
            this.ticksPerSec = FALLBACK_CLOCK_TICKS_PER_SEC;
            errors.push(`clock ticks: getconf CLK_TCK: ${errorText(err)}; assuming ${FALLBACK_CLOCK_TICKS_PER_SEC}`);
          },
        ),
    ]);
    if (this.timezone === undefined) {
      try {
        this.timezone = si.time().timezoneName || Intl.DateTimeFormat().resolvedOptions().timeZone;
      } catch (err) {
        errors.push(`timezone: ${errorText(err)}`);
      }
    }
  }

  private async hostFacts(o: CollectOptions, cpuBusy: number, errors: string[]): Promise<HostFacts__Output> {
    let mem: { total: number; available: number; swaptotal: number; swapused: number } | undefined;
    try {
      mem = await si.mem();
    } catch (err) {
      errors.push(`memory: ${errorText(err)}`);
    }
    const [load1 = 0, load5 = 0, load15 = 0] = os.loadavg();
    return {
      // Read each time, not cached: a renamed host must show up.
      hostname: os.hostname(),
      os: this.osFacts?.os ?? '',
      kernel: this.osFacts?.kernel ?? '',
      uptimeSeconds: Math.floor(os.uptime()),
      load1,
      load5,
      load15,
      cpuCores: this.cpuFacts?.cores ?? 0,
      cpuModel: this.cpuFacts?.model ?? '',
      cpuBusyPercent: cpuBusy,
      memoryTotalBytes: mem?.total ?? 0,
      memoryAvailableBytes: mem?.available ?? 0,
      swapTotalBytes: mem?.swaptotal ?? 0,
      swapUsedBytes: mem?.swapused ?? 0,
      clockMs: o.nowMs(),
      timezone: this.timezone ?? '',
    };
  }

  private async filesystems(etcdDataDir: string, errors: string[]): Promise<Filesystem__Output[]> {
    const etcdPath = await nearestExistingRealPath(etcdDataDir);
    let mounts: MountEntry[] = [];
    try {
      mounts = parseMountinfo(await fsp.readFile('/proc/self/mountinfo', 'utf8'));
    } catch (err) {
      errors.push(`filesystems: reading /proc/self/mountinfo: ${errorText(err)}`);
    }
    const out = await Promise.all(
      planFilesystems(mounts, etcdPath).map(async ({ entry, holdsEtcdData }) => {
        try {
          return toFilesystem(entry, await this.statfs(entry.mount), holdsEtcdData);
        } catch (err) {
          errors.push(`filesystem ${entry.mount}: ${errorText(err)}`);
          return undefined;
        }
      }),
    );
    return out.filter((f) => f !== undefined);
  }

  private statfs(mount: string): Promise<FsUsage> {
    if (this.statfsPending.has(mount)) {
      return Promise.reject(new Error('statfs still blocked since an earlier report: check the server of this network filesystem'));
    }
    this.statfsPending.add(mount);
    const call = fsp.statfs(mount).finally(() => this.statfsPending.delete(mount));
    return withTimeout(call, STATFS_TIMEOUT_MS, `statfs took over ${STATFS_TIMEOUT_MS} ms: check the server of this network filesystem`);
  }

  /**
   * comm of every process is read synchronously through one buffer: for
   * procfs that is a third of the CPU of async readFile (no thread-pool hops)
   * and cannot block, as comm needs no lock of the target's memory map. The
   * few matches are read asynchronously, since cmdline takes that lock and a
   * process stuck in a page fault would stall it.
   */
  private async processes(clock: ClockBase, errors: string[]): Promise<ProcessInfo__Output[]> {
    const candidates: { pid: number; comm: string }[] = [];
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const comm = this.readComm(entry);
      if (comm !== undefined && commMayMatch(comm, this.names)) candidates.push({ pid: Number(entry), comm });
    }
    const found = await Promise.all(candidates.map((c) => this.describeProcess(c, clock, errors)));
    return found.filter((p) => p !== undefined).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.pid - b.pid));
  }

  private readComm(pid: string): string | undefined {
    try {
      const fd = fs.openSync(`/proc/${pid}/comm`, 'r');
      try {
        const n = fs.readSync(fd, this.commBuf, 0, this.commBuf.length, 0);
        return this.commBuf.toString('utf8', 0, n).replace(/\n$/, '');
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      // Exited since the directory was listed.
      return undefined;
    }
  }

  private async describeProcess(c: { pid: number; comm: string }, clock: ClockBase, errors: string[]): Promise<ProcessInfo__Output | undefined> {
    const dir = `/proc/${c.pid}`;
    const [stat, status, cmdline, exe] = await Promise.allSettled([
      fsp.readFile(`${dir}/stat`, 'utf8'),
      fsp.readFile(`${dir}/status`, 'utf8'),
      fsp.readFile(`${dir}/cmdline`, 'utf8'),
      // Unreadable for other users' processes when not root; argv[0] stands in.
      fsp.readlink(`${dir}/exe`),
    ]);
    if (stat.status === 'rejected') {
      if (!isGone(stat.reason)) errors.push(`process ${c.pid} (${c.comm}): ${errorText(stat.reason)}`);
      return undefined;
    }
    const parsed = parseProcessStat(stat.value);
    if (!parsed) {
      errors.push(`process ${c.pid} (${c.comm}): cannot parse ${dir}/stat`);
      return undefined;
    }
    const cmd = cmdline.status === 'fulfilled' ? cmdline.value : '';
    const name = matchProcessName({ comm: c.comm, exe: exe.status === 'fulfilled' ? exe.value : undefined, argv0: cmd ? argv0Of(cmd) : undefined }, this.names);
    if (name === undefined) return undefined;
    const rssBytes = status.status === 'fulfilled' ? parseVmRssBytes(status.value) : 0;
    return toProcessInfo({ name, pid: c.pid, stat: parsed, rssBytes, command: commandLine(cmd, c.comm) }, clock);
  }
}

/** /proc/stat, or undefined with an error line: the report then lacks cpu busy and uses an estimated boot time. */
function readSystemStat(errors: string[]): SystemStat | undefined {
  try {
    const stat = parseSystemStat(fs.readFileSync('/proc/stat', 'utf8'));
    if (!stat) errors.push('cpu: /proc/stat has no cpu or btime line');
    return stat;
  } catch (err) {
    errors.push(`cpu: ${errorText(err)}`);
    return undefined;
  }
}

/** The real path of `p` or of its nearest existing ancestor: etcd's data dir may not exist before etcd first starts. */
async function nearestExistingRealPath(p: string): Promise<string> {
  let cur = path.resolve(p);
  for (;;) {
    try {
      return await fsp.realpath(cur);
    } catch {
      const up = path.dirname(cur);
      if (up === cur) return cur;
      cur = up;
    }
  }
}

function isGone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ESRCH';
}

async function guarded<T>(part: string, errors: string[], fallback: T, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    errors.push(`${part}: ${errorText(err)}`);
    return fallback;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
