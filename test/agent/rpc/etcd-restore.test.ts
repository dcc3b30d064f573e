import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { etcdRestoreHandlers } from '../../../agent/rpc/etcd-restore.js';
import { TermFence } from '../../../agent/rpc/fencing.js';
import { silentLogger } from '../../../proto/common/log.js';
import { HostPaths } from '../../../proto/common/paths.js';
import type { AgentClient } from '../../../proto/gen/belay/v1/Agent.js';
import type { RestoreEtcdSnapshotResponse__Output } from '../../../proto/gen/belay/v1/RestoreEtcdSnapshotResponse.js';
import { agentRpcServers } from '../../harness/agent-rpc-server.js';
import { etcdFlags, etcdHealthy, freePort } from '../../harness/etcd.js';
import { eventually } from '../../harness/eventually.js';

/** RestoreEtcdSnapshot through a real gRPC server, with a real snapshot of a real etcd and Debian's etcdctl doing the restore. */

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-etcd-restore-'));
const env = { ...process.env, ETCDCTL_API: '3' };
let snapshot = '';
let sha256 = '';
const rpc = agentRpcServers();
let client: AgentClient;
let root = '';
let fence: TermFence;

before(async () => {
  // a snapshot holding 200 keys
  const c = await freePort();
  const p = await freePort();
  const etcd = spawn('etcd', etcdFlags(path.join(tmp, 'source'), c, p), { stdio: 'ignore' });
  try {
    await eventually(async () => assert.ok(await etcdHealthy(c)), { timeoutMs: 20_000, intervalMs: 200 });
    for (let i = 0; i < 200; i++) execFileSync('etcdctl', [`--endpoints=http://127.0.0.1:${c}`, 'put', `/k${i}`, `v${i}`], { env });
    snapshot = path.join(tmp, 'snap.db');
    execFileSync('etcdctl', [`--endpoints=http://127.0.0.1:${c}`, 'snapshot', 'save', snapshot], { env, stdio: 'ignore' });
  } finally {
    etcd.kill('SIGKILL');
  }
  sha256 = crypto.createHash('sha256').update(fs.readFileSync(snapshot)).digest('hex');
  root = path.join(tmp, 'root');
  fs.mkdirSync(path.join(root, 'var/lib'), { recursive: true });
  const paths = new HostPaths(root);
  fence = new TermFence({ node: 'm1', file: path.join(paths.varLibBelay, 'agent', 'fencing.json'), log: silentLogger() });
  client = await rpc.serve(etcdRestoreHandlers({ node: 'm1', paths, fence, log: silentLogger(), raise: () => undefined }));
});

after(() => {
  rpc.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function send(
  o: { dataDir?: string; sha?: string; size?: number; term?: number; bytes?: Buffer; localFile?: string } = {},
): Promise<RestoreEtcdSnapshotResponse__Output> {
  const bytes = o.localFile !== undefined ? Buffer.alloc(0) : (o.bytes ?? fs.readFileSync(snapshot));
  return new Promise((resolve, reject) => {
    const up = client.RestoreEtcdSnapshot({ deadline: Date.now() + 60_000 }, (err, res) => (err || !res ? reject(err ?? new Error('empty')) : resolve(res)));
    up.write({
      header: {
        dataDir: o.dataDir ?? '/var/lib/etcd',
        name: 'm1',
        initialAdvertisePeerUrl: 'https://10.0.0.1:2380',
        initialCluster: 'm1=https://10.0.0.1:2380',
        initialClusterToken: 'prod',
        sha256: o.sha ?? sha256,
        sizeBytes: o.size ?? (o.localFile !== undefined ? fs.statSync(snapshot).size : bytes.length),
        requestedBy: 'test',
        term: o.term ?? 0,
        localFile: o.localFile ?? '',
      },
    });
    for (let i = 0; i < bytes.length; i += 64 * 1024) up.write({ data: bytes.subarray(i, i + 64 * 1024) });
    up.end();
  });
}

const refused =
  (belayCode: string, message?: RegExp) =>
  (err: unknown): boolean => {
    const e = err as grpc.ServiceError;
    assert.equal(e.metadata.get('belay-code')[0]?.toString(), belayCode, e.details);
    if (message) assert.match(e.details, message);
    return true;
  };

/** No leftovers: nothing in the data dir's parent but what the test expects. */
const leftovers = (dir: string): string[] => fs.readdirSync(dir).filter((n) => n.startsWith('.belay-restore'));

describe('RestoreEtcdSnapshot', () => {
  test('restores into an absent data dir: a member dir etcdctl made, no temp file left', async () => {
    const r = await send({ dataDir: '/var/lib/etcd-a' });
    assert.equal(r.dataDir, '/var/lib/etcd-a');
    assert.ok(fs.existsSync(path.join(root, 'var/lib/etcd-a/member/snap/db')));
    assert.ok(fs.existsSync(path.join(root, 'var/lib/etcd-a/member/wal')));
    assert.deepEqual(leftovers(path.join(root, 'var/lib')), []);
  });

  test('refuses bytes that do not match the announced sha256 or size: nothing restored', async () => {
    await assert.rejects(send({ dataDir: '/var/lib/etcd-b', sha: '0'.repeat(64) }), refused('SNAPSHOT_CORRUPT', /announced/));
    const cut = fs.readFileSync(snapshot).subarray(0, 4096);
    await assert.rejects(send({ dataDir: '/var/lib/etcd-b', bytes: cut, size: fs.statSync(snapshot).size }), refused('SNAPSHOT_CORRUPT'));
    assert.equal(fs.existsSync(path.join(root, 'var/lib/etcd-b')), false);
    assert.deepEqual(leftovers(path.join(root, 'var/lib')), []);
  });

  test('restores from a file already on the master (local_file, under the agent root), checked as sent bytes are', async () => {
    fs.mkdirSync(path.join(root, 'var/lib/belay/backups'), { recursive: true });
    fs.copyFileSync(snapshot, path.join(root, 'var/lib/belay/backups/snap.db'));
    const r = await send({ dataDir: '/var/lib/etcd-l', localFile: '/var/lib/belay/backups/snap.db' });
    assert.equal(r.dataDir, '/var/lib/etcd-l');
    assert.ok(fs.existsSync(path.join(root, 'var/lib/etcd-l/member/snap/db')));
    assert.ok(fs.existsSync(path.join(root, 'var/lib/belay/backups/snap.db')), 'the source file is left where it was');
    // Another sum than announced, a symlink, a relative path: refused, nothing restored.
    await assert.rejects(
      send({ dataDir: '/var/lib/etcd-n', localFile: '/var/lib/belay/backups/snap.db', sha: '0'.repeat(64) }),
      refused('SNAPSHOT_CORRUPT', /announced/),
    );
    fs.symlinkSync(path.join(root, 'var/lib/belay/backups/snap.db'), path.join(root, 'var/lib/belay/backups/link.db'));
    await assert.rejects(send({ dataDir: '/var/lib/etcd-n', localFile: '/var/lib/belay/backups/link.db' }), refused('SNAPSHOT_BAD_PATH', /not a regular file/));
    await assert.rejects(send({ dataDir: '/var/lib/etcd-n', localFile: '../snap.db' }), refused('RESTORE_BAD_REQUEST'));
    assert.equal(fs.existsSync(path.join(root, 'var/lib/etcd-n')), false);
    assert.deepEqual(leftovers(path.join(root, 'var/lib')), []);
  });

  test('refuses a data dir holding data, unsafe: archive it first', async () => {
    fs.mkdirSync(path.join(root, 'var/lib/etcd-c/member'), { recursive: true });
    await assert.rejects(send({ dataDir: '/var/lib/etcd-c' }), refused('ETCD_DATA_EXISTS', /exists and is not empty/));
  });

  test("a truncated snapshot announced as such is refused by etcdctl's own hash check, and leaves nothing", async () => {
    const cut = fs.readFileSync(snapshot).subarray(0, fs.statSync(snapshot).size - 4096);
    await assert.rejects(
      send({ dataDir: '/var/lib/etcd-d', bytes: cut, sha: crypto.createHash('sha256').update(cut).digest('hex') }),
      refused('SNAPSHOT_RESTORE_FAILED'),
    );
    assert.equal(fs.existsSync(path.join(root, 'var/lib/etcd-d')), false);
  });

  test('a stale term is refused before anything is written', async () => {
    await fence.admit(9, { method: 'test', by: 'test' });
    await assert.rejects(send({ dataDir: '/var/lib/etcd-e', term: 3 }), refused('STALE_TERM'));
    assert.equal(fs.existsSync(path.join(root, 'var/lib/etcd-e')), false);
  });

  test('restores into a mount point that holds only lost+found and an earlier archive', async (t) => {
    const dir = path.join(root, 'var/lib/etcd-m');
    fs.mkdirSync(dir, { recursive: true });
    try {
      // Room for etcd's 64 MB WAL preallocation and the snapshot: at 64m a fallocate cut short left no room for the snap file.
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=160m', 'belay-test', dir]);
    } catch (err) {
      t.skip(`cannot mount a tmpfs here (needs root): ${String(err)}`);
      return;
    }
    try {
      fs.mkdirSync(path.join(dir, 'lost+found'));
      fs.mkdirSync(path.join(dir, '.belay-archived-20240101T000000Z/member'), { recursive: true });
      await send({ dataDir: '/var/lib/etcd-m' });
      assert.deepEqual(fs.readdirSync(dir).sort(), ['.belay-archived-20240101T000000Z', 'lost+found', 'member']);
      assert.ok(fs.existsSync(path.join(dir, 'member/snap/db')));
    } finally {
      execFileSync('umount', [dir]);
    }
  });
});
