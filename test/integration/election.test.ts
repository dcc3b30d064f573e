import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import YAML from 'yaml';
import { silentLogger } from '../../proto/common/log.js';
import { parseClusterSpec } from '../../coordinator/cluster/spec.js';
import { ETCD_KEYS } from '../../coordinator/cluster/etcd-keys.js';
import { EtcdCluster } from '../../coordinator/etcd/client.js';
import { LeaderElection } from '../../coordinator/etcd/election.js';
import { FencedWriter, NotLeader } from '../../coordinator/etcd/fenced.js';
import { clientUrl, peerUrl, renderEtcdManifest } from '../../coordinator/etcd/render.js';
import { issueCert } from '../../coordinator/pki/ca.js';
import { createEtcdCa, etcdMemberFiles } from '../../coordinator/pki/etcd.js';
import { eventually } from '../harness/eventually.js';

/** Leader election against a real etcd (Debian's 3.4) over TLS, as the coordinators run it. */

const ADDRESS = '127.0.6.1';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-election-'));
let etcd: ChildProcess | undefined;
const clusters: EtcdCluster[] = [];
after(() => {
  clusters.forEach((c) => c.close());
  etcd?.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

async function startEtcd(): Promise<EtcdCluster> {
  const spec = parseClusterSpec(
    `apiVersion: belay.dev/v1alpha1\nkind: Cluster\nmetadata: {name: election}\nspec:\n  masters: [{name: m1, address: ${ADDRESS}}]\n  etcd: {clientPort: 23790, peerPort: 23800, metricsPort: 23810}\n`,
  );
  const ca = await createEtcdCa('election');
  for (const f of await etcdMemberFiles(ca, { name: 'm1', address: ADDRESS })) {
    const p = path.join(dir, 'etc/kubernetes/pki', f.path);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, f.content, { mode: f.mode });
  }
  const pod = YAML.parse(
    renderEtcdManifest({ spec, master: 'm1', root: dir, state: 'new', initialCluster: [{ name: 'm1', peerUrl: peerUrl(spec, 'm1') }] }),
  ) as { spec: { containers: { command: string[] }[] } };
  const [bin = 'etcd', ...args] = pod.spec.containers[0]?.command ?? [];
  etcd = spawn(bin, args, { stdio: 'ignore' });
  const me = await issueCert(ca, { commonName: 'belay-coordinator-test', dnsNames: [], ipAddresses: [], usages: ['client'], days: 1 });
  const tls = { ca: Buffer.from(ca.certPem), cert: Buffer.from(me.certPem), key: Buffer.from(me.keyPem) };
  const probe = new EtcdCluster([clientUrl(spec, 'm1')], tls);
  clusters.push(probe);
  await eventually(async () => assert.ok((await probe.status(clientUrl(spec, 'm1'))).ok), { timeoutMs: 20_000, intervalMs: 200 });
  return probe;
}

test(
  "one leader at a time; its term is the key's revision and only grows; losing the key or stepping down ends leadership at once",
  { timeout: 60_000 },
  async () => {
    const cluster = await startEtcd();
    const leading = new Map<string, { term: number; signal: AbortSignal }>();
    const make = (me: string): LeaderElection => {
      const c = new EtcdCluster(cluster.endpoints, cluster.tls);
      clusters.push(c);
      return new LeaderElection({ cluster: c, me, ttlSeconds: 3, log: silentLogger(), onElected: (term, signal) => leading.set(me, { term, signal }) });
    };
    const a = make('a');
    const b = make('b');
    a.start();
    b.start();
    const first = await eventually(
      () => {
        const live = [...leading.entries()].filter(([, l]) => !l.signal.aborted);
        assert.equal(live.length, 1);
        return live[0] ?? assert.fail();
      },
      { timeoutMs: 15_000, intervalMs: 50 },
    );
    const [name, { term, signal }] = first;
    assert.ok(term > 0);
    assert.deepEqual(await a.current(), { name, term });
    // stays one leader for a while (the other keeps campaigning)
    await new Promise((r) => setTimeout(r, 2_000));
    assert.equal([...leading.values()].filter((l) => !l.signal.aborted).length, 1);

    // someone deletes the key (a restore does): the holder stops at once, a new leader has a higher term
    await cluster.kv.delete().key(ETCD_KEYS.leader);
    await eventually(() => assert.equal(signal.aborted, true), { timeoutMs: 3_000, intervalMs: 50 });
    const second = await eventually(
      async () => {
        const now = await a.current();
        assert.ok(now && now.term > term, JSON.stringify(now));
        return now;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    // only one believes it leads, and it is the one etcd names
    await eventually(
      () => {
        const live = [...leading.entries()].filter(([, l]) => !l.signal.aborted);
        assert.deepEqual(
          live.map(([n, l]) => [n, l.term]),
          [[second.name, second.term]],
        );
      },
      { timeoutMs: 5_000, intervalMs: 50 },
    );

    // the deposed leader's writes under /belay/ are refused by etcd itself; the current leader's apply
    await assert.rejects(new FencedWriter(cluster, term).put('/belay/test', 'old'), NotLeader);
    await new FencedWriter(cluster, second.term).put('/belay/test', 'new');
    assert.equal(await cluster.kv.get('/belay/test').string(), 'new');

    // a graceful stop revokes the lease: the other takes over within a retry, not a TTL
    const holder = second.name === 'a' ? a : b;
    const other = second.name === 'a' ? b : a;
    const t0 = Date.now();
    await holder.stop();
    const third = await eventually(
      async () => {
        const now = await other.current();
        assert.ok(now && now.name !== second.name && now.term > second.term, JSON.stringify(now));
        return now;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    assert.ok(Date.now() - t0 < 3_000, `takeover took ${Date.now() - t0} ms`);
    assert.equal(other.isLeader, true);
    assert.equal(other.term, third.term);
    await other.stop();
  },
);
