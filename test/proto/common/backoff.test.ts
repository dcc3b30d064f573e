import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RECONNECT_BACKOFF, backoffDelayMs } from '../../../proto/common/backoff.js';

test('backoff doubles from the initial delay and stays within its jitter band', () => {
  const cfg = { initialMs: 100, maxMs: 10_000, multiplier: 2 };
  for (const [attempt, ceiling] of [
    [0, 100],
    [1, 200],
    [3, 800],
  ] as const) {
    assert.equal(
      backoffDelayMs(cfg, attempt, () => 0),
      ceiling / 2,
    );
    assert.equal(
      backoffDelayMs(cfg, attempt, () => 1),
      ceiling,
    );
  }
});

test('backoff is capped however many attempts failed', () => {
  assert.equal(
    backoffDelayMs(RECONNECT_BACKOFF, 60, () => 1),
    RECONNECT_BACKOFF.maxMs,
  );
  assert.ok(backoffDelayMs(RECONNECT_BACKOFF, 1000, () => 0.5) <= RECONNECT_BACKOFF.maxMs);
});
