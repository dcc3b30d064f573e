import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SWIM_LAN } from '../../coordinator/swim/config.js';
import type { Addr } from '../../coordinator/swim/messages.js';
import { joined, oneView, simSeed, withSeed } from './swim-cluster.js';

const cfg = SWIM_LAN;

test('join: 5 members joining through one seed all see each other alive within a join retry', () => {
  const seed = simSeed(11);
  withSeed(seed, () => {
    const { net, ids } = joined(5, cfg, { seed, lossRate: 0.05 });
    // Bound: the join push-pull (or its retry after joinRetryMs) and the direct delivery of each joiner's alive.
    const boundMs = cfg.joinRetryMs + cfg.deliverMaxTries * cfg.gossipIntervalMs;
    const ms = net.runUntil(() => oneView(net, ids), { timeoutMs: boundMs });
    console.log(`sim: 5 members joined through one seed (5 % loss): one view after ${ms ?? '>' + boundMs} ms (bound ${boundMs})`);
    assert.ok(ms !== undefined);
  });
});

test('restart with a new boot id: the others see the new boot alive at once, not after declaring the old one dead', () => {
  const seed = simSeed(12);
  withSeed(seed, () => {
    const { net, ids } = joined(5, cfg, { seed });
    net.runFor(5_000);
    const target = ids[3] as Addr;
    const name = net.nameOf(target);
    const oldBoot = net.node(target).bootId;
    // given the process dies and comes back 200 ms later (well before any suspicion could end)
    net.kill(target);
    net.runFor(200);
    const restartedAt = net.nowMs;
    net.restart(target, [ids[0] as Addr]);
    const newBoot = net.node(target).bootId;
    assert.notEqual(newBoot, oldBoot);
    const others = ids.filter((id) => id !== target);
    const ms = net.runUntil(() => others.every((o) => net.node(o).member(name)?.bootId === newBoot && net.view(o, target) === 'alive'), {
      timeoutMs: cfg.probeIntervalMs,
      checkEveryMs: 1,
    });
    console.log(`sim: restarted member seen alive with its new boot id on all 4 others after ${ms ?? '>' + cfg.probeIntervalMs} ms`);
    assert.ok(ms !== undefined, `not everywhere within ${cfg.probeIntervalMs} ms`);
    net.runFor(30_000);
    assert.ok(others.every((o) => net.view(o, target) === 'alive'));
    const about = net.events.filter((e) => e.event.member.name === name && e.atMs >= restartedAt);
    assert.deepEqual(
      about.filter((e) => e.event.kind === 'died'),
      [],
      'the old boot must not come back as dead',
    );
    assert.equal(about.filter((e) => e.event.kind === 'restarted').length, 4);
  });
});

test('restart after the others declared it dead: the new boot replaces the dead one at once', () => {
  const seed = simSeed(13);
  withSeed(seed, () => {
    const { net, ids } = joined(5, cfg, { seed });
    net.runFor(5_000);
    const target = ids[2] as Addr;
    const others = ids.filter((id) => id !== target);
    net.kill(target);
    assert.ok(net.runUntil(() => others.every((o) => net.view(o, target) === 'dead'), { timeoutMs: 20_000 }) !== undefined);
    net.restart(target, [ids[0] as Addr]);
    const ms = net.runUntil(() => oneView(net, ids), { timeoutMs: cfg.probeIntervalMs, checkEveryMs: 1 });
    console.log(`sim: member restarted after being declared dead: one view again after ${ms ?? '>' + cfg.probeIntervalMs} ms`);
    assert.ok(ms !== undefined);
  });
});

test('graceful leave: left on every other member, never suspected or dead, even after the process is gone', () => {
  const seed = simSeed(14);
  withSeed(seed, () => {
    const { net, ids } = joined(5, cfg, { seed, lossRate: 0.05 });
    net.runFor(5_000);
    const leaver = ids[4] as Addr;
    const name = net.nameOf(leaver);
    const from = net.nowMs;
    net.input(leaver, { kind: 'leave' });
    // The shell drains: it stops once every direct delivery has been acked (or given up).
    const drainMs = net.runUntil(() => net.node(leaver).pendingDeliveries() === 0, { timeoutMs: 5_000 });
    net.kill(leaver);
    net.runFor(60_000);
    const others = ids.filter((id) => id !== leaver);
    const about = net.events.filter((e) => e.event.member.name === name && e.atMs >= from);
    console.log(`sim: graceful leave drained in ${drainMs} ms; events about the leaver: ${[...new Set(about.map((e) => e.event.kind))].join(', ')}`);
    for (const o of others) assert.equal(net.view(o, leaver), 'left', o);
    assert.deepEqual(
      about.map((e) => e.event.kind),
      ['left', 'left', 'left', 'left'],
    );
  });
});

test('tags: set-tags reaches every member as an update within a few gossip intervals', () => {
  const seed = simSeed(15);
  withSeed(seed, () => {
    const { net, ids } = joined(5, cfg, { seed, lossRate: 0.05 });
    net.runFor(5_000);
    const src = ids[1] as Addr;
    const name = net.nameOf(src);
    net.input(src, { kind: 'set-tags', tags: { role: 'master', zone: 'b' } });
    const ms = net.runUntil(() => ids.every((o) => net.node(o).member(name)?.tags.zone === 'b'), {
      timeoutMs: cfg.deliverMaxTries * cfg.gossipIntervalMs,
      checkEveryMs: 1,
    });
    assert.ok(ms !== undefined);
    assert.equal(net.events.filter((e) => e.event.kind === 'updated' && e.event.member.name === name).length, 4);
  });
});
