import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { MembersResponse__Output } from '../../proto/gen/belay/v1/MembersResponse.js';
import { formatKey, generateKey } from '../../coordinator/transport/keyring.js';
import { belayctl } from '../harness/belayctl.js';
import { eventually, withCluster, type TestCluster } from '../harness/cluster.js';

/** Every member's state as `observer`'s coordinator sees it. */
async function view(c: TestCluster, observer: string): Promise<Record<string, string>> {
  const m = c.state.masters.find((x) => x.name === observer);
  const r = await belayctl(['members', '-o', 'json'], { ...c.env, BELAY_ENDPOINT: `${m?.address ?? ''}:7702` });
  assert.equal(r.code, 0, r.stderr);
  return Object.fromEntries((JSON.parse(r.stdout) as MembersResponse__Output).members.map((x) => [x.name, x.state]));
}

/** Gossip transitions logged by a coordinator: [{message, member}]. */
function transitions(c: TestCluster, master: string): { message: string; member: string }[] {
  return c
    .log(master, 'coordinator')
    .split('\n')
    .filter((l) => l.includes('"component":"gossip"'))
    .map((l) => JSON.parse(l) as { message: string; member: string });
}

test('gossip between 5 real coordinators: kill -9 → dead on all; SIGSTOP 10 s → refutes, nobody else suspected; wrong key → never joins', async (t) => {
  await withCluster({ masters: 5 }, async (c) => {
    const names = c.state.masters.map((m) => m.name);
    for (const n of names)
      assert.deepEqual(
        Object.values(await view(c, n)),
        names.map(() => 'alive'),
        `${n} sees all alive`,
      );

    // SIGSTOP one coordinator for 10 s, then SIGCONT: the others may declare it dead meanwhile;
    // afterwards it refutes and is alive everywhere, and no other member was ever suspected by anyone.
    const stopped = c.state.processes.find((p) => p.master === 'm2' && p.role === 'coordinator');
    assert.ok(stopped);
    process.kill(stopped.pid, 'SIGSTOP');
    const t0 = Date.now();
    await eventually(async () => assert.equal((await view(c, 'm1')).m2, 'dead'), { timeoutMs: 10_000, intervalMs: 200 });
    const deadAfter = Date.now() - t0;
    await new Promise((r) => setTimeout(r, Math.max(0, 10_000 - (Date.now() - t0))));
    process.kill(stopped.pid, 'SIGCONT');
    for (const n of names)
      await eventually(
        async () =>
          assert.deepEqual(
            Object.values(await view(c, n)),
            names.map(() => 'alive'),
          ),
        { timeoutMs: 15_000, intervalMs: 300 },
      );
    for (const n of names) {
      const wrong = transitions(c, n).filter((e) => (e.message === 'member suspected' || e.message === 'member died') && e.member !== 'm2');
      assert.deepEqual(wrong, [], `${n} never suspected anyone but m2`);
    }
    t.diagnostic(`SIGSTOP: m2 dead on m1 after ${deadAfter} ms; alive again on all after SIGCONT`);

    // kill -9 → dead on every survivor, timed
    c.kill('m4', 'coordinator');
    const k0 = Date.now();
    const survivors = names.filter((n) => n !== 'm4');
    await eventually(
      async () =>
        assert.deepEqual(
          (await Promise.all(survivors.map((n) => view(c, n)))).map((v) => v.m4),
          survivors.map(() => 'dead'),
        ),
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    t.diagnostic(
      `kill -9 of m4: dead on all 4 survivors within ${Date.now() - k0} ms (belayctl on every survivor at once, each call ~0.5 s: npm run bench:gossip measures it closely)`,
    );
    // status on any coordinator shows the master whose coordinator is dead as such
    const st = await belayctl(['status', '-o', 'json'], c.env);
    const m4 = (JSON.parse(st.stdout) as { nodes: { name: string; member?: { state: string } }[] }).nodes.find((x) => x.name === 'm4');
    assert.equal(m4?.member?.state, 'dead');

    // a coordinator with another gossip key never joins, and says why in its log
    c.kill('m5', 'coordinator');
    const root = c.state.masters.find((m) => m.name === 'm5')?.root ?? '';
    fs.rmSync(path.join(root, 'var', 'lib', 'belay', 'gossip'), { recursive: true, force: true });
    fs.writeFileSync(path.join(root, 'etc', 'belay', 'gossip.key'), `${formatKey(generateKey())}\n`, { mode: 0o600 });
    c.restart('m5', 'coordinator');
    await eventually(() => assert.match(c.log('m5', 'coordinator'), /gossip key refused by a member/), { timeoutMs: 15_000, intervalMs: 300 });
    await new Promise((r) => setTimeout(r, 3_000));
    for (const n of ['m1', 'm2', 'm3']) assert.notEqual((await view(c, n)).m5, 'alive', `${n} does not take m5 back`);
    const m5view = await view(c, 'm5');
    assert.deepEqual(Object.keys(m5view), ['m5'], 'm5 knows nobody');
  });
});

test('status from any coordinator shows every master through gossip when agents report only to their own coordinator', async () => {
  await withCluster(
    {
      masters: 3,
      agentReportsTo: 'own',
      agentServices: (m) => ({ kubelet: { mode: 'child', command: ['sleep', '600'], env: { BELAY_TEST_MASTER: m.name } } }),
    },
    async (c) => {
      interface Node {
        name: string;
        agentConnected: boolean;
        report: unknown;
        member?: { state: string };
        summary: Record<string, string>;
      }
      const status = async (): Promise<Node[]> => (JSON.parse((await belayctl(['status', '-o', 'json'], c.env)).stdout) as { nodes: Node[] }).nodes;
      // m1's coordinator has m1's report; m2 and m3 come as their own coordinators' summaries
      const nodes = await eventually(
        async () => {
          const n = await status();
          for (const x of n.filter((y) => y.name !== 'm1')) {
            assert.equal(x.agentConnected, false);
            assert.equal(x.report, null);
            assert.equal(x.member?.state, 'alive');
            assert.equal(x.summary.agent, 'connected', `${x.name}: ${JSON.stringify(x.summary)}`);
            assert.equal(x.summary.kubelet, 'healthy');
            assert.ok(Number(x.summary.report_at_ms) > 0);
          }
          return n;
        },
        { timeoutMs: 20_000, intervalMs: 500 },
      );
      assert.ok(nodes.find((x) => x.name === 'm1')?.report, 'its own agent reports to m1');
      const table = await belayctl(['status'], c.env);
      assert.match(table.stdout, /^m2\s+\S+\s+alive\s+via gossip \(connected\)\s+~\d+s\s.*kubelet:healthy/m);
      // m3's coordinator dies: m1 shows it dead, with the last summary it had
      c.kill('m3', 'coordinator');
      await eventually(async () => assert.equal((await status()).find((x) => x.name === 'm3')?.member?.state, 'dead'), { timeoutMs: 15_000, intervalMs: 300 });
      assert.match((await belayctl(['status'], c.env)).stdout, /^m3\s+\S+\s+dead\s+via gossip.*\(last known\)/m);
    },
  );
});

test('gossip key rotation without downtime through belayctl; unsafe steps refused with exit 3', async () => {
  await withCluster({ masters: 3 }, async (c) => {
    interface Keys {
      keys: { fingerprint: string; primaryOn: number; installedOn: number }[];
      members: { node: string; ok: boolean }[];
    }
    const keys = async (...args: string[]): Promise<{ code: number | null; out: Keys | undefined; stderr: string }> => {
      const r = await belayctl(['gossip', 'keys', ...args, '-o', 'json'], c.env);
      return { code: r.code, out: r.code === 0 ? (JSON.parse(r.stdout) as Keys) : undefined, stderr: r.stderr };
    };
    const before = await keys('list');
    assert.equal(before.code, 0, before.stderr);
    assert.equal(before.out?.keys.length, 1);
    const old = before.out?.keys[0];
    assert.deepEqual([old?.primaryOn, old?.installedOn], [3, 3]);
    const oldKey = fs.readFileSync(path.join(c.state.masters[0]?.root ?? '', 'etc', 'belay', 'gossip.key'), 'utf8').trim();
    const fresh = (await belayctl(['gossip', 'keys', 'generate'], c.env)).stdout.trim();
    assert.match(fresh, /^[A-Za-z0-9+/]{43}=$/);

    const early = await keys('use', fresh);
    assert.equal(early.code, 3, 'use before install is unsafe');
    assert.match(early.stderr, /installed on 0 of 3 members/);
    assert.equal((await keys('install', fresh)).code, 0);
    const removePrimary = await keys('remove', oldKey);
    assert.equal(removePrimary.code, 3);
    assert.match(removePrimary.stderr, /primary key on 3 members/);
    const used = await keys('use', fresh);
    assert.equal(used.code, 0, used.stderr);
    assert.equal((await keys('remove', oldKey)).code, 0);
    const after = await keys('list');
    assert.equal(after.out?.keys.length, 1);
    assert.notEqual(after.out?.keys[0]?.fingerprint, old?.fingerprint);
    assert.deepEqual([after.out?.keys[0]?.primaryOn, after.out?.keys[0]?.installedOn], [3, 3]);
    // gossip goes on under the new key: nobody was suspected, all alive a few probe rounds later
    await new Promise((r) => setTimeout(r, 3_000));
    for (const n of ['m1', 'm2', 'm3']) {
      assert.deepEqual(Object.values(await view(c, n)), ['alive', 'alive', 'alive']);
      assert.deepEqual(
        transitions(c, n).filter((e) => e.message === 'member suspected' || e.message === 'member died'),
        [],
        `${n}: no suspicion during the rotation`,
      );
    }
    // the keyring survives a restart: m2's coordinator comes back with the new key only
    c.kill('m2', 'coordinator');
    c.restart('m2', 'coordinator');
    await eventually(async () => assert.equal((await view(c, 'm1')).m2, 'alive'), { timeoutMs: 15_000, intervalMs: 300 });
    const ring = JSON.parse(fs.readFileSync(path.join(c.state.masters[1]?.root ?? '', 'var', 'lib', 'belay', 'gossip', 'keyring.json'), 'utf8')) as {
      primary: string;
    };
    assert.equal(ring.primary, fresh);
    assert.equal(fs.statSync(path.join(c.state.masters[1]?.root ?? '', 'var', 'lib', 'belay', 'gossip', 'keyring.json')).mode & 0o077, 0, 'keyring is 0600');
  });
});

test('garbage UDP at a real coordinator: dropped and counted in /metrics, membership unchanged', async () => {
  const dgram = await import('node:dgram');
  await withCluster({ masters: 3 }, async (c) => {
    const target = c.state.masters[0]?.address ?? '';
    const sock = dgram.createSocket('udp4');
    try {
      // random bytes of every length class, and packets that look like a seal (version 1) but are not
      for (let i = 0; i < 2000; i++) {
        const len = [0, 1, 12, 28, 29, 60, 500, 1400, 9000][i % 9] ?? 10;
        const b = Buffer.alloc(len);
        for (let j = 0; j < len; j++) b[j] = Math.floor(Math.random() * 256);
        if (i % 2 === 0 && len > 0) b[0] = 1;
        await new Promise<void>((resolve) => sock.send(b, 7703, target, () => resolve()));
        // Paced, so that the kernel's socket buffer does not overflow: what never reaches the coordinator cannot be counted.
        if (i % 2 === 1) await new Promise((r) => setTimeout(r, 1));
      }
    } finally {
      sock.close();
    }
    const metrics = await eventually(
      async () => {
        const text = await (await fetch(`http://${target}:7712/metrics`)).text();
        const dropped = [...text.matchAll(/^belay_gossip_packets_dropped_total\{reason="(\w+)"[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[2]), 0);
        assert.ok(
          dropped >= 2000,
          `dropped ${dropped} of 2000:\n${text
            .split('\n')
            .filter((l) => l.includes('dropped'))
            .join('\n')}`,
        );
        return text;
      },
      { timeoutMs: 10_000, intervalMs: 300 },
    );
    assert.match(metrics, /belay_gossip_packets_dropped_total\{reason="auth"[^}]*\} \d+/);
    assert.match(metrics, /belay_gossip_packets_dropped_total\{reason="short"[^}]*\} \d+/);
    for (const n of ['m1', 'm2', 'm3']) assert.deepEqual(Object.values(await view(c, n)), ['alive', 'alive', 'alive']);
    assert.match(c.log('m1', 'coordinator'), /gossip packet failed authentication/);
  });
});
