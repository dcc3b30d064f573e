/**
 * Manifest figures (issue 4), printed: time from a manifest's rename into the
 * manifests dir to its inventory update and event, with the agent's real
 * watcher (chokidar, settle window included) and inventory. Usage:
 *   npx tsx scripts/bench-manifests.ts          (BENCH_TRIALS=50)
 */
import '../proto/common/warnings.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManifestInventory } from '../agent/manifests/inventory.js';
import { ManifestStore } from '../agent/manifests/store.js';
import { ManifestWatcher } from '../agent/manifests/watcher.js';
import { silentLogger } from '../proto/common/log.js';

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
} finally {
  await watcher.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
