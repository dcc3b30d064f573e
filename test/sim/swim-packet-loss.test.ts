import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SWIM_LAN } from '../../coordinator/swim/config.js';
import { converged, simSeed, withSeed } from './swim-cluster.js';

// 10 % of UDP packets lost for 1,000 protocol periods: suspicions happen, but
// every one is refuted; no live member is ever declared dead. n is kept small
// (the full suite runs everything in sequence): 20 members exercises the
// gossip-only path (above smallClusterMax = 16), 7 the small-cluster path.

for (const [n, fallbackSeed] of [
  [20, 2_020],
  [7, 707],
] as const) {
  test(`10 % packet loss for 1,000 protocol periods, ${n} members: no live member declared dead`, () => {
    const seed = simSeed(fallbackSeed);
    withSeed(seed, () => {
      const periods = 1_000;
      const { net, ids } = converged(n, SWIM_LAN, { seed, lossRate: 0.1 });
      net.runFor(periods * SWIM_LAN.probeIntervalMs);
      const kinds = (k: string): number => net.events.filter((e) => e.event.kind === k).length;
      const raised = ids.reduce((s, id) => s + net.node(id).stats().suspicionsRaised, 0);
      const refutations = ids.reduce((s, id) => s + net.node(id).stats().refutations, 0);
      const packets = ids.reduce((s, id) => s + net.counters(id).packets, 0);
      console.log(
        `sim: ${n} members, 10 % loss, ${periods} periods: ${raised} suspicions raised by failed probes, ${kinds('suspected')} suspected events, ${refutations} refutations, ` +
          `${kinds('died')} died; ${(packets / n / periods).toFixed(2)} packets per member per period`,
      );
      assert.deepEqual(
        net.events.filter((e) => e.event.kind === 'died').map((e) => `${e.observer} declared ${e.event.member.name} dead at ${Math.round(e.atMs)} ms`),
        [],
      );
      assert.ok(raised > 0, 'the loss should have caused some suspicions');
    });
  });
}
