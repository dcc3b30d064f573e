import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Update } from '../../../coordinator/swim/broadcast-queue.js';
import { SWIM_LAN } from '../../../coordinator/swim/config.js';
import { DirectDelivery } from '../../../coordinator/swim/direct-delivery.js';
import { estimateSize } from '../../../coordinator/swim/messages.js';

const alive = (name: string, incarnation = 1, tags: Record<string, string> = {}): Update => ({
  kind: 'alive',
  name,
  bootId: 'a-x',
  addr: `${name}:1`,
  incarnation,
  tags,
});
const addrOf = (name: string): string => `${name}:1`;

function setup(): DirectDelivery {
  let seq = 100;
  return new DirectDelivery(SWIM_LAN, 'm0', () => ++seq);
}

test('one packet per member, led by deliver{seq}; resent every gossip interval until acked', () => {
  const d = setup();
  d.add(['m1', 'm2'], alive('m0'));
  const first = d.packets(0, addrOf);
  assert.deepEqual(
    first.map((p) => [p.to, p.msgs.map((m) => m.kind)]),
    [
      ['m1:1', ['deliver', 'alive']],
      ['m2:1', ['deliver', 'alive']],
    ],
  );
  const seqOf = (to: string): number => {
    const m = first.find((p) => p.to === to)?.msgs[0];
    return m?.kind === 'deliver' ? m.seq : -1;
  };
  assert.equal(d.ack(seqOf('m1:1')), true);
  assert.equal(d.ack(12345), false);
  assert.deepEqual(d.packets(SWIM_LAN.gossipIntervalMs - 1, addrOf), []);
  assert.equal(d.nextWakeMs(), SWIM_LAN.gossipIntervalMs);
  assert.deepEqual(
    d.packets(SWIM_LAN.gossipIntervalMs, addrOf).map((p) => p.to),
    ['m2:1'],
  );
  assert.equal(d.size, 1);
});

test('gives up after deliverMaxTries sends, and never sends to a member that is no longer live', () => {
  const d = setup();
  d.add(['m1', 'm2'], alive('m0'));
  let sends = d.packets(0, addrOf).filter((p) => p.to === 'm1:1').length;
  for (let t = 1; t < 20; t++)
    sends += d.packets(t * SWIM_LAN.gossipIntervalMs, (n) => (n === 'm2' ? undefined : addrOf(n))).filter((p) => p.to === 'm1:1').length;
  assert.equal(sends, SWIM_LAN.deliverMaxTries);
  assert.equal(d.givenUp, 1);
  assert.equal(d.size, 0);
  d.add(['m3'], alive('m0', 2));
  d.drop('m3');
  assert.deepEqual(d.packets(10_000, addrOf), []);
});

test('a newer update about the same member replaces the older one, pending or in flight', () => {
  const d = setup();
  d.add(['m1'], alive('m5', 1));
  d.add(['m1'], alive('m5', 2));
  const [p] = d.packets(0, addrOf);
  assert.deepEqual(
    p?.msgs.slice(1).map((m) => (m.kind === 'alive' ? m.incarnation : -1)),
    [2],
  );
  d.add(['m1'], { kind: 'dead', name: 'm5', bootId: 'a-x', incarnation: 2, from: 'm0' });
  assert.equal(d.size, 0, 'the in-flight alive is pointless now');
  assert.deepEqual(
    d.packets(1, addrOf)[0]?.msgs.map((m) => m.kind),
    ['deliver', 'dead'],
  );
});

test('updates for one member are split so that each packet stays within the MTU', () => {
  const d = setup();
  const big = (i: number): Update => alive(`m${i}`, 1, { blob: 'x'.repeat(300) });
  for (let i = 0; i < 10; i++) d.add(['m1'], big(i));
  const packets = d.packets(0, addrOf);
  assert.ok(packets.length > 1);
  for (const p of packets) {
    assert.equal(p.msgs[0]?.kind, 'deliver');
    assert.ok(p.msgs.reduce((n, m) => n + estimateSize(m), 0) <= SWIM_LAN.mtu);
  }
  assert.equal(packets.flatMap((p) => p.msgs.slice(1)).length, 10);
});
