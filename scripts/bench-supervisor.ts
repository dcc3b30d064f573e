/**
 * Supervision figures, belay-agent side by side with monit 5.33 on the same
 * daemon (a real containerd with its own state dirs), printed, not asserted:
 *  (a) kill -9 → restart begun, and → healthy again;
 *  (b) hang (SIGSTOP) → restarted, on a long-running daemon and 2 s after a restart;
 *  (c) kill -9 → healthy again while another service crash-loops, against alone;
 *  and the agent's CPU and RSS while it supervises three services.
 * belay runs as built (dist/agent/main.js) in direct-child and in pidfile mode;
 * monit runs from its own control file (`set daemon 1`) in a temp dir.
 *
 * Everything is measured from outside, the same way for both: a /proc scan
 * every 5 ms finds the containerd process running on this bench's config (its
 * identity is pid + start time) and timestamps when a new one exists ("restart
 * begun"); from then on its gRPC Version call is polled every 20 ms ("healthy
 * again"). Every wait is bounded; every process started is ended and the temp
 * dir removed at the end, also on error or Ctrl-C. Usage:
 *   npm run build && npx tsx scripts/bench-supervisor.ts
 * Environment: BENCH_TRIALS (5: kill -9 trials per supervisor), BENCH_HANG_TRIALS
 * (2: belay hang trials per case), BENCH_LOOP_TRIALS (3: belay crash-loop
 * trials), BENCH_MONIT_LOOP_TRIALS (2: each up to one 30 s monit start timeout),
 * BENCH_IDLE_SECONDS (30: CPU/RSS window), BENCH_ONLY (child,pidfile,monit,usage: the parts to run).
 */
import '../proto/common/warnings.js';
import { fromDist } from './dist.js';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findOnPath, unmountUnder } from '../test/harness/runtimes.js';
import { agentUsage } from './bench/supervisor-usage.js';
import { belay, stopAgent } from './bench/supervisor-belay.js';
import { CAP_MS } from './bench/supervisor-fault.js';
import { monitRuns, stopMonit } from './bench/supervisor-monit.js';
import { log, now, runOk, sweep } from './bench/supervisor-processes.js';
import { printReport } from './bench/supervisor-report.js';
import { createBench, setupPki, writeScripts } from './bench/supervisor-setup.js';

type Cluster = typeof import('../coordinator/dev/cluster.js');
type Pki = typeof import('../coordinator/pki/init.js');

const top = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The agent is started from dist/ too (not imported: that would run it).
if (!fs.existsSync(path.join(top, 'dist', 'agent', 'main.js'))) {
  console.error('bench-supervisor: dist/ is missing: run npm run build first');
  process.exit(1);
}
const cluster = await fromDist<Cluster>('coordinator/dev/cluster.js', 'bench-supervisor');
const pki = await fromDist<Pki>('coordinator/pki/init.js', 'bench-supervisor');

const envInt = (name: string, def: number, min: number): number => {
  const v = Number(process.env[name] ?? def);
  return Number.isInteger(v) && v >= min ? v : def;
};
const trials = {
  kill: envInt('BENCH_TRIALS', 5, 1),
  hang: envInt('BENCH_HANG_TRIALS', 2, 1),
  loop: envInt('BENCH_LOOP_TRIALS', 3, 1),
  monitLoop: envInt('BENCH_MONIT_LOOP_TRIALS', 2, 1),
  idleSeconds: envInt('BENCH_IDLE_SECONDS', 30, 5),
};
/** Hard stop of the whole run, whatever hangs: cleanup runs and the bench exits 1. */
const RUN_LIMIT_MS = 15 * 60_000;

// The temp dir, address and containerd config: made here, once, and handed to every part.
const b = createBench(top, trials, cluster.daemonCommand);

let cleaning: Promise<void> | undefined;
async function cleanupOnce(): Promise<void> {
  try {
    await stopAgent(b);
  } catch {
    /* best effort */
  }
  try {
    await stopMonit(b);
  } catch {
    /* best effort */
  }
  const n = await sweep(b.tmp, 'SIGTERM', 10_000).catch(() => 0);
  await unmountUnder(b.tmp);
  fs.rmSync(b.tmp, { recursive: true, force: true });
  if (n > 0) log(`cleanup: ended ${n} leftover process(es) of this bench`);
}
const cleanup = (): Promise<void> => (cleaning ??= cleanupOnce());
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    console.error(`bench: ${sig}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}
setTimeout(() => {
  console.error(`bench: still running after ${RUN_LIMIT_MS / 60_000} min: giving up`);
  void cleanup().finally(() => process.exit(1));
}, RUN_LIMIT_MS).unref();

let failed = false;
let ctdVersion = '';
const t0 = now();
try {
  for (const [bin, pkg] of [
    ['containerd', 'containerd'],
    ['monit', 'monit'],
    ['dockerd', 'docker.io'],
  ] as const) {
    if (!findOnPath(bin)) throw new Error(`${bin} not on PATH: apt-get install ${pkg}`);
  }
  ctdVersion = (await runOk(b.ctd.file, ['--version'])).trim().split(/\s+/)[2] ?? '';
  writeScripts(b);
  await setupPki(b, pki);
  log(`temp dir ${b.tmp}; agent on ${b.address} with mutual TLS (certificates from initPki); containerd ${b.ctd.file} on ${b.ctd.config}`);
  log(
    `trials: kill -9 ${trials.kill} per supervisor; belay hang ${trials.hang} per case; belay crash-loop ${trials.loop}, monit crash-loop ${trials.monitLoop}; every wait capped at ${CAP_MS / 1000} s`,
  );
  const only = (part: string): boolean => (process.env.BENCH_ONLY ?? 'child,pidfile,monit,usage').split(',').includes(part);
  if (only('child')) await belay(b, 'child');
  if (only('pidfile')) await belay(b, 'pidfile');
  if (only('monit')) await monitRuns(b);
  if (only('usage')) await agentUsage(b);
} catch (err) {
  failed = true;
  console.error(`bench: FAILED: ${err instanceof Error ? err.message : String(err)}`);
} finally {
  await cleanup();
}

printReport(b.results, { ctdVersion, tookS: (now() - t0) / 1000, failed });
process.exit(failed ? 1 : 0);
