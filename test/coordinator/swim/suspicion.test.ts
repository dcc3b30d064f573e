import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SWIM_LAN, SWIM_WAN } from '../../../coordinator/swim/config.js';
import { Suspicion, suspicionBounds, suspicionTimeoutMs } from '../../../coordinator/swim/suspicion.js';

test('bounds: min = suspicionMinMult × max(floor, log10 n) × probe interval, max = suspicionMaxTimeoutMult × min', () => {
  const at = (n: number): [number, number, number] => {
    const b = suspicionBounds(SWIM_LAN, n);
    return [Math.round(b.minMs), Math.round(b.maxMs), b.k];
  };
  assert.deepEqual(at(5), [1_000, 6_000, 2]);
  assert.deepEqual(at(10), [1_000, 6_000, 2]);
  assert.deepEqual(at(100), [2_000, 12_000, 2]);
  assert.deepEqual(at(1000), [3_000, 18_000, 2]);
  // K = min(suspicionMult − 2, n − 2), never negative.
  assert.equal(suspicionBounds(SWIM_LAN, 3).k, 1);
  assert.equal(suspicionBounds(SWIM_LAN, 2).k, 0);
  assert.equal(suspicionBounds(SWIM_LAN, 1).k, 0);
  // memberlist's WAN: 6 × 5 s at n ≤ 10, K = 4.
  assert.deepEqual([suspicionBounds(SWIM_WAN, 7).minMs, suspicionBounds(SWIM_WAN, 7).k], [30_000, 4]);
});

test('timeout = max(min, max − (max − min) × log(C + 1) / log(K + 1))', () => {
  const b = { minMs: 1_000, maxMs: 6_000, k: 2 };
  assert.equal(suspicionTimeoutMs(b, 0), 6_000);
  assert.equal(suspicionTimeoutMs(b, 1), Math.floor(6_000 - 5_000 * (Math.log(2) / Math.log(3))));
  assert.equal(suspicionTimeoutMs(b, 2), 1_000);
  assert.equal(suspicionTimeoutMs(b, 7), 1_000);
  // K = 0: nobody else to confirm, min at once.
  assert.equal(suspicionTimeoutMs({ ...b, k: 0 }, 0), 1_000);
});

test('the timeout decays monotonically with confirmations', () => {
  const b = { minMs: 2_000, maxMs: 30_000, k: 6 };
  let last = Infinity;
  for (let c = 0; c <= 8; c++) {
    const t = suspicionTimeoutMs(b, c);
    assert.ok(t <= last && t >= b.minMs, `C=${c}: ${t}`);
    last = t;
  }
  assert.equal(last, b.minMs);
});

test('only new, independent suspecters confirm; the deadline shrinks with them and stretches with local health', () => {
  const s = new Suspicion(10_000, { minMs: 1_000, maxMs: 6_000, k: 2 }, 'm2');
  assert.equal(s.deadlineMs(1), 16_000);
  assert.equal(s.confirm('m2'), false, 'the first suspecter is not its own confirmation');
  assert.equal(s.confirm('m3'), true);
  assert.equal(s.confirm('m3'), false, 'nor is a repeat');
  assert.equal(s.confirmations, 1);
  const one = s.deadlineMs(1);
  assert.ok(one < 16_000 && one > 11_000);
  assert.equal(s.confirm('m4'), true);
  assert.equal(s.deadlineMs(1), 11_000);
  assert.equal(s.deadlineMs(3), 13_000, 'awareness 2 → ×3');
});
