import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import YAML from 'yaml';
import { showServers } from '../../agent/balancer/runtime-api.js';
import { startLoad, type LoadTarget } from '../harness/apiserver-load.js';
import { belayctl } from '../harness/belayctl.js';
import { adminTls, apiserverVersion, assertCarefulRollout, watchBackends } from '../harness/control-plane.js';
import { etcdctl } from '../harness/etcdctl.js';
import { eventually, withCluster } from '../harness/cluster.js';

test(
  'rollout apiserver: master by master behind the balancers, no failed request, never two out; a version that never gets ready is rolled back and halts',
  { timeout: 600_000 },
  async () => {
    await withCluster({ masters: 3, bootstrap: true, controlPlane: true }, async (c) => {
      const env = c.env;
      const masters = c.state.masters.map((m) => ({ name: m.name, root: m.root, address: m.address }));
      // given a shorter stable window and ready timeout than the defaults (2s, 2m), so the test is quick
      const spec = YAML.parse((await belayctl(['get', 'cluster', '-o', 'yaml'], env)).stdout) as { spec: { rollout: Record<string, string> } };
      spec.spec.rollout = { stableWindow: '2s', readyTimeout: '15s' };
      const file = path.join(c.dir, 'cluster-rollout.yaml');
      fs.writeFileSync(file, YAML.stringify(spec));
      const applied = await belayctl(['apply', '-f', file], env);
      assert.equal(applied.code, 0, applied.stderr);

      const tls = adminTls(masters[0]?.root ?? '');
      const targets: LoadTarget[] = masters.map((m) => ({ host: m.address, port: 8443 }));
      for (const m of masters) assert.equal(await apiserverVersion(m.address, tls), 'v1.31.0');

      // when the apiserver is rolled out under a client loop through the balancers
      let load = startLoad({ targets, tls, path: '/api/v1/namespaces/default/configmaps', maxRequests: 200_000 });
      let backends = watchBackends(masters);
      const t0 = performance.now();
      const r = await belayctl(['rollout', 'apiserver', '--image', 'registry.k8s.io/kube-apiserver:v1.31.1'], env);
      const took = performance.now() - t0;
      let seen = await load.stop();
      let out = await backends.stop();
      process.stderr.write(
        `rollout: ${(took / 1000).toFixed(1)} s; requests ${seen.sent}, failed ${seen.failed} ${JSON.stringify(seen.errors)} ${seen.samples.join(' | ')}; backend samples ${out.samples}, most out at once ${out.maxOut} (${out.outSeen.join(', ')})\n`,
      );
      // then no client request failed, each master was out in turn, never two at once
      assertCarefulRollout(r, seen, out);
      for (const m of masters) assert.equal(await apiserverVersion(m.address, tls), 'v1.31.1');
      const history = await belayctl(['rollout', 'history', 'apiserver'], env);
      assert.match(history.stdout, /1\s+complete\s+3\/3/);

      // a rollout while none runs but with nothing to change is refused
      const same = await belayctl(['rollout', 'apiserver', '--image', 'registry.k8s.io/kube-apiserver:v1.31.1'], env);
      assert.equal(same.code, 1, same.stderr);
      assert.match(same.stderr, /nothing to roll out/);

      // when a version that never gets ready is rolled out
      load = startLoad({ targets, tls, path: '/api/v1/namespaces/default/configmaps', maxRequests: 200_000 });
      backends = watchBackends(masters);
      const bad = await belayctl(['rollout', 'apiserver', '--image', 'registry.k8s.io/kube-apiserver:v1.31.2-stand-in-never-ready'], env);
      seen = await load.stop();
      out = await backends.stop();
      process.stderr.write(
        `halted rollout: requests ${seen.sent}, failed ${seen.failed} ${JSON.stringify(seen.errors)}; most out at once ${out.maxOut} (${out.outSeen.join(', ')})\n`,
      );
      // then it halts on m1, which is rolled back; m2 and m3 are never touched; the balancers kept serving
      assert.equal(bad.code, 1, bad.stdout + bad.stderr);
      assert.match(bad.stderr, /halted/);
      assert.match(bad.stderr, /m1/);
      assert.equal(seen.failed, 0, seen.samples.join('\n'));
      assert.deepEqual(out.outSeen, ['m1']);
      const st = await belayctl(['rollout', 'status', 'apiserver'], env);
      assert.equal(st.code, 1, 'status of a halted rollout exits 1');
      assert.match(st.stdout, /failed on m1/);
      assert.match(st.stdout, /probe: .*readiness|probe: .*not ready|probe: /);
      for (const m of masters) assert.equal(await apiserverVersion(m.address, tls), 'v1.31.1');
      await eventually(
        async () => {
          for (const m of masters) {
            const servers = await showServers(path.join(m.root, 'run/belay/haproxy/admin.sock'), 'kube-apiserver');
            assert.deepEqual(servers.map((s) => `${s.name} ${s.adminState} ${s.operationalState}`).sort(), ['m1 READY UP', 'm2 READY UP', 'm3 READY UP']);
          }
        },
        { timeoutMs: 15_000 },
      );
      // and undo goes back to the previous revision's image the same careful way
      const undo = await belayctl(['rollout', 'undo', 'apiserver'], env);
      assert.equal(undo.code, 0, undo.stderr + undo.stdout);

      // when the scheduler is restarted (as after new certificates: they are read only at start)
      const restart = await belayctl(['rollout', 'restart', 'scheduler'], env);
      assert.equal(restart.code, 0, restart.stderr + restart.stdout);
      assert.match(restart.stdout, /kube-scheduler revision 1: complete, 3 of 3 done/);
      // then every master runs a scheduler started from a manifest that differs by the restartedAt annotation alone
      for (const m of masters) {
        const text = fs.readFileSync(path.join(m.root, 'etc/kubernetes/manifests/kube-scheduler.yaml'), 'utf8');
        assert.match(text, /kubectl\.kubernetes\.io\/restartedAt: "?\d{4}-\d\d-\d\dT/);
        const listed = JSON.parse((await belayctl(['manifests', 'list', m.name, '-o', 'json'], env)).stdout) as {
          manifests: { file: string; sha256: string; runningSha256: string; podReady: boolean }[];
        };
        const sched = listed.manifests.find((x) => x.file === 'kube-scheduler.yaml');
        assert.equal(sched?.runningSha256, sched?.sha256, `${m.name}'s scheduler runs the restarted manifest`);
        assert.equal(sched?.podReady, true);
      }
      const restarts = await belayctl(['rollout', 'history', 'scheduler'], env);
      assert.match(restarts.stdout, /1\s+complete\s+3\/3.*restart \(restartedAt/);
    });
  },
);

test(
  'rollout apiserver: kill -9 of the leader coordinator mid-rollout → another resumes and finishes it, never two masters out, no failed request',
  { timeout: 600_000 },
  async () => {
    await withCluster({ masters: 3, bootstrap: true, controlPlane: true }, async (c) => {
      const env = c.env;
      const masters = c.state.masters.map((m) => ({ name: m.name, root: m.root, address: m.address }));
      const tls = adminTls(masters[0]?.root ?? '');
      const load = startLoad({
        targets: masters.map((m) => ({ host: m.address, port: 8443 })),
        tls,
        path: '/api/v1/namespaces/default/configmaps',
        maxRequests: 200_000,
      });
      const backends = watchBackends(masters);
      // when a rollout is started and its leader is killed while the second master is out
      const started = await belayctl(['rollout', 'apiserver', '--image', 'registry.k8s.io/kube-apiserver:v1.31.1', '--no-wait'], env);
      assert.equal(started.code, 0, started.stderr);
      // Read from etcd with plain etcdctl (a belayctl start per sample is seconds on a loaded machine, and m2 is out for ~15 s).
      let leader = '';
      await eventually(
        async () => {
          const rec = await etcdctl(c, 'm1', ['get', '/belay/rollout/kube-apiserver/000001', '--print-value-only']);
          assert.equal((JSON.parse(rec.out || '{}') as { current?: { master: string } }).current?.master, 'm2');
          leader = (await etcdctl(c, 'm1', ['get', '/belay/leader', '--print-value-only'])).out.trim();
          assert.ok(leader, 'a leader');
        },
        { timeoutMs: 120_000, intervalMs: 100 },
      );
      c.kill(leader, 'coordinator');
      const others = masters.map((m) => m.name).filter((n) => n !== leader);
      const ask = { ...env, BELAY_ENDPOINT: `${masters.find((m) => m.name === others[0])?.address ?? ''}:7702` };
      // then another coordinator takes the lease and finishes the rollout
      await eventually(
        async () => {
          const st = JSON.parse((await belayctl(['rollout', 'status', 'apiserver', '-o', 'json'], ask)).stdout) as {
            record: { state: string; done: string[] } | null;
          };
          assert.equal(st.record?.state, 'complete');
          assert.deepEqual([...(st.record?.done ?? [])].sort(), ['m1', 'm2', 'm3']);
        },
        { timeoutMs: 180_000, intervalMs: 500 },
      );
      const newLeader = (JSON.parse((await belayctl(['status', '-o', 'json'], ask)).stdout) as { leader: string }).leader;
      const seen = await load.stop();
      const out = await backends.stop();
      process.stderr.write(
        `leader ${leader} killed mid-rollout, ${newLeader} finished it; requests ${seen.sent}, failed ${seen.failed} ${JSON.stringify(seen.errors)}; most out at once ${out.maxOut}\n`,
      );
      assert.notEqual(newLeader, leader);
      assert.equal(out.maxOut, 1, 'never two masters out, also across the leader change');
      assert.equal(seen.failed, 0, seen.samples.join('\n'));
      for (const m of masters) assert.equal(await apiserverVersion(m.address, tls), 'v1.31.1');
      c.restart(leader, 'coordinator');
    });
  },
);
