import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import YAML from 'yaml';
import { ManifestInventory } from '../../agent/manifests/inventory.js';
import { KubeletPods, type PodStatus } from '../../agent/manifests/kubelet-pods.js';
import { ManifestStore } from '../../agent/manifests/store.js';
import { ManifestWatcher } from '../../agent/manifests/watcher.js';
import { createCa, issueCert } from '../../coordinator/pki/ca.js';
import { silentLogger } from '../../proto/common/log.js';
import { freePort } from '../harness/etcd.js';
import { eventually } from '../harness/eventually.js';
import { tempDir } from '../harness/runtimes.js';
import { spawnForTest } from '../harness/spawn-for-test.js';

/**
 * The agent's view of kubelet's pods (runtime `kubelet`) against the kubelet
 * stand-in, which runs static pods as processes and serves /pods as kubelet
 * does (there is no kubelet binary here).
 */

const TOP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = pathToFileURL(path.join(TOP, 'node_modules/tsx/dist/loader.mjs')).href;
const STAND_IN = path.join(TOP, 'test/stand-ins/kubelet-stand-in.ts');
/** Listens after argv[3] ms (as an apiserver listens once its storage is up) and answers its tag (argv[2]). */
const SERVER =
  "setTimeout(() => require('http').createServer((q, s) => s.end(process.argv[2])).listen(+process.argv[1], '127.0.0.1'), +process.argv[3]); process.on('SIGTERM', () => process.exit(0));";

function tagServed(port: number): Promise<string> {
  return new Promise((resolve) => {
    http
      .get({ host: '127.0.0.1', port, path: '/ready', agent: false, timeout: 1_000 }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(body));
      })
      .on('error', () => resolve(''));
  });
}

test(
  "kubelet runtime: the agent reads kubelet's /pods, recovers when kubelet loads its client CA late, and never takes the old pod for the new one",
  { timeout: 90_000 },
  async (t) => {
    const dir = tempDir(t, 'belay-kubelet-pods-');
    const manifests = path.join(dir, 'manifests');
    const kubeletRoot = path.join(dir, 'kubelet');
    fs.mkdirSync(manifests);
    const ca = await createCa({ clusterName: 'kubelet-pods-test', days: 30 });
    const client = await issueCert(ca, { commonName: 'kube-apiserver-kubelet-client', dnsNames: [], ipAddresses: [], usages: ['client'], days: 30 });
    fs.writeFileSync(path.join(dir, 'client.crt'), client.certPem);
    fs.writeFileSync(path.join(dir, 'client.key'), client.keyPem, { mode: 0o600 });
    const caFile = path.join(dir, 'ca.crt');
    const [securePort, healthzPort, appPort] = [await freePort(), await freePort(), await freePort()];
    spawnForTest(
      t,
      process.execPath,
      [
        '--import',
        TSX,
        STAND_IN,
        `--port=${healthzPort}`,
        `--secure-port=${securePort}`,
        `--pod-manifest-path=${manifests}`,
        `--root-dir=${kubeletRoot}`,
        `--pod-log-dir=${path.join(dir, 'logs')}`,
        '--node-name=m1',
        `--client-ca-file=${caFile}`,
      ],
      { BELAY_IMAGE: undefined },
    );

    const store = new ManifestStore({ manifestsDir: manifests, historyDir: path.join(dir, 'history') });
    const inventory = new ManifestInventory({ manifestsDir: manifests, store, raise: () => undefined });
    const watcher = new ManifestWatcher({ manifestsDir: manifests, inventory, log: silentLogger() });
    await watcher.start();
    const events: string[] = [];
    const pods = new KubeletPods({
      inventory,
      cfg: {
        podsUrl: `https://127.0.0.1:${securePort}/pods`,
        servingCert: path.join(kubeletRoot, 'pki/kubelet.crt'),
        clientCert: path.join(dir, 'client.crt'),
        clientKey: path.join(dir, 'client.key'),
        nodeName: 'm1',
        pollIntervalMs: 100,
      },
      host: (p) => p,
      log: silentLogger(),
      raise: (e) => events.push(`${e.kind} ${e.message}`),
    });
    pods.start();
    t.after(async () => {
      pods.stop();
      await watcher.stop();
    });

    const write = (tag: string, delayMs: number): string => {
      const pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web', namespace: 'kube-system', annotations: { 'belay.test/tag': tag } },
        spec: {
          terminationGracePeriodSeconds: 5,
          containers: [
            {
              name: 'web',
              image: `registry.test/web:${tag}`,
              command: [process.execPath, '-e', SERVER],
              args: [String(appPort), tag, String(delayMs)],
              readinessProbe: { httpGet: { path: '/ready', port: appPort }, periodSeconds: 1 },
            },
          ],
        },
      };
      const text = YAML.stringify(pod);
      fs.writeFileSync(path.join(manifests, '.web.yaml.tmp'), text);
      fs.renameSync(path.join(manifests, '.web.yaml.tmp'), path.join(manifests, 'web.yaml'));
      return text;
    };
    const status = (): PodStatus => pods.podStatus('web.yaml');
    const sha = (): string => inventory.byFile('web.yaml')?.info.sha256 ?? '';

    // given a pod kubelet runs while it has no client CA yet: the agent is refused (401) on a kept connection
    write('v1', 0);
    await eventually(() => assert.match(status().podNotReadyReason, /HTTP 401/), { timeoutMs: 20_000, intervalMs: 100 });
    // when kubelet loads the cluster CA, then the agent asks again on a new connection and sees the pod ready, running the manifest
    fs.writeFileSync(caFile, ca.certPem);
    await eventually(
      () => {
        const s = status();
        assert.ok(s.podReady && s.runningSha256 === sha() && sha() !== '', JSON.stringify(s));
        assert.equal(s.podPhase, 'Running');
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    assert.ok(
      events.some((e) => e.startsWith("PodReady kubelet's pod web is ready")),
      events.join('\n'),
    );

    // when the manifest changes to a version that listens 1.5 s after it starts
    const newSha = createHash('sha256').update(write('v2', 1_500)).digest('hex');
    await eventually(() => assert.equal(sha(), newSha), { timeoutMs: 5_000, intervalMs: 20 });
    // then, sampled every 50 ms, the agent reports it ready on the new manifest only once the new pod answers
    const seen = new Set<string>();
    let first: PodStatus | undefined;
    const deadline = Date.now() + 30_000;
    while (!first && Date.now() < deadline) {
      const s = status();
      seen.add(
        s.runningSha256 === newSha
          ? `new ${s.podReady ? 'ready' : 'not ready'}`
          : s.runningSha256 === ''
            ? `none ${s.podReady}`
            : `old ${s.podReady ? 'ready' : 'not ready'}`,
      );
      if (s.podReady && s.runningSha256 === newSha) first = s;
      else await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(first, `never ready on the new manifest: ${[...seen].join(', ')}`);
    assert.equal(await tagServed(appPort), 'v2', 'ready on the new manifest while the new pod does not answer yet');
    assert.ok(seen.has('new not ready'), `the new pod was never seen starting: ${[...seen].join(', ')}`);
    assert.ok(first.podReadyForMs < 1_000, `ready for ${first.podReadyForMs} ms at once`);
  },
);
