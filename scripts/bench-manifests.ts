/**
 * Manifest figures (issue 4), printed:
 *  - time from a manifest's rename into the manifests dir to its inventory
 *    update and event, with the agent's real watcher and inventory;
 *  - under the host runtime, time from writing a changed etcd.yaml to the new
 *    etcd (Debian's etcd-server) answering `etcdctl endpoint health`.
 * Usage: npx tsx scripts/bench-manifests.ts   (BENCH_TRIALS=50, BENCH_ETCD_TRIALS=5)
 */
import '../proto/common/warnings.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HostRuntime } from '../agent/manifests/host-runtime.js';
import { ManifestInventory } from '../agent/manifests/inventory.js';
import { ManifestStore } from '../agent/manifests/store.js';
import { ManifestWatcher } from '../agent/manifests/watcher.js';
import { Supervisor } from '../agent/supervisor/supervisor.js';
import { silentLogger } from '../proto/common/log.js';
import { etcdFlags, etcdHealthy, freePort } from '../test/harness/etcd.js';

const trials = Number(process.env.BENCH_TRIALS ?? 50);
const top = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const etcdYaml = fs.readFileSync(path.join(top, 'test/agent/manifests/fixtures/etcd.yaml'), 'utf8');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-bench-manifests-'));
const manifestsDir = path.join(dir, 'manifests');
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

let resolveEvent: ((kind: string) => void) | undefined;
const store = new ManifestStore({ manifestsDir, historyDir: path.join(dir, 'history') });
const inventory = new ManifestInventory({ manifestsDir, store, raise: (e) => resolveEvent?.(e.kind) });
const watcher = new ManifestWatcher({ manifestsDir, inventory, log: silentLogger() });
await watcher.start();
try {
  const samples: number[] = [];
  for (let i = 0; i < trials; i++) {
    // A new version each time (the member name changes), written to a dotfile and renamed in, as any careful writer does.
    const content = etcdYaml.replace(/--name=\S+/, `--name=bench-${i}`);
    const tmp = path.join(manifestsDir, '.etcd.yaml.tmp');
    fs.writeFileSync(tmp, content);
    const seen = new Promise<string>((r) => (resolveEvent = r));
    const t0 = performance.now();
    fs.renameSync(tmp, path.join(manifestsDir, 'etcd.yaml'));
    const kind = await Promise.race([seen, new Promise<string>((r) => setTimeout(() => r('timeout'), 5_000))]);
    if (kind === 'timeout') throw new Error(`trial ${i}: no inventory event within 5 s`);
    samples.push(performance.now() - t0);
  }
  console.log(
    `manifest rename → inventory update + event, ${trials} renames of a kubeadm-style etcd.yaml: p50 ${pct(samples, 50).toFixed(1)} ms, p99 ${pct(samples, 99).toFixed(1)} ms, max ${Math.max(...samples).toFixed(1)} ms (a valid file is taken at once; only an invalid one waits the 100 ms settle window)`,
  );

  // Host runtime: etcd restarted by a changed manifest, write → healthy. The fixture above names
  // kubeadm's real paths and certificates: it goes before the runtime starts.
  fs.rmSync(path.join(manifestsDir, 'etcd.yaml'));
  await inventory.refresh('etcd.yaml');
  const etcdTrials = Number(process.env.BENCH_ETCD_TRIALS ?? 5);
  const sup = new Supervisor([], { stateDir: path.join(dir, 'state'), logDir: path.join(dir, 'logs'), log: silentLogger(), raise: () => undefined });
  await sup.start();
  const rt = new HostRuntime({ inventory, supervisor: sup, host: (p) => p, podLogDir: path.join(dir, 'pods'), log: silentLogger(), raise: () => undefined });
  rt.start();
  const [client, peer] = [await freePort(), await freePort()];
  const flags = (n: number): string =>
    etcdFlags(dir, client, peer, [`--snapshot-count=${10_000 + n}`])
      .map((f) => `    - ${f}`)
      .join('\n');
  const manifest = (n: number): string =>
    `apiVersion: v1\nkind: Pod\nmetadata: { name: etcd, namespace: kube-system }\nspec:\n  hostNetwork: true\n  terminationGracePeriodSeconds: 5\n  containers:\n  - name: etcd\n    image: registry.k8s.io/etcd:3.5.12-0\n    command:\n    - etcd\n${flags(n)}\n    livenessProbe: { httpGet: { host: 127.0.0.1, path: /health, port: ${client} }, periodSeconds: 1, failureThreshold: 3 }\n`;
  const healthy = (): Promise<boolean> => etcdHealthy(client);
  const etcdSamples: number[] = [];
  try {
    for (let i = 0; i <= etcdTrials; i++) {
      const tmp = path.join(manifestsDir, '.etcd.yaml.tmp');
      fs.writeFileSync(tmp, manifest(i));
      const t0 = performance.now();
      fs.renameSync(tmp, path.join(manifestsDir, 'etcd.yaml'));
      const flag = `--snapshot-count=${10_000 + i}`;
      const deadline = t0 + 30_000;
      for (;;) {
        const pid = sup.list()[0]?.pid ?? 0;
        if (pid && fs.existsSync(`/proc/${pid}/cmdline`) && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(flag) && (await healthy())) break;
        if (performance.now() > deadline) throw new Error(`etcd trial ${i}: not healthy with ${flag} within 30 s`);
        await new Promise((r) => setTimeout(r, 10));
      }
      // Trial 0 is the first start (a new data dir); the others are restarts for a changed flag.
      if (i > 0) etcdSamples.push(performance.now() - t0);
    }
    console.log(
      `host runtime: changed etcd.yaml written → new etcd healthy (etcdctl endpoint health), ${etcdSamples.length} restarts: p50 ${pct(etcdSamples, 50).toFixed(0)} ms, max ${Math.max(...etcdSamples).toFixed(0)} ms (250 ms settle + SIGTERM of the old etcd + start + health)`,
    );
  } finally {
    rt.stop();
    for (const s of sup.list()) await sup.remove(s.name ?? '', 5_000);
  }
} finally {
  await watcher.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
