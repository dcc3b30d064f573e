import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { EtcdDataGuard } from '../../../agent/etcd/data-guard.js';
import { inspectDataDir } from '../../../agent/etcd/data-state.js';
import { silentLogger } from '../../../proto/common/log.js';

function tmp(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-data-state-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a data dir that does not exist is absent; one without a WAL file is empty', async (t) => {
  const dir = tmp(t);
  assert.deepEqual(await inspectDataDir(path.join(dir, 'etcd')), { kind: 'absent' });
  fs.mkdirSync(path.join(dir, 'etcd', 'member', 'wal'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'etcd', 'member', 'wal', '0.tmp'), 'x');
  assert.deepEqual(await inspectDataDir(path.join(dir, 'etcd')), { kind: 'empty' });
});

test('a backend without a WAL, and a WAL file of garbage, are unreadable', async (t) => {
  const dir = tmp(t);
  fs.mkdirSync(path.join(dir, 'member', 'snap'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'member', 'snap', 'db'), 'x');
  assert.match(((await inspectDataDir(dir)) as { reason: string }).reason, /snap\/db\) but no WAL/);
  fs.mkdirSync(path.join(dir, 'member', 'wal'));
  fs.writeFileSync(path.join(dir, 'member', 'wal', '0000000000000000-0000000000000000.wal'), Buffer.alloc(64));
  assert.match(((await inspectDataDir(dir)) as { reason: string }).reason, /impossible length 0/);
});

test('a file where the data dir should be is unreadable', async (t) => {
  const file = path.join(tmp(t), 'etcd');
  fs.writeFileSync(file, '');
  assert.equal((await inspectDataDir(file)).kind, 'unreadable');
});

test('an unreadable membership record holds etcd back; forgetting keeps it aside and starts a new record', async (t) => {
  const dir = tmp(t);
  const recordFile = path.join(dir, 'agent', 'etcd-member.json');
  fs.mkdirSync(path.dirname(recordFile));
  fs.writeFileSync(recordFile, '{"member": {');
  const guard = new EtcdDataGuard({ dataDir: '/var/lib/etcd', realDataDir: path.join(dir, 'etcd'), recordFile, log: silentLogger(), raise: () => undefined });
  assert.match((await guard.startBlocker()) ?? '', /cannot read .*etcd-member.json/);
  await guard.forget('archived');
  assert.equal(await guard.startBlocker(), undefined);
  assert.equal(fs.readdirSync(path.dirname(recordFile)).filter((n) => n.startsWith('etcd-member.json.unreadable-')).length, 1);
});

test('the guard watches its own data dir only', () => {
  const guard = new EtcdDataGuard({ dataDir: '/var/lib/etcd', realDataDir: '/x', recordFile: '/x/r.json', log: silentLogger(), raise: () => undefined });
  assert.equal(guard.watches('/var/lib/etcd/'), true);
  assert.equal(guard.watches('/var/lib/etcd2'), false);
});
