import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { describeCheck, runCheck, type HealthCheck } from '../../agent/supervisor/probes.js';
import { readProcStat } from '../../proto/common/proc.js';

/**
 * Real container runtimes for tests: containerd and dockerd from the Debian
 * packages (containerd 1.6, docker.io 20.10, runc 1.1), each with its own
 * state dirs and sockets under a temp dir, never the host's.
 *
 * What works in the sandboxes we run on (firecracker VM, kernel 6.x, root,
 * cgroups v1 hierarchies plus an unused cgroup2 mount, PID 1 not an init that
 * reaps promptly):
 * - containerd answers Version 0.1-0.2 s after spawn, with or without the
 *   CRI plugin; we disable CRI, which would read the host's /etc/cni/net.d,
 *   log a CNI error and open a TCP streaming port, all for kubelet only.
 * - runc runs a container from a plain rootfs directory (`ctr run --rootfs`),
 *   so no image, registry or snapshotter is involved: there is no network.
 *   Both the overlayfs (the default) and native snapshotters mount layered
 *   snapshots here if a test ever needs them.
 * - containerd-shim-runc-v2 double-forks to PID 1 and survives a SIGKILL of
 *   containerd; a restarted containerd on the same root/state finds the task
 *   again (the property the supervisor must not break: stop containerd's
 *   main process only, as systemd's KillMode=process).
 * - runc keeps its state in /run/containerd/runc/<namespace>/<id> whatever
 *   containerd's state dir is, and the container's cgroup is
 *   /<namespace>/<id> in every hierarchy: container ids must be unique on the
 *   machine, not only per containerd. The empty /<namespace> cgroup stays.
 * - dockerd answers /_ping 0.2-0.4 s after spawn, with its own embedded
 *   containerd (under --exec-root, in its own process group, dying with a
 *   SIGKILLed dockerd) or with ours via --containerd (it keeps answering
 *   /_ping while that containerd is down); overlay2 works as its graph
 *   driver. A SIGKILLed dockerd leaves its data root bind-mounted on itself.
 */

const VERSION_METHOD = '/containerd.services.version.v1.Version/Version';
/** The containerd namespace of test containers; a namespace nobody else uses keeps `ctr -n` listings ours. */
const TEST_NAMESPACE = 'belay-test';
/** Where the runc v2 shim tells runc to keep state (--root), per namespace; not under containerd's state dir. */
const RUNC_ROOT = '/run/containerd/runc';
/** SIGTERM, then SIGKILL after this: containerd and dockerd stop in about 1 s here. */
const STOP_GRACE_MS = 5_000;
const READY_TIMEOUT_MS = { containerd: 20_000, dockerd: 30_000 };
const READY_POLL_MS = 50;
/** For ctr, runc and umount: each answers in well under a second when things work. */
const COMMAND_TIMEOUT_MS = 15_000;
/** sun_path is 108 bytes on Linux, including the terminating NUL. */
const MAX_SOCKET_PATH_BYTES = 107;

export interface RuntimeProcess {
  pid: number;
  socket: string;
  dir: string;
  args: string[];
  /** SIGTERM to the main process only (its shims live on), SIGKILL after 5 s; resolves once it has exited. Removes nothing. */
  stop(): Promise<void>;
}

/** Resolves `name` on PATH like execvp does; undefined if it is not there. */
export function findOnPath(name: string): string | undefined {
  for (const d of (process.env.PATH ?? '').split(':')) {
    if (d === '') continue;
    const f = path.join(d, name);
    try {
      fs.accessSync(f, fs.constants.X_OK);
      if (fs.statSync(f).isFile()) return f;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

const deferred = new WeakMap<TestContext, (() => unknown)[]>();

/**
 * Runs fn after the test, after every fn deferred later (t.after runs its
 * hooks in the order they were added; teardown wants the reverse: stop the
 * daemons, then remove their dir). All run even if one throws; the first
 * error is rethrown.
 */
export function defer(t: TestContext, fn: () => unknown): void {
  let fns = deferred.get(t);
  if (fns === undefined) {
    const list: (() => unknown)[] = [];
    fns = list;
    deferred.set(t, list);
    t.after(async () => {
      const errors: unknown[] = [];
      for (let f = list.pop(); f !== undefined; f = list.pop()) {
        try {
          await f();
        } catch (err) {
          errors.push(err);
        }
      }
      if (errors.length > 0) throw errors[0];
    });
  }
  fns.push(fn);
}

/** A new dir under os.tmpdir(), removed after the test (deferred: after whatever is deferred later, e.g. daemons using it). */
export function tempDir(t: TestContext, prefix = 'belay-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  defer(t, () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Locally a missing dependency skips the test with the package to
 * install; under CI=true it fails it, so a CI image without it cannot pass
 * by skipping.
 */
export function requireBinary(t: TestContext, name: string, pkg: string): boolean {
  if (findOnPath(name) !== undefined) return true;
  const message = `${name} not on PATH: apt-get install ${pkg}`;
  if (process.env.CI === 'true') assert.fail(message);
  t.skip(message);
  return false;
}

/**
 * Writes dir/config.toml and returns the command that starts containerd on
 * it, without starting it (the supervisor under test spawns it).
 */
export function containerdCommand(dir: string): { file: string; args: string[]; socket: string; config: string } {
  fs.mkdirSync(dir, { recursive: true });
  const socket = path.join(dir, 'containerd.sock');
  checkSocketPath(`${socket}.ttrpc`);
  const config = path.join(dir, 'config.toml');
  // TOML basic strings take JSON's escapes.
  const q = (s: string): string => JSON.stringify(s);
  fs.writeFileSync(
    config,
    [
      'version = 2',
      `root = ${q(path.join(dir, 'root'))}`,
      `state = ${q(path.join(dir, 'state'))}`,
      // CRI serves kubelet only; it would read the host's /etc/cni/net.d, log a CNI error and listen on a TCP port.
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      '[grpc]',
      `  address = ${q(socket)}`,
      '[ttrpc]',
      `  address = ${q(`${socket}.ttrpc`)}`,
      '[debug]',
      '  address = ""',
      '[metrics]',
      '  address = ""',
      '',
    ].join('\n'),
  );
  return { file: findOnPath('containerd') ?? 'containerd', args: ['--config', config], socket, config };
}

/**
 * The command for a dockerd whose every path is under dir. --config-file
 * points at an empty daemon.json so the host's /etc/docker/daemon.json
 * (hosts, data-root, ...) cannot leak in. Without containerdSocket dockerd
 * starts its own containerd under dir/exec/containerd.
 */
export function dockerdCommand(dir: string, o: { containerdSocket?: string } = {}): { file: string; args: string[]; socket: string; pidfile: string } {
  fs.mkdirSync(dir, { recursive: true });
  const socket = path.join(dir, 'docker.sock');
  const pidfile = path.join(dir, 'docker.pid');
  checkSocketPath(path.join(dir, 'exec', 'containerd', 'containerd.sock.ttrpc'));
  const daemonJson = path.join(dir, 'daemon.json');
  fs.writeFileSync(daemonJson, '{}\n');
  const args = [
    '--config-file',
    daemonJson,
    '--data-root',
    path.join(dir, 'data'),
    '--exec-root',
    path.join(dir, 'exec'),
    '--pidfile',
    pidfile,
    '-H',
    `unix://${socket}`,
    // no iptables rules, bridge or NAT on the test machine
    '--iptables=false',
    '--bridge=none',
    '--ip-masq=false',
  ];
  if (o.containerdSocket !== undefined) args.push('--containerd', o.containerdSocket);
  return { file: findOnPath('dockerd') ?? 'dockerd', args, socket, pidfile };
}

/** Starts containerd on dir (see containerdCommand) and resolves once it answers Version. Log: dir/containerd.log. */
export async function startContainerd(dir: string): Promise<RuntimeProcess> {
  const cmd = containerdCommand(dir);
  const check: HealthCheck = { type: 'grpc-unix', socket: cmd.socket, method: VERSION_METHOD };
  const child = await startUntilHealthy('containerd', cmd.file, cmd.args, path.join(dir, 'containerd.log'), check, READY_TIMEOUT_MS.containerd);
  return { pid: pidOf(child), socket: cmd.socket, dir, args: cmd.args, stop: () => stopChild(child) };
}

/**
 * Starts dockerd on dir (see dockerdCommand) and resolves once /_ping
 * answers. stop() also ends dockerd's embedded containerd should it still
 * run (its own process group: a signal to dockerd's group misses it), and
 * unmounts what dockerd left mounted under dir: it bind-mounts its data root
 * onto itself and undoes that only on a clean exit, and a mount left there
 * makes removing dir fail with EBUSY. Log: dir/dockerd.log.
 */
export async function startDockerd(dir: string, o: { containerdSocket?: string } = {}): Promise<RuntimeProcess> {
  const cmd = dockerdCommand(dir, o);
  const check: HealthCheck = { type: 'unix-http', socket: cmd.socket, path: '/_ping' };
  const embedded = (): Promise<void> => stopEmbeddedContainerd(path.join(dir, 'exec', 'containerd'));
  let child: ChildProcess;
  try {
    child = await startUntilHealthy('dockerd', cmd.file, cmd.args, path.join(dir, 'dockerd.log'), check, READY_TIMEOUT_MS.dockerd);
  } catch (err) {
    await embedded();
    await unmountUnder(dir);
    throw err;
  }
  return {
    pid: pidOf(child),
    socket: cmd.socket,
    dir,
    args: cmd.args,
    stop: async () => {
      await stopChild(child);
      await embedded();
      await unmountUnder(dir);
    },
  };
}

/**
 * Runs `/bin/sleep 3600` as task `id` in namespace belay-test under that
 * containerd, from a rootfs of busybox-static made under dir (no image: there
 * is no registry here), so that a containerd-shim-runc-v2 exists. `id` must be
 * unique on the machine (runc state and cgroup paths are global).
 * stop() deletes task and container through containerd; if containerd is
 * down it kills the shim and the task itself and drops runc's state.
 */
export async function runTestContainer(
  containerdSocket: string,
  dir: string,
  id: string,
): Promise<{ shimPid: number; taskPid: number; stop(): Promise<void> }> {
  const rootfs = makeBusyboxRootfs(path.join(dir, `rootfs-${id}`));
  const ctr = (...args: string[]): Promise<string> => run('ctr', ['--address', containerdSocket, '--connect-timeout', '2s', '-n', TEST_NAMESPACE, ...args]);
  const findShimAndTask = (): { pid: number; startTicks: number }[] => {
    const shim = findProcesses((argv) => isShimOf(argv, containerdSocket, id))[0];
    const task = shim === undefined ? undefined : findProcesses((_argv, st) => st.ppid === shim.pid)[0];
    return shim === undefined ? [] : task === undefined ? [shim] : [shim, task];
  };
  const started: { procs?: { pid: number; startTicks: number }[] } = {};
  const cleanUp = async (): Promise<void> => {
    // ctr waits about 10 s for a socket nobody serves: ask first, it is instant
    const up = await runCheck({ type: 'grpc-unix', socket: containerdSocket, method: VERSION_METHOD }, 1_000);
    if (up.ok) {
      await ctr('task', 'delete', '--force', id).catch(() => undefined); // no task: never started or already deleted
      await ctr('container', 'delete', id).catch(() => undefined);
    }
    for (const p of started.procs ?? findShimAndTask()) {
      if (readProcStat(p.pid)?.startTicks === p.startTicks) killQuietly(p.pid, 'SIGKILL');
    }
    if (fs.existsSync(path.join(RUNC_ROOT, TEST_NAMESPACE, id))) {
      await run('runc', ['--root', path.join(RUNC_ROOT, TEST_NAMESPACE), 'delete', '--force', id]).catch(() => undefined);
    }
    fs.rmSync(rootfs, { recursive: true, force: true });
  };
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= cleanUp());
  try {
    await ctr('run', '-d', '--rootfs', rootfs, id, '/bin/sleep', '3600');
  } catch (err) {
    await stop();
    throw err;
  }
  started.procs = findShimAndTask();
  const [shim, task] = started.procs;
  if (shim === undefined || task === undefined) {
    await stop();
    throw new Error(`ctr run ${id} returned, but no containerd-shim-runc-v2 -id ${id} -address ${containerdSocket} with a child is running`);
  }
  return { shimPid: shim.pid, taskPid: task.pid, stop };
}

function checkSocketPath(p: string): void {
  if (Buffer.byteLength(p) > MAX_SOCKET_PATH_BYTES) {
    throw new Error(
      `socket path ${p} is ${Buffer.byteLength(p)} bytes, over the ${MAX_SOCKET_PATH_BYTES} a unix socket allows: use a shorter temp dir (TMPDIR)`,
    );
  }
}

function pidOf(child: ChildProcess): number {
  if (child.pid === undefined) throw new Error('spawned process has no pid');
  return child.pid;
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Spawns detached (its own process group, as a supervisor runs a daemon)
 * and unref'd (a test that forgets stop() does not hang the runner), logging
 * to a file, and polls `check` until it passes.
 */
async function startUntilHealthy(name: string, file: string, args: string[], log: string, check: HealthCheck, timeoutMs: number): Promise<ChildProcess> {
  const fd = fs.openSync(log, 'a');
  let child: ChildProcess;
  try {
    child = spawn(file, args, { detached: true, stdio: ['ignore', fd, fd] });
  } finally {
    fs.closeSync(fd);
  }
  child.unref();
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (hasExited(child) || child.pid === undefined) {
      const err = await Promise.race([spawnError, new Promise<undefined>((r) => setTimeout(r, 10, undefined))]);
      await stopChild(child);
      throw new Error(
        `${name} exited (${err?.message ?? `code ${child.exitCode}, signal ${child.signalCode}`}) before answering ${describeCheck(check)}; ${log}:\n${tail(log)}`,
      );
    }
    const r = await runCheck(check, 1_000);
    if (r.ok) return child;
    if (performance.now() > deadline) {
      await stopChild(child);
      throw new Error(`${name} did not answer within ${timeoutMs} ms (last: ${r.reason}); ${log}:\n${tail(log)}`);
    }
    await new Promise((r) => setTimeout(r, READY_POLL_MS));
  }
}

/** SIGTERM (and SIGCONT, in case a test stopped it) to the process alone, SIGKILL after STOP_GRACE_MS; resolves once it exited. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || hasExited(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killQuietly(child.pid, 'SIGTERM');
  killQuietly(child.pid, 'SIGCONT');
  let timer: NodeJS.Timeout | undefined;
  const late = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(r, STOP_GRACE_MS, true)))]);
  clearTimeout(timer);
  if (late) {
    killQuietly(child.pid, 'SIGKILL');
    await exited;
  }
}

/** dockerd's containerd is not our child: we poll /proc, and a zombie counts as gone (PID 1 here reaps late). */
async function stopEmbeddedContainerd(stateDir: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(path.join(stateDir, 'containerd.pid'), 'utf8').trim());
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0) return;
  const st = readProcStat(pid);
  // the pid file may be stale: only the containerd running on this dir's config is ours
  if (st === undefined || !readCmdline(pid).includes(path.join(stateDir, 'containerd.toml'))) return;
  const alive = (): boolean => {
    const now = readProcStat(pid);
    return now !== undefined && now.startTicks === st.startTicks && now.state !== 'Z' && now.state !== 'X';
  };
  killQuietly(pid, 'SIGTERM');
  const deadline = performance.now() + STOP_GRACE_MS;
  while (alive() && performance.now() < deadline) await new Promise((r) => setTimeout(r, READY_POLL_MS));
  if (alive()) killQuietly(pid, 'SIGKILL');
}

/** Unmounts every mount at or below dir, deepest first; lazily if busy. */
export async function unmountUnder(dir: string): Promise<void> {
  let mountinfo: string;
  try {
    mountinfo = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return;
  }
  // field 5 is the mount point, with space, tab, newline and backslash octal-escaped
  const points = mountinfo
    .split('\n')
    .map((l) => (l.split(' ')[4] ?? '').replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((p) => p === dir || p.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const p of points) {
    await run('umount', [p])
      .catch(() => run('umount', ['-l', p]))
      .catch(() => undefined);
  }
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: already gone
  }
}

function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch (err) {
    return `(cannot read: ${(err as Error).message})`;
  }
}

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: COMMAND_TIMEOUT_MS, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')}: ${stderr.trim() || err.message}`, { cause: err }));
      else resolve(stdout);
    });
  });
}

/** A process's argv from /proc; empty when it is gone. */
export function readCmdline(pid: number): string[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter((a) => a !== '');
  } catch {
    return [];
  }
}

/** Live (non-zombie) processes whose argv and stat match. */
function findProcesses(match: (argv: string[], st: { pid: number; ppid: number; startTicks: number }) => boolean): { pid: number; startTicks: number }[] {
  const found: { pid: number; startTicks: number }[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const st = readProcStat(pid);
    if (st === undefined || st.state === 'Z' || st.state === 'X') continue;
    if (match(readCmdline(pid), st)) found.push({ pid, startTicks: st.startTicks });
  }
  return found;
}

/** The long-lived shim, not its short-lived `... start` / `... delete` invocations. */
function isShimOf(argv: string[], socket: string, id: string): boolean {
  const flag = (f: string): string | undefined => argv[argv.indexOf(f) + 1];
  return (
    path.basename(argv[0] ?? '') === 'containerd-shim-runc-v2' &&
    flag('-namespace') === TEST_NAMESPACE &&
    flag('-id') === id &&
    flag('-address') === socket &&
    !argv.includes('start') &&
    !argv.includes('delete')
  );
}

/**
 * A root filesystem of one static busybox: `sleep` and `sh` are enough for a
 * task that just has to exist. runc creates the mount points it needs.
 */
function makeBusyboxRootfs(rootfs: string): string {
  const busybox = findOnPath('busybox');
  if (busybox === undefined) throw new Error('busybox not on PATH: apt-get install busybox-static');
  if (hasInterpreter(busybox)) throw new Error(`${busybox} is dynamically linked and would not run inside an empty rootfs: apt-get install busybox-static`);
  fs.mkdirSync(path.join(rootfs, 'bin'), { recursive: true });
  for (const d of ['proc', 'sys', 'dev', 'tmp', 'etc']) fs.mkdirSync(path.join(rootfs, d), { recursive: true });
  fs.copyFileSync(busybox, path.join(rootfs, 'bin', 'busybox'));
  fs.chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
  for (const applet of ['sh', 'sleep']) fs.symlinkSync('busybox', path.join(rootfs, 'bin', applet));
  return rootfs;
}

/** Whether an ELF64 executable has a PT_INTERP program header, i.e. needs a dynamic loader. */
function hasInterpreter(file: string): boolean {
  const b = fs.readFileSync(file);
  if (b.length < 64 || b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2) return false;
  const phoff = Number(b.readBigUInt64LE(0x20));
  const phentsize = b.readUInt16LE(0x36);
  const phnum = b.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) {
    const off = phoff + i * phentsize;
    if (off + 4 <= b.length && b.readUInt32LE(off) === 3) return true;
  }
  return false;
}
