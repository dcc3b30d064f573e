import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startLoad } from '../harness/apiserver-load.js';
import { belayctl } from '../harness/belayctl.js';
import { eventually, withCluster } from '../harness/cluster.js';
import { adminTls, apiserverVersion, assertCarefulRollout, watchBackends } from '../harness/control-plane.js';
import { freePort } from '../harness/etcd.js';

/**
 * The `kubelet` runtime end to end: each master's agent supervises a kubelet
 * (the stand-in in test/stand-ins, which runs static pods as processes and
 * serves kubelet's /pods; there is no kubelet binary here) and learns from its
 * /pods which pod runs and whether it is Ready. etcd, haproxy, the apiservers,
 * scheduler and controller-manager all run under it. A rollout must tell the
 * old apiserver pod, Ready until kubelet replaces it, from the new one: had it
 * taken the old one's readiness for the new one's, it would enable a master
 * that is still starting and drain the next, and two would be out at once.
 */

const TOP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = pathToFileURL(path.join(TOP, 'node_modules/tsx/dist/loader.mjs')).href;
const STAND_IN = path.join(TOP, 'test/stand-ins/kubelet-stand-in.ts');

test(
  "kubelet runtime: the whole control plane under kubelet, and an apiserver rollout that waits for kubelet's new pods: never two out, no failed request",
  { timeout: 600_000 },
  async () => {
    const healthzPorts = [await freePort(), await freePort(), await freePort()];
    await withCluster(
      {
        masters: 3,
        runtime: 'kubelet',
        bootstrap: true,
        controlPlane: true,
        agentServices: (m) => {
          const i = Number(m.name.slice(1)) - 1;
          const healthz = healthzPorts[i] ?? 0;
          return {
            kubelet: {
              mode: 'child',
              command: [
                process.execPath,
                '--import',
                TSX,
                STAND_IN,
                `--port=${healthz}`,
                `--address=${m.address}`,
                '--secure-port=10250',
                `--node-name=${m.name}`,
                `--pod-manifest-path=${path.join(m.root, 'etc/kubernetes/manifests')}`,
                `--root-dir=${path.join(m.root, 'var/lib/kubelet')}`,
                `--client-ca-file=${path.join(m.root, 'etc/kubernetes/pki/ca.crt')}`,
                `--pod-log-dir=${path.join(m.root, 'var/log/pods')}`,
              ],
              health: { type: 'http', url: `http://127.0.0.1:${healthz}/healthz` },
            },
          };
        },
      },
      async (c) => {
        const env = c.env;
        const masters = c.state.masters.map((m) => ({ name: m.name, root: m.root, address: m.address }));
        // given every pod reported from kubelet's /pods, running the manifest as written, Ready
        for (const m of masters) {
          const listed = JSON.parse((await belayctl(['manifests', 'list', m.name, '-o', 'json'], env)).stdout) as {
            manifests: { file: string; sha256: string; runningSha256: string; podReady: boolean }[];
          };
          assert.deepEqual(
            listed.manifests.map((x) => `${x.file} ${x.podReady} ${x.runningSha256 === x.sha256}`),
            ['etcd.yaml', 'haproxy.yaml', 'kube-apiserver.yaml', 'kube-controller-manager.yaml', 'kube-scheduler.yaml'].map((f) => `${f} true true`),
            `${m.name}: ${JSON.stringify(listed)}`,
          );
        }
        const tls = adminTls(masters[0]?.root ?? '');
        for (const m of masters) assert.equal(await apiserverVersion(m.address, tls), 'v1.31.0');

        // when the apiserver is rolled out under a client loop through the balancers
        const load = startLoad({
          targets: masters.map((m) => ({ host: m.address, port: 8443 })),
          tls,
          path: '/api/v1/namespaces/default/configmaps',
          maxRequests: 200_000,
          keepAlive: true,
        });
        const backends = watchBackends(masters);
        const t0 = performance.now();
        const r = await belayctl(['rollout', 'apiserver', '--image', 'registry.k8s.io/kube-apiserver:v1.31.1'], env);
        const took = (performance.now() - t0) / 1000;
        const seen = await load.stop();
        const out = await backends.stop();
        process.stderr.write(
          `kubelet-runtime rollout: ${took.toFixed(1)} s; requests ${seen.sent}, failed ${seen.failed}, sent again after a stale keep-alive connection ${seen.retriedStale} ${JSON.stringify(seen.errors)}; backends sampled ${out.samples}×, most out at once ${out.maxOut} (${out.outSeen.join(', ')})\n`,
        );
        // then it completes master by master, with at most one out of the balancers and no failed request
        assertCarefulRollout(r, seen, out);
        // and kubelet runs the new manifest everywhere
        for (const m of masters) assert.equal(await apiserverVersion(m.address, tls), 'v1.31.1');
        await eventually(
          async () => {
            for (const m of masters) {
              const listed = JSON.parse((await belayctl(['manifests', 'list', m.name, '-o', 'json'], env)).stdout) as {
                manifests: { file: string; sha256: string; runningSha256: string; podReady: boolean }[];
              };
              const api = listed.manifests.find((x) => x.file === 'kube-apiserver.yaml');
              assert.ok(api?.podReady && api.runningSha256 === api.sha256, `${m.name}: ${JSON.stringify(api)}`);
            }
          },
          { timeoutMs: 15_000 },
        );
      },
    );
  },
);
