import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareDigest, compareVersions, digestOf, pushPullOf, pushPullPeriodMs, type DigestView } from '../../../coordinator/swim/anti-entropy.js';
import type { Member } from '../../../coordinator/swim/membership.js';
import type { Digest, DigestEntry } from '../../../coordinator/swim/messages.js';
import { memberOf } from './member-fixture.js';

const self = memberOf('m0');
const view = (known: Member[], o: Partial<DigestView> = {}): DigestView => ({
  self,
  known: new Map(known.map((m) => [m.name, m])),
  leaving: false,
  firstFrom: () => undefined,
  ...o,
});
const entry = (m: Member): DigestEntry => ({ name: m.name, bootId: m.bootId, incarnation: m.incarnation, state: m.state });
const digest = (...members: DigestEntry[]): Digest => ({ kind: 'digest', from: 'm9', fromAddr: 'm9:7946', members });

test('digestOf: ourselves first, then every member known, as versions only', () => {
  const d = digestOf(self, new Map([['m1', memberOf('m1', { state: 'dead', incarnation: 3 })]]));
  assert.deepEqual(d, {
    kind: 'digest',
    from: 'm0',
    fromAddr: 'm0:7946',
    members: [entry(self), { name: 'm1', bootId: 'a-x', incarnation: 3, state: 'dead' }],
  });
});

test('pushPullOf: ourselves first, then every member known, as snapshots', () => {
  const pp = pushPullOf(self, new Map([['m1', memberOf('m1')]]), true, false);
  assert.deepEqual([pp.from, pp.join, pp.reply, pp.members.map((m) => m.name)], ['m0', true, false, ['m0', 'm1']]);
});

test('compareVersions: a newer boot wins whatever its incarnation', () => {
  assert.equal(compareVersions(memberOf('m1', { bootId: 'b-x', incarnation: 0 }), memberOf('m1', { incarnation: 9 })), 1);
});

test('compareVersions: within a boot, the higher incarnation, then the stronger state', () => {
  assert.equal(compareVersions(memberOf('m1', { incarnation: 1 }), memberOf('m1', { incarnation: 2 })), -1);
  assert.equal(compareVersions(memberOf('m1', { state: 'suspect' }), memberOf('m1')), 1);
  assert.equal(compareVersions(memberOf('m1'), memberOf('m1')), 0);
});

test('pushPullPeriodMs: the interval up to 32 members, stretched by log2 above', () => {
  assert.deepEqual(
    [pushPullPeriodMs(30_000, 5), pushPullPeriodMs(30_000, 32), pushPullPeriodMs(30_000, 33), pushPullPeriodMs(30_000, 128)],
    [30_000, 30_000, 60_000, 90_000],
  );
});

test('compareDigest: equal views: nothing to send, no sync', () => {
  const m1 = memberOf('m1');
  assert.deepEqual(compareDigest(view([m1]), digest(entry(self), entry(m1))), { selfClaim: undefined, updates: [], sync: false });
});

test('compareDigest: a sender that lacks us gets our alive, unless we leave', () => {
  assert.deepEqual(compareDigest(view([]), digest()).updates, [{ kind: 'alive', name: 'm0', bootId: 'a-x', addr: 'm0:7946', incarnation: 1, tags: {} }]);
  assert.deepEqual(compareDigest(view([], { leaving: true }), digest()).updates, []);
});

test('compareDigest: a sender that knows us newer: a claim about ourselves to merge', () => {
  const c = compareDigest(view([]), digest({ ...entry(self), state: 'suspect' }));
  assert.deepEqual(c.selfClaim, { name: 'm0', bootId: 'a-x', incarnation: 1, state: 'suspect', from: 'm9' });
});

test('compareDigest: a sender that lacks a suspect gets its alive, then our suspicion', () => {
  const c = compareDigest(view([memberOf('m1', { state: 'suspect' })], { firstFrom: () => 'm2' }), digest(entry(self)));
  assert.deepEqual(
    c.updates.map((u) => [u.kind, 'from' in u ? u.from : undefined]),
    [
      ['alive', undefined],
      ['suspect', 'm2'],
    ],
  );
});

test('compareDigest: a dead or left member the sender never knew is not sent', () => {
  assert.deepEqual(compareDigest(view([memberOf('m1', { state: 'dead' }), memberOf('m2', { state: 'left' })]), digest(entry(self))).updates, []);
});

test('compareDigest: a member we know newer goes back as our view of it', () => {
  const c = compareDigest(view([memberOf('m1', { incarnation: 2 })]), digest(entry(self), entry(memberOf('m1'))));
  assert.deepEqual(
    c.updates.map((u) => [u.kind, u.kind === 'alive' ? u.incarnation : 0]),
    [['alive', 2]],
  );
  assert.equal(c.sync, false);
});

test('compareDigest: a newer boot we know only as dead needs its address: sync', () => {
  const c = compareDigest(view([memberOf('m1', { bootId: 'b-x', state: 'dead' })]), digest(entry(self), entry(memberOf('m1'))));
  assert.equal(c.sync, true);
});

test('compareDigest: a sender that knows a member newer: sync', () => {
  assert.equal(compareDigest(view([memberOf('m1')]), digest(entry(self), entry(memberOf('m1', { incarnation: 2 })))).sync, true);
});

test('compareDigest: a sender that knows an alive member we lack: sync; a dead one: not', () => {
  assert.equal(compareDigest(view([]), digest(entry(self), entry(memberOf('m1')))).sync, true);
  assert.equal(compareDigest(view([]), digest(entry(self), entry(memberOf('m1', { state: 'dead' })))).sync, false);
});
