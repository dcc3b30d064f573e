import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { POLICY_DEFAULTS } from '../../../agent/supervisor/policy-config.js';
import type { Output, Proc } from '../../../agent/supervisor/policy-io.js';
import { SupervisionPolicy, sameProc } from '../../../agent/supervisor/policy.js';

/**
 * Properties over random histories: the world does whatever it likes (exits,
 * failed checks, a flapping dependency, pauses), at random times, and the
 * policy must keep its promises: it never spins, never starts twice at once,
 * never signals a process other than the one it supervises, and never acts
 * on a paused service.
 */
type Happening =
  { kind: 'exit' } | { kind: 'check'; ok: boolean } | { kind: 'dep'; ready: boolean } | { kind: 'pause' } | { kind: 'resume' } | { kind: 'startFails' };

const happening = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Happening>({ kind: 'exit' }) },
  { weight: 6, arbitrary: fc.boolean().map<Happening>((ok) => ({ kind: 'check', ok })) },
  { weight: 2, arbitrary: fc.boolean().map<Happening>((ready) => ({ kind: 'dep', ready })) },
  { weight: 1, arbitrary: fc.constant<Happening>({ kind: 'pause' }) },
  { weight: 1, arbitrary: fc.constant<Happening>({ kind: 'resume' }) },
  { weight: 1, arbitrary: fc.constant<Happening>({ kind: 'startFails' }) },
);

const history = fc.array(fc.tuple(fc.integer({ min: 0, max: 20_000 }), happening), { minLength: 1, maxLength: 200 });

test('the policy never spins, never double-starts, never signals a stranger, never acts while paused', () => {
  fc.assert(
    fc.property(history, fc.boolean(), fc.boolean(), fc.boolean(), (steps, hasCheck, withDep, crashy) => {
      const cfg = POLICY_DEFAULTS;
      const p = new SupervisionPolicy(cfg, { hasCheck, dependsOn: withDep ? ['runtime'] : [] });
      let now = 0;
      let wake = Infinity;
      let nextPid = 10;
      let proc: Proc | null = null;
      let startPending = false;
      let paused = false;
      let failNextStart = false;
      const starts: number[] = [];
      let resumes = 0;
      let cause = '';

      const apply = (out: Output): void => {
        wake = out.wakeAtMs;
        for (const a of out.actions) {
          if (paused) assert.fail(`action ${a.kind} while paused at ${now}`);
          if (a.kind === 'start') {
            assert.equal(startPending, false, `a second start while one is pending at ${now}`);
            assert.equal(proc, null, `start while ${proc?.pid} runs`);
            // A restart due to time while crash-looping waits the cap since the previous start.
            if (cause === 'tick-crash-looping') {
              const prev = starts.at(-1) ?? -Infinity;
              assert.ok(now - prev >= cfg.backoffMaxMs, `crash-looping restart ${now - prev} ms after the previous start`);
            }
            starts.push(now);
            if (failNextStart) {
              failNextStart = false;
              apply(p.step({ kind: 'startFailed', nowMs: now, reason: 'ENOENT' }));
            } else {
              startPending = true;
            }
          } else if (a.kind === 'signal') {
            assert.ok(proc && sameProc(a.proc, proc), `signal to ${a.proc.pid}, supervising ${proc?.pid}`);
          }
        }
        if (starts.length > 5_000) assert.fail(`spinning: ${starts.length} starts by ${now} ms`);
        // The world answers a pending start at once; a crashy one dies at once too (a bad flag).
        if (startPending && !paused) {
          startPending = false;
          const started: Proc = { pid: nextPid++, startTicks: nextPid };
          proc = started;
          apply(p.step({ kind: 'started', nowMs: now, proc: started }));
          if (crashy && proc === started) {
            proc = null;
            apply(p.step({ kind: 'exited', nowMs: now, proc: started, reason: 'exited with code 2' }));
          }
        }
      };

      if (withDep) apply(p.step({ kind: 'dependency', nowMs: now, name: 'runtime', ready: true }));
      apply(p.step({ kind: 'observed', nowMs: now, proc: null }));
      for (const [dt, h] of steps) {
        const until = now + dt;
        while (wake <= until) {
          now = Math.max(now, wake);
          cause = p.status().crashLooping ? 'tick-crash-looping' : 'tick';
          apply(p.step({ kind: 'tick', nowMs: now }));
        }
        cause = h.kind;
        now = until;
        switch (h.kind) {
          case 'exit':
            if (proc) {
              const gone = proc;
              proc = null;
              apply(p.step({ kind: 'exited', nowMs: now, proc: gone, reason: 'exited with code 1' }));
            }
            break;
          case 'check':
            apply(p.step({ kind: 'checked', nowMs: now, ok: h.ok, reason: h.ok ? 'ok' : 'refused' }));
            break;
          case 'dep':
            if (withDep) apply(p.step({ kind: 'dependency', nowMs: now, name: 'runtime', ready: h.ready }));
            break;
          case 'pause':
            paused = true;
            apply(p.step({ kind: 'pause', nowMs: now, by: 'prop' }));
            break;
          case 'resume':
            if (paused) resumes++;
            paused = false;
            apply(p.step({ kind: 'resume', nowMs: now, by: 'prop' }));
            break;
          case 'startFails':
            failNextStart = true;
            break;
        }
      }
      // Never spins: starts are bounded by the budget per healthy stretch, the capped backoff, and the resumes.
      const spanMs = now;
      const bound =
        2 +
        resumes +
        (Math.floor(spanMs / cfg.healthyResetMs) + 1) * (cfg.budgetRestarts + 2) +
        Math.ceil(spanMs / cfg.backoffMaxMs) +
        Math.ceil(spanMs / cfg.startTimeoutMs);
      assert.ok(starts.length <= bound, `${starts.length} starts in ${spanMs} ms (bound ${bound})`);
    }),
    { numRuns: 300, seed: process.env.SIM_SEED ? Number(process.env.SIM_SEED) : undefined },
  );
});
