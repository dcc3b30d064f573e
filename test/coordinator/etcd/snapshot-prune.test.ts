import assert from 'node:assert/strict';
import { test } from 'node:test';
import { snapshotsToPrune, type KeptSnapshot } from '../../../coordinator/etcd/snapshot-prune.js';

// newest first
const snaps = (...v: [string, number, boolean][]): KeptSnapshot[] => v.map(([name, bytes, verified]) => ({ name, bytes, verified }));

test('snapshotsToPrune: beyond `retain`, oldest first, within any budget', () => {
  assert.deepEqual(snapshotsToPrune(snaps(['d', 1, true], ['c', 1, true], ['b', 1, true], ['a', 1, true]), 2, 100), ['a', 'b']);
});

test('snapshotsToPrune: over the byte budget, the oldest go until the rest fit', () => {
  assert.deepEqual(snapshotsToPrune(snaps(['d', 10, true], ['c', 10, true], ['b', 10, true], ['a', 10, true]), 48, 25), ['a', 'b']);
});

test('snapshotsToPrune: never the newest verified one, even alone over the budget', () => {
  assert.deepEqual(snapshotsToPrune(snaps(['c', 10, false], ['b', 10, true], ['a', 10, true]), 1, 5), ['a', 'c']);
});

test('snapshotsToPrune: within retain and budget, nothing', () => {
  assert.deepEqual(snapshotsToPrune(snaps(['b', 10, true], ['a', 10, false]), 2, 20), []);
});
