import { Counter, Histogram, type Registry } from 'prom-client';
import { errorText } from '../../proto/common/errors.js';
import type { Logger } from '../../proto/common/log.js';
import { WakeableSleep } from '../../proto/common/wakeable-sleep.js';
import type { Controller, Next } from './controller.js';
import { LEADER_TIMINGS } from './timings.js';

/**
 * Runs the leader's controllers until leadership ends (the signal): each in
 * its own loop, one pass at a time, with the wait it asked for in between,
 * ended early by wake(name). A pass that throws is logged (once per new
 * error text, so a down etcd does not flood the log) and counted; the loop
 * goes on. Nothing here decides anything about etcd or the control plane.
 */

export interface RunnerMetrics {
  passes: Counter<'controller' | 'result'>;
  seconds: Histogram<'controller'>;
}

/** Registered once per registry (the coordinator's); a leader elected again reuses them. */
const metricsOf = new WeakMap<Registry, RunnerMetrics>();

export function runnerMetrics(registry: Registry): RunnerMetrics {
  let m = metricsOf.get(registry);
  if (!m) {
    m = {
      passes: new Counter({
        name: 'belay_leader_controller_passes_total',
        help: "Passes of the leader's controllers, by controller and result (ok, error)",
        labelNames: ['controller', 'result'] as const,
        registers: [registry],
      }),
      seconds: new Histogram({
        name: 'belay_leader_controller_pass_seconds',
        help: "How long one pass of a leader's controller took",
        labelNames: ['controller'] as const,
        buckets: [0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: [registry],
      }),
    };
    metricsOf.set(registry, m);
  }
  return m;
}

export class ControllerRunner {
  private readonly sleepers = new Map<string, WakeableSleep>();
  private readonly loops: Promise<void>[] = [];

  constructor(
    private readonly o: {
      signal: AbortSignal;
      log: Logger;
      metrics?: RunnerMetrics | undefined;
      /** The wait after a failed pass whose controller does not say. */
      retryMs?: number;
    },
  ) {
    o.signal.addEventListener('abort', () => this.sleepers.forEach((s) => s.wake()), { once: true });
  }

  /** Starts `c`'s loop; its first pass runs at once. */
  run(c: Controller): void {
    if (this.sleepers.has(c.name)) throw new Error(`controller ${c.name} already runs`);
    const sleeper = new WakeableSleep();
    this.sleepers.set(c.name, sleeper);
    this.loops.push(this.loop(c, sleeper));
  }

  /** Runs `name`'s next pass now (or right after the one running). Unknown names are ignored: the leader may have just changed. */
  wake(name: string): void {
    this.sleepers.get(name)?.wake();
  }

  /** Resolves once every loop has ended (after the signal). */
  async stopped(): Promise<void> {
    await Promise.all(this.loops);
  }

  private async loop(c: Controller, sleeper: WakeableSleep): Promise<void> {
    let lastError = '';
    while (!this.o.signal.aborted) {
      const started = performance.now();
      let next: Next;
      try {
        next = await c.reconcile();
        this.o.metrics?.passes.inc({ controller: c.name, result: 'ok' });
        if (lastError) this.o.log.info('leader controller pass succeeded again', { controller: c.name });
        lastError = '';
      } catch (err) {
        this.o.metrics?.passes.inc({ controller: c.name, result: 'error' });
        const text = errorText(err);
        if (text !== lastError) this.o.log.warn('leader controller pass failed', { controller: c.name, err: text });
        lastError = text;
        next = c.failed?.(err) ?? { afterMs: this.o.retryMs ?? LEADER_TIMINGS.runnerRetryMs };
      }
      this.o.metrics?.seconds.observe({ controller: c.name }, (performance.now() - started) / 1000);
      if (this.o.signal.aborted) break;
      await sleeper.sleep(Math.max(0, next.afterMs));
    }
  }
}
