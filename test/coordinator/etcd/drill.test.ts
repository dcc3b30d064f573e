import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { noop } from 'cockatiel';
import { Etcd3 } from 'etcd3';
import { restoreDrill } from '../../../coordinator/etcd/drill.js';
import { type SnapshotMeta } from '../../../coordinator/etcd/snapshot-meta.js';
import { takeSnapshot } from '../../../coordinator/etcd/snapshot.js';
import { etcdFlags, freePort } from '../../harness/etcd.js';
import { eventually } from '../../harness/eventually.js';
import { requireBinary } from '../../harness/runtimes.js';

const SPEC = `apiVersion: belay.dev/v1alpha1
kind: Cluster
metadata:
  name: drill-test
spec:
  masters:
    - name: m1
      address: 10.0.0.1
`;

/** A real one-member etcd on loopback (plain HTTP), its data under a temp dir; both gone after the test. */
async function startEtcd(t: TestContext, prefix: string): Promise<{ root: string; client: Etcd3 }> {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  const proc: { etcd?: ChildProcess; client?: Etcd3 } = {};
  t.after(async () => {
    proc.client?.close();
    const { etcd } = proc;
    if (etcd && etcd.exitCode === null && etcd.signalCode === null) {
      etcd.kill('SIGKILL');
      await once(etcd, 'exit');
    }
    fs.rmSync(root, { recursive: true, force: true });
  });
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  let stderr = '';
  const etcd = spawn('etcd', etcdFlags(root, clientPort, peerPort, ['--logger=zap']), { stdio: ['ignore', 'ignore', 'pipe'] });
  proc.etcd = etcd;
  etcd.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-8_000);
  });
  const client = new Etcd3({ hosts: `http://127.0.0.1:${clientPort}`, faultHandling: { global: noop, host: () => noop } });
  proc.client = client;
  await eventually(
    async () => {
      assert.equal(etcd.exitCode, null, `etcd exited:\n${stderr}`);
      await client.maintenance.status({ deadline: Date.now() + 1_000 });
    },
    { timeoutMs: 10_000, intervalMs: 100 },
  );
  return { root, client };
}

/** Live (not zombie) processes whose command line mentions `dir`. */
function processesOn(dir: string): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (!cmdline.some((a) => a.includes(dir))) continue;
      const state = /\) (\S)/.exec(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];
      if (state !== 'Z') found.push(`${pid}: ${cmdline.join(' ')}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

test('restore drills against real etcd', { timeout: 90_000 }, async (t) => {
  if (!requireBinary(t, 'etcd', 'etcd-server') || !requireBinary(t, 'etcdctl', 'etcd-client')) return;
  // given: a cluster with a belay spec, ~1000 keys and 2 MiB of values, and a verified snapshot of it
  const { root, client } = await startEtcd(t, 'belay-drill-');
  await client.put('/belay/cluster/spec').value(SPEC);
  const puts: Promise<unknown>[] = [];
  for (let i = 0; i < 1000; i++)
    puts.push(
      client
        .put(`/registry/configmaps/ns/cm-${String(i).padStart(4, '0')}`)
        .value(i % 100 === 0 ? crypto.randomBytes(200 * 1024) : `value-${i}`)
        .exec(),
    );
  await Promise.all(puts);
  const meta = await takeSnapshot({ client, dir: path.join(root, 'backups'), cluster: 'drill-test', clusterId: '1', member: 'm1' });
  assert.equal(meta.verified, true, meta.error);

  await t.test('a good snapshot restores: every count and sampled value matches; nothing left behind', async () => {
    const scratch = path.join(root, 'scratch-good');
    const r = await restoreDrill({ file: meta.file, meta, scratchDir: scratch });
    t.diagnostic(`drill of ${meta.sizeBytes} bytes, ${meta.keyCount} keys: ${r.durationMs} ms`);
    assert.equal(r.error, '');
    assert.deepEqual(r.mismatches, []);
    assert.equal(r.ok, true);
    assert.equal(r.snapshot, meta.name);
    assert.equal(r.revision, meta.revision);
    assert.equal(r.expectedKeys, 1001);
    assert.equal(r.restoredKeys, 1001);
    assert.equal(r.sampleChecked, 20);
    assert.equal(r.clusterName, 'drill-test');
    assert.equal(fs.existsSync(scratch), false);
    assert.deepEqual(processesOn(scratch), []);
  });

  await t.test('a sample that differs from the snapshot is a mismatch', async () => {
    const scratch = path.join(root, 'scratch-differ');
    const first = meta.sample[0];
    assert.ok(first);
    const altered: SnapshotMeta = {
      ...meta,
      keyCount: meta.keyCount + 1,
      sample: [
        { ...first, valueSha256: '0'.repeat(64) },
        { key: '/nope', valueSha256: '1'.repeat(64) },
      ],
    };
    const r = await restoreDrill({ file: meta.file, meta: altered, scratchDir: scratch });
    assert.equal(r.ok, false);
    assert.equal(r.error, '');
    assert.deepEqual(r.mismatches, [
      `key count: restored 1001, snapshot 1002`,
      `${first.key}: value sha256 ${first.valueSha256}, snapshot ${'0'.repeat(64)}`,
      '/nope: missing',
    ]);
    assert.equal(fs.existsSync(scratch), false);
  });

  await t.test('a count taken at another revision (compacted first) is not compared', async () => {
    const r = await restoreDrill({
      file: meta.file,
      meta: { ...meta, keysRevision: meta.revision + 5, keyCount: 3, sample: [] },
      scratchDir: path.join(root, 'scratch-compacted'),
    });
    assert.equal(r.ok, true, r.error);
    assert.deepEqual([r.expectedKeys, r.restoredKeys, r.sampleChecked, r.mismatches], [0, 1001, 0, []]);
  });

  await t.test('a truncated file does not restore: ok false with the reason, nothing left behind', async () => {
    const bytes = fs.readFileSync(meta.file);
    const cut = path.join(root, 'cut.db');
    fs.writeFileSync(cut, bytes.subarray(0, bytes.length - 4096));
    const scratch = path.join(root, 'scratch-cut');
    const r = await restoreDrill({ file: cut, scratchDir: scratch });
    t.diagnostic(`truncated: ${r.error}`);
    assert.equal(r.ok, false);
    assert.match(r.error, /restoring the snapshot: etcdctl snapshot restore failed: /);
    assert.equal(fs.existsSync(scratch), false);
    assert.deepEqual(processesOn(scratch), []);
    // with its meta, the size already says it
    const withMeta = await restoreDrill({ file: cut, meta, scratchDir: scratch });
    assert.equal(withMeta.ok, false);
    assert.match(withMeta.error, /is \d+ bytes, its snapshot was \d+: truncated/);
    assert.equal(fs.existsSync(scratch), false);
  });

  await t.test('a snapshot without a belay spec restores with no cluster name', async () => {
    await client.delete().key('/belay/cluster/spec');
    const other = await takeSnapshot({
      client,
      dir: path.join(root, 'backups'),
      cluster: 'drill-test',
      clusterId: '1',
      member: 'm1',
      nowMs: () => Date.now() + 60_000,
    });
    const scratch = path.join(root, 'scratch-nospec');
    const r = await restoreDrill({ file: other.file, meta: other, scratchDir: scratch });
    assert.equal(r.ok, true, r.error);
    assert.equal(r.clusterName, '');
    assert.equal(r.restoredKeys, 1000);
  });

  await t.test('on timeout the scratch etcd is stopped and its dir removed', async () => {
    const scratch = path.join(root, 'scratch-timeout');
    const r = await restoreDrill({ file: meta.file, meta, scratchDir: scratch, timeoutMs: 150 });
    assert.equal(r.ok, false);
    t.diagnostic(`timeout: ${r.error}`);
    assert.match(r.error, /^timed out after 150 ms while /);
    assert.equal(fs.existsSync(scratch), false);
    assert.deepEqual(processesOn(scratch), []);
  });

  await t.test('a scratch dir that is not empty is refused and left alone', async () => {
    const scratch = path.join(root, 'scratch-busy');
    fs.mkdirSync(scratch);
    fs.writeFileSync(path.join(scratch, 'precious'), 'x');
    const r = await restoreDrill({ file: meta.file, meta, scratchDir: scratch });
    assert.equal(r.ok, false);
    assert.match(r.error, /not empty \(precious\)/);
    assert.equal(fs.readFileSync(path.join(scratch, 'precious'), 'utf8'), 'x');
  });
});
