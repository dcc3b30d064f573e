import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SWIM_LAN, type SwimConfig } from '../../coordinator/swim/config.js';
import type { Addr } from '../../coordinator/swim/messages.js';
import type { SimNetwork } from './network.js';
import { converged, simSeed, withSeed } from './swim-cluster.js';

// Lifeguard: a degraded member must not get healthy members declared dead.
// Each scenario runs with Lifeguard's local health on (LAN defaults) and off
// (awarenessMax 0) and prints both; the stall rule (a probe deadline handled
// late is inconclusive) is part of the core and on in both.

interface Tally {
  healthySuspected: number;
  healthyDied: number;
  degradedSuspected: number;
  degradedDied: number;
  accusationsByDegraded: number;
  inconclusive: number;
  health: number;
}

function tally(net: SimNetwork, degraded: Addr, fromMs: number): Tally {
  const name = net.nameOf(degraded);
  const ev = net.events.filter((e) => e.atMs >= fromMs);
  const about = (kind: string, degradedOne: boolean): number =>
    ev.filter((e) => e.event.kind === kind && (e.event.member.name === name) === degradedOne).length;
  const stats = net.node(degraded).stats();
  return {
    healthySuspected: about('suspected', false),
    healthyDied: about('died', false),
    degradedSuspected: about('suspected', true),
    degradedDied: about('died', true),
    accusationsByDegraded: stats.suspicionsRaised,
    inconclusive: stats.probesInconclusive,
    health: net.node(degraded).localHealth(),
  };
}

function run(seed: number, n: number, cfg: SwimConfig, degrade: (net: SimNetwork, id: Addr) => void, ms: number): Tally {
  const { net, ids } = converged(n, cfg, { seed });
  net.runFor(2_000);
  const degraded = ids[1] as Addr;
  const from = net.nowMs;
  degrade(net, degraded);
  net.runFor(ms);
  return tally(net, degraded, from);
}

const show = (t: Tally): string =>
  `healthy members suspected ${t.healthySuspected}× (accusations raised by the degraded one ${t.accusationsByDegraded}), died ${t.healthyDied}×; ` +
  `degraded member suspected ${t.degradedSuspected}×, died ${t.degradedDied}×; its inconclusive probes ${t.inconclusive}, local health ${t.health}`;

for (const delayMs of [700, 1_500]) {
  test(`slow CPU (event loop turns every ${delayMs} ms): with Lifeguard no healthy member is ever declared dead`, () => {
    const seed = simSeed(4_242 + delayMs);
    withSeed(seed, () => {
      const n = 8;
      const ms = 120_000;
      const on = run(seed, n, SWIM_LAN, (net, id) => net.setSlow(id, delayMs), ms);
      const off = run(seed, n, { ...SWIM_LAN, awarenessMax: 0 }, (net, id) => net.setSlow(id, delayMs), ms);
      console.log(`sim: ${n} members, one slow (${delayMs} ms turns) for ${ms / 1000} s, Lifeguard on:  ${show(on)}`);
      console.log(`sim: ${n} members, one slow (${delayMs} ms turns) for ${ms / 1000} s, awareness off: ${show(off)}`);
      assert.equal(on.healthyDied, 0);
      assert.ok(on.health > 0, 'the slow member knows it is slow');
    });
  });
}

test('bad inbound network (60 % of packets to one member lost): Lifeguard cuts its false accusations; no healthy member dies', () => {
  const seed = simSeed(6_060);
  withSeed(seed, () => {
    const n = 5;
    const ms = 300_000;
    const on = run(seed, n, SWIM_LAN, (net, id) => net.setInboundLoss(id, 0.6), ms);
    const off = run(seed, n, { ...SWIM_LAN, awarenessMax: 0 }, (net, id) => net.setInboundLoss(id, 0.6), ms);
    console.log(`sim: ${n} members, one losing 60 % inbound for ${ms / 1000} s, Lifeguard on:  ${show(on)}`);
    console.log(`sim: ${n} members, one losing 60 % inbound for ${ms / 1000} s, awareness off: ${show(off)}`);
    assert.equal(on.healthyDied, 0);
    assert.ok(on.accusationsByDegraded < off.accusationsByDegraded, 'local health should slow the degraded member down');
  });
});
