import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemberTable } from '../../../coordinator/swim/member-table.js';
import { seededRng } from '../../../proto/common/rng.js';
import { memberOf } from './member-fixture.js';

test('liveCount and liveNames follow liveness changes', () => {
  const t = new MemberTable();
  t.set(memberOf('m1'));
  t.set(memberOf('m2', { state: 'suspect' }));
  t.set(memberOf('m3', { state: 'dead' }));
  assert.deepEqual([t.liveCount, t.liveNames()], [2, ['m1', 'm2']]);
  t.set(memberOf('m1', { state: 'left' }));
  assert.deepEqual([t.liveCount, t.liveNames()], [1, ['m2']]);
});

test('liveAddr: a live member’s address; none for a dead or unknown one', () => {
  const t = new MemberTable();
  t.set(memberOf('m1'));
  t.set(memberOf('m2', { state: 'dead' }));
  assert.deepEqual([t.liveAddr('m1'), t.liveAddr('m2'), t.liveAddr('m9')], ['m1:7946', undefined, undefined]);
});

test('randomAlive: never a suspect; undefined when none is alive', () => {
  const t = new MemberTable();
  t.set(memberOf('m1', { state: 'suspect' }));
  assert.equal(t.randomAlive(seededRng(1)), undefined);
  t.set(memberOf('m2'));
  assert.equal(t.randomAlive(seededRng(1))?.name, 'm2');
});

test('randomDead: a dead member, never a left one', () => {
  const t = new MemberTable();
  t.set(memberOf('m1', { state: 'left' }));
  assert.equal(t.randomDead(seededRng(1)), undefined);
  t.set(memberOf('m2', { state: 'dead' }));
  assert.equal(t.randomDead(seededRng(1))?.name, 'm2');
});
