import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SWIM_LAN } from '../../coordinator/swim/config.js';
import { suspicionBounds } from '../../coordinator/swim/suspicion.js';
import { converged, oneView, simSeed, withSeed } from './swim-cluster.js';

test('partition: each side marks the other dead; heal: one view again (all alive) within the bound', () => {
  const seed = simSeed(808);
  withSeed(seed, () => {
    const n = 8;
    const cfg = SWIM_LAN;
    const { net, ids } = converged(n, cfg, { seed });
    net.runFor(3_000);
    const a = ids.slice(0, n / 2);
    const b = ids.slice(n / 2);
    // given a split down the middle
    net.partition(a, b);
    // Bound: round-robin probing reaches every member within 2(n − 1) − 1 rounds, then that probe's
    // interval, the longest suspicion (no confirmations), and a delivery.
    const splitBoundMs = (2 * (n - 1) - 1) * cfg.probeIntervalMs + cfg.probeIntervalMs + suspicionBounds(cfg, n).maxMs + cfg.gossipIntervalMs;
    const splitMs = net.runUntil(() => a.every((x) => b.every((y) => net.view(x, y) === 'dead' && net.view(y, x) === 'dead')), { timeoutMs: splitBoundMs });
    // then each side keeps itself alive
    const sideAlive = [a, b].every((side) => side.every((x) => side.every((y) => net.view(x, y) === 'alive')));
    net.runFor(10_000);
    // when healed
    net.heal();
    // Bound: within reconnectIntervalMs some member push-pulls with one across (all its dead are across);
    // the merge makes the other side suspect and it refutes, delivered directly; what that misses,
    // the next small-cluster push-pull repairs.
    const healBoundMs = cfg.reconnectIntervalMs + cfg.smallClusterPushPullMs;
    const healMs = net.runUntil(() => oneView(net, ids), { timeoutMs: healBoundMs });
    console.log(
      `sim: ${n / 2} | ${n / 2} partition: each side had the other dead after ${splitMs ?? '>' + splitBoundMs} ms (bound ${splitBoundMs}); healed to one view after ${healMs ?? '>' + healBoundMs} ms (bound ${healBoundMs})`,
    );
    assert.ok(splitMs !== undefined, `sides did not mark each other dead within ${splitBoundMs} ms`);
    assert.ok(sideAlive, 'a side declared one of its own dead');
    assert.ok(healMs !== undefined, `no single view within ${healBoundMs} ms of the heal`);
    // The same side never lost one of its own.
    const ownSide = (observer: string, member: string): boolean => a.includes(observer) === a.some((x) => net.nameOf(x) === member);
    assert.deepEqual(
      net.events.filter((e) => e.event.kind === 'died' && ownSide(e.observer, e.event.member.name)).map((e) => `${e.observer}: ${e.event.member.name}`),
      [],
    );
  });
});
