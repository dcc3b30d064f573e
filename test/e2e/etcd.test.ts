import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import YAML from 'yaml';
import { belayctl } from '../harness/belayctl.js';
import { eventually, withCluster } from '../harness/cluster.js';
import { etcdctl } from '../harness/etcdctl.js';

interface MemberRow {
  name: string;
  role: string;
  healthy: boolean;
  raftIndex: number;
}

async function members(env: Record<string, string>): Promise<{ members: MemberRow[]; leader: string; term: number }> {
  const r = await belayctl(['etcd', 'members', '-o', 'json'], env);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as { members: MemberRow[]; leader: string; term: number };
}

test('dev up bootstraps a 3-member etcd with TLS: plain etcdctl sees it healthy; unsafe requests are refused with exit 3', { timeout: 240_000 }, async () => {
  await withCluster({ masters: 3, bootstrap: true }, async (c) => {
    // then plain etcdctl sees three started voting members, all healthy over TLS
    const list = await etcdctl(c, 'm2', ['member', 'list', '-w', 'json']);
    assert.equal(list.code, 0, list.out);
    const ms = (JSON.parse(list.out) as { members: { name: string; isLearner?: boolean; clientURLs: string[] }[] }).members;
    assert.deepEqual(ms.map((m) => m.name).sort(), ['m1', 'm2', 'm3']);
    assert.ok(
      ms.every((m) => !m.isLearner && m.clientURLs[0]?.startsWith('https://')),
      list.out,
    );
    const health = await etcdctl(c, 'm3', ['endpoint', 'health', '--cluster']);
    assert.equal(health.code, 0, health.out);
    assert.equal((health.out.match(/is healthy/g) ?? []).length, 3, health.out);
    // without a client certificate etcd refuses
    const m1 = c.state.masters[0];
    const anon = await new Promise<number>((resolve) =>
      execFile(
        'etcdctl',
        [
          `--endpoints=https://${m1?.address ?? ''}:2379`,
          `--cacert=${m1?.root ?? ''}/etc/kubernetes/pki/etcd/ca.crt`,
          '--dial-timeout=2s',
          '--command-timeout=3s',
          'endpoint',
          'health',
        ],
        { env: { ...process.env, ETCDCTL_API: '3' } },
        (err) => resolve(err ? 1 : 0),
      ),
    );
    assert.equal(anon, 1);
    // and each master holds its own keys only: no etcd CA key anywhere under the masters' pki dirs
    for (const m of c.state.masters) assert.equal(fs.existsSync(path.join(m.root, 'etc/kubernetes/pki/etcd/ca.key')), false);
    assert.equal(fs.statSync(path.join(c.state.masters[1]?.root ?? '', 'etc/kubernetes/pki/etcd/peer.key')).mode & 0o777, 0o600);

    // belayctl shows the members, a leader coordinator and its term
    const view = await eventually(
      async () => {
        const v = await members(c.env);
        assert.deepEqual(v.members.map((m) => [m.name, m.healthy, m.role === 'learner']).sort(), [
          ['m1', true, false],
          ['m2', true, false],
          ['m3', true, false],
        ]);
        assert.ok(v.leader && v.term > 0, JSON.stringify(v));
        return v;
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    assert.equal(view.members.filter((m) => m.role === 'leader').length, 1);
    const st = await belayctl(['status', '-o', 'json'], c.env);
    const status = JSON.parse(st.stdout) as { leader: string; leaderTerm: number; etcdPhase: string };
    assert.equal(status.etcdPhase, 'healthy');
    assert.equal(status.leader, view.leader);

    // the spec is stored in etcd
    const got = await belayctl(['get', 'cluster'], c.env);
    assert.equal(got.code, 0, got.stderr);
    assert.match(got.stderr, /stored in etcd/);
    assert.deepEqual(
      (YAML.parse(got.stdout) as { spec: { masters: { name: string }[] } }).spec.masters.map((m) => m.name),
      ['m1', 'm2', 'm3'],
    );

    // a second bootstrap is refused as unsafe
    const again = await belayctl(['bootstrap', '--node', 'm2'], c.env);
    assert.equal(again.code, 3, again.stderr);
    assert.match(again.stderr, /refusing to bootstrap: something already answers on m1's etcd client port/);

    // a spec that drops an etcd member is refused as unsafe, nothing stored
    const specFile = path.join(c.dir, 'cluster.yaml');
    const two = YAML.parse(fs.readFileSync(specFile, 'utf8')) as { spec: { masters: unknown[] } };
    two.spec.masters = two.spec.masters.slice(0, 2);
    fs.writeFileSync(path.join(c.dir, 'two.yaml'), YAML.stringify(two));
    const drop = await belayctl(['apply', '-f', path.join(c.dir, 'two.yaml')], c.env);
    assert.equal(drop.code, 3, drop.stderr);
    assert.match(drop.stderr, /the spec drops m3, which is an etcd member/);

    // a master at an address where nobody runs is accepted with a warning (it joins once it is up); dry run stores nothing
    const four = YAML.parse(fs.readFileSync(specFile, 'utf8')) as { spec: { masters: { name: string; address: string }[] } };
    four.spec.masters.push({ name: 'm4', address: '127.0.9.254' });
    fs.writeFileSync(path.join(c.dir, 'four.yaml'), YAML.stringify(four));
    const dry = await belayctl(['apply', '-f', path.join(c.dir, 'four.yaml'), '--dry-run'], c.env);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /warning: master m4 \(127\.0\.9\.254\) is not alive in gossip/);
    assert.match(dry.stdout, /warning: 4 masters: quorum is 3/);
    assert.match(dry.stdout, /master m4 \(127\.0\.9\.254\) added/);
    assert.equal((YAML.parse((await belayctl(['get', 'cluster'], c.env)).stdout) as { spec: { masters: unknown[] } }).spec.masters.length, 3);

    // a join request for a name not in the spec is refused
    const add = await belayctl(['etcd', 'add', 'm9'], c.env);
    assert.equal(add.code, 1, add.stderr);
    assert.match(add.stderr, /m9 is not a master of the spec/);

    // with m3's etcd down, removing m2 would leave m1 alone of two: refused (exit 3), nothing changed
    const pause = await belayctl(['supervise', 'pause', 'm3', 'etcd/etcd'], c.env);
    assert.equal(pause.code, 0, pause.stderr);
    const svc = await belayctl(['supervise', 'list', '-o', 'json'], c.env);
    const pid = (JSON.parse(svc.stdout) as { services: { node: string; name: string; pid: number }[] }).services.find(
      (s) => s.node === 'm3' && s.name === 'etcd/etcd',
    )?.pid;
    assert.ok(pid);
    process.kill(pid, 'SIGKILL');
    await eventually(
      async () => {
        const v = await members(c.env);
        assert.equal(v.members.find((m) => m.name === 'm3')?.healthy, false);
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    const rm = await belayctl(['etcd', 'remove', 'm2'], c.env);
    assert.equal(rm.code, 3, rm.stderr);
    assert.match(rm.stderr, /removing m2 would leave 2 voting members of which 1 are healthy, under their quorum of 2 \(down: m3\)/);
    assert.equal((await members(c.env)).members.length, 3);
    // and the leader says why it changes nothing meanwhile
    const st2 = JSON.parse((await belayctl(['status', '-o', 'json'], c.env)).stdout) as { reconcile: string; etcdPhase: string };
    assert.equal(st2.etcdPhase, 'degraded');
    assert.match(st2.reconcile, /member m3 is unhealthy/);
    // m3 back: healthy again
    assert.equal((await belayctl(['supervise', 'resume', 'm3', 'etcd/etcd'], c.env)).code, 0);
    await eventually(
      async () => {
        const v = await members(c.env);
        assert.ok(
          v.members.every((m) => m.healthy),
          JSON.stringify(v.members),
        );
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );

    // defrag goes one member at a time, followers first, the etcd leader last, and leaves all healthy
    const etcdLeader = (await members(c.env)).members.find((m) => m.role === 'leader')?.name;
    assert.ok(etcdLeader);
    const plan = await belayctl(['etcd', 'defrag', '--dry-run'], c.env);
    assert.equal(plan.code, 0, plan.stderr);
    const planned = [...plan.stderr.matchAll(/plan: defragment (m\d)/g)].map((m) => m[1]);
    assert.equal(planned.length, 3, plan.stderr);
    assert.equal(planned.at(-1), etcdLeader, plan.stderr);
    const defrag = await belayctl(['etcd', 'defrag'], c.env);
    assert.equal(defrag.code, 0, defrag.stderr);
    assert.match(defrag.stdout, /defragmented 3 of 3 members/);
    const done = [...defrag.stderr.matchAll(/defrag: (m\d) done in \d+ ms: .*healthy/g)].map((m) => m[1]);
    assert.deepEqual(done, planned, defrag.stderr);
    assert.ok((await members(c.env)).members.every((m) => m.healthy));
  });
});
