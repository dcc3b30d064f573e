import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BroadcastQueue, retransmitLimit, type Update } from '../../../coordinator/swim/broadcast-queue.js';
import { estimateSize } from '../../../coordinator/swim/messages.js';

const alive = (name: string, incarnation = 1): Update => ({ kind: 'alive', name, bootId: 'a-x', addr: `${name}:7946`, incarnation, tags: {} });

test('retransmit limit is retransmitMult × ceil(log10(n + 1))', () => {
  assert.equal(retransmitLimit(4, 1), 4);
  assert.equal(retransmitLimit(4, 5), 4);
  assert.equal(retransmitLimit(4, 9), 4);
  assert.equal(retransmitLimit(4, 10), 8);
  assert.equal(retransmitLimit(4, 99), 8);
  assert.equal(retransmitLimit(4, 1000), 16);
});

test('an update is sent at most `limit` times, then leaves the queue', () => {
  const q = new BroadcastQueue();
  q.enqueue(alive('m1'));
  for (let i = 0; i < 4; i++) assert.equal(q.take(1_400, 4).length, 1, `send ${i + 1}`);
  assert.deepEqual(q.take(1_400, 4), []);
  assert.equal(q.length, 0);
});

test('a newer update about a member invalidates the queued older one', () => {
  const q = new BroadcastQueue();
  q.enqueue(alive('m1', 1));
  q.take(1_400, 10);
  q.enqueue({ kind: 'suspect', name: 'm1', bootId: 'a-x', incarnation: 1, from: 'm2' });
  q.enqueue(alive('m2'));
  assert.equal(q.length, 2);
  const sent = q.take(1_400, 10);
  assert.deepEqual(sent.map((u) => [u.kind, u.name]).sort(), [
    ['alive', 'm2'],
    ['suspect', 'm1'],
  ]);
  assert.equal(q.peek('m1')?.kind, 'suspect');
});

test('a packet takes the least-sent updates first, newest first among equals, within the byte budget', () => {
  const q = new BroadcastQueue();
  q.enqueue(alive('o'));
  q.take(1_400, 10);
  q.enqueue(alive('a'));
  q.enqueue(alive('b'));
  const one = estimateSize(alive('a'));
  assert.deepEqual(
    q.take(one, 10).map((u) => u.name),
    ['b'],
  );
  assert.deepEqual(
    q.take(one, 10).map((u) => u.name),
    ['a'],
  );
  // All sent once now: newest first, as many as fit.
  assert.deepEqual(
    q.take(2 * one + 1, 10).map((u) => u.name),
    ['b', 'a'],
  );
  assert.deepEqual(
    q.take(one, 10).map((u) => u.name),
    ['o'],
  );
  assert.deepEqual(q.take(0, 10), []);
});

test('an update bigger than the budget is skipped, smaller ones still go', () => {
  const q = new BroadcastQueue();
  const big: Update = { kind: 'alive', name: 'big', bootId: 'a-x', addr: 'big:1', incarnation: 1, tags: { blob: 'x'.repeat(300) } };
  q.enqueue(alive('small'));
  q.enqueue(big);
  assert.deepEqual(
    q.take(estimateSize(alive('small')), 10).map((u) => u.name),
    ['small'],
  );
  assert.equal(q.length, 2);
});
