import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { belayctl, runBin } from '../harness/belayctl.js';
import { eventually, withCluster, type TestCluster } from '../harness/cluster.js';
import { etcdctl, memberList } from '../harness/etcdctl.js';
import { etcdFlags, etcdHealthy, freePort } from '../harness/etcd.js';

interface Status {
  leader: string;
  etcdPhase: string;
  lastSnapshot?: { name: string; verified: boolean; revision: number };
  lastDrill?: { ok: boolean; restoredKeys: number; sampleChecked: number };
  backupAlert: string;
}

const status = async (env: Record<string, string>): Promise<Status> => JSON.parse((await belayctl(['status', '-o', 'json'], env)).stdout) as Status;

/** The env for belayctl talking to master `m`'s coordinator. */
function via(c: TestCluster, m: string): Record<string, string> {
  const master = c.state.masters.find((x) => x.name === m);
  assert.ok(master);
  return { ...c.env, BELAY_ENDPOINT: `${master.address}:7702` };
}

/** A snapshot of another cluster: a throwaway etcd holding a belay spec named "other". */
async function foreignSnapshot(dir: string): Promise<string> {
  const client = await freePort();
  const peer = await freePort();
  const etcd = spawn('etcd', etcdFlags(dir, client, peer), { stdio: 'ignore' });
  try {
    await eventually(async () => assert.ok(await etcdHealthy(client)), { timeoutMs: 20_000, intervalMs: 200 });
    const env = { ...process.env, ETCDCTL_API: '3' };
    execFileSync(
      'etcdctl',
      [`--endpoints=http://127.0.0.1:${client}`, 'put', '/belay/cluster/spec', 'apiVersion: belay.dev/v1alpha1\nkind: Cluster\nmetadata:\n  name: other\n'],
      { env },
    );
    const file = path.join(dir, 'other.db');
    execFileSync('etcdctl', [`--endpoints=http://127.0.0.1:${client}`, 'snapshot', 'save', file], { env });
    return file;
  } finally {
    etcd.kill('SIGKILL');
  }
}

test(
  'snapshots are taken and drilled by the leader; after 2 of 3 members are killed and wiped, restore brings back 3 members with every key, all restored at once',
  { timeout: 420_000 },
  async (t) => {
    await withCluster({ masters: 3, bootstrap: true }, async (c) => {
      // the leader takes a snapshot and a restore drill as soon as it leads (none recorded yet)
      const first = await eventually(
        async () => {
          const s = await status(c.env);
          assert.ok(s.lastSnapshot?.verified && s.lastDrill?.ok, JSON.stringify(s));
          assert.equal(s.backupAlert, '');
          return s;
        },
        { timeoutMs: 90_000, intervalMs: 1_000 },
      );
      const leader = first.leader;
      const onLeader = via(c, leader);

      for (let i = 0; i < 40; i++) {
        const batch = Array.from({ length: 25 }, (_, j) => i * 25 + j);
        await Promise.all(batch.map(async (k) => assert.equal((await etcdctl(c, 'm1', ['put', `/test/k${k}`, `value-${k}-${'x'.repeat(200)}`])).code, 0)));
      }
      // an on-demand snapshot, verified, listed with its sidecars on the leader's master
      const snap = await runBin('belayctl', ['etcd', 'snapshot', '-o', 'json'], { env: onLeader, timeoutMs: 60_000 });
      assert.equal(snap.code, 0, snap.stderr);
      const taken = JSON.parse(snap.stdout) as { file: string; sha256: string; keyCount: number; verified: boolean };
      assert.ok(taken.verified);
      assert.ok(taken.keyCount >= 1000, String(taken.keyCount));
      const leaderRoot = c.state.masters.find((m) => m.name === leader)?.root ?? '';
      const real = path.join(leaderRoot, taken.file);
      assert.ok(fs.existsSync(real) && fs.existsSync(`${real}.sha256`), real);
      assert.match(execFileSync('sha256sum', ['-c', `${path.basename(real)}.sha256`], { cwd: path.dirname(real) }).toString(), /: OK/);
      const list = await belayctl(['etcd', 'snapshots', '-o', 'json'], onLeader);
      assert.ok((JSON.parse(list.stdout) as { snapshots: { file: string }[] }).snapshots.some((s) => s.file === taken.file));

      // a restore while the cluster is healthy is refused (exit 3)
      const healthy = await runBin('belayctl', ['etcd', 'restore', '--snapshot', taken.file], { env: onLeader, timeoutMs: 60_000 });
      assert.equal(healthy.code, 3, healthy.stderr);
      assert.match(healthy.stderr, /refusing to restore: the current cluster has quorum/);
      // a truncated snapshot is refused, nothing changed
      const cut = `${real}.cut.db`;
      fs.writeFileSync(cut, fs.readFileSync(real).subarray(0, fs.statSync(real).size - 4096));
      fs.copyFileSync(`${real}.sha256`, `${cut}.sha256`);
      const truncated = await runBin('belayctl', ['etcd', 'restore', '--snapshot', `${taken.file}.cut.db`, '--force'], { env: onLeader, timeoutMs: 60_000 });
      assert.equal(truncated.code, 1, truncated.stderr);
      assert.match(truncated.stderr, /refusing to restore .*cut\.db/);
      // a snapshot of another cluster is refused
      const foreign = await foreignSnapshot(fs.mkdtempSync(path.join(c.dir, 'other-')));
      fs.copyFileSync(foreign, path.join(leaderRoot, 'other.db'));
      const other = await runBin('belayctl', ['etcd', 'restore', '--snapshot', '/other.db', '--force'], { env: onLeader, timeoutMs: 90_000 });
      assert.equal(other.code, 1, other.stderr);
      assert.match(other.stderr, /it is a snapshot of cluster "other", this is "belay-dev"/);
      assert.equal((await memberList(c, 'm1'))?.length, 3);

      // when the two other members are stopped and their data wiped, quorum is lost
      const others = c.state.masters.filter((m) => m.name !== leader);
      for (const m of others) {
        const rm = await belayctl(['manifests', 'remove', m.name, 'etcd.yaml', '--force'], onLeader);
        assert.equal(rm.code, 0, rm.stderr);
      }
      await eventually(async () => assert.equal((await status(onLeader)).etcdPhase, 'no-quorum'), { timeoutMs: 60_000, intervalMs: 500 });
      for (const m of others) fs.rmSync(path.join(m.root, 'var/lib/etcd'), { recursive: true, force: true });

      // then restore from the snapshot brings back three voting members holding every key
      const t0 = Date.now();
      const restore = await runBin('belayctl', ['etcd', 'restore', '--snapshot', taken.file], { env: onLeader, timeoutMs: 240_000 });
      const seconds = (Date.now() - t0) / 1000;
      assert.equal(restore.code, 0, restore.stderr);
      t.diagnostic(`etcd restore from the command to 3 healthy voters: ${seconds.toFixed(1)} s`);
      for (const line of restore.stderr.trim().split('\n')) t.diagnostic(`  ${line}`);
      t.diagnostic(`  ${restore.stdout.trim()}`);
      // every master restored from the snapshot at once with the full initial cluster: no learner joins
      assert.match(restore.stdout, /restored \S+ on m1, m2, m3 at once; all 3 masters are voting members again/);
      for (const m of ['m1', 'm2', 'm3']) assert.match(restore.stderr, new RegExp(`restored on ${m} in \\d+ ms`));
      assert.doesNotMatch(restore.stderr, /not every master can be restored at once|joins/);
      const ms = await memberList(c, 'm1');
      assert.deepEqual(
        ms
          ?.filter((m) => !m.isLearner)
          .map((m) => m.name)
          .sort(),
        ['m1', 'm2', 'm3'],
      );
      for (const m of ['m1', 'm2', 'm3']) {
        await eventually(
          async () => {
            const r = await etcdctl(c, m, ['get', '/test/', '--prefix', '--keys-only', '--consistency=s', '-w', 'json']);
            assert.equal((JSON.parse(r.out) as { count?: number }).count, 1000, `${m}: ${r.out}`);
          },
          { timeoutMs: 30_000, intervalMs: 500 },
        );
      }
      const v = await etcdctl(c, 'm2', ['get', '/test/k777', '--print-value-only']);
      assert.equal(v.out.trim(), `value-777-${'x'.repeat(200)}`);
      // the old data dir of the restore master was kept aside, not deleted
      assert.ok(fs.readdirSync(path.join(leaderRoot, 'var/lib')).some((n) => n.startsWith('etcd.belay-archived-')));

      // with one master's agent down, not every master can be restored at once: the plan says so and restores the one asked for alone
      const down = others[0]?.name ?? '';
      c.kill(down, 'agent');
      const plan = await runBin('belayctl', ['etcd', 'restore', '--snapshot', taken.file, '--force', '--dry-run'], { env: onLeader, timeoutMs: 90_000 });
      assert.equal(plan.code, 0, plan.stderr);
      assert.match(
        plan.stderr,
        new RegExp(`not every master can be restored at once \\(${down}: its agent does not answer .*\\): restoring on ${leader} alone, the others join later`),
      );
      assert.match(plan.stderr, new RegExp(`on ${leader} as a new one-member cluster "belay-dev"`));
      assert.match(plan.stderr, /then the leader joins .* again as learners/);
      assert.match(plan.stdout, /dry run: nothing was changed/);
    });
  },
);
