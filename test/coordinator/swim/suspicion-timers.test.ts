import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SuspicionTimers, halfwayMs } from '../../../coordinator/swim/suspicion-timers.js';

const bounds = { minMs: 1_000, maxMs: 6_000, k: 2 };
const PROBE_TIMEOUT = 500;

test('halfwayMs: midway from the start to the deadline', () => {
  assert.equal(halfwayMs(1_000, 7_000), 4_000);
});

test('due: nothing before halfway', () => {
  const t = new SuspicionTimers();
  t.start(0, 'm1', bounds, 'm2');
  assert.deepEqual(t.due(2_999, 1, PROBE_TIMEOUT), []);
});

test('due: gossiped again once, halfway, naming the first suspecter', () => {
  const t = new SuspicionTimers();
  t.start(0, 'm1', bounds, 'm2');
  assert.deepEqual(t.due(3_000, 1, PROBE_TIMEOUT), [{ kind: 'regossip', name: 'm1', firstFrom: 'm2' }]);
  assert.deepEqual(t.due(3_100, 1, PROBE_TIMEOUT), []);
});

test('due: expires at the deadline and is dropped', () => {
  const t = new SuspicionTimers();
  t.start(0, 'm1', bounds, 'm2');
  t.due(3_000, 1, PROBE_TIMEOUT);
  assert.deepEqual(t.due(6_000, 1, PROBE_TIMEOUT), [{ kind: 'expire', name: 'm1' }]);
  assert.equal(t.has('m1'), false);
});

test('due: a deadline handled late is deferred by one probe timeout, once', () => {
  const t = new SuspicionTimers();
  t.start(0, 'm1', bounds, 'm2');
  t.due(3_000, 1, PROBE_TIMEOUT);
  assert.deepEqual(t.due(6_300, 1, PROBE_TIMEOUT), []);
  assert.equal(t.nextWakeMs(1), 6_800);
  assert.deepEqual(t.due(6_800, 1, PROBE_TIMEOUT), [{ kind: 'expire', name: 'm1' }]);
});

test('due: the local health multiplier stretches the deadline', () => {
  const t = new SuspicionTimers();
  t.start(0, 'm1', bounds, 'm2');
  assert.deepEqual(t.due(3_000, 2, PROBE_TIMEOUT), []);
  assert.equal(t.nextWakeMs(2), 6_000);
});

test('confirm: a new independent suspecter shortens the timeout; the first one and repeats do not count', () => {
  const t = new SuspicionTimers();
  t.start(0, 'm1', bounds, 'm2');
  assert.equal(t.confirm('m1', 'm2'), false);
  assert.equal(t.confirm('m1', 'm3'), true);
  assert.equal(t.confirm('m1', 'm3'), false);
  assert.equal(t.confirm('m9', 'm3'), false);
  assert.ok(t.nextWakeMs(1) < 3_000);
});

test('nextWakeMs: halfway first, then the deadline; Infinity with no suspicions', () => {
  const t = new SuspicionTimers();
  assert.equal(t.nextWakeMs(1), Infinity);
  t.start(0, 'm1', bounds, 'm2');
  assert.equal(t.nextWakeMs(1), 3_000);
  t.due(3_000, 1, PROBE_TIMEOUT);
  assert.equal(t.nextWakeMs(1), 6_000);
});

test('firstFrom: who raised a held suspicion; undefined after delete', () => {
  const t = new SuspicionTimers();
  t.start(0, 'm1', bounds, 'm2');
  assert.equal(t.firstFrom('m1'), 'm2');
  t.delete('m1');
  assert.equal(t.firstFrom('m1'), undefined);
});
