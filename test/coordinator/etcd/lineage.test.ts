import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkLineage } from '../../../coordinator/etcd/lineage.js';

const last = { name: 'etcd-dev-20261207T000000Z-rev780.db', clusterId: 'cdf8', revision: 780, takenAtMs: 1_000 };

test('the first backup has nothing to compare with', () => {
  assert.deepEqual(checkLineage({ current: { clusterId: 'x', revision: 1 }, last: undefined, startedAtMs: undefined }), { ok: true });
});

test('the same cluster at the same or a later revision is backed up', () => {
  assert.deepEqual(checkLineage({ current: { clusterId: 'cdf8', revision: 780 }, last, startedAtMs: undefined }), { ok: true });
  assert.deepEqual(checkLineage({ current: { clusterId: 'cdf8', revision: 900 }, last, startedAtMs: 10 }), { ok: true });
});

test('a revision gone backwards is refused: an etcd that started empty under the old identity', () => {
  const v = checkLineage({ current: { clusterId: 'cdf8', revision: 6 }, last, startedAtMs: 500 });
  assert.equal(v.ok, false);
  assert.match(v.ok ? '' : v.reason, /its revision went backwards \(6 now, 780 in etcd-dev-20261207T000000Z-rev780\.db\)/);
  assert.match(v.ok ? '' : v.reason, /the snapshots kept are not pruned/);
});

test('another cluster ID is refused', () => {
  const v = checkLineage({ current: { clusterId: 'beef', revision: 9000 }, last, startedAtMs: undefined });
  assert.match(v.ok ? '' : v.reason, /its cluster ID changed \(beef now, cdf8 in /);
});

test('a restore or bootstrap after the last snapshot explains a new ID or an older revision', () => {
  assert.deepEqual(checkLineage({ current: { clusterId: 'beef', revision: 500 }, last, startedAtMs: 2_000 }), { ok: true });
  assert.deepEqual(checkLineage({ current: { clusterId: 'cdf8', revision: 500 }, last, startedAtMs: 2_000 }), { ok: true });
});
