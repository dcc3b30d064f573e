/**
 * Foundation figures (issue 2), printed, not asserted:
 *  - belay-agent idle RSS and CPU at the default 5 s report interval over 60 s
 *    (aim: ≤ 80 MB RSS, ≤ 1 % of one core), sampled from /proc;
 *  - Status round trip p50/p99 through mutual TLS against a 3-master cluster.
 * Runs the built daemons (dist/), as an operator would. Usage:
 *   npm run build && npm run bench            (BENCH_SECONDS=60 BENCH_CALLS=2000 to change)
 */
import '../proto/common/warnings.js';
import { fromDist } from './dist.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sampleUsage } from '../agent/supervisor/liveness.js';

type Cluster = typeof import('../coordinator/dev/cluster.js');
type Grpc = typeof import('../proto/common/grpc.js');

const cluster = await fromDist<Cluster>('coordinator/dev/cluster.js', 'bench');
const g = await fromDist<Grpc>('proto/common/grpc.js', 'bench');

const seconds = Number(process.env.BENCH_SECONDS ?? 60);
const calls = Number(process.env.BENCH_CALLS ?? 2000);
const TICKS_PER_S = 100; // Linux USER_HZ

const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;
const mb = (b: number): string => (b / 1e6).toFixed(1);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-bench-'));
const base = `127.3.${1 + Math.floor(Math.random() * 250)}.1`;
console.log(`bench: starting 3 masters on ${base}.. under ${dir} (report interval 5000 ms, the default)`);
const state = await cluster.devUp({ masters: 3, dir, baseAddress: base, reportIntervalMs: 5000 });
try {
  const agent = state.processes.find((p) => p.master === 'm1' && p.role === 'agent');
  if (!agent) throw new Error('no agent m1');
  // Let start-up work (module loading, first collections, JIT) settle before measuring idle.
  await new Promise((r) => setTimeout(r, 10_000));
  const t0 = performance.now();
  const c0 = sampleUsage(agent.pid)?.ticks ?? 0;
  const rss: number[] = [];
  while (performance.now() - t0 < seconds * 1000) {
    rss.push(sampleUsage(agent.pid)?.rssBytes ?? 0);
    await new Promise((r) => setTimeout(r, 1000));
  }
  const elapsedS = (performance.now() - t0) / 1000;
  const cpuPct = (((sampleUsage(agent.pid)?.ticks ?? c0) - c0) / TICKS_PER_S / elapsedS) * 100;
  console.log(
    `agent idle over ${elapsedS.toFixed(0)} s: RSS mean ${mb(rss.reduce((a, b) => a + b, 0) / rss.length)} MB, max ${mb(Math.max(...rss))} MB; CPU ${cpuPct.toFixed(2)} % of one core (aim: <= 80 MB, <= 1 %)`,
  );

  const tls = g.readTls({ ca: state.env.BELAY_CA, cert: state.env.BELAY_CERT, key: state.env.BELAY_KEY });
  const Client = g.belayProto().belay.v1.Coordinator;
  const client = new Client(state.env.BELAY_ENDPOINT, g.clientCredentials(tls), g.channelOptions(g.DEFAULT_MAX_MESSAGE_BYTES));
  const status = (): Promise<void> => new Promise((resolve, reject) => client.Status({}, (err) => (err ? reject(err) : resolve())));
  for (let i = 0; i < 50; i++) await status(); // warm the channel and the JIT
  const rtt: number[] = [];
  for (let i = 0; i < calls; i++) {
    const s = performance.now();
    await status();
    rtt.push(performance.now() - s);
  }
  client.close();
  console.log(
    `Status round trip, mutual TLS, 3 nodes, ${calls} sequential calls: p50 ${pct(rtt, 50).toFixed(2)} ms, p99 ${pct(rtt, 99).toFixed(2)} ms, max ${Math.max(...rtt).toFixed(2)} ms`,
  );
} finally {
  await cluster.devDown(dir, { graceMs: 5000 });
  fs.rmSync(dir, { recursive: true, force: true });
}
