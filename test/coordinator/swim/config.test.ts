import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SWIM_DEFAULTS, SWIM_LAN, SWIM_WAN, type SwimConfig } from '../../../coordinator/swim/config.js';
import { estimateSize } from '../../../coordinator/swim/messages.js';
import { suspicionBounds } from '../../../coordinator/swim/suspicion.js';

for (const [name, cfg] of [
  ['SWIM_LAN', SWIM_LAN],
  ['SWIM_WAN', SWIM_WAN],
] as [string, SwimConfig][]) {
  test(`${name} is self-consistent`, () => {
    assert.ok(cfg.probeTimeoutMs < cfg.probeIntervalMs, 'indirect probes need time before the round ends');
    assert.ok(suspicionBounds(cfg, 3).minMs >= cfg.probeIntervalMs, 'a confirmation probe must be able to finish within the min timeout');
    assert.ok(cfg.suspicionMaxTimeoutMult >= 1);
    assert.ok(cfg.deliverMaxTries * cfg.gossipIntervalMs < cfg.smallClusterPushPullMs, 'direct delivery gives up before the next full sync');
    // A typical coordinator's alive (a DNS name, a boot id, an address, a few tags) fits the tags budget.
    const alive = {
      kind: 'alive',
      name: 'master-1.example.internal',
      bootId: `${Date.UTC(2030, 0).toString(36)}-abcdefgh`,
      addr: '10.20.30.40:7946',
      incarnation: 2 ** 40,
      tags: { role: 'master', zone: 'eu-1a', version: '0.1.0' },
    } as const;
    assert.ok(estimateSize(alive) <= cfg.maxTagsBytes, `${estimateSize(alive)} bytes`);
    assert.ok(cfg.maxTagsBytes < cfg.mtu / 2, 'a tags update leaves room in a packet');
  });
}

test('the defaults are the LAN profile; the WAN profile is memberlist DefaultWANConfig', () => {
  assert.equal(SWIM_DEFAULTS, SWIM_LAN);
  const { probeIntervalMs, probeTimeoutMs, suspicionMult, gossipIntervalMs, gossipNodes, pushPullIntervalMs } = SWIM_WAN;
  assert.deepEqual(
    { probeIntervalMs, probeTimeoutMs, suspicionMult, gossipIntervalMs, gossipNodes, pushPullIntervalMs },
    { probeIntervalMs: 5_000, probeTimeoutMs: 3_000, suspicionMult: 6, gossipIntervalMs: 500, gossipNodes: 4, pushPullIntervalMs: 60_000 },
  );
});
