import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { applyMasters } from '../harness/apply-masters.js';
import { belayctl } from '../harness/belayctl.js';
import { eventually, withCluster, type TestCluster } from '../harness/cluster.js';
import { etcdctl, memberList, type EtcdctlMember } from '../harness/etcdctl.js';

const voters = (ms: EtcdctlMember[] | undefined): string[] =>
  (ms ?? [])
    .filter((m) => !m.isLearner && m.name)
    .map((m) => m.name)
    .sort();

async function leaderCoordinator(c: TestCluster): Promise<string> {
  const st = JSON.parse((await belayctl(['status', '-o', 'json'], c.env)).stdout) as { leader: string };
  assert.ok(st.leader, 'no leader');
  return st.leader;
}

/** Watches the member list every 200 ms while `body` runs; returns the most members and learners ever seen at once. */
async function watchMembers<T>(
  c: TestCluster,
  via: string,
  body: () => Promise<T>,
): Promise<{ result: T; maxMembers: number; maxLearners: number; seen: string[] }> {
  let stop = false;
  let maxMembers = 0;
  let maxLearners = 0;
  const seen = new Set<string>();
  const watcher = (async () => {
    while (!stop) {
      const ms = await memberList(c, via);
      if (ms) {
        maxMembers = Math.max(maxMembers, ms.length);
        maxLearners = Math.max(maxLearners, ms.filter((m) => m.isLearner).length);
        seen.add(
          ms
            .map((m) => `${m.name || '?'}${m.isLearner ? '(learner)' : ''}`)
            .sort()
            .join(','),
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  try {
    const result = await body();
    return { result, maxMembers, maxLearners, seen: [...seen] };
  } finally {
    stop = true;
    await watcher;
  }
}

test('grow 3 → 5 one learner at a time; a member whose host comes back without etcd data is replaced, data intact', { timeout: 420_000 }, async () => {
  await withCluster({ masters: 5, bootstrap: true, specMasters: 3, specEtcd: { replaceAfter: '30s' } }, async (c) => {
    assert.deepEqual(voters(await memberList(c, 'm1')), ['m1', 'm2', 'm3']);
    // data to keep
    for (let i = 0; i < 50; i++) assert.equal((await etcdctl(c, 'm1', ['put', `/test/k${i}`, `v${i}`])).code, 0);

    // when the spec grows to 5, the leader joins m4 and m5, never two learners at once, never more than 5 members
    const grow = await watchMembers(c, 'm1', async () => {
      await applyMasters(c, 5, { replaceAfter: '30s' });
      await eventually(async () => assert.deepEqual(voters(await memberList(c, 'm1')), ['m1', 'm2', 'm3', 'm4', 'm5']), {
        timeoutMs: 120_000,
        intervalMs: 500,
      });
    });
    assert.ok(grow.maxLearners <= 1, grow.seen.join(' | '));
    assert.ok(grow.maxMembers <= 5, grow.seen.join(' | '));
    const health = await etcdctl(c, 'm4', ['endpoint', 'health', '--cluster']);
    assert.equal((health.out.match(/is healthy/g) ?? []).length, 5, health.out);

    // when m5 comes back as a fresh host: no etcd.yaml, data dir wiped
    const m5 = c.state.masters[4];
    assert.ok(m5);
    const rm = await belayctl(['manifests', 'remove', 'm5', 'etcd.yaml', '--force'], c.env);
    assert.equal(rm.code, 0, rm.stderr);
    await eventually(
      async () => {
        const ms = await memberList(c, 'm1');
        const st = await etcdctl(c, 'm5', ['endpoint', 'health']);
        assert.ok(ms && st.code !== 0, 'm5 still answers');
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    fs.rmSync(path.join(m5.root, 'var/lib/etcd'), { recursive: true, force: true });
    const before = (await memberList(c, 'm1'))?.find((m) => m.name === 'm5')?.ID;
    // then after replaceAfter it is removed and joined again as a new member, the others never below quorum
    const replace = await watchMembers(c, 'm1', async () => {
      await eventually(
        async () => {
          const ms = await memberList(c, 'm1');
          const now = ms?.find((m) => m.name === 'm5');
          assert.ok(now && now.ID !== before && !now.isLearner, JSON.stringify(ms));
        },
        { timeoutMs: 150_000, intervalMs: 1_000 },
      );
    });
    assert.ok(replace.maxMembers <= 5 && replace.maxLearners <= 1, replace.seen.join(' | '));

    // removing the etcd leader by hand moves its leadership first; it stays out until added back
    const leaderOf = async (): Promise<string> => {
      const r = JSON.parse((await belayctl(['etcd', 'members', '-o', 'json'], c.env)).stdout) as { members: { name: string; role: string }[] };
      return r.members.find((m) => m.role === 'leader')?.name ?? '';
    };
    const etcdLeader = await eventually(
      async () => {
        const l = await leaderOf();
        assert.ok(l);
        return l;
      },
      { timeoutMs: 10_000, intervalMs: 500 },
    );
    const via = c.state.masters.find((m) => m.name !== etcdLeader)?.name ?? 'm1';
    const removed = await belayctl(['etcd', 'remove', etcdLeader], c.env);
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stderr, new RegExp(`moving etcd leadership to m\\d first`));
    assert.deepEqual(
      voters(await memberList(c, via)),
      ['m1', 'm2', 'm3', 'm4', 'm5'].filter((m) => m !== etcdLeader),
    );
    await new Promise((r) => setTimeout(r, 5_000));
    assert.equal((await memberList(c, via))?.length, 4, 'a master removed by hand came back by itself');
    const back = await belayctl(['etcd', 'add', etcdLeader], c.env);
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stdout, new RegExp(`${etcdLeader} is a healthy voting member`));
    // and m5's new member holds every key (a serializable read from m5 itself)
    await eventually(
      async () => {
        const r = await etcdctl(c, 'm5', ['get', '/test/', '--prefix', '--consistency=s', '-w', 'json']);
        assert.equal(r.code, 0, r.out);
        const kvs = (JSON.parse(r.out) as { kvs?: { key: string; value: string }[] }).kvs ?? [];
        assert.equal(kvs.length, 50);
        assert.equal(Buffer.from(kvs.find((k) => Buffer.from(k.key, 'base64').toString() === '/test/k7')?.value ?? '', 'base64').toString(), 'v7');
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
  });
});

test(
  'kill -9 of the leader coordinator in the middle of a join: another takes the lease and finishes, never an extra or missing member',
  { timeout: 300_000 },
  async () => {
    await withCluster({ masters: 4, bootstrap: true, specMasters: 3 }, async (c) => {
      const first = await leaderCoordinator(c);
      const termBefore = (JSON.parse((await belayctl(['status', '-o', 'json'], c.env)).stdout) as { leaderTerm: number }).leaderTerm;
      const run = await watchMembers(c, first === 'm2' ? 'm3' : 'm2', async () => {
        await applyMasters(c, 4);
        // as soon as the learner exists, the leader dies
        await eventually(
          async () => {
            const ms = await memberList(c, 'm2');
            assert.ok(
              ms?.some((m) => m.isLearner),
              'no learner yet',
            );
          },
          { timeoutMs: 60_000, intervalMs: 50 },
        );
        c.kill(first, 'coordinator');
        await eventually(async () => assert.deepEqual(voters(await memberList(c, first === 'm2' ? 'm3' : 'm2')), ['m1', 'm2', 'm3', 'm4']), {
          timeoutMs: 120_000,
          intervalMs: 500,
        });
      });
      assert.ok(run.maxMembers <= 4, run.seen.join(' | '));
      assert.ok(run.maxLearners <= 1, run.seen.join(' | '));
      // a new leader, with a higher term, did it
      c.restart(first, 'coordinator');
      const st = await eventually(
        async () => {
          const s = JSON.parse((await belayctl(['status', '-o', 'json'], c.env)).stdout) as { leader: string; leaderTerm: number; etcdPhase: string };
          assert.ok(s.leader && s.leader !== first && s.leaderTerm > termBefore, JSON.stringify(s));
          assert.equal(s.etcdPhase, 'healthy');
          return s;
        },
        { timeoutMs: 30_000, intervalMs: 500 },
      );
      assert.match(c.log(st.leader, 'coordinator'), /elected leader/);
    });
  },
);

test('a master cut off by iptables: no membership change while it is away, healthy again after healing', { timeout: 240_000 }, async () => {
  await withCluster({ masters: 3, bootstrap: true }, async (c) => {
    const m3 = c.state.masters[2];
    assert.ok(m3);
    const rules = [
      ['INPUT', '-s', m3.address, '-j', 'DROP'],
      ['INPUT', '-d', m3.address, '-j', 'DROP'],
    ];
    const ids = (await memberList(c, 'm1'))?.map((m) => m.ID).sort();
    try {
      for (const r of rules) execFileSync('iptables', ['-I', ...r]);
      const away = await watchMembers(c, 'm1', async () => {
        await eventually(
          async () => {
            const st = JSON.parse((await belayctl(['status', '-o', 'json'], c.env)).stdout) as {
              reconcile: string;
              nodes: { name: string; member?: { state: string } }[];
            };
            assert.equal(st.nodes.find((n) => n.name === 'm3')?.member?.state, 'dead');
            assert.match(st.reconcile, /member m3 is unhealthy/);
          },
          { timeoutMs: 40_000, intervalMs: 500 },
        );
        await new Promise((r) => setTimeout(r, 10_000));
      });
      assert.deepEqual(away.seen, ['m1,m2,m3'], 'membership changed while m3 was cut off');
    } finally {
      for (const r of rules) execFileSync('iptables', ['-D', ...r]);
    }
    await eventually(
      async () => {
        const h = await etcdctl(c, 'm1', ['endpoint', 'health', '--cluster']);
        assert.equal((h.out.match(/is healthy/g) ?? []).length, 3, h.out);
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    assert.deepEqual((await memberList(c, 'm1'))?.map((m) => m.ID).sort(), ids);
  });
});
