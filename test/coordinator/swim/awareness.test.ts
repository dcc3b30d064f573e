import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Awareness } from '../../../coordinator/swim/awareness.js';

test('local health stays within 0..max and scales timeouts by score + 1', () => {
  const a = new Awareness(8);
  assert.equal(a.scale(500), 500);
  a.apply(-1);
  assert.equal(a.score, 0);
  for (let i = 0; i < 20; i++) a.apply(1);
  assert.equal(a.score, 8);
  assert.equal(a.scale(1_000), 9_000);
  a.apply(-3);
  assert.equal(a.scale(1_000), 6_000);
});

test('awarenessMax 0 disables it', () => {
  const a = new Awareness(0);
  a.apply(5);
  assert.equal(a.score, 0);
  assert.equal(a.scale(1_000), 1_000);
});
