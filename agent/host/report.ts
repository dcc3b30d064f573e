import type { Filesystem__Output } from '../../proto/gen/belay/v1/Filesystem.js';
import type { ProcessInfo__Output } from '../../proto/gen/belay/v1/ProcessInfo.js';
import { parseProcStat } from '../../proto/common/proc.js';

/**
 * The pure half of the host report: parsing /proc text, choosing which
 * mounts and processes to report, and turning raw counters into report
 * fields. facts.ts does the reading; nothing here touches the host.
 */

/** The executables whose processes a report lists (HostReport.processes in agent.proto). */
export const PROCESSES_OF_INTEREST = [
  'kubelet',
  'containerd',
  'dockerd',
  'etcd',
  'kube-apiserver',
  'kube-scheduler',
  'kube-controller-manager',
  'haproxy',
] as const;

/** ProcessInfo.command is cut to this many characters (agent.proto). */
export const COMMAND_MAX_CHARS = 512;

/**
 * The kernel keeps 15 characters of an executable's name in comm
 * (TASK_COMM_LEN 16 with the NUL, linux/sched.h): kube-controller-manager
 * shows as "kube-controller".
 */
export const COMM_MAX_CHARS = 15;

// ---------------------------------------------------------------- filesystems

/** One line of /proc/self/mountinfo, the fields a report needs. */
export interface MountEntry {
  /** major:minor of the filesystem; bind mounts of one filesystem share it. */
  devId: string;
  mount: string;
  type: string;
  /** Block device or source (/dev/vda1, overlay, server:/export). */
  source: string;
  readOnly: boolean;
}

/**
 * Kernel-made and in-memory filesystems: they hold no data an operator can
 * run out of, and tmpfs sizes are limits, not disks. squashfs (snap images)
 * is always 100% full by design, which would read as a full disk.
 */
export const PSEUDO_FS_TYPES: ReadonlySet<string> = new Set([
  'autofs',
  'binfmt_misc',
  'bpf',
  'cgroup',
  'cgroup2',
  'configfs',
  'debugfs',
  'devpts',
  'devtmpfs',
  'efivarfs',
  'fuse.lxcfs',
  'fusectl',
  'hugetlbfs',
  'mqueue',
  'nsfs',
  'proc',
  'pstore',
  'ramfs',
  'rootfs',
  'rpc_pipefs',
  'securityfs',
  'selinuxfs',
  'squashfs',
  'sysfs',
  'tmpfs',
  'tracefs',
]);

/**
 * Mounts below these directories belong to containers and pods (overlay
 * root filesystems, shm, secret volumes, CSI volumes, network namespaces),
 * not to the host; a master has hundreds. A mount *at* /var/lib/docker
 * (a dedicated disk) has no trailing part and stays. Matched anywhere in the
 * path so that hosts under --root are filtered the same way.
 */
const CONTAINER_STATE_DIRS = [
  '/var/lib/docker/',
  '/run/docker/',
  '/var/lib/containerd/',
  '/run/containerd/',
  '/var/lib/kubelet/pods/',
  '/var/lib/kubelet/plugins/',
  '/run/netns/',
  '/var/run/netns/',
  '/snap/',
];

/** Parses /proc/<pid>/mountinfo (proc(5)); malformed lines are skipped. */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    // Optional fields (shared:1 master:2 ...) end at a lone "-".
    const sep = f.indexOf('-', 6);
    if (sep < 0 || f.length < sep + 4) continue;
    const superOptions = f[sep + 3] ?? '';
    out.push({
      devId: f[2] ?? '',
      mount: unescapeMountField(f[4] ?? ''),
      type: f[sep + 1] ?? '',
      source: unescapeMountField(f[sep + 2] ?? ''),
      readOnly: hasOption(f[5] ?? '', 'ro') || hasOption(superOptions, 'ro'),
    });
  }
  return out;
}

/** The kernel writes space, tab, newline and backslash as \ooo octal. */
function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

function hasOption(options: string, name: string): boolean {
  return options.split(',').includes(name);
}

/** True when a mount is worth reporting on its own (see PSEUDO_FS_TYPES, CONTAINER_STATE_DIRS). */
export function isHostFilesystem(m: MountEntry): boolean {
  return !PSEUDO_FS_TYPES.has(m.type) && !CONTAINER_STATE_DIRS.some((d) => m.mount.includes(d));
}

/** True when absolute path `p` is `dir` or below it (whole path segments only). */
export function isPathWithin(p: string, dir: string): boolean {
  return dir === '/' || p === dir || p.startsWith(dir + '/');
}

/**
 * Index of the mount that holds real path `p`: the longest mount point that
 * is a prefix of it, like findmnt --target. Of mounts stacked on one point
 * the last in mountinfo is on top, so later entries win ties. -1 if none.
 */
export function pickHoldingMount(mounts: readonly MountEntry[], p: string): number {
  let best = -1;
  let bestLength = -1;
  mounts.forEach((m, i) => {
    if (isPathWithin(p, m.mount) && m.mount.length >= bestLength) {
      best = i;
      bestLength = m.mount.length;
    }
  });
  return best;
}

export interface PlannedFilesystem {
  entry: MountEntry;
  holdsEtcdData: boolean;
}

/**
 * The filesystems to report for a host whose etcd data lives at real path
 * `etcdPath` (its nearest existing ancestor): host filesystems once each,
 * plus the one holding etcd data whatever its type, flagged, and exactly one
 * flagged. Each filesystem appears once although bind mounts (kubelet makes
 * many) repeat it; its shortest mount point stands for it. The holder is kept
 * under its own mount point even when that is a bind of a listed filesystem,
 * so that "/" still shows. Mounts hidden under a later mount on the same
 * point are dropped: statfs on that point would measure the top one. Without
 * a mount table the path itself stands for the holder (statfs still works).
 */
export function planFilesystems(mounts: readonly MountEntry[], etcdPath: string): PlannedFilesystem[] {
  const holder = pickHoldingMount(mounts, etcdPath);
  const topByMount = new Map<string, number>();
  mounts.forEach((m, i) => topByMount.set(m.mount, i));
  const byLength = mounts.map((m, i) => ({ m, i })).sort((a, b) => a.m.mount.length - b.m.mount.length);
  const seenDevIds = new Set<string>();
  const out: PlannedFilesystem[] = [];
  for (const { m, i } of byLength) {
    if (i === holder || topByMount.get(m.mount) !== i || !isHostFilesystem(m) || seenDevIds.has(m.devId)) continue;
    seenDevIds.add(m.devId);
    out.push({ entry: m, holdsEtcdData: false });
  }
  const held = mounts[holder];
  out.push({ entry: held ?? { devId: '', mount: etcdPath, type: '', source: '', readOnly: false }, holdsEtcdData: true });
  return out.sort((a, b) => (a.entry.mount < b.entry.mount ? -1 : a.entry.mount > b.entry.mount ? 1 : 0));
}

/** statfs(2) numbers, as node:fs StatFs gives them. */
export interface FsUsage {
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
}

/** A report entry; used counts reserved blocks as df does, available is what non-root writers (etcd) get. */
export function toFilesystem(m: MountEntry, u: FsUsage, holdsEtcdData: boolean): Filesystem__Output {
  return {
    device: m.source,
    type: m.type,
    mount: m.mount,
    sizeBytes: u.blocks * u.bsize,
    usedBytes: (u.blocks - u.bfree) * u.bsize,
    availableBytes: u.bavail * u.bsize,
    inodesTotal: u.files,
    inodesFree: u.ffree,
    readOnly: m.readOnly,
    holdsEtcdData,
  };
}

// ---------------------------------------------------------------------- cpu

/** Cumulative ticks of all cores from the "cpu" line of /proc/stat. */
export interface CpuTicks {
  busy: number;
  total: number;
}

export interface SystemStat {
  cpu: CpuTicks;
  /** Boot time, seconds since epoch (the btime line). */
  btimeSec: number;
}

/**
 * Parses /proc/stat (proc(5)). iowait counts as idle: the core could run
 * other work. steal counts as busy: the hypervisor kept the core from us.
 * guest is already inside user, so it is not added again.
 */
export function parseSystemStat(text: string): SystemStat | undefined {
  const cpuLine = /^cpu\s+(.*)$/m.exec(text);
  const btime = /^btime\s+(\d+)$/m.exec(text);
  if (!cpuLine?.[1] || !btime?.[1]) return undefined;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = cpuLine[1].trim().split(/\s+/).map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { cpu: { busy, total: busy + idle + iowait }, btimeSec: Number(btime[1]) };
}

/** Busy share of all cores between two samples, 0-100; with no earlier sample, since boot. */
export function cpuBusyPercent(prev: CpuTicks | undefined, cur: CpuTicks): number {
  const total = cur.total - (prev?.total ?? 0);
  const busy = cur.busy - (prev?.busy ?? 0);
  if (total <= 0) return 0;
  return Math.min(100, Math.max(0, (100 * busy) / total));
}

// ---------------------------------------------------------------- processes

/** True when comm could be one of `names`; cheap, run on every process of the host. */
export function commMayMatch(comm: string, names: readonly string[]): boolean {
  return names.some((n) => comm === n.slice(0, COMM_MAX_CHARS));
}

export interface ProcessIdentity {
  /** /proc/<pid>/comm without its newline. */
  comm: string;
  /** readlink /proc/<pid>/exe, if readable. */
  exe?: string;
  /** argv[0] from /proc/<pid>/cmdline. */
  argv0?: string;
}

/**
 * The name of interest a process runs as, or undefined. comm is the
 * basename of the executed file, so `grep etcd` (comm grep) or
 * `node etcd-test.js` (comm node) do not count, and neither does a binary
 * named etcdx. A name longer than comm holds needs a second witness: the
 * executable's basename (a replaced binary reads "... (deleted)"), or
 * argv[0]'s when it is a symlink to a versioned file.
 */
export function matchProcessName(p: ProcessIdentity, names: readonly string[]): string | undefined {
  for (const n of names) {
    if (n.length <= COMM_MAX_CHARS) {
      if (p.comm === n) return n;
      continue;
    }
    if (p.comm !== n.slice(0, COMM_MAX_CHARS)) continue;
    const exe = p.exe?.replace(/ \(deleted\)$/, '');
    if ((exe !== undefined && basename(exe) === n) || (p.argv0 !== undefined && basename(p.argv0) === n)) return n;
  }
  return undefined;
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** Fields of /proc/<pid>/stat (proc(5)); times in clock ticks. */
export interface ProcessStat {
  stateLetter: string;
  ppid: number;
  utimeTicks: number;
  stimeTicks: number;
  /** Start, ticks after boot (field 22). */
  starttimeTicks: number;
}

/** Parses /proc/<pid>/stat (the shared parser in proto/common/proc.ts, in this module's field names). */
export function parseProcessStat(text: string): ProcessStat | undefined {
  const st = parseProcStat(text);
  return st && st.state !== '?'
    ? { stateLetter: st.state, ppid: st.ppid, utimeTicks: st.utimeTicks, stimeTicks: st.stimeTicks, starttimeTicks: st.startTicks }
    : undefined;
}

/** The words /proc/<pid>/status uses for each state letter (fs/proc/array.c). */
const STATE_WORDS: Readonly<Record<string, string>> = {
  R: 'running',
  S: 'sleeping',
  D: 'disk-sleep',
  T: 'stopped',
  t: 'tracing-stop',
  X: 'dead',
  x: 'dead',
  Z: 'zombie',
  P: 'parked',
  I: 'idle',
  K: 'wakekill',
  W: 'waking',
};

export function processStateWord(letter: string): string {
  return STATE_WORDS[letter] ?? 'unknown';
}

/** VmRSS from /proc/<pid>/status in bytes; 0 when absent (zombies, kernel threads). */
export function parseVmRssBytes(status: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return m?.[1] ? Number(m[1]) * 1024 : 0;
}

/** argv[0] of a /proc/<pid>/cmdline (NUL-separated). */
export function argv0Of(cmdline: string): string {
  return cmdline.split('\0', 1)[0] ?? '';
}

/** The command line as ps shows it, cut to COMMAND_MAX_CHARS; [comm] for processes without one. */
export function commandLine(cmdline: string, comm: string): string {
  const joined = cmdline.replace(/\0+$/, '').replace(/\0/g, ' ');
  return (joined || `[${comm}]`).slice(0, COMMAND_MAX_CHARS);
}

export interface ProcessSample {
  name: string;
  pid: number;
  stat: ProcessStat;
  rssBytes: number;
  command: string;
}

export interface ClockBase {
  btimeSec: number;
  uptimeSec: number;
  ticksPerSec: number;
}

/**
 * A report entry. The start time comes from btime plus starttime, not from
 * now minus age: it must not drift between reports, since pid plus start
 * time names a process. cpu is lifetime-average, like ps %CPU.
 */
export function toProcessInfo(s: ProcessSample, c: ClockBase): ProcessInfo__Output {
  const startedSec = s.stat.starttimeTicks / c.ticksPerSec;
  const cpuSec = (s.stat.utimeTicks + s.stat.stimeTicks) / c.ticksPerSec;
  const ageSec = c.uptimeSec - startedSec;
  return {
    name: s.name,
    pid: s.pid,
    ppid: s.stat.ppid,
    state: processStateWord(s.stat.stateLetter),
    cpuPercent: ageSec > 0 ? (100 * cpuSec) / ageSec : 0,
    rssBytes: s.rssBytes,
    startedAtMs: Math.round((c.btimeSec + startedSec) * 1000),
    command: s.command,
  };
}
