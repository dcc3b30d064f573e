import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BroadcastQueue } from '../../../coordinator/swim/broadcast-queue.js';
import { estimateSize, type Suspect, type SwimMessage } from '../../../coordinator/swim/messages.js';
import { Outbox, withPiggyback } from '../../../coordinator/swim/outbox.js';

const suspect = (name: string, from = 'm0'): Suspect => ({ kind: 'suspect', name, bootId: 'a-x', incarnation: 1, from });
const ping: SwimMessage = { kind: 'ping', seq: 1, target: 'm1', from: 'm0', fromAddr: 'm0:7946' };

test('withPiggyback: queued updates ride after the packet’s own messages', () => {
  const q = new BroadcastQueue();
  q.enqueue(suspect('m2'));
  assert.deepEqual(withPiggyback([ping], q, 1400, 3), [ping, suspect('m2')]);
});

test('withPiggyback: only what fits in the MTU with the packet’s own messages', () => {
  const q = new BroadcastQueue();
  q.enqueue(suspect('m2'));
  assert.deepEqual(withPiggyback([ping], q, estimateSize(ping) + estimateSize(suspect('m2')) - 1, 3), [ping]);
});

test('withPiggyback: an accusation already in the packet does not ride twice', () => {
  const q = new BroadcastQueue();
  q.enqueue(suspect('m1', 'm5'));
  assert.deepEqual(withPiggyback([ping, suspect('m1')], q, 1400, 3), [ping, suspect('m1')]);
});

test('finish: one packet per address, gossip-only packets filled or dropped, own packets after', () => {
  const out = new Outbox();
  out.udp('a', ping);
  out.gossip('b');
  out.send({ to: 'c', msgs: [ping] });
  out.udp('a', ping);
  assert.deepEqual(out.finish(new BroadcastQueue(), 1400, 3).send, [
    { to: 'a', msgs: [ping, ping] },
    { to: 'c', msgs: [ping] },
  ]);
});
