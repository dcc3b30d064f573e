import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { silentLogger } from '../../../proto/common/log.js';
import type { Controller, Next } from '../../../coordinator/leader/controller.js';
import { ControllerRunner, runnerMetrics } from '../../../coordinator/leader/runner.js';

/** A controller that counts its passes and resolves `reached` at the n-th. */
function counting(name: string, afterMs: number, o: { throwOn?: number } = {}) {
  let passes = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  const c: Controller & { passes: () => number; reached: (n: number) => Promise<void> } = {
    name,
    reconcile(): Promise<Next> {
      passes++;
      waiters.filter((w) => w.n <= passes).forEach((w) => w.resolve());
      if (o.throwOn === passes) return Promise.reject(new Error(`pass ${passes} broke`));
      return Promise.resolve({ afterMs });
    },
    passes: () => passes,
    reached: (n) => new Promise<void>((resolve) => (passes >= n ? resolve() : waiters.push({ n, resolve }))),
  };
  return c;
}

test('the first pass runs at once; wake(name) ends a long wait for that controller only', { timeout: 10_000 }, async () => {
  const ac = new AbortController();
  const runner = new ControllerRunner({ signal: ac.signal, log: silentLogger() });
  const a = counting('a', 60_000);
  const b = counting('b', 60_000);
  runner.run(a);
  runner.run(b);
  await Promise.all([a.reached(1), b.reached(1)]);
  runner.wake('a');
  await a.reached(2);
  assert.equal(b.passes(), 1);
  runner.wake('nobody'); // a controller of an earlier leadership: ignored
  ac.abort();
  await runner.stopped();
});

test('a failed pass is counted, handed to failed() for its wait, and the loop goes on', { timeout: 10_000 }, async () => {
  const ac = new AbortController();
  const registry = new Registry();
  const metrics = runnerMetrics(registry);
  const runner = new ControllerRunner({ signal: ac.signal, log: silentLogger(), metrics });
  const c = counting('etcd-membership', 60_000, { throwOn: 1 });
  const seen: string[] = [];
  c.failed = (err) => {
    seen.push((err as Error).message);
    return { afterMs: 0 };
  };
  runner.run(c);
  await c.reached(2);
  assert.deepEqual(seen, ['pass 1 broke']);
  ac.abort();
  await runner.stopped();
  const text = await registry.metrics();
  assert.match(text, /belay_leader_controller_passes_total\{controller="etcd-membership",result="error"\} 1/);
  assert.match(text, /belay_leader_controller_passes_total\{controller="etcd-membership",result="ok"\} 1/);
  assert.equal(runnerMetrics(registry), metrics, 'a second leadership reuses the registered metrics');
});

test('leadership lost: every loop ends, also one waiting a long time', { timeout: 10_000 }, async () => {
  const ac = new AbortController();
  const runner = new ControllerRunner({ signal: ac.signal, log: silentLogger() });
  const c = counting('backups', 3_600_000);
  runner.run(c);
  await c.reached(1);
  ac.abort();
  await runner.stopped();
  assert.equal(c.passes(), 1);
  assert.throws(() => {
    runner.run(counting('backups', 1));
  }, /already runs/);
});
