/**
 * Gossip at scale, in the simulator (issue 5), printed, not asserted (the
 * fast version with assertions is test/sim/swim-scale.test.ts):
 *  - gossip rounds for one update (a tags change) to reach all n members of a
 *    converged cluster, next to the 2·log2(n) aim;
 *  - what each member sends per protocol period meanwhile (UDP packets, the
 *    messages in them, bytes by estimateSize; push-pull included), which
 *    should stay about flat as n grows.
 * LAN defaults, latency 1–5 ms, no loss. Usage:
 *   npx tsx scripts/bench-gossip-sim.ts     (BENCH_SEEDS=3 BENCH_SIZES=125,250,500,1000 to change)
 */
import { SWIM_LAN } from '../coordinator/swim/config.js';
import { measureSpread, type Spread } from '../test/sim/gossip-spread.js';

const sizes = (process.env.BENCH_SIZES ?? '125,250,500,1000').split(',').map(Number);
const seeds = Number(process.env.BENCH_SEEDS ?? 3);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

console.log(
  `bench: one tags update in a converged cluster, LAN defaults (gossip every ${SWIM_LAN.gossipIntervalMs} ms to ${SWIM_LAN.gossipNodes}, retransmit ${SWIM_LAN.retransmitMult}·ceil(log10(n+1))), ${seeds} seeds per size; medians over the seeds`,
);
const header = ['n', 'rounds', 'worst', '2·log2 n', 'ms to all', 'packets/member/period', 'msgs/member/period', 'bytes/member/period', 'wall s'];
const rows: string[][] = [];
for (const n of sizes) {
  const t0 = performance.now();
  const runs: Spread[] = [];
  for (let i = 0; i < seeds; i++) runs.push(measureSpread(n, SWIM_LAN, 1_000 * n + i));
  const wall = (performance.now() - t0) / 1000;
  rows.push([
    String(n),
    median(runs.map((r) => r.rounds)).toFixed(1),
    Math.max(...runs.map((r) => r.rounds)).toFixed(1),
    (2 * Math.log2(n)).toFixed(1),
    String(median(runs.map((r) => r.ms))),
    median(runs.map((r) => r.packetsPerPeriod)).toFixed(2),
    median(runs.map((r) => r.msgsPerPeriod)).toFixed(2),
    String(Math.round(median(runs.map((r) => r.bytesPerPeriod)))),
    wall.toFixed(1),
  ]);
}
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i] as number)).join('  ');
console.log(line(header));
for (const r of rows) console.log(line(r));
