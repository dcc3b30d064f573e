import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { DOCKER_CHECK, runCheck } from '../../agent/supervisor/probes.js';
import { readProcStat } from '../../proto/common/proc.js';
import { eventually } from './cluster.js';
import { containerdCommand, defer, dockerdCommand, requireBinary, runTestContainer, startContainerd, startDockerd, tempDir } from './runtimes.js';

/** Alive and not a zombie (PID 1 here reaps orphans late). */
function alive(pid: number): boolean {
  const st = readProcStat(pid);
  return st !== undefined && st.state !== 'Z' && st.state !== 'X';
}

test('containerdCommand and dockerdCommand keep every path under the dir', (t) => {
  const dir = tempDir(t, 'belay-rt-');
  const c = containerdCommand(path.join(dir, 'c'));
  assert.equal(c.socket, path.join(dir, 'c', 'containerd.sock'));
  assert.deepEqual(c.args, ['--config', c.config]);
  const toml = fs.readFileSync(c.config, 'utf8');
  assert.match(toml, /disabled_plugins = \["io.containerd.grpc.v1.cri"\]/);
  for (const line of toml.split('\n').filter((l) => l.includes('"/'))) assert.ok(line.includes(dir), line);
  const d = dockerdCommand(path.join(dir, 'd'), { containerdSocket: c.socket });
  assert.equal(d.args[d.args.indexOf('--containerd') + 1], c.socket);
  assert.equal(d.args[d.args.indexOf('-H') + 1], `unix://${d.socket}`);
  for (const f of ['--config-file', '--data-root', '--exec-root', '--pidfile']) assert.ok(d.args[d.args.indexOf(f) + 1]?.startsWith(dir), f);
  assert.ok(!dockerdCommand(path.join(dir, 'd2')).args.includes('--containerd'));
});

test('a containerd shim and its task survive a SIGKILL of containerd, and a restarted containerd finds the task again', async (t) => {
  for (const [bin, pkg] of [
    ['containerd', 'containerd'],
    ['ctr', 'containerd'],
    ['runc', 'runc'],
    ['busybox', 'busybox-static'],
  ] as const) {
    if (!requireBinary(t, bin, pkg)) return;
  }
  const dir = tempDir(t, 'belay-rt-');
  const cdir = path.join(dir, 'containerd');
  const id = `smoke-${randomBytes(4).toString('hex')}`;
  // given: containerd with one running container
  let t0 = performance.now();
  const first = await startContainerd(cdir);
  defer(t, () => first.stop());
  t.diagnostic(`containerd start to ready: ${Math.round(performance.now() - t0)} ms`);
  t0 = performance.now();
  const container = await runTestContainer(first.socket, cdir, id);
  defer(t, () => container.stop());
  t.diagnostic(`ctr run to shim found: ${Math.round(performance.now() - t0)} ms`);
  const shim = readProcStat(container.shimPid);
  assert.ok(shim && alive(container.shimPid), 'shim running');
  assert.equal(readProcStat(container.taskPid)?.ppid, container.shimPid);
  // when: containerd is SIGKILLed (its main process only)
  process.kill(first.pid, 'SIGKILL');
  await eventually(() => assert.ok(!alive(first.pid), 'containerd still running'), { timeoutMs: 5_000 });
  // then: the shim and the container live on
  assert.equal(readProcStat(container.shimPid)?.startTicks, shim.startTicks);
  assert.ok(alive(container.shimPid) && alive(container.taskPid), 'shim and task survive');
  const down = await runCheck({ type: 'grpc-unix', socket: first.socket, method: '/containerd.services.version.v1.Version/Version' }, 1_000);
  assert.equal(down.ok, false);
  // when: containerd starts again on the same root and state
  t0 = performance.now();
  const second = await startContainerd(cdir);
  defer(t, () => second.stop());
  t.diagnostic(`containerd restart to ready: ${Math.round(performance.now() - t0)} ms`);
  // then: it reports the same task running, through the same shim
  const tasks = execFileSync('ctr', ['--address', second.socket, '-n', 'belay-test', 'task', 'ls']).toString();
  assert.match(tasks, new RegExp(`^${id}\\s+${container.taskPid}\\s+RUNNING`, 'm'));
  // and stop() removes task, shim and container
  await container.stop();
  await eventually(() => assert.ok(!alive(container.shimPid) && !alive(container.taskPid), 'shim or task still running'), { timeoutMs: 5_000 });
  const containers = execFileSync('ctr', ['--address', second.socket, '-n', 'belay-test', 'container', 'ls', '-q']).toString();
  assert.doesNotMatch(containers, new RegExp(id));
  assert.equal(fs.existsSync(`/run/containerd/runc/belay-test/${id}`), false);
  await second.stop();
  assert.ok(!alive(second.pid));
});

test('runTestContainer cleans up without containerd: shim, task and runc state go', async (t) => {
  for (const [bin, pkg] of [
    ['containerd', 'containerd'],
    ['ctr', 'containerd'],
    ['runc', 'runc'],
    ['busybox', 'busybox-static'],
  ] as const) {
    if (!requireBinary(t, bin, pkg)) return;
  }
  const dir = tempDir(t, 'belay-rt-');
  const id = `orphan-${randomBytes(4).toString('hex')}`;
  const rt = await startContainerd(path.join(dir, 'containerd'));
  defer(t, () => rt.stop());
  const container = await runTestContainer(rt.socket, dir, id);
  defer(t, () => container.stop());
  await rt.stop();
  await container.stop();
  await eventually(() => assert.ok(!alive(container.shimPid) && !alive(container.taskPid), 'shim or task still running'), { timeoutMs: 5_000 });
  assert.equal(fs.existsSync(`/run/containerd/runc/belay-test/${id}`), false);
});

test('dockerd with its own containerd answers /_ping; stop() ends both', async (t) => {
  if (!requireBinary(t, 'dockerd', 'docker.io')) return;
  const dir = tempDir(t, 'belay-rt-');
  const t0 = performance.now();
  const d = await startDockerd(path.join(dir, 'docker'));
  defer(t, () => d.stop());
  t.diagnostic(`dockerd start to ready: ${Math.round(performance.now() - t0)} ms`);
  const ping = await runCheck({ ...DOCKER_CHECK, socket: d.socket }, 1_000);
  assert.equal(ping.ok, true, ping.reason);
  const embeddedPid = Number(fs.readFileSync(path.join(dir, 'docker', 'exec', 'containerd', 'containerd.pid'), 'utf8'));
  assert.ok(alive(embeddedPid), 'embedded containerd running');
  await d.stop();
  assert.ok(!alive(d.pid));
  await eventually(() => assert.ok(!alive(embeddedPid), 'embedded containerd still running'), { timeoutMs: 5_000 });
});

test('dockerd on our containerd keeps answering /_ping while that containerd is down', async (t) => {
  if (!requireBinary(t, 'dockerd', 'docker.io') || !requireBinary(t, 'containerd', 'containerd')) return;
  const dir = tempDir(t, 'belay-rt-');
  const c = await startContainerd(path.join(dir, 'containerd'));
  defer(t, () => c.stop());
  const d = await startDockerd(path.join(dir, 'docker'), { containerdSocket: c.socket });
  defer(t, () => d.stop());
  assert.equal(fs.existsSync(path.join(dir, 'docker', 'exec', 'containerd', 'containerd.pid')), false, 'no embedded containerd');
  process.kill(c.pid, 'SIGKILL');
  await eventually(() => assert.ok(!alive(c.pid)), { timeoutMs: 5_000 });
  const ping = await runCheck({ ...DOCKER_CHECK, socket: d.socket }, 1_000);
  assert.equal(ping.ok, true, ping.reason);
  await d.stop();
  assert.ok(!alive(d.pid));
});

test('a SIGKILLed dockerd takes its containerd along but leaves its data root mounted; stop() unmounts it', async (t) => {
  if (!requireBinary(t, 'dockerd', 'docker.io')) return;
  const dir = path.join(tempDir(t, 'belay-rt-'), 'docker');
  const d = await startDockerd(dir);
  defer(t, () => d.stop());
  const embeddedPid = Number(fs.readFileSync(path.join(dir, 'exec', 'containerd', 'containerd.pid'), 'utf8'));
  const mountedUnder = (): string[] =>
    fs
      .readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[4] ?? '')
      .filter((p) => p.startsWith(`${dir}/`));
  // when: dockerd dies without cleaning up
  process.kill(d.pid, 'SIGKILL');
  await eventually(() => assert.ok(!alive(d.pid)), { timeoutMs: 5_000 });
  // then: its containerd goes too (dockerd starts it with a parent-death signal), its data root stays mounted
  await eventually(() => assert.ok(!alive(embeddedPid), 'embedded containerd still running'), { timeoutMs: 5_000 });
  assert.deepEqual(mountedUnder(), [path.join(dir, 'data')]);
  // and stop() unmounts it, so the dir can go
  await d.stop();
  assert.deepEqual(mountedUnder(), []);
});
