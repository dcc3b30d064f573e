import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HostCollector, type CollectOptions } from '../../../agent/host/facts.js';
import { isPathWithin, parseMountinfo } from '../../../agent/host/report.js';

/** Runs the real collector on this machine. */

let dir: string;
const children: ChildProcess[] = [];

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-host-'));
});

after(() => {
  for (const c of children) c.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

function options(etcdDataDir: string): CollectOptions {
  return { node: 'm1', address: '127.0.1.1', agentInstance: 'inst-1', seq: 1, etcdDataDir, nowMs: Date.now };
}

/** Starts a copy of sleep(1) named `name`: comm is the basename of the file executed, so the copy runs as `name`. */
async function runSleepAs(name: string | undefined, o: { argv0?: string } = {}): Promise<ChildProcess> {
  let file = '/bin/sleep';
  if (name !== undefined) {
    // A directory per copy: overwriting a running executable fails with ETXTBSY.
    file = path.join(fs.mkdtempSync(path.join(dir, 'bin-')), name);
    fs.copyFileSync('/bin/sleep', file);
    fs.chmodSync(file, 0o755);
  }
  const child = spawn(file, ['30'], { stdio: 'ignore', ...(o.argv0 ? { argv0: o.argv0 } : {}) });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  return child;
}

async function eventually<T>(check: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('HostCollector on this machine', () => {
  const collector = new HostCollector();

  test('fills every part of the report with sane values', async () => {
    const before = Date.now();
    const r = await collector.collect(options(path.join(dir, 'etcd')));
    await collector.collect(options(path.join(dir, 'etcd')));
    const again = await collector.collect({ ...options(path.join(dir, 'etcd')), seq: 3 });

    assert.deepEqual(r.collectErrors, []);
    assert.equal(r.node, 'm1');
    assert.equal(again.seq, 3);
    assert.equal(r.agentInstance, 'inst-1');
    assert.ok(r.agentVersion);
    assert.equal(r.etcdDataDir, path.join(dir, 'etcd'));
    assert.ok(Math.abs(r.collectedAtMs - before) < 2_000);
    assert.ok(again.collectDurationMs < 500, `a repeated collect took ${again.collectDurationMs} ms`);

    const h = again.host;
    assert.ok(h);
    assert.equal(h.hostname, os.hostname());
    assert.ok(h.os && h.kernel && h.cpuModel && h.timezone, JSON.stringify(h));
    assert.ok(Math.abs(h.clockMs - Date.now()) < 2_000);
    assert.ok(h.uptimeSeconds > 0);
    assert.equal(h.cpuCores, os.cpus().length);
    assert.ok(h.cpuBusyPercent >= 0 && h.cpuBusyPercent <= 100);
    assert.ok(h.memoryTotalBytes > 0 && h.memoryAvailableBytes > 0 && h.memoryAvailableBytes <= h.memoryTotalBytes);
    assert.ok(h.swapUsedBytes <= h.swapTotalBytes);
    assert.ok(h.load1 >= 0);

    for (const f of again.filesystems) {
      assert.ok(!['proc', 'sysfs', 'cgroup', 'cgroup2', 'devtmpfs'].includes(f.type), f.mount);
      assert.ok(f.sizeBytes > 0 && f.usedBytes <= f.sizeBytes && f.availableBytes <= f.sizeBytes, JSON.stringify(f));
    }
  });

  test('flags the one filesystem holding a not yet existing etcd data dir', async () => {
    // given a data dir below a temp dir, not created yet
    const dataDir = path.join(dir, 'not', 'yet', 'etcd');
    // when
    const r = await collector.collect(options(dataDir));
    // then
    const holders = r.filesystems.filter((f) => f.holdsEtcdData);
    assert.equal(holders.length, 1);
    const holder = holders[0];
    assert.ok(holder);
    assert.ok(isPathWithin(fs.realpathSync(dir), holder.mount), `${holder.mount} does not hold ${dir}`);
    assert.ok(holder.sizeBytes > 0 && holder.inodesTotal > 0 && holder.inodesFree > 0, JSON.stringify(holder));
  });

  test('reports a tmpfs only when it holds the etcd data dir', async (t) => {
    const shm = parseMountinfo(fs.readFileSync('/proc/self/mountinfo', 'utf8')).find((m) => m.mount === '/dev/shm');
    if (shm?.type !== 'tmpfs') return t.skip('/dev/shm is not a tmpfs here');
    const plain = await collector.collect(options(path.join(dir, 'etcd')));
    assert.equal(
      plain.filesystems.find((f) => f.mount === '/dev/shm'),
      undefined,
    );
    const onShm = await collector.collect(options('/dev/shm/belay-test-absent/etcd'));
    assert.deepEqual(
      onShm.filesystems.filter((f) => f.holdsEtcdData).map((f) => [f.mount, f.type]),
      [['/dev/shm', 'tmpfs']],
    );
  });

  test('finds a running process of interest with its pid, parent and start time', async () => {
    // given
    const startedMs = Date.now();
    const haproxy = await runSleepAs('haproxy');
    const kcm = await runSleepAs('kube-controller-manager');
    // when
    const r = await eventually(async () => {
      const report = await collector.collect(options(dir));
      assert.ok(report.processes.some((p) => p.pid === haproxy.pid));
      return report;
    }, 5_000);
    // then
    const p = r.processes.find((x) => x.pid === haproxy.pid);
    assert.ok(p);
    assert.equal(p.name, 'haproxy');
    assert.equal(p.ppid, process.pid);
    assert.equal(p.state, 'sleeping');
    assert.match(p.command, /\/haproxy 30$/);
    assert.ok(p.rssBytes > 0);
    assert.ok(p.cpuPercent >= 0);
    assert.ok(Math.abs(p.startedAtMs - startedMs) < 3_000, `started ${p.startedAtMs - startedMs} ms from spawn`);
    // comm holds only "kube-controller": the executable's name confirms it.
    assert.equal(r.processes.find((x) => x.pid === kcm.pid)?.name, 'kube-controller-manager');
    // a later report gives the same start time: pid plus start time names the process.
    const later = await collector.collect(options(dir));
    assert.equal(later.processes.find((x) => x.pid === haproxy.pid)?.startedAtMs, p.startedAtMs);
  });

  test('does not count look-alikes: etcdx, a sleep called etcd by argv, a cut-short name, "etcd" in a command line', async () => {
    // given
    const etcdx = await runSleepAs('etcdx');
    const argvEtcd = await runSleepAs(undefined, { argv0: 'etcd' });
    const kubeController = await runSleepAs('kube-controller');
    // waits on its stdin pipe, so killing it leaves no orphaned child
    const shell = spawn('/bin/sh', ['-c', 'read line; echo etcd kube-apiserver'], { stdio: ['pipe', 'ignore', 'ignore'] });
    children.push(shell);
    const marker = await runSleepAs('haproxy');
    // when: the marker shows the processes started before it are visible
    const r = await eventually(async () => {
      const report = await collector.collect(options(dir));
      assert.ok(report.processes.some((p) => p.pid === marker.pid));
      return report;
    }, 5_000);
    // then
    const reported = new Set(r.processes.map((p) => p.pid));
    for (const c of [etcdx, argvEtcd, kubeController, shell]) assert.equal(reported.has(c.pid ?? -1), false, `pid ${c.pid} reported`);
  });

  test('lists only the names it is given', async () => {
    const child = await runSleepAs('dockerd');
    const only = new HostCollector({ processNames: ['kubelet'] });
    const r = await only.collect(options(dir));
    assert.equal(
      r.processes.some((p) => p.pid === child.pid),
      false,
    );
    assert.ok(r.processes.every((p) => p.name === 'kubelet'));
  });
});
