import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type https from 'node:https';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import YAML from 'yaml';
import { createCa, issueCert } from '../../coordinator/pki/ca.js';
import { freePort } from '../harness/etcd.js';
import { eventually } from '../harness/eventually.js';
import { httpsRequest } from '../harness/https-get.js';
import { defer, tempDir } from '../harness/runtimes.js';
import { spawnForTest, type SpawnedProcess } from '../harness/spawn-for-test.js';

const TOP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const STAND_IN = path.join(TOP, 'test/stand-ins/kubelet-stand-in.ts');
/** By path: spawnForTest runs from /, where `--import tsx` would not resolve. */
const TSX = pathToFileURL(path.join(TOP, 'node_modules/tsx/dist/loader.mjs')).href;
const NODE = 'stand-in-node';
const POD = `web-${NODE}`;

/**
 * The container: an HTTP server whose /ready answers 200; it writes
 * <dir>/<tag>.json (pid, env) at start and notes a SIGTERM in <tag>.signals.
 */
const SERVER = `
const fs = require('node:fs');
const [port, dir, tag] = process.argv.slice(1);
fs.writeFileSync(dir + '/' + tag + '.json', JSON.stringify({ pid: process.pid, image: process.env.BELAY_IMAGE, greeting: process.env.GREETING }));
process.on('SIGTERM', () => { fs.appendFileSync(dir + '/' + tag + '.signals', 'SIGTERM\\n'); process.exit(0); });
require('node:http').createServer((q, s) => s.writeHead(q.url === '/ready' ? 200 : 404).end(tag)).listen(Number(port), '127.0.0.1', () => console.log('serving ' + tag));
`;

interface PodItem {
  metadata: { name: string; namespace: string; uid: string; annotations: Record<string, string>; labels?: Record<string, string> };
  spec: { nodeName: string };
  status: {
    phase: string;
    conditions: { type: string; status: string; lastTransitionTime: string; reason?: string }[];
    containerStatuses: {
      name: string;
      image: string;
      ready: boolean;
      started: boolean;
      restartCount: number;
      state: Record<string, { exitCode?: number; reason?: string; startedAt?: string }>;
      lastState: { terminated?: { exitCode: number } };
    }[];
  };
}

const get = (url: string, tls: https.RequestOptions): Promise<{ code: number; text: string }> => httpsRequest(url, tls);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const isReady = (p: PodItem): boolean => p.status.conditions.find((c) => c.type === 'Ready')?.status === 'True';

function startKubelet(t: TestContext, args: string[]): SpawnedProcess {
  // The containers read BELAY_IMAGE: the developer's must not reach them.
  return spawnForTest(t, process.execPath, ['--import', TSX, STAND_IN, ...args], { BELAY_IMAGE: undefined });
}

test('kubelet stand-in: runs static pods and serves an authenticated /pods', { timeout: 60_000 }, async (t) => {
  const dir = tempDir(t, 'belay-kubelet-stand-in-');
  const manifests = path.join(dir, 'manifests');
  const root = path.join(dir, 'root');
  const logs = path.join(dir, 'logs');
  const run = path.join(dir, 'run');
  fs.mkdirSync(manifests);
  fs.mkdirSync(run);
  // The containers share the stand-in's process group; spawnForTest SIGKILLs the stand-in alone.
  defer(t, () => {
    for (const f of fs.readdirSync(run).filter((n) => n.endsWith('.json'))) {
      const { pid } = JSON.parse(fs.readFileSync(path.join(run, f), 'utf8')) as { pid: number };
      if (alive(pid) && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(run)) process.kill(pid, 'SIGKILL');
    }
  });
  const ca = await createCa({ clusterName: 'kubelet-stand-in-test', days: 30 });
  const client = await issueCert(ca, { commonName: 'belay-agent', dnsNames: [], ipAddresses: [], usages: ['client'], days: 30 });
  const caFile = path.join(dir, 'ca.crt');
  const [securePort, healthzPort, appPort] = [await freePort(), await freePort(), await freePort()];
  const flags = [
    `--port=${healthzPort}`,
    `--secure-port=${securePort}`,
    `--pod-manifest-path=${manifests}`,
    `--root-dir=${root}`,
    `--pod-log-dir=${logs}`,
    `--node-name=${NODE}`,
    `--client-ca-file=${caFile}`,
    '--file-check-frequency=2s',
  ];
  let kubelet = startKubelet(t, flags);
  const certFile = path.join(root, 'pki', 'kubelet.crt');
  // Pinned to the stand-in's own certificate, which names the node (as kubelet's names its host).
  const tls = (): https.RequestOptions => ({ ca: fs.readFileSync(certFile), servername: NODE, cert: client.certPem, key: client.keyPem });
  const url = `https://127.0.0.1:${securePort}`;
  const listPods = async (): Promise<PodItem[]> => {
    const r = await get(`${url}/pods`, tls());
    assert.equal(r.code, 200, r.text);
    const list = JSON.parse(r.text) as { kind: string; apiVersion: string; items: PodItem[] };
    assert.equal(list.kind, 'PodList');
    return list.items;
  };
  const write = (tag: string, annotation: string): void => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'kube-system', labels: { tier: 'control-plane' }, annotations: { 'belay.test/version': annotation } },
      spec: {
        hostNetwork: true,
        terminationGracePeriodSeconds: 5,
        volumes: [
          { name: 'data', hostPath: { path: path.join(dir, 'data', 'sub'), type: 'DirectoryOrCreate' } },
          { name: 'lock', hostPath: { path: path.join(dir, 'lock'), type: 'FileOrCreate' } },
        ],
        containers: [
          {
            name: 'server',
            image: `registry.test/web:${tag}`,
            command: [process.execPath, '-e', SERVER],
            args: [String(appPort), run, tag],
            env: [{ name: 'GREETING', value: 'hello' }],
            readinessProbe: { httpGet: { path: '/ready', port: appPort }, periodSeconds: 1 },
          },
        ],
      },
    };
    // As belay writes manifests: a dot-file the stand-in skips, renamed into place.
    fs.writeFileSync(path.join(manifests, '.web.yaml.tmp'), YAML.stringify(pod));
    fs.renameSync(path.join(manifests, '.web.yaml.tmp'), path.join(manifests, 'web.yaml'));
  };
  const started = (tag: string): { pid: number; image: string; greeting: string } =>
    JSON.parse(fs.readFileSync(path.join(run, `${tag}.json`), 'utf8')) as { pid: number; image: string; greeting: string };
  const readyPod = async (annotation: string): Promise<PodItem> =>
    eventually(
      async () => {
        assert.equal(kubelet.child.exitCode, null, kubelet.stderr());
        const items = await listPods();
        assert.equal(items.length, 1, JSON.stringify(items));
        const pod = items[0];
        assert.ok(pod && isReady(pod), JSON.stringify(pod?.status));
        assert.equal(pod.metadata.annotations['belay.test/version'], annotation);
        return pod;
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );

  await t.test('until --client-ca-file exists every request is 401; then a client of that CA gets /pods', async () => {
    const r = await eventually(() => get(`${url}/pods`, tls()), { timeoutMs: 15_000, intervalMs: 100 });
    assert.equal(r.code, 401);
    fs.writeFileSync(caFile, ca.certPem);
    assert.deepEqual(await eventually(listPods, { timeoutMs: 5_000, intervalMs: 100 }), []);
    assert.equal((fs.statSync(path.join(root, 'pki', 'kubelet.key')).mode & 0o777).toString(8), '600');
  });

  let v1: PodItem | undefined;
  await t.test("a static pod runs, and /pods lists it Ready with kubelet's annotations", async () => {
    write('v1', 'one');
    v1 = await readyPod('one');
    const m = v1.metadata;
    assert.equal(m.name, POD);
    assert.equal(m.namespace, 'kube-system');
    assert.match(m.uid, /^[0-9a-f]{32}$/);
    assert.equal(m.annotations['kubernetes.io/config.source'], 'file');
    assert.equal(m.annotations['kubernetes.io/config.hash'], m.uid);
    assert.ok(!Number.isNaN(Date.parse(m.annotations['kubernetes.io/config.seen'] ?? '')));
    assert.deepEqual(m.labels, { tier: 'control-plane' });
    assert.equal(v1.spec.nodeName, NODE);
    assert.equal(v1.status.phase, 'Running');
    assert.match(v1.status.conditions.find((c) => c.type === 'Ready')?.lastTransitionTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(v1.status.conditions.find((c) => c.type === 'ContainersReady')?.status, 'True');
    const [c] = v1.status.containerStatuses;
    assert.deepEqual(
      { name: c?.name, image: c?.image, ready: c?.ready, started: c?.started, restartCount: c?.restartCount },
      { name: 'server', image: 'registry.test/web:v1', ready: true, started: true, restartCount: 0 },
    );
    assert.ok(c?.state.running?.startedAt);
    // the host runtime's contract: the image as BELAY_IMAGE, env values, hostPaths made, logs in kubelet's layout
    assert.deepEqual({ ...started('v1'), pid: 0 }, { pid: 0, image: 'registry.test/web:v1', greeting: 'hello' });
    assert.ok(fs.statSync(path.join(dir, 'data', 'sub')).isDirectory());
    assert.ok(fs.statSync(path.join(dir, 'lock')).isFile());
    const log = path.join(logs, `kube-system_${POD}_${m.uid}`, 'server', '0.log');
    await eventually(() => assert.match(fs.readFileSync(log, 'utf8'), /serving v1/), { timeoutMs: 2_000 });
  });

  await t.test("without a client certificate, or with another CA's, the answer is 401 (or no TLS session)", async () => {
    assert.equal((await get(`${url}/pods`, { ca: fs.readFileSync(certFile), servername: NODE })).code, 401);
    const other = await createCa({ clusterName: 'other', days: 30 });
    const stranger = await issueCert(other, { commonName: 'belay-agent', dnsNames: [], ipAddresses: [], usages: ['client'], days: 30 });
    const code = await get(`${url}/pods`, { ...tls(), cert: stranger.certPem, key: stranger.keyPem }).then(
      (r) => r.code,
      () => 401,
    );
    assert.equal(code, 401);
    assert.equal((await get(`${url}/metrics`, tls())).code, 404);
  });

  await t.test('a changed manifest is a new pod: the old one gets SIGTERM and is gone before the new one is Ready', async (st) => {
    assert.ok(v1);
    const oldPid = started('v1').pid;
    const samples: PodItem[][] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        samples.push(await listPods());
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    try {
      write('v2', 'two');
      const v2 = await readyPod('two');
      assert.notEqual(v2.metadata.uid, v1.metadata.uid);
      assert.equal(v2.metadata.name, POD);
      assert.equal(alive(oldPid), false);
      assert.equal(fs.readFileSync(path.join(run, 'v1.signals'), 'utf8'), 'SIGTERM\n');
    } finally {
      polling = false;
      await poller;
    }
    st.diagnostic(`${samples.length} samples of /pods during the change`);
    for (const items of samples) assert.ok(items.filter((p) => p.metadata.name === POD && isReady(p)).length <= 1, JSON.stringify(items));
  });

  await t.test('a container that exits is restarted, with back-off', async () => {
    const crash = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'crash' },
      spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', command: ['sh', '-c', 'exit 3'] }] },
    };
    fs.writeFileSync(path.join(manifests, 'crash.json'), JSON.stringify(crash));
    const pod = await eventually(
      async () => {
        const p = (await listPods()).find((i) => i.metadata.name === `crash-${NODE}`);
        assert.ok(p && (p.status.containerStatuses[0]?.restartCount ?? 0) >= 1, JSON.stringify(p?.status));
        return p;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    assert.equal(pod.metadata.namespace, 'default');
    assert.equal(pod.status.containerStatuses[0]?.lastState.terminated?.exitCode, 3);
  });

  await t.test('a manifest that stops parsing leaves its pod running, through later rescans', async () => {
    const before = (await listPods()).find((p) => p.metadata.name === POD);
    const pid = started('v2').pid;
    fs.writeFileSync(path.join(manifests, '.web.yaml.tmp'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: [\n');
    fs.renameSync(path.join(manifests, '.web.yaml.tmp'), path.join(manifests, 'web.yaml'));
    await eventually(() => assert.match(kubelet.stderr(), /ignoring .*web\.yaml: not YAML.*keeps running/), { timeoutMs: 5_000 });
    // every scan reads the whole dir: removing another manifest makes one
    fs.rmSync(path.join(manifests, 'crash.json'));
    const after = await eventually(
      async () => {
        const items = await listPods();
        assert.deepEqual(
          items.map((p) => p.metadata.name),
          [POD],
        );
        return items;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    assert.equal(after[0]?.metadata.uid, before?.metadata.uid);
    assert.ok(after[0] && isReady(after[0]));
    assert.ok(alive(pid));
    assert.equal(kubelet.stderr().match(/ignoring .*web\.yaml/g)?.length, 1, 'logged once');
  });

  await t.test('a removed manifest stops its pod; SIGTERM stops every pod and exits 0; the certificate is kept', async () => {
    const pid = started('v2').pid;
    fs.rmSync(path.join(manifests, 'web.yaml'));
    await eventually(
      async () => {
        assert.deepEqual(await listPods(), []);
        assert.equal(alive(pid), false);
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );

    write('v3', 'three');
    await readyPod('three');
    const v3 = started('v3').pid;
    kubelet.child.kill('SIGTERM');
    assert.deepEqual(await kubelet.exited, [0, null]);
    assert.equal(fs.readFileSync(path.join(run, 'v3.signals'), 'utf8'), 'SIGTERM\n');
    await eventually(() => assert.equal(alive(v3), false), { timeoutMs: 2_000 });

    // kubelet makes its certificate once: a restart serves the same one
    fs.rmSync(path.join(manifests, 'web.yaml'));
    const cert = fs.readFileSync(certFile, 'utf8');
    kubelet = startKubelet(t, flags);
    assert.deepEqual(await eventually(listPods, { timeoutMs: 15_000, intervalMs: 100 }), []);
    assert.equal(fs.readFileSync(certFile, 'utf8'), cert);
  });
});

test('kubelet stand-in without --pod-manifest-path: /healthz only, as before', { timeout: 15_000 }, async (t) => {
  const port = await freePort();
  const kubelet = startKubelet(t, ['--port', String(port)]);
  const code = await eventually(
    () =>
      new Promise<number>((resolve, reject) => {
        assert.equal(kubelet.child.exitCode, null, kubelet.stderr());
        http
          .get(`http://127.0.0.1:${port}/healthz`, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
          .on('error', reject);
      }),
    { timeoutMs: 10_000, intervalMs: 100 },
  );
  assert.equal(code, 200);
  kubelet.child.kill('SIGTERM');
  assert.deepEqual(await kubelet.exited, [0, null]);
});
