import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WakeableSleep } from '../../../proto/common/wakeable-sleep.js';

test('a sleep runs its time, or ends at a wake; a wake while not sleeping ends the next sleep at once, once', async () => {
  const s = new WakeableSleep();
  let t0 = performance.now();
  await s.sleep(50);
  assert.ok(performance.now() - t0 >= 45, 'runs its time');

  t0 = performance.now();
  const sleeping = s.sleep(10_000);
  setTimeout(() => s.wake(), 20);
  await sleeping;
  assert.ok(performance.now() - t0 < 5_000, 'ended by the wake');

  // woken between two sleeps (the loop busy with a pass): the next one ends at once, the one after runs its time
  s.wake();
  t0 = performance.now();
  await s.sleep(10_000);
  assert.ok(performance.now() - t0 < 1_000, 'the pending wake ended it');
  t0 = performance.now();
  await s.sleep(50);
  assert.ok(performance.now() - t0 >= 45, 'a wake counts once');
});
