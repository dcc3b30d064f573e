import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closest } from '../../../proto/common/closest.js';

test('closest: a name one edit away is found', () => {
  assert.equal(closest('secure-prot', ['secure-port', 'bind-address']), 'secure-port');
});

test('closest: case does not count as an edit', () => {
  assert.equal(closest('Listen', ['listen', 'metrics']), 'listen');
});

test('closest: nothing within two edits gives undefined', () => {
  assert.equal(closest('frobnicate', ['listen', 'metrics']), undefined);
});

test('closest: the nearest of several wins', () => {
  assert.equal(closest('nodez', ['nodezzz', 'node', 'nodes-extra']), 'node');
});
