import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SWIM_LAN, type SwimConfig } from '../../coordinator/swim/config.js';
import { newBootId } from '../../coordinator/swim/membership.js';
import type { Addr } from '../../coordinator/swim/messages.js';
import { SwimNode } from '../../coordinator/swim/node.js';
import { SimNetwork } from './network.js';
import { converged, oneView, simSeed, withSeed } from './swim-cluster.js';

// Small clusters' digest anti-entropy: a lost update is repaired within a
// couple of digest periods, and a cluster at rest pays a UDP packet per member
// per period for it instead of a full-state exchange.

test('digest: an update direct delivery cannot bring (and no gossip carries) is repaired within 2 × smallClusterPushPullMs', () => {
  const seed = simSeed(4_242);
  withSeed(seed, () => {
    // No piggybacking or gossip rounds (retransmit limit 0) and no periodic full push-pull: only the
    // originator's direct delivery carries the update, and only digests can repair its loss.
    const cfg: SwimConfig = { ...SWIM_LAN, retransmitMult: 0, pushPullIntervalMs: 3_600_000 };
    const { net, ids } = converged(5, cfg, { seed });
    net.runFor(10_000);
    const [src, dst] = [ids[0] as Addr, ids[4] as Addr];
    // Cut just src–dst for the whole test: the originator's direct delivery to dst can only give up
    // (probes still get through indirectly), so dst can learn the update only from a digest exchange.
    net.partition([src], [dst]);
    net.input(src, { kind: 'set-tags', tags: { role: 'master', rev: '2' } });
    const name = net.nameOf(src);
    const repairMs = net.runUntil(() => net.node(dst).member(name)?.tags.rev === '2', { timeoutMs: 2 * cfg.smallClusterPushPullMs });
    const digestPulls = ids.reduce((s, id) => s + net.node(id).stats().digestPulls, 0);
    console.log(
      `sim: 5 members, update lost at one: repaired by digests after ${repairMs ?? 'never'} ms (bound ${2 * cfg.smallClusterPushPullMs}); push-pulls started by digests: ${digestPulls}`,
    );
    assert.notEqual(repairMs, undefined, 'digests did not repair the lost update');
    net.runFor(cfg.deliverMaxTries * cfg.gossipIntervalMs);
    assert.equal(net.node(src).stats().deliveriesGivenUp, 1, 'direct delivery to dst should have given up');
    assert.deepEqual(
      net.events.filter((e) => e.event.kind === 'died'),
      [],
    );
    net.heal();
    net.runFor(1_000);
    assert.ok(oneView(net, ids));
  });
});

test('digest: a converged cluster at rest syncs by digest, not by full push-pull (bytes printed)', () => {
  const seed = simSeed(5_151);
  withSeed(seed, () => {
    const n = 5;
    const runMs = 300_000;
    // ~250 bytes of tags per member, as belay's summary tags are.
    const tags = { role: 'master', summary: 'x'.repeat(240) };
    const measure = (cfg: SwimConfig): { bytes: number; pushPulls: number; digests: number } => {
      const net = new SimNetwork({ seed, latencyMs: [1, 5] });
      const ids = net.spawn(n, (addr, rng, nowMs, index) => new SwimNode(cfg, { name: `m${index}`, bootId: newBootId(nowMs, rng), addr, tags }, rng, nowMs));
      net.bootstrap(ids);
      net.runFor(10_000);
      net.resetCounters();
      const before = ids.map((id) => net.node(id).stats());
      net.runFor(runMs);
      const delta = (k: 'pushPulls' | 'digests'): number => ids.reduce((s, id, i) => s + net.node(id).stats()[k] - (before[i]?.[k] ?? 0), 0);
      const bytes = ids.reduce((s, id) => s + net.counters(id).bytes, 0);
      assert.deepEqual(
        net.events.filter((e) => e.event.kind !== 'joined'),
        [],
      );
      return { bytes: bytes / n / (runMs / 1_000), pushPulls: delta('pushPulls'), digests: delta('digests') };
    };
    const digest = measure(SWIM_LAN);
    // An mtu the digest does not fit falls back to the full push-pull every smallClusterPushPullMs: the old cost.
    const full = measure({ ...SWIM_LAN, mtu: 200 });
    console.log(
      `sim: ${n} members at rest, estimateSize bytes per member per second: digests ${digest.bytes.toFixed(0)} (${digest.digests} digests, ${digest.pushPulls} push-pulls in ${runMs / 1_000} s), ` +
        `full push-pull every period ${full.bytes.toFixed(0)} (${full.pushPulls} push-pulls)`,
    );
    // Full syncs only every pushPullIntervalMs: n × runMs / pushPullIntervalMs, give or take a phase.
    assert.ok(digest.pushPulls <= n * (runMs / SWIM_LAN.pushPullIntervalMs + 1), `${digest.pushPulls} push-pulls`);
    assert.ok(digest.digests >= n * (runMs / SWIM_LAN.smallClusterPushPullMs - 1), `${digest.digests} digests`);
    assert.ok(digest.bytes < full.bytes);
  });
});
