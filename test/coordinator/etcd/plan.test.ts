import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planEtcd, type MasterObservation, type ObservedMember, type PlanInput } from '../../../coordinator/etcd/plan.js';

const url = (n: number): string => `https://127.0.1.${n}:2380`;
const master = (n: number, o: Partial<MasterObservation> = {}): MasterObservation => ({
  name: `m${n}`,
  peerUrl: url(n),
  gossip: 'alive',
  gossipSinceMs: 0,
  etcdRunning: true,
  ...o,
});
const voter = (n: number, o: Partial<ObservedMember> = {}): ObservedMember => ({
  id: String(n * 1000),
  name: `m${n}`,
  peerUrls: [url(n)],
  isLearner: false,
  healthy: true,
  isLeader: n === 1,
  ...o,
});
const input = (o: Partial<PlanInput>): PlanInput => ({
  nowMs: 1_000_000,
  masters: [master(1), master(2), master(3)],
  members: [voter(1), voter(2), voter(3)],
  retryAtMs: {},
  learnerCatchUpTimeoutMs: 300_000,
  replaceAfterMs: 300_000,
  ...o,
});

test('all masters healthy members: idle', () => {
  const s = planEtcd(input({}));
  assert.equal(s.kind, 'idle');
  assert.match(s.kind === 'idle' ? s.reason : '', /all 3 masters are healthy/);
});

test('the member list cannot be read: blocked, nothing changed', () => {
  assert.equal(planEtcd(input({ members: undefined })).kind, 'blocked');
});

test('no quorum: blocked even with masters to join or replace', () => {
  const s = planEtcd(
    input({
      masters: [master(1), master(2, { gossip: 'dead', gossipSinceMs: 0 }), master(3, { gossip: 'dead', gossipSinceMs: 0 }), master(4)],
      members: [voter(1), voter(2, { healthy: false }), voter(3, { healthy: false })],
    }),
  );
  assert.equal(s.kind, 'blocked');
  assert.match(s.kind === 'blocked' ? s.reason : '', /no quorum: 1 of 3 voting members healthy, 2 needed \(down: m2, m3\)/);
});

test('joins go one at a time in spec order, only for masters alive in gossip', () => {
  const s = planEtcd(input({ masters: [master(1), master(2, { gossip: 'suspect' }), master(3)], members: [voter(1)] }));
  assert.deepEqual(s, { kind: 'add-learner', master: 'm3', peerUrl: url(3) });
});

test('a master in retry backoff is skipped and the wait is explained', () => {
  const s = planEtcd(input({ members: [voter(1), voter(2)], retryAtMs: { m3: 1_025_000 }, lastFailure: { m3: 'preflight failed: fsync' } }));
  assert.equal(s.kind, 'blocked');
  assert.match(s.kind === 'blocked' ? s.reason : '', /m3 \(preflight failed: fsync; retrying within 30 s\)/);
  assert.equal(planEtcd(input({ members: [voter(1), voter(2)], retryAtMs: { m3: 999_000 } })).kind, 'add-learner');
});

test('a learner added but never started (no name) is started, not added again', () => {
  const s = planEtcd(input({ members: [voter(1), voter(2), { ...voter(3), name: '', isLearner: true, healthy: false }] }));
  assert.deepEqual(s, { kind: 'start-learner', master: 'm3', memberId: '3000' });
});

test('a started learner is promoted (etcd refuses until it is in sync, so retrying is the catch-up wait)', () => {
  const s = planEtcd(input({ members: [voter(1), voter(2), { ...voter(3), isLearner: true }] }));
  assert.deepEqual(s, { kind: 'promote', master: 'm3', memberId: '3000' });
});

test('a learner past the catch-up deadline is removed; before it, promoted', () => {
  const members = [voter(1), voter(2), { ...voter(3), isLearner: true }];
  const late = planEtcd(input({ members, join: { master: 'm3', memberId: '3000', addedAtMs: 1_000_000 - 300_001 } }));
  assert.equal(late.kind, 'remove-member');
  assert.match(late.kind === 'remove-member' ? late.reason : '', /not caught up 300 s after it was added/);
  assert.equal(planEtcd(input({ members, join: { master: 'm3', memberId: '3000', addedAtMs: 1_000_000 - 299_000 } })).kind, 'promote');
  // A record of another member says nothing about this one's age.
  assert.equal(planEtcd(input({ members, join: { master: 'm3', memberId: '42', addedAtMs: 0 } })).kind, 'promote');
});

test('a learner of no master in the spec, or of a dead master, is removed', () => {
  const stray = planEtcd(input({ members: [voter(1), voter(2), voter(3), { ...voter(9), isLearner: true }] }));
  assert.equal(stray.kind, 'remove-member');
  assert.equal(stray.kind === 'remove-member' && stray.isLearner, true);
  const dead = planEtcd(
    input({ masters: [master(1), master(2), master(3, { gossip: 'dead' })], members: [voter(1), voter(2), { ...voter(3), isLearner: true }] }),
  );
  assert.equal(dead.kind, 'remove-member');
});

test('one unhealthy voter blocks joins (no membership change next to it)', () => {
  const s = planEtcd(
    input({ masters: [master(1), master(2), master(3), master(4)], members: [voter(1), voter(2), voter(3, { healthy: false, unhealthySinceMs: 999_000 })] }),
  );
  assert.equal(s.kind, 'blocked');
  assert.match(s.kind === 'blocked' ? s.reason : '', /member m3 is unhealthy/);
});

test('a voter whose master is dead longer than replaceAfter is removed when the rest keep quorum', () => {
  const members = [voter(1), voter(2), voter(3, { healthy: false, unhealthySinceMs: 0 })];
  const before = planEtcd(input({ masters: [master(1), master(2), master(3, { gossip: 'dead', gossipSinceMs: 1_000_000 - 299_000 })], members }));
  assert.equal(before.kind, 'blocked');
  const after = planEtcd(input({ masters: [master(1), master(2), master(3, { gossip: 'dead', gossipSinceMs: 1_000_000 - 301_000 })], members }));
  assert.deepEqual(after.kind === 'remove-member' && { master: after.master, isLearner: after.isLearner }, { master: 'm3', isLearner: false });
});

test('replacement never takes the staying members below their quorum', () => {
  // 5 voters, 2 down: removing one leaves 4 with 3 healthy (quorum 3): allowed.
  const five = [master(1), master(2), master(3), master(4, { gossip: 'dead' }), master(5, { gossip: 'dead', gossipSinceMs: 0 })];
  const members5 = [voter(1), voter(2), voter(3), voter(4, { healthy: false, unhealthySinceMs: 0 }), voter(5, { healthy: false, unhealthySinceMs: 0 })];
  assert.equal(planEtcd(input({ masters: five, members: members5 })).kind, 'remove-member');
  // 4 voters with 2 down have no quorum at all: rule 1 stops first.
  const four = [voter(1), voter(2), voter(3, { healthy: false }), voter(4, { healthy: false })];
  assert.equal(
    planEtcd(input({ masters: [master(1), master(2), master(3, { gossip: 'dead' }), master(4, { gossip: 'dead' })], members: four })).kind,
    'blocked',
  );
  // 2 voters, 1 down: quorum 2 not met → blocked by rule 1.
  assert.equal(planEtcd(input({ masters: [master(1), master(2, { gossip: 'dead' })], members: [voter(1), voter(2, { healthy: false })] })).kind, 'blocked');
});

test('a master alive without a running etcd (fresh host, lost data) is replaced after replaceAfter of the member being down', () => {
  const masters = [master(1), master(2), master(3, { etcdRunning: false })];
  const members = (since: number): ObservedMember[] => [voter(1), voter(2), voter(3, { healthy: false, unhealthySinceMs: since })];
  assert.equal(planEtcd(input({ masters, members: members(1_000_000 - 10_000) })).kind, 'blocked');
  const s = planEtcd(input({ masters, members: members(1_000_000 - 400_000) }));
  assert.equal(s.kind, 'remove-member');
  assert.match(s.kind === 'remove-member' ? s.reason : '', /up but its etcd is not running/);
  // Its etcd running (slow to catch up, or a network problem): not replaced by this rule.
  assert.equal(planEtcd(input({ masters: [master(1), master(2), master(3)], members: members(0) })).kind, 'blocked');
  // Without a fresh report (the kubelet runtime does not say, or the agent is silent): not replaced either.
  assert.equal(planEtcd(input({ masters: [master(1), master(2), master(3, { etcdRunning: undefined })], members: members(0) })).kind, 'blocked');
});

test('removing the etcd leader is flagged so that leadership moves first', () => {
  const members = [voter(1, { healthy: false, unhealthySinceMs: 0, isLeader: true }), voter(2, { isLeader: false }), voter(3)];
  const s = planEtcd(input({ masters: [master(1, { gossip: 'dead', gossipSinceMs: 0 }), master(2), master(3)], members }));
  assert.equal(s.kind === 'remove-member' && s.isLeader, true);
});

test('a voter not in the spec is left alone and named', () => {
  const s = planEtcd(input({ members: [voter(1), voter(2), voter(3), voter(4)] }));
  assert.equal(s.kind, 'idle');
  assert.match(s.kind === 'idle' ? s.reason : '', /m4 is not in the spec/);
});

test('a master removed by hand is not joined again until added back', () => {
  const s = planEtcd(input({ members: [voter(1), voter(2)], heldOut: ['m3'] }));
  assert.equal(s.kind, 'blocked');
  assert.match(s.kind === 'blocked' ? s.reason : '', /m3 \(removed by hand: belayctl etcd add m3/);
});

test('a voter whose agent reports its data lost is replaced at once, not after replaceAfter', () => {
  const s = planEtcd(
    input({
      masters: [master(1), master(2), master(3, { etcdRunning: false, dataLoss: 'etcd data dir /var/lib/etcd is gone' })],
      members: [voter(1), voter(2), voter(3, { healthy: false, unhealthySinceMs: 999_000 })],
    }),
  );
  assert.equal(s.kind, 'remove-member');
  assert.match(s.kind === 'remove-member' ? s.reason : '', /replacing it: its data is lost: etcd data dir \/var\/lib\/etcd is gone/);
});

test('a lost member is not removed while its etcd still answers healthy (its data is open in the running process)', () => {
  const s = planEtcd(input({ masters: [master(1), master(2), master(3, { dataLoss: 'gone' })] }));
  assert.equal(s.kind, 'idle');
});

test('a lost member is replaced only when the members that stay keep their quorum', () => {
  // 2 of 3 voters lost: no quorum at all; the line says which data is lost.
  const s = planEtcd(
    input({
      masters: [master(1), master(2, { dataLoss: 'gone' }), master(3, { dataLoss: 'gone' })],
      members: [voter(1), voter(2, { healthy: false }), voter(3, { healthy: false })],
    }),
  );
  assert.equal(s.kind, 'blocked');
  assert.match(s.kind === 'blocked' ? s.reason : '', /no quorum: .*data lost: m2, m3, held back by their agents/);
  // 5 voters, one already down for another reason: removing the lost one leaves 3 healthy of 4, quorum 3: done at once.
  const five = planEtcd(
    input({
      masters: [master(1), master(2), master(3, { dataLoss: 'gone' }), master(4), master(5)],
      members: [voter(1), voter(2), voter(3, { healthy: false }), voter(4, { healthy: false }), voter(5)],
    }),
  );
  assert.equal(five.kind, 'remove-member');
  assert.equal(five.kind === 'remove-member' ? five.master : '', 'm3');
});
