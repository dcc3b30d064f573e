import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { EtcdDataGuard } from '../../agent/etcd/data-guard.js';
import { inspectDataDir } from '../../agent/etcd/data-state.js';
import { silentLogger } from '../../proto/common/log.js';
import { eventually } from '../harness/cluster.js';
import { etcdHealthy, freePort } from '../harness/etcd.js';
import { etcdManifest, hostRuntime, write } from '../harness/host-runtime.js';
import { requireBinary } from '../harness/runtimes.js';

/** The member and cluster IDs etcd itself reports (hex), read from the raw JSON: they do not fit a JS number. */
function endpointIds(client: number): Promise<{ memberId: string; clusterId: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      'etcdctl',
      [`--endpoints=http://127.0.0.1:${client}`, 'endpoint', 'status', '-w', 'json'],
      { env: { ...process.env, ETCDCTL_API: '3' }, timeout: 5_000 },
      (err, stdout) => {
        if (err) {
          reject(new Error(`etcdctl endpoint status: ${err.message}`));
          return;
        }
        const m = /"cluster_id":(\d+),"member_id":(\d+)/.exec(stdout);
        if (!m) return reject(new Error(`no IDs in ${stdout}`));
        resolve({ clusterId: BigInt(m[1] ?? '').toString(16), memberId: BigInt(m[2] ?? '').toString(16) });
      },
    );
  });
}

interface Record {
  member?: { memberId: string };
  forgotten: { memberId: string }[];
}
const readRecord = (dir: string): Record => JSON.parse(fs.readFileSync(path.join(dir, 'agent', 'etcd-member.json'), 'utf8')) as Record;

test('etcd data guard on real etcd: the WAL names the member etcd reports; a lost data dir holds etcd back under the host runtime until the membership is forgotten', async (t) => {
  if (!requireBinary(t, 'etcd', 'etcd-server') || !requireBinary(t, 'etcdctl', 'etcd-client')) return;
  const gate: { guard?: EtcdDataGuard } = {};
  const h = await hostRuntime(t, { etcdStartGate: () => gate.guard?.startBlocker() ?? Promise.resolve(undefined) });
  const dataDir = path.join(h.dir, 'etcd');
  const alerts: string[] = [];
  const guard = new EtcdDataGuard({
    dataDir,
    realDataDir: dataDir,
    recordFile: path.join(h.dir, 'agent', 'etcd-member.json'),
    log: silentLogger(),
    raise: (e) => alerts.push(`${e.kind}: ${e.message}`),
  });
  gate.guard = guard;
  const [client, peer] = [await freePort(), await freePort()];
  write(path.join(h.manifests, 'etcd.yaml'), etcdManifest(h.dir, client, peer));
  await eventually(async () => assert.ok(await etcdHealthy(client)), { timeoutMs: 30_000, intervalMs: 100 });

  // the WAL says what etcd says
  const ids = await endpointIds(client);
  assert.deepEqual(await inspectDataDir(dataDir), { kind: 'member', ...ids });
  await guard.check();
  assert.equal(readRecord(h.dir).member?.memberId, ids.memberId);

  // etcd killed and its data dir removed: every restart is held back, and etcd never makes a new member there
  const pid = h.pid();
  process.kill(pid, 'SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
  await eventually(
    () => {
      const s = h.sup.list().find((x) => x.name === 'etcd/etcd');
      assert.match(s?.lastFailure ?? '', /held back: etcd data dir .* is gone but this master was member/);
    },
    { timeoutMs: 10_000, intervalMs: 100 },
  );
  assert.equal(guard.status().verdict, 'lost');
  assert.equal(guard.status().held, true);
  assert.ok(alerts.some((a) => a.startsWith('EtcdDataLost: ')));
  await new Promise((r) => setTimeout(r, 2_000));
  assert.equal(h.pid(), 0, 'no etcd runs');
  assert.equal(fs.existsSync(path.join(dataDir, 'member')), false, 'no member was made from nothing');

  // the membership forgotten (as ArchiveEtcdData does for a join as a new member): etcd may start fresh, and its new member is recorded
  await guard.forget('test: joins as a new member');
  await eventually(async () => assert.ok(await etcdHealthy(client)), { timeoutMs: 60_000, intervalMs: 200 });
  await eventually(async () => assert.equal((await guard.check()).verdict, 'ok'), { timeoutMs: 5_000 });
  const record = readRecord(h.dir);
  assert.equal(record.member?.memberId, (await endpointIds(client)).memberId);
  assert.equal(record.forgotten[0]?.memberId, ids.memberId, 'the old membership is kept in the record history');
});
