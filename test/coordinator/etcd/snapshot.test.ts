import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { noop } from 'cockatiel';
import { Etcd3 } from 'etcd3';
import { hexId } from '../../../coordinator/etcd/client.js';
import { checkSnapshotFile } from '../../../coordinator/etcd/snapshot-check.js';
import { sampleIndexes } from '../../../coordinator/etcd/snapshot-keys.js';
import { listSnapshots, pruneSnapshots } from '../../../coordinator/etcd/snapshot-list.js';
import { takeSnapshot } from '../../../coordinator/etcd/snapshot.js';
import { etcdFlags, freePort } from '../../harness/etcd.js';
import { eventually } from '../../harness/eventually.js';
import { requireBinary } from '../../harness/runtimes.js';

const sha256 = (b: Buffer | string): string => crypto.createHash('sha256').update(b).digest('hex');

/** A real one-member etcd on loopback (plain HTTP), its data under a temp dir; both gone after the test. */
async function startEtcd(t: TestContext, prefix: string): Promise<{ root: string; url: string; client: Etcd3 }> {
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
  const url = `http://127.0.0.1:${clientPort}`;
  const client = new Etcd3({ hosts: url, faultHandling: { global: noop, host: () => noop } });
  proc.client = client;
  await eventually(
    async () => {
      assert.equal(etcd.exitCode, null, `etcd exited:\n${stderr}`);
      await client.maintenance.status({ deadline: Date.now() + 1_000 });
    },
    { timeoutMs: 10_000, intervalMs: 100 },
  );
  return { root, url, client };
}

/** ~2000 keys, 20 of them 150 KiB of random bytes (3 MiB); returns what was put. */
async function fill(client: Etcd3): Promise<Map<string, Buffer>> {
  const put = new Map<string, Buffer>();
  for (let i = 0; i < 1980; i++)
    put.set(`/registry/pods/ns-${i % 7}/pod-${String(i).padStart(4, '0')}`, Buffer.from(JSON.stringify({ kind: 'Pod', i, pad: 'x'.repeat(150) })));
  for (let i = 0; i < 20; i++) put.set(`/registry/secrets/big-${i}`, crypto.randomBytes(150 * 1024));
  const entries = [...put];
  for (let i = 0; i < entries.length; i += 100) await Promise.all(entries.slice(i, i + 100).map(([k, v]) => client.put(k).value(v)));
  return put;
}

function etcdctlSave(url: string, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('etcdctl', [`--endpoints=${url}`, 'snapshot', 'save', file], { env: { ...process.env, ETCDCTL_API: '3' }, timeout: 20_000 }, (err, _o, stderr) =>
      err ? reject(new Error(stderr)) : resolve(),
    );
  });
}

test('sampleIndexes spreads over the keyspace, first and last included', () => {
  assert.deepEqual(sampleIndexes(3, 20), [0, 1, 2]);
  assert.deepEqual(sampleIndexes(0, 20), []);
  const s = sampleIndexes(2000, 20);
  assert.equal(s.length, 20);
  assert.equal(s[0], 0);
  assert.equal(s[19], 1999);
  assert.equal(new Set(s).size, 20);
});

test('verified snapshots of a real etcd: take, copy, list, prune, check', { timeout: 60_000 }, async (t) => {
  if (!requireBinary(t, 'etcd', 'etcd-server') || !requireBinary(t, 'etcdctl', 'etcd-client')) return;
  // given: a real etcd with ~2000 keys and a few MB of values
  const { root, url, client } = await startEtcd(t, 'belay-snapshot-');
  const put = await fill(client);
  const status = await client.maintenance.status();
  const headRevision = Number(status.header.revision);
  const dir = path.join(root, 'backups');
  const secondary = path.join(root, 'secondary');
  const t0 = Date.UTC(2026, 10, 26, 0, 28, 0);

  // when
  const meta = await takeSnapshot({
    client,
    dir,
    secondaryDir: secondary,
    cluster: 'belay-dev',
    clusterId: hexId(status.header.cluster_id),
    member: 'm1',
    nowMs: () => t0,
  });
  t.diagnostic(`snapshot of ${put.size} keys: ${meta.sizeBytes} bytes in ${meta.durationMs} ms (stream + fsync + status + key count + sample)`);

  // then
  await t.test('the file and its sidecars, verified', () => {
    assert.equal(meta.error, '');
    assert.equal(meta.verified, true);
    assert.equal(meta.name, `etcd-belay-dev-20261126T002800Z-rev${headRevision}.db`);
    assert.equal(meta.file, path.join(dir, meta.name));
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    assert.equal(fs.statSync(meta.file).mode & 0o777, 0o600);
    const bytes = fs.readFileSync(meta.file);
    assert.equal(meta.sizeBytes, bytes.length);
    assert.ok(meta.sizeBytes > 3 * 1024 * 1024, String(meta.sizeBytes));
    // sha256sum -c: "HEX  NAME" of the file beside it
    const line = fs.readFileSync(`${meta.file}.sha256`, 'utf8');
    assert.match(line, /^[0-9a-f]{64} {2}\S+\n$/);
    const [sum, name] = line.trim().split('  ');
    assert.equal(sum, sha256(bytes));
    assert.equal(sha256(fs.readFileSync(path.join(dir, name ?? ''))), sum);
    assert.equal(meta.sha256, sum);
    const json = JSON.parse(fs.readFileSync(`${meta.file}.json`, 'utf8')) as typeof meta;
    assert.deepEqual(json, meta);
    assert.deepEqual(fs.readdirSync(dir).sort(), [meta.name, `${meta.name}.json`, `${meta.name}.sha256`]);
  });

  await t.test('revision, key count and sample are those of the cluster', () => {
    assert.equal(meta.revision, headRevision);
    assert.equal(meta.keysRevision, headRevision);
    assert.equal(meta.keyCount, put.size);
    assert.ok(meta.totalKeys >= put.size);
    assert.ok(meta.hash > 0);
    assert.equal(meta.sample.length, 20);
    const keys = [...put.keys()].sort();
    assert.equal(meta.sample[0]?.key, keys[0]);
    assert.equal(meta.sample.at(-1)?.key, keys.at(-1));
    for (const s of meta.sample) assert.equal(s.valueSha256, sha256(put.get(s.key) ?? ''), s.key);
    assert.equal(meta.cluster, 'belay-dev');
    assert.equal(meta.takenFrom, 'm1');
    assert.equal(meta.takenAtMs, t0);
  });

  await t.test('the copy in the secondary dir is identical, sidecars included', () => {
    assert.deepEqual(meta.copies, [path.join(secondary, meta.name)]);
    const copy = meta.copies[0] ?? '';
    assert.equal(sha256(fs.readFileSync(copy)), meta.sha256);
    assert.equal(fs.readFileSync(`${copy}.sha256`, 'utf8'), fs.readFileSync(`${meta.file}.sha256`, 'utf8'));
    assert.deepEqual(
      listSnapshots(secondary).map((m) => [m.name, m.file]),
      [[meta.name, copy]],
    );
    assert.deepEqual(
      fs.readdirSync(secondary).filter((n) => n.startsWith('.')),
      [],
    );
  });

  await t.test('listSnapshots: newest first, skipping what is not a good sidecar', async () => {
    await client.put('/registry/pods/ns-0/later').value('1');
    const second = await takeSnapshot({ client, dir, cluster: 'belay-dev', clusterId: meta.clusterId, member: 'm1', nowMs: () => t0 + 60_000 });
    await client.put('/registry/pods/ns-0/later').value('2');
    // (the third through etcdctl snapshot save, as the leader takes them: the same checks hold)
    const third = await takeSnapshot({
      client,
      etcdctl: { endpoint: url },
      dir,
      cluster: 'belay-dev',
      clusterId: meta.clusterId,
      member: 'm1',
      nowMs: () => t0 + 120_000,
    });
    assert.equal(third.verified, true, third.error);
    assert.equal(fs.statSync(third.file).mode & 0o777, 0o600);
    assert.equal(third.sample.length, 20);
    assert.equal(third.revision, second.revision + 1);
    assert.equal(third.keyCount, put.size + 1);
    fs.writeFileSync(path.join(dir, 'etcd-belay-dev-20261125T000000Z-rev1.db'), 'not a snapshot');
    fs.writeFileSync(path.join(dir, 'etcd-belay-dev-20261125T000000Z-rev1.db.json'), '{"name": "etcd-belay-dev-2026');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'keep me');
    assert.deepEqual(
      listSnapshots(dir).map((m) => m.name),
      [third.name, second.name, meta.name],
    );
  });

  await t.test('pruneSnapshots keeps the newest `retain`, never the newest verified one, nothing not ours', async () => {
    const removed = await pruneSnapshots(dir, 2);
    const oldest = ['etcd-belay-dev-20261125T000000Z-rev1.db', meta.name];
    assert.deepEqual(removed.map((p) => path.basename(p)).sort(), [...oldest.flatMap((n) => [n, `${n}.json`]), `${meta.name}.sha256`].sort());
    assert.equal(listSnapshots(dir).length, 2);
    assert.ok(fs.existsSync(path.join(dir, 'notes.txt')));
    // the newest is made unverified: retain 0 still keeps the newest verified one
    const [newest, verified] = listSnapshots(dir);
    assert.ok(newest && verified);
    fs.writeFileSync(`${newest.file}.json`, JSON.stringify({ ...newest, verified: false, error: 'made up' }));
    const removed0 = await pruneSnapshots(dir, 0);
    assert.deepEqual(removed0.map((p) => path.basename(p)).sort(), [newest.name, `${newest.name}.json`, `${newest.name}.sha256`].sort());
    assert.deepEqual(
      listSnapshots(dir).map((m) => m.name),
      [verified.name],
    );
    assert.deepEqual(await pruneSnapshots(dir, 0), []);
  });

  await t.test('checkSnapshotFile: a good file passes, with its meta', async () => {
    const good = listSnapshots(dir)[0];
    assert.ok(good);
    const c = await checkSnapshotFile(good.file);
    assert.equal(c.reason, '');
    assert.equal(c.ok, true);
    assert.equal(c.sha256, good.sha256);
    assert.equal(c.status?.revision, good.revision);
    assert.equal(c.status?.totalSize, good.sizeBytes - 32);
    assert.equal(c.meta?.name, good.name);
  });

  await t.test('checkSnapshotFile: a copy cut by 4 KiB is refused', async () => {
    const bytes = fs.readFileSync(meta.copies[0] ?? '');
    const cut = path.join(root, 'cut.db');
    fs.writeFileSync(cut, bytes.subarray(0, bytes.length - 4096));
    const c = await checkSnapshotFile(cut);
    assert.equal(c.ok, false);
    assert.match(c.reason, /truncated/);
    t.diagnostic(`cut: ${c.reason}`);
    // and beside its sidecar: the sums say it
    const cutDir = path.join(root, 'cut');
    fs.mkdirSync(cutDir);
    fs.writeFileSync(path.join(cutDir, meta.name), bytes.subarray(0, bytes.length - 4096));
    fs.copyFileSync(`${meta.copies[0]}.sha256`, path.join(cutDir, `${meta.name}.sha256`));
    const s = await checkSnapshotFile(path.join(cutDir, meta.name));
    assert.equal(s.ok, false);
    assert.match(s.reason, new RegExp(`${sha256(bytes.subarray(0, bytes.length - 4096))}.*${meta.sha256}.*truncated or altered`));
  });

  await t.test('checkSnapshotFile: a flipped byte beside its original sidecar is refused (sha256 mismatch)', async () => {
    const flipDir = path.join(root, 'flip');
    fs.mkdirSync(flipDir);
    const bytes = Buffer.from(fs.readFileSync(meta.copies[0] ?? ''));
    const at = Math.floor(bytes.length / 2);
    bytes[at] = (bytes[at] ?? 0) ^ 0x01;
    const file = path.join(flipDir, meta.name);
    fs.writeFileSync(file, bytes);
    fs.copyFileSync(`${meta.copies[0]}.sha256`, `${file}.sha256`);
    const c = await checkSnapshotFile(file);
    assert.equal(c.ok, false);
    assert.match(c.reason, /sha256 of .* is [0-9a-f]{64} but its .sha256 sidecar says [0-9a-f]{64}: the file was truncated or altered/);
    assert.ok(c.reason.includes(sha256(bytes)) && c.reason.includes(meta.sha256), c.reason);
    // without the sidecar, etcd's own appended hash still catches it
    fs.rmSync(`${file}.sha256`);
    const bare = await checkSnapshotFile(file);
    assert.equal(bare.ok, false, bare.reason);
    t.diagnostic(`flipped, no sidecar: ${bare.reason}`);
  });

  await t.test('checkSnapshotFile: a plain `etcdctl snapshot save` file without sidecars passes, noting it', async () => {
    const saved = path.join(root, 'saved.db');
    await etcdctlSave(url, saved);
    const c = await checkSnapshotFile(saved);
    assert.equal(c.ok, true, c.reason);
    assert.match(c.reason, /no \.sha256 sidecar/);
    assert.equal(c.status?.revision, Number((await client.maintenance.status()).header.revision));
    assert.equal(c.meta, undefined);
  });

  await t.test('a revision compacted before its keys are counted: still verified, keyCount from the head, no sample, said in error', async () => {
    // The client is the real one, except that the first range (the count) is preceded by a write and a compaction past the snapshot.
    let compacted = 0;
    const racing = Object.create(client) as Etcd3;
    Object.defineProperty(racing, 'kv', {
      value: {
        range: async (req: Parameters<Etcd3['kv']['range']>[0]) => {
          if (!compacted) {
            await client.put('/registry/pods/ns-0/racer').value('x');
            compacted = Number((await client.maintenance.status()).header.revision);
            await client.kv.compact({ revision: compacted, physical: true });
          }
          return client.kv.range(req);
        },
      },
    });
    const m = await takeSnapshot({ client: racing, dir: path.join(root, 'compacted'), cluster: 'belay-dev', clusterId: meta.clusterId, member: 'm1' });
    assert.equal(m.verified, true);
    assert.ok(m.revision < compacted);
    assert.equal(m.keysRevision, compacted);
    assert.equal(m.keyCount, await client.getAll().count());
    assert.deepEqual(m.sample, []);
    assert.match(
      m.error,
      new RegExp(`revision ${m.revision} was compacted before its keys could be counted: keyCount is from revision ${compacted}, no sample`),
    );
  });

  await t.test('checkSnapshotFile: a missing file is refused, not thrown', async () => {
    const c = await checkSnapshotFile(path.join(root, 'nope.db'));
    assert.equal(c.ok, false);
    assert.match(c.reason, /cannot read .*ENOENT/);
  });
});

test('takeSnapshot: a member that does not answer throws, leaving nothing behind', { timeout: 20_000 }, async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-snapshot-down-'));
  const client = new Etcd3({ hosts: `http://127.0.0.1:${await freePort()}`, dialTimeout: 500, faultHandling: { global: noop, host: () => noop } });
  try {
    await assert.rejects(
      takeSnapshot({ client, dir: path.join(root, 'b'), cluster: 'belay-dev', clusterId: '1', member: 'm1', timeoutMs: 3_000 }),
      (err: Error & { code?: string }) => err.code === 'SNAPSHOT_STREAM_FAILED' && /m1/.test(err.message),
    );
    assert.deepEqual(fs.readdirSync(path.join(root, 'b')), []);
  } finally {
    client.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
});
