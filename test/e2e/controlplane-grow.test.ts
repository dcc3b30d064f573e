import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import YAML from 'yaml';
import { runtimeCommand, showServers } from '../../agent/balancer/runtime-api.js';
import { startLoad } from '../harness/apiserver-load.js';
import { belayctl } from '../harness/belayctl.js';
import { adminTls } from '../harness/control-plane.js';
import { eventually, withCluster, type TestCluster } from '../harness/cluster.js';

/**
 * A master joins a running cluster with its control plane: the leader joins
 * its etcd member, deploys its apiserver and haproxy, and adds it to every
 * other master's haproxy through the runtime API (haproxy reads haproxy.cfg
 * only at start; a restart would drop its connections); then restarts the
 * other apiservers, which serve certificates without the new address.
 */

const socketOf = (root: string): string => path.join(root, 'run/belay/haproxy/admin.sock');

async function haproxyPid(root: string): Promise<string> {
  return /^Pid: (\d+)$/m.exec(await runtimeCommand(socketOf(root), 'show info'))?.[1] ?? '';
}

async function applyMasters(c: TestCluster, n: number): Promise<void> {
  const spec = YAML.parse((await belayctl(['get', 'cluster', '-o', 'yaml'], c.env)).stdout) as { spec: { masters: unknown[] } };
  spec.spec.masters = c.state.masters.slice(0, n).map(({ name, address }) => ({ name, address }));
  const file = path.join(c.dir, `cluster-${n}.yaml`);
  fs.writeFileSync(file, YAML.stringify(spec));
  const r = await belayctl(['apply', '-f', file], c.env);
  assert.equal(r.code, 0, r.stderr);
}

test(
  'a 4th master joins: its control plane is deployed and every running haproxy gets it as a server, without a restart or a failed request; the leader restarts the apiservers whose served certificates lack its address',
  { timeout: 400_000 },
  async () => {
    await withCluster({ masters: 4, bootstrap: true, specMasters: 3, controlPlane: true }, async (c) => {
      const three = c.state.masters.slice(0, 3);
      const m4 = c.state.masters[3];
      assert.ok(m4);
      for (const m of three)
        assert.deepEqual(
          (await showServers(socketOf(m.root), 'kube-apiserver')).map((s) => s.name),
          ['m1', 'm2', 'm3'],
        );
      const pids = await Promise.all(three.map((m) => haproxyPid(m.root)));

      // when the spec grows to 4 masters, under a client loop through the 3 running balancers
      const load = startLoad({
        targets: three.map((m) => ({ host: m.address, port: 8443 })),
        tls: adminTls(three[0]?.root ?? ''),
        path: '/api/v1/namespaces/default/configmaps',
        maxRequests: 200_000,
        keepAlive: true,
      });
      await applyMasters(c, 4);

      // then m4's apiserver is a server of every haproxy (its own from haproxy.cfg, the others added at run time), READY and UP
      await eventually(
        async () => {
          for (const m of c.state.masters) {
            const servers = await showServers(socketOf(m.root), 'kube-apiserver');
            assert.deepEqual(
              servers.map((s) => `${s.name} ${s.adminState} ${s.operationalState}`),
              ['m1 READY UP', 'm2 READY UP', 'm3 READY UP', 'm4 READY UP'],
              `haproxy on ${m.name}`,
            );
          }
        },
        { timeoutMs: 180_000, intervalMs: 1_000 },
      );
      for (const m of c.state.masters) assert.match(fs.readFileSync(path.join(m.root, 'etc/haproxy/haproxy.cfg'), 'utf8'), /server m4 /);
      assert.deepEqual(await Promise.all(three.map((m) => haproxyPid(m.root))), pids, 'no running haproxy restarted');

      // then the leader, finding that m1-m3's apiservers still serve the certificates they started with (without
      // m4's address, while m4's balancer sends clients to them too), restarts them itself, one at a time
      await eventually(
        async () => {
          const st = JSON.parse((await belayctl(['rollout', 'status', 'apiserver', '-o', 'json'], c.env)).stdout) as {
            record: { state: string; done: string[]; requestedBy: string } | null;
          };
          assert.match(st.record?.requestedBy ?? '', /^leader m\d \(certificates reissued: .*serves one without .*127\.\d+\.\d+\.4/, JSON.stringify(st.record));
          assert.equal(st.record?.state, 'complete');
          assert.deepEqual([...(st.record?.done ?? [])].sort(), ['m1', 'm2', 'm3', 'm4']);
        },
        { timeoutMs: 240_000, intervalMs: 1_000 },
      );
      const seen = await load.stop();
      process.stderr.write(
        `grow and the leader's apiserver restart: requests ${seen.sent}, failed ${seen.failed}, sent again after a stale keep-alive connection ${seen.retriedStale} ${JSON.stringify(seen.errors)} ${seen.samples.join(' | ')}\n`,
      );
      // and no request failed through it all, and every served certificate is fine
      assert.equal(seen.failed, 0, seen.samples.join('\n'));
      assert.ok(seen.ok > 50, `only ${seen.ok} requests answered`);
      const fine = await belayctl(['pki', 'check'], c.env);
      assert.equal(fine.code, 0, fine.stdout + fine.stderr);
      assert.match(fine.stdout, /^all certificates of m1, m2, m3, m4 are fine$/m);
      const history = await belayctl(['rollout', 'history', 'apiserver'], c.env);
      assert.match(history.stdout, /1\s+complete\s+4\/4/, history.stdout);
    });
  },
);
