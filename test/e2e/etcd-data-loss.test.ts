import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { findEtcdUsing } from '../../agent/etcd/etcd-process.js';
import { startAckedWrites } from '../harness/acked-writes.js';
import { belayctl, runBin } from '../harness/belayctl.js';
import { eventually, withCluster, type TestCluster } from '../harness/cluster.js';
import { etcdctl, memberList } from '../harness/etcdctl.js';

/** docs/etcd-data-dir.md: what a master does when its etcd data dir is lost, and what the leader does about it. */

const dataDir = (c: TestCluster, m: string): string => path.join(c.state.masters.find((x) => x.name === m)?.root ?? '/nonexistent', 'var/lib/etcd');

/** A wrong `rm -rf` under a running etcd, then the crash: etcd's files are gone and it must start again. */
async function loseData(c: TestCluster, m: string): Promise<void> {
  const dir = dataDir(c, m);
  const etcd = await findEtcdUsing(dir);
  assert.ok(etcd, `no etcd runs on ${dir}`);
  fs.rmSync(dir, { recursive: true, force: true });
  process.kill(etcd.pid, 'SIGKILL');
}

/** Member name → ID as etcdctl's table prints it (hex; the JSON's numbers lose precision past 2^53). */
async function hexIds(c: TestCluster): Promise<Map<string, string>> {
  const r = await etcdctl(c, 'm1', ['member', 'list']);
  assert.equal(r.code, 0, r.out);
  return new Map(
    r.out.split('\n').flatMap((l) => {
      const [id, , name] = l.split(', ');
      return id && name ? [[name, id] as const] : [];
    }),
  );
}

interface Status {
  etcdPhase: string;
  reconcile: string;
  leader: string;
}
async function status(c: TestCluster, via?: string): Promise<Status> {
  const at = via ? ['--endpoint', `${c.state.masters.find((m) => m.name === via)?.address ?? ''}:7702`] : [];
  return JSON.parse((await belayctl([...at, 'status', '-o', 'json'], c.env)).stdout) as Status;
}

/** Every member that answers (serializable, from itself) holds at least `keys` keys under /keep/: no empty keyspace is served. */
async function sampleNoEmptyMember(c: TestCluster, keys: number, forMs: number): Promise<{ samples: number; answered: number }> {
  let samples = 0;
  let answered = 0;
  for (const until = Date.now() + forMs; Date.now() < until;) {
    const counts = await Promise.all(
      c.state.masters.map(async (m) => {
        const r = await etcdctl(c, m.name, ['get', '/keep/', '--prefix', '--keys-only', '--consistency=s', '-w', 'json'], 2_000);
        return { m: m.name, count: r.code === 0 ? ((JSON.parse(r.out) as { count?: number }).count ?? 0) : undefined };
      }),
    );
    for (const { m, count } of counts) {
      samples++;
      if (count === undefined) continue;
      answered++;
      assert.ok(count >= keys, `${m} serves ${count} keys under /keep/, fewer than the ${keys} written: an empty keyspace`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { samples, answered };
}

test(
  'a data dir lost under write load is repaired without a command: back to 3 healthy voters, 0 acknowledged writes lost',
  { timeout: 300_000 },
  async (t) => {
    await withCluster({ masters: 3, bootstrap: true }, async (c) => {
      const before = (await memberList(c, 'm1'))?.find((m) => m.name === 'm3');
      assert.ok(before);
      const beforeHex = (await hexIds(c)).get('m3');
      const writes = startAckedWrites(c);
      await eventually(() => assert.ok(writes.acked > 100, `${writes.acked} acknowledged; last error: ${writes.lastError}`), { timeoutMs: 30_000 });

      // when m3's data dir is removed and its etcd dies
      const t0 = Date.now();
      await loseData(c, 'm3');

      // then its agent holds etcd back (no start on empty data under the old identity) and says why
      await eventually(
        async () => {
          const ev = await belayctl(['events', '--node', 'm3', '-o', 'json'], c.env);
          assert.match(ev.stdout, /"kind":"EtcdDataLost"/);
        },
        { timeoutMs: 20_000, intervalMs: 250 },
      );
      // and the leader replaces the member at once: a new member ID, a voter, all 3 healthy
      await eventually(
        async () => {
          const ms = await memberList(c, 'm1');
          const now = ms?.find((m) => m.name === 'm3');
          assert.ok(now && now.ID !== before.ID && !now.isLearner, JSON.stringify(ms));
          const health = await etcdctl(c, 'm1', ['endpoint', 'health', '--cluster']);
          assert.equal((health.out.match(/is healthy/g) ?? []).length, 3, health.out);
        },
        { timeoutMs: 120_000, intervalMs: 250 },
      );
      const repairedS = (Date.now() - t0) / 1000;
      // writes go on through the repaired cluster for a while before they are read back
      const atRepair = writes.acked;
      await eventually(
        () => assert.ok(writes.acked > atRepair + 100, `${writes.acked - atRepair} acknowledged since the repair; last error: ${writes.lastError}`),
        { timeoutMs: 30_000 },
      );
      const r = await writes.stopAndVerify();
      t.diagnostic(
        `lost data dir → 3 healthy voters: ${repairedS.toFixed(1)} s (aim ≤ 30 s); writes attempted ${r.attempted}, acknowledged ${r.acked}, failed ${r.failed}, acknowledged and lost ${r.lost.length}`,
      );
      assert.deepEqual(r.lost, [], 'acknowledged writes lost');
      assert.ok(r.acked > 200, `too few writes to mean anything: ${r.acked}`);
      // the leader said what it did
      const leader = (await status(c)).leader;
      assert.match(c.log(leader, 'coordinator'), /replacing it: its data is lost: etcd data dir \S+ is gone but this master was member/);
      // and m3's new member recorded itself on its agent
      const record = JSON.parse(fs.readFileSync(path.join(dataDir(c, 'm3'), '../belay/agent/etcd-member.json'), 'utf8')) as {
        member?: { memberId: string };
        forgotten: { memberId: string }[];
      };
      assert.equal(record.forgotten[0]?.memberId, beforeHex);
      assert.equal(record.member?.memberId, (await hexIds(c)).get('m3'));
    });
  },
);

test(
  'data dirs lost on 2 of 3, then on all 3: no empty keyspace is ever served, no backup is taken, status names the restore; etcd restore brings every key back',
  { timeout: 360_000 },
  async (t) => {
    await withCluster({ masters: 3, bootstrap: true }, async (c) => {
      for (let i = 0; i < 50; i++) assert.equal((await etcdctl(c, 'm1', ['put', `/keep/k${i}`, `v${i}`])).code, 0);
      const leader = await eventually(
        async () => {
          const s = await status(c);
          assert.ok(s.leader);
          return s.leader;
        },
        { timeoutMs: 30_000 },
      );
      const snap = await belayctl(['--endpoint', `${c.state.masters.find((m) => m.name === leader)?.address ?? ''}:7702`, 'etcd', 'snapshot'], c.env);
      assert.equal(snap.code, 0, snap.stderr);
      const backups = path.join(c.state.masters.find((m) => m.name === leader)?.root ?? '', 'var/lib/belay/backups/etcd');
      const dbs = (): string[] => fs.readdirSync(backups).filter((n) => n.endsWith('.db'));
      // The leader's first scheduled snapshot and this one.
      const kept = dbs();
      assert.ok(kept.length >= 1);

      // 2 of 3 lost: the two empty members are held back, the survivor has the data but no quorum
      const others = c.state.masters.map((m) => m.name).filter((m) => m !== leader);
      for (const m of others) await loseData(c, m);
      await eventually(
        async () =>
          assert.match(
            (await status(c, leader)).reconcile,
            new RegExp(`${others.join(', ')} lost their etcd data .* and ${leader} holds the data without a quorum`),
          ),
        { timeoutMs: 60_000, intervalMs: 500 },
      );
      const two = await sampleNoEmptyMember(c, 50, 6_000);

      // all 3 lost: nothing serves, one sentence names the snapshot to restore
      await loseData(c, leader);
      const line = await eventually(
        async () => {
          const s = await status(c, leader);
          assert.equal(s.etcdPhase, 'no-quorum');
          assert.match(s.reconcile, /^every etcd member's data is lost \(m1, m2, m3: their agents hold etcd back/);
          return s.reconcile;
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      );
      const all = await sampleNoEmptyMember(c, 50, 6_000);
      assert.equal(all.answered, 0, 'an etcd answers with every data dir lost');
      assert.deepEqual(dbs(), kept, 'a backup was taken of a cluster that lost its data');
      t.diagnostic(
        `no empty keyspace served: 2 of 3 lost: ${two.answered} of ${two.samples} samples answered (each with every key); 3 of 3 lost: ${all.answered} of ${all.samples}`,
      );

      // the restore it names runs without --force and brings back every key on every master
      const file = /belayctl etcd restore --snapshot (\S+)/.exec(line)?.[1] ?? '';
      assert.ok(
        kept.some((k) => file.endsWith(k)),
        line,
      );
      const t0 = Date.now();
      const restore = await runBin(
        'belayctl',
        ['--endpoint', `${c.state.masters.find((m) => m.name === leader)?.address ?? ''}:7702`, 'etcd', 'restore', '--snapshot', file],
        {
          env: c.env,
          timeoutMs: 240_000,
        },
      );
      assert.equal(restore.code, 0, restore.stderr);
      t.diagnostic(`etcd restore after every data dir was lost: ${((Date.now() - t0) / 1000).toFixed(1)} s to exit 0`);
      for (const m of c.state.masters) {
        await eventually(
          async () => {
            const r = await etcdctl(c, m.name, ['get', '/keep/', '--prefix', '--keys-only', '--consistency=s', '-w', 'json']);
            assert.equal((JSON.parse(r.out) as { count?: number }).count, 50, `${m.name}: ${r.out}`);
          },
          { timeoutMs: 60_000, intervalMs: 500 },
        );
      }
    });
  },
);
