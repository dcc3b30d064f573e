import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLUSTER_NAME, SNAPSHOT_FILE, newestNameFirst, utcStamp } from '../../../coordinator/etcd/snapshot-names.js';

test('utcStamp: UTC, to the second, no separators', () => {
  assert.equal(utcStamp(Date.UTC(2026, 10, 26, 0, 28, 0, 999)), '20261126T002800Z');
});

test('newestNameFirst: a later time sorts first', () => {
  const names = ['etcd-c-20261126T002800Z-rev9.db', 'etcd-c-20261127T002800Z-rev1.db'];
  assert.deepEqual(names.sort(newestNameFirst), ['etcd-c-20261127T002800Z-rev1.db', 'etcd-c-20261126T002800Z-rev9.db']);
});

test('newestNameFirst: at the same time the higher revision sorts first', () => {
  const names = ['etcd-c-20261126T002800Z-rev9.db', 'etcd-c-20261126T002800Z-rev10.db'];
  assert.deepEqual(names.sort(newestNameFirst), ['etcd-c-20261126T002800Z-rev10.db', 'etcd-c-20261126T002800Z-rev9.db']);
});

test('SNAPSHOT_FILE: the .db and its two sidecars, nothing else', () => {
  assert.equal(SNAPSHOT_FILE.exec('etcd-c-20261126T002800Z-rev9.db.json')?.[1], 'etcd-c-20261126T002800Z-rev9.db');
  assert.equal(SNAPSHOT_FILE.test('etcd-c-20261126T002800Z-rev9.db.partial'), false);
});

test('CLUSTER_NAME: refuses a name that would leave the directory', () => {
  assert.equal(CLUSTER_NAME.test('../x'), false);
});
