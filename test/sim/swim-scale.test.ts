import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SWIM_LAN } from '../../coordinator/swim/config.js';
import { measureSpread, type Spread } from './gossip-spread.js';
import { roundsBound, simSeed, withSeed } from './swim-cluster.js';

// The fast version of scripts/bench-gossip-sim.ts (which adds n = 1000).

const results: Spread[] = [];

for (const n of [125, 250, 500]) {
  test(`${n} members: one update reaches all within 2·log2(n) gossip rounds; per-member traffic does not grow with n`, () => {
    const seed = simSeed(n);
    withSeed(seed, () => {
      const s = measureSpread(n, SWIM_LAN, seed);
      results.push(s);
      console.log(
        `sim: n=${n}: update on all after ${s.ms} ms = ${s.rounds.toFixed(1)} rounds (2·log2 n = ${roundsBound(n).toFixed(1)}); ` +
          `per member per period: ${s.packetsPerPeriod.toFixed(2)} packets, ${s.msgsPerPeriod.toFixed(2)} messages, ${Math.round(s.bytesPerPeriod)} bytes`,
      );
      assert.ok(s.rounds <= roundsBound(n), `${s.rounds} rounds > 2·log2(${n})`);
      const base = results[0];
      if (base !== undefined && base.n !== n) {
        assert.ok(
          s.packetsPerPeriod <= 1.25 * base.packetsPerPeriod,
          `packets per member per period ${s.packetsPerPeriod} at n=${n} vs ${base.packetsPerPeriod} at n=${base.n}`,
        );
        assert.ok(
          s.msgsPerPeriod <= 1.25 * base.msgsPerPeriod,
          `messages per member per period ${s.msgsPerPeriod} at n=${n} vs ${base.msgsPerPeriod} at n=${base.n}`,
        );
      }
    });
  });
}
