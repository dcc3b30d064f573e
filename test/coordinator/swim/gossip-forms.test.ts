import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accusationOf, aliveOf, isAccusation, isAccusationMsg, sameUpdate, updateOf } from '../../../coordinator/swim/gossip-forms.js';
import { memberOf } from './member-fixture.js';

test('updateOf: an alive member gossips as its alive message, address and tags included', () => {
  const m = memberOf('m1', { tags: { role: 'master' } });
  assert.deepEqual(updateOf(m, undefined, 'm0'), { kind: 'alive', name: 'm1', bootId: 'a-x', addr: 'm1:7946', incarnation: 1, tags: { role: 'master' } });
  assert.deepEqual(aliveOf(m), updateOf(m, 'm9', 'm0'));
});

test('updateOf: a suspect or dead member names who said so, else us', () => {
  const suspect = { kind: 'suspect', name: 'm1', bootId: 'a-x', incarnation: 1 };
  assert.deepEqual(updateOf(memberOf('m1', { state: 'suspect' }), 'm2', 'm0'), { ...suspect, from: 'm2' });
  assert.deepEqual(updateOf(memberOf('m1', { state: 'suspect' }), undefined, 'm0'), { ...suspect, from: 'm0' });
  assert.deepEqual(updateOf(memberOf('m1', { state: 'dead' }), undefined, 'm0'), { kind: 'dead', name: 'm1', bootId: 'a-x', incarnation: 1, from: 'm0' });
});

test('updateOf: a left member gossips as a dead message from itself', () => {
  assert.deepEqual(updateOf(memberOf('m1', { state: 'left' }), 'm2', 'm0'), { kind: 'dead', name: 'm1', bootId: 'a-x', incarnation: 1, from: 'm1' });
});

test('accusationOf: a suspicion names whoever raised it first, or us', () => {
  const suspect = { kind: 'suspect', name: 'm1', bootId: 'a-x', incarnation: 1 };
  assert.deepEqual(accusationOf(memberOf('m1', { state: 'suspect' }), 'm3', 'm0'), { ...suspect, from: 'm3' });
  assert.deepEqual(accusationOf(memberOf('m1', { state: 'suspect' }), undefined, 'm0'), { ...suspect, from: 'm0' });
});

test('accusationOf: a death is ours', () => {
  assert.deepEqual(accusationOf(memberOf('m1', { state: 'dead' }), 'm3', 'm0'), { kind: 'dead', name: 'm1', bootId: 'a-x', incarnation: 1, from: 'm0' });
});

test('isAccusation: suspect and dead claims accuse, alive and left do not', () => {
  assert.deepEqual(
    (['alive', 'suspect', 'dead', 'left'] as const).map((state) => isAccusation({ name: 'm1', bootId: 'a-x', incarnation: 1, state })),
    [false, true, true, false],
  );
});

test('isAccusationMsg: suspect and dead messages accuse, others do not', () => {
  assert.equal(isAccusationMsg({ kind: 'suspect', name: 'm1', bootId: 'a-x', incarnation: 1, from: 'm0' }), true);
  assert.equal(isAccusationMsg({ kind: 'dead', name: 'm1', bootId: 'a-x', incarnation: 1, from: 'm0' }), true);
  assert.equal(isAccusationMsg({ kind: 'ack', seq: 1, from: 'm0' }), false);
});

test('sameUpdate: the same news about the same member whoever sent it; another incarnation is other news', () => {
  const a = { kind: 'suspect', name: 'm1', bootId: 'a-x', incarnation: 1, from: 'm0' } as const;
  assert.equal(sameUpdate(a, { ...a, from: 'm2' }), true);
  assert.equal(sameUpdate(a, { ...a, incarnation: 2 }), false);
  assert.equal(sameUpdate(a, { ...a, kind: 'dead' }), false);
});
