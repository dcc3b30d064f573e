import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReadinessTracker } from '../../../agent/supervisor/readiness.js';

test('readiness: not ready at start, ready after successThreshold passes, not ready after failureThreshold failures', () => {
  const r = new ReadinessTracker({ successThreshold: 2, failureThreshold: 3 });
  assert.equal(r.ready, false);
  assert.equal(r.reason, 'not checked yet');
  assert.equal(r.record(true, ''), false);
  assert.equal(r.ready, false, 'one pass of two');
  assert.equal(r.record(true, ''), true);
  assert.equal(r.ready, true);
  assert.equal(r.reason, '');
  assert.equal(r.record(false, 'timeout'), false);
  assert.equal(r.record(false, 'timeout'), false);
  assert.equal(r.ready, true, 'two failures of three keep it ready');
  assert.equal(r.record(true, ''), false);
  assert.equal(r.record(false, 'a'), false);
  assert.equal(r.record(false, 'b'), false);
  assert.equal(r.record(false, 'HTTP 503'), true, 'the failures must be in a row');
  assert.equal(r.ready, false);
  assert.equal(r.reason, 'readiness probe failed: HTTP 503');
});

test('readiness: a new process starts not ready', () => {
  const r = new ReadinessTracker({ successThreshold: 1, failureThreshold: 3 });
  r.record(true, '');
  assert.equal(r.ready, true);
  assert.equal(r.reset('process restarted'), true);
  assert.equal(r.ready, false);
  assert.equal(r.reason, 'process restarted');
  assert.equal(r.reset('again'), false);
});
