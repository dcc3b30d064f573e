/**
 * Control-plane rollout figures (issue: zero-error rolling rollouts), printed
 * with the issue's aims. A dev cluster of 3 masters with the whole control
 * plane (real etcd, real haproxy per master, the kube-apiserver stand-ins of
 * test/stand-ins when no kube-apiserver is on PATH), one client loop through
 * the balancers for all of:
 *  1. careful rollouts: `belayctl rollout apiserver --image ...` back to back
 *     (BENCH_ROLLOUTS, default 3): failed requests (aim: 0 of at least
 *     10,000), each rollout's time against the sum of the masters'
 *     restart-to-ready times, watched from outside on each apiserver's
 *     /readyz (aim ≤ 1.2×; also shown with the stable window counted in);
 *     then BENCH_QUIET_ROLLOUTS (1) more with no client loop running, for
 *     the ratio on a machine not saturated by the loop itself;
 *  2. a naive rollout in the same cluster: the new manifest written on all 3
 *     masters at once (belayctl manifests apply, in parallel): the failed
 *     requests the careful one avoids.
 * The stand-ins start listening BENCH_START_MS (default 10000) after they
 * start, as a real kube-apiserver does once its storage and caches are up:
 * shorter outages are hidden by haproxy itself (a connection waits in its
 * queue up to `timeout connect`, then is retried), longer ones are not.
 * Usage: npm run build && npm run bench:controlplane
 *   (BENCH_ROLLOUTS=3 BENCH_QUIET_ROLLOUTS=1 BENCH_CONCURRENCY=8 BENCH_KEEPALIVE=1 BENCH_START_MS=10000; BENCH_KEEPALIVE=0: a connection per request; BENCH_STABLE_WINDOW=1s: another spec.rollout.stableWindow)
 */
import '../proto/common/warnings.js';
import { fromDist } from './dist.js';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { startLoad, type LoadResult } from '../test/harness/apiserver-load.js';
import type { DevState } from '../coordinator/dev/state.js';

type Cluster = typeof import('../coordinator/dev/cluster.js');
const NAME = 'bench:controlplane';
const cluster = await fromDist<Cluster>('coordinator/dev/cluster.js', NAME);
const top = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(top, 'dist', 'coordinator', 'cli', 'main.js');
const ROLLOUTS = Number(process.env.BENCH_ROLLOUTS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
// Kept connections, as client-go's: a TLS handshake per request would make the client loop the bottleneck.
const KEEPALIVE = process.env.BENCH_KEEPALIVE !== '0';
const START_MS = Number(process.env.BENCH_START_MS ?? 10_000);
const QUIET_ROLLOUTS = Number(process.env.BENCH_QUIET_ROLLOUTS ?? 1);
/** spec.rollout.stableWindow for the rollouts ("1s"); unset: the spec's default. */
const STABLE_WINDOW = process.env.BENCH_STABLE_WINDOW;
/** "1.34× met" / "1.46× NOT met" against the 1.2× aim. */
const median = (xs: number[]): string => {
  const m = [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return m === undefined ? '-' : `${m.toFixed(2)}× ${m <= 1.2 ? 'met' : 'NOT met'}`;
};
// The agents (and so the stand-ins they run) inherit this process's environment.
process.env.BELAY_STAND_IN_START_MS = String(START_MS);
const progress = (line: string): void => void process.stderr.write(`bench: ${line}\n`);
const s = (ms: number): string => (ms / 1000).toFixed(2);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

function belayctl(state: DevState, args: string[], timeoutMs = 600_000): Promise<Run> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BELAY_')));
  const t0 = performance.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...cluster.shebangNodeFlags(CLI), CLI, ...args],
      { env: { ...env, ...state.env }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr, ms: performance.now() - t0 }),
    );
  });
}

function adminTls(root: string): { ca: Buffer; cert: Buffer; key: Buffer } {
  const conf = YAML.parse(fs.readFileSync(path.join(root, 'etc/kubernetes/admin.conf'), 'utf8')) as {
    clusters: { cluster: Record<string, string> }[];
    users: { user: Record<string, string> }[];
  };
  const b64 = (x: string | undefined): Buffer => Buffer.from(x ?? '', 'base64');
  return {
    ca: b64(conf.clusters[0]?.cluster['certificate-authority-data']),
    cert: b64(conf.users[0]?.user['client-certificate-data']),
    key: b64(conf.users[0]?.user['client-key-data']),
  };
}

function readyz(host: string, tls: { ca: Buffer; cert: Buffer; key: Buffer }, agent: https.Agent | false = false): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.get({ host, port: 6443, path: '/readyz', ...tls, agent, timeout: 1_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** Each apiserver's /readyz every 50 ms, straight (not through haproxy): the spans it was not ready. */
function watchReadiness(
  masters: { name: string; address: string }[],
  tls: { ca: Buffer; cert: Buffer; key: Buffer },
): { stop(): Promise<Record<string, number[]>> } {
  let stopped = false;
  const spans: Record<string, number[]> = {};
  const loops = masters.map(async (m) => {
    spans[m.name] = [];
    let downSince: number | undefined;
    // One kept connection per apiserver: a TLS handshake every 50 ms would load the machine it measures.
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ...tls });
    while (!stopped) {
      const ok = await readyz(m.address, tls, agent);
      const now = performance.now();
      if (!ok && downSince === undefined) downSince = now;
      if (ok && downSince !== undefined) {
        spans[m.name]?.push(now - downSince);
        downSince = undefined;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    agent.destroy();
  });
  return {
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
      return spans;
    },
  };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-bench-cp-'));
const base = `127.9.${1 + Math.floor(Math.random() * 200)}.1`;
progress(
  `load average at the start ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
const state = await cluster.devUp({ masters: 3, dir, baseAddress: base, reportIntervalMs: 1000, logFormat: 'json', progress: (l) => progress(l) });
const lines: string[] = [];
try {
  const masters = state.masters.map((m) => ({ name: m.name, address: m.address, root: m.root }));
  const tls = adminTls(masters[0]?.root ?? '');
  const targets = masters.map((m) => ({ host: m.address, port: 8443 }));
  const spec = YAML.parse((await belayctl(state, ['get', 'cluster', '-o', 'yaml'])).stdout) as { spec: { rollout: { stableWindow: string } } };
  if (STABLE_WINDOW) {
    spec.spec.rollout.stableWindow = STABLE_WINDOW;
    const file = path.join(dir, 'cluster-window.yaml');
    fs.writeFileSync(file, YAML.stringify(spec));
    const r = await belayctl(state, ['apply', '-f', file]);
    if (r.code !== 0) throw new Error(`apply of stableWindow ${STABLE_WINDOW} failed: ${r.stderr}`);
  }
  const stableMs = Number(/^(\d+)s$/.exec(spec.spec.rollout.stableWindow)?.[1] ?? 5) * 1000;

  // 1. careful rollouts under one client loop
  const load = startLoad({
    targets,
    tls,
    path: '/api/v1/namespaces/default/configmaps',
    maxRequests: 1_000_000,
    concurrency: CONCURRENCY,
    keepAlive: KEEPALIVE,
  });
  await new Promise((r) => setTimeout(r, 3_000));
  const rows: string[] = [];
  const ratios: number[] = [];
  /** One careful rollout to v1.31.i: its row (total, per master restart→ready, ratios) and its ratio. */
  const rollout = async (i: number): Promise<number> => {
    const image = `registry.k8s.io/kube-apiserver:v1.31.${i}`;
    progress(`rollout ${i}: ${image}`);
    const watch = watchReadiness(masters, tls);
    const r = await belayctl(state, ['rollout', 'apiserver', '--image', image]);
    const spans = await watch.stop();
    if (r.code !== 0) throw new Error(`rollout ${i} exited ${r.code}: ${r.stderr.trim()}`);
    const perNode = masters.map((m) => (spans[m.name] ?? []).reduce((a, b) => a + b, 0));
    const sum = perNode.reduce((a, b) => a + b, 0);
    rows.push(
      `   ${String(i).padEnd(5)}${s(r.ms).padEnd(10)}${perNode.map(s).join(' + ').padEnd(24)}${s(sum).padEnd(10)}${(r.ms / sum).toFixed(2).padEnd(10)}${(r.ms / (sum + 3 * stableMs)).toFixed(2)}`,
    );
    return r.ms / sum;
  };
  for (let i = 1; i <= ROLLOUTS; i++) ratios.push(await rollout(i));
  await new Promise((r) => setTimeout(r, 2_000));
  const careful: LoadResult = await load.stop();
  // The same with no client loop: the loop alone keeps both cores busy, and every step of the rollout waits its turn for them.
  await new Promise((r) => setTimeout(r, 3_000));
  const quietRatios: number[] = [];
  const loadedRows = rows.splice(0);
  for (let i = ROLLOUTS + 1; i <= ROLLOUTS + QUIET_ROLLOUTS; i++) quietRatios.push(await rollout(i));
  const quietRows = rows.splice(0);

  // 2. naive: every master's new manifest at once
  progress('naive rollout: the new kube-apiserver.yaml written on all 3 masters at once');
  const naiveLoad = startLoad({
    targets,
    tls,
    path: '/api/v1/namespaces/default/configmaps',
    maxRequests: 1_000_000,
    concurrency: CONCURRENCY,
    keepAlive: KEEPALIVE,
  });
  await new Promise((r) => setTimeout(r, 3_000));
  const t0 = performance.now();
  await Promise.all(
    masters.map(async (m) => {
      const file = path.join(m.root, 'etc/kubernetes/manifests/kube-apiserver.yaml');
      // The file's name is the manifest's name on the master: kube-apiserver.yaml, replaced in place.
      const next = path.join(dir, `naive-${m.name}`, 'kube-apiserver.yaml');
      fs.mkdirSync(path.dirname(next), { recursive: true });
      fs.writeFileSync(next, fs.readFileSync(file, 'utf8').replace(/kube-apiserver:v1\.31\.\d+/, 'kube-apiserver:v1.31.9'));
      const r = await belayctl(state, ['manifests', 'apply', m.name, next, '--force']);
      if (r.code !== 0) throw new Error(`manifests apply ${m.name}: ${r.stderr.trim()}`);
    }),
  );
  for (;;) {
    const ready = await Promise.all(masters.map((m) => readyz(m.address, tls)));
    if (ready.every(Boolean) || performance.now() - t0 > 120_000) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const naiveMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 3_000));
  const naive = await naiveLoad.stop();

  lines.push(
    '',
    `control-plane rollout: 3 masters, real etcd 3.4 and haproxy 2.6, kube-apiserver stand-ins (test/stand-ins) listening ${START_MS / 1000} s after start; client loop: GET configmaps through the 3 balancers, ${CONCURRENCY} in flight, ${KEEPALIVE ? 'keep-alive connections' : 'a connection per request'}; 2 cores, load average at the end ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
    '',
    `1. careful: ${ROLLOUTS} rollouts of kube-apiserver back to back (belayctl rollout apiserver --image, stableWindow ${stableMs / 1000} s), one client loop`,
    `   requests ${careful.sent} in ${s(careful.durationMs)} s, failed ${careful.failed} ${careful.failed ? JSON.stringify(careful.errors) : ''}${KEEPALIVE ? `; sent again on a new connection after a kept one was closed under them before any answer (as Go's net/http does): ${careful.retriedStale}` : ''}`,
    `   aim: 0 failed of at least 10,000 → ${careful.failed === 0 && careful.sent >= 10_000 ? 'met' : careful.failed === 0 ? `0 failed, but only ${careful.sent} requests` : 'NOT met'}`,
    `   run  total s   per master restart→ready s  sum s     total/sum total/(sum + 3 × stable window)`,
    ...loadedRows,
    `   aim: total ≤ 1.2 × the sum of per-master readiness times → median ${median(ratios)}, under the client loop`,
    `   the same with no client loop (${QUIET_ROLLOUTS} rollout(s) after it stopped):`,
    ...quietRows,
    `   → median ${median(quietRatios)} with no client loop`,
    '',
    '2. naive: the new manifest written on all 3 masters at once, same loop',
    `   requests ${naive.sent} in ${s(naive.durationMs)} s, failed ${naive.failed} ${JSON.stringify(naive.errors)}${KEEPALIVE ? ` (sent again as above: ${naive.retriedStale})` : ''}; all 3 ready again ${s(naiveMs)} s after the writes`,
    ...naive.samples.slice(0, 3).map((x) => `   e.g. ${x}`),
  );
} finally {
  await cluster.devDown(dir, { graceMs: 5_000 });
  fs.rmSync(dir, { recursive: true, force: true });
}
console.log(lines.join('\n'));
