import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import YAML from 'yaml';
import { runtimeCommand, showServers } from '../../agent/balancer/runtime-api.js';
import { startLoad } from '../harness/apiserver-load.js';
import { belayctl } from '../harness/belayctl.js';
import { eventually, withCluster, type TestCluster } from '../harness/cluster.js';

/**
 * A master joins a running cluster with its control plane: the leader joins
 * its etcd member, deploys its apiserver and haproxy, and adds it to every
 * other master's haproxy through the runtime API (haproxy reads haproxy.cfg
 * only at start; a restart would drop its connections).
 */

const socketOf = (root: string): string => path.join(root, 'run/belay/haproxy/admin.sock');

async function haproxyPid(root: string): Promise<string> {
  return /^Pid: (\d+)$/m.exec(await runtimeCommand(socketOf(root), 'show info'))?.[1] ?? '';
}

function adminTls(root: string): { ca: Buffer; cert: Buffer; key: Buffer } {
  const conf = YAML.parse(fs.readFileSync(path.join(root, 'etc/kubernetes/admin.conf'), 'utf8')) as { clusters: { cluster: Record<string, string> }[]; users: { user: Record<string, string> }[] };
  const b64 = (x: string | undefined): Buffer => Buffer.from(x ?? '', 'base64');
  return { ca: b64(conf.clusters[0]?.cluster['certificate-authority-data']), cert: b64(conf.users[0]?.user['client-certificate-data']), key: b64(conf.users[0]?.user['client-key-data']) };
}

async function applyMasters(c: TestCluster, n: number): Promise<void> {
  const spec = YAML.parse((await belayctl(['get', 'cluster', '-o', 'yaml'], c.env)).stdout) as { spec: { masters: unknown[] } };
  spec.spec.masters = c.state.masters.slice(0, n).map(({ name, address }) => ({ name, address }));
  const file = path.join(c.dir, `cluster-${n}.yaml`);
  fs.writeFileSync(file, YAML.stringify(spec));
  const r = await belayctl(['apply', '-f', file], c.env);
  assert.equal(r.code, 0, r.stderr);
}

test('a 4th master joins: its control plane is deployed and every running haproxy gets it as a server, without a restart or a failed request; pki check names the apiservers to restart for its address', { timeout: 400_000 }, async () => {
  await withCluster({ masters: 4, bootstrap: true, specMasters: 3, controlPlane: true }, async (c) => {
    const three = c.state.masters.slice(0, 3);
    const m4 = c.state.masters[3];
    assert.ok(m4);
    for (const m of three) assert.deepEqual((await showServers(socketOf(m.root), 'kube-apiserver')).map((s) => s.name), ['m1', 'm2', 'm3']);
    const pids = await Promise.all(three.map((m) => haproxyPid(m.root)));

    // when the spec grows to 4 masters, under a client loop through the 3 running balancers
    const load = startLoad({ targets: three.map((m) => ({ host: m.address, port: 8443 })), tls: adminTls(three[0]?.root ?? ''), path: '/api/v1/namespaces/default/configmaps', maxRequests: 200_000, keepAlive: true });
    await applyMasters(c, 4);

    // then m4's apiserver is a server of every haproxy (its own from haproxy.cfg, the others added at run time), READY and UP
    await eventually(
      async () => {
        for (const m of c.state.masters) {
          const servers = await showServers(socketOf(m.root), 'kube-apiserver');
          assert.deepEqual(servers.map((s) => `${s.name} ${s.adminState} ${s.operationalState}`), ['m1 READY UP', 'm2 READY UP', 'm3 READY UP', 'm4 READY UP'], `haproxy on ${m.name}`);
        }
      },
      { timeoutMs: 180_000, intervalMs: 1_000 },
    );
    const seen = await load.stop();
    process.stderr.write(`grow: requests ${seen.sent}, failed ${seen.failed}, sent again after a stale keep-alive connection ${seen.retriedStale} ${JSON.stringify(seen.errors)} ${seen.samples.join(' | ')}\n`);
    // and no haproxy was restarted to get there, no request failed, and haproxy.cfg says the same for the next start
    assert.deepEqual(await Promise.all(three.map((m) => haproxyPid(m.root))), pids);
    assert.equal(seen.failed, 0, seen.samples.join('\n'));
    assert.ok(seen.ok > 50, `only ${seen.ok} requests answered`);
    for (const m of c.state.masters) assert.match(fs.readFileSync(path.join(m.root, 'etc/haproxy/haproxy.cfg'), 'utf8'), /server m4 /);

    // when the certificates are checked: m1-m3's apiservers still serve the certificates they started with, without
    // m4's address (m4's balancer sends clients to them too), while the files on disk have it
    const stale = await belayctl(['pki', 'check', '-o', 'json'], c.env);
    assert.equal(stale.code, 1, stale.stdout + stale.stderr);
    const findings = (JSON.parse(stale.stdout) as { findings: { master: string; severity: string; message: string; fix: string }[] }).findings;
    assert.deepEqual(findings.map((f) => `${f.master} ${f.severity} ${f.fix}`), ['m1', 'm2', 'm3'].map((m) => `${m} error belayctl rollout restart apiserver`), stale.stdout);
    assert.ok(findings.every((f) => f.message.includes(m4.address)), stale.stdout);
    // then the fix it names, a restart of the apiservers one at a time, leaves every certificate fine
    const restart = await belayctl(['rollout', 'restart', 'apiserver'], c.env);
    assert.equal(restart.code, 0, restart.stderr + restart.stdout);
    const fine = await belayctl(['pki', 'check'], c.env);
    assert.equal(fine.code, 0, fine.stdout + fine.stderr);
    assert.match(fine.stdout, /^all certificates of m1, m2, m3, m4 are fine$/m);
  });
});
