import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canRemoveMember, quorumOf, type MemberHealth } from '../../../coordinator/etcd/removal.js';

const voter = (n: number, healthy = true): MemberHealth => ({ id: String(n), name: `m${n}`, isLearner: false, healthy });
const learner = (n: number, healthy = true): MemberHealth => ({ id: String(n), name: `m${n}`, isLearner: true, healthy });

test('quorum of 1..7 voters', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map(quorumOf), [1, 2, 2, 3, 3, 4, 4]);
});

test('a healthy voter of three healthy ones may go: the two that stay keep their quorum of 2', () => {
  assert.deepEqual(canRemoveMember([voter(1), voter(2), voter(3)], voter(3)), { ok: true });
});

test('a down voter may go when the healthy ones that stay are a quorum', () => {
  assert.deepEqual(canRemoveMember([voter(1), voter(2), voter(3, false)], voter(3, false)), { ok: true });
});

test('a learner may always go: it has no vote, even with no healthy voter left', () => {
  assert.deepEqual(canRemoveMember([voter(1, false), learner(2)], learner(2)), { ok: true });
});

test('the only voter is refused as LAST_MEMBER (learners do not count)', () => {
  const r = canRemoveMember([voter(1), learner(2)], voter(1));
  assert.equal(r.ok, false);
  assert.deepEqual(r.ok ? undefined : { code: r.code, staying: r.staying, healthyStaying: r.healthyStaying, quorum: r.quorum }, {
    code: 'LAST_MEMBER',
    staying: 0,
    healthyStaying: 0,
    quorum: 1,
  });
  assert.equal(r.ok ? '' : r.message, 'm1 is the only voting member: removing it would delete the cluster');
  assert.equal(r.ok ? '' : r.hint, 'to start over, take a snapshot (belayctl etcd snapshot) and restore it');
});

test('a healthy voter next to a down one is refused as WOULD_LOSE_QUORUM, naming the down member', () => {
  const r = canRemoveMember([voter(1), voter(2), voter(3, false)], voter(2));
  assert.equal(r.ok, false);
  assert.equal(r.ok ? '' : r.code, 'WOULD_LOSE_QUORUM');
  assert.equal(
    r.ok ? '' : r.message,
    'removing m2 would leave 2 voting members of which 1 are healthy, under their quorum of 2 (down: m3): etcd would stop accepting writes',
  );
  assert.equal(r.ok ? '' : r.hint, 'bring m3 back first; if a member is gone for good, remove that one instead');
});

test('two voters, one down: removing the down one leaves one healthy voter, its own quorum', () => {
  assert.deepEqual(canRemoveMember([voter(1), voter(2, false)], voter(2, false)), { ok: true });
});

test('two voters, one down: removing the healthy one leaves only the down one, refused', () => {
  const r = canRemoveMember([voter(1), voter(2, false)], voter(1));
  assert.equal(r.ok ? '' : r.code, 'WOULD_LOSE_QUORUM');
  assert.match(r.ok ? '' : r.message, /leave 1 voting members of which 0 are healthy, under their quorum of 1 \(down: m2\)/);
});

test('five voters, two down: one of the down may go (4 stay, 3 healthy, quorum 3), a healthy one may not (4 stay, 2 healthy)', () => {
  const five = [voter(1), voter(2), voter(3), voter(4, false), voter(5, false)];
  assert.deepEqual(canRemoveMember(five, voter(5, false)), { ok: true });
  const r = canRemoveMember(five, voter(1));
  assert.deepEqual(r.ok ? undefined : [r.code, r.staying, r.healthyStaying, r.quorum], ['WOULD_LOSE_QUORUM', 4, 2, 3]);
});

test('three voters, two down: removing the healthy one is refused, naming both down members', () => {
  const r = canRemoveMember([voter(1), voter(2, false), voter(3, false)], voter(1));
  assert.match(r.ok ? '' : r.message, /\(down: m2, m3\)/);
  assert.equal(r.ok ? '' : r.hint, 'bring m2, m3 back first; if a member is gone for good, remove that one instead');
});

test('a member named by its id (not started) is named so in the refusal', () => {
  const r = canRemoveMember([voter(1), voter(2), { id: 'abc', name: 'abc', isLearner: false, healthy: false }], voter(1));
  assert.match(r.ok ? '' : r.message, /\(down: abc\)/);
});
