import assert from 'node:assert/strict';
import type { AdminState } from '../../../proto/common/balancer.js';
import { planRollout } from '../../../coordinator/controlplane/rollout-plan.js';
import {
  stepRecord,
  type RolloutComponent,
  type RolloutObservation,
  type RolloutRecord,
  type RolloutStep,
  type ServerView,
} from '../../../coordinator/controlplane/rollout-record.js';
import { startRollout } from '../../../coordinator/controlplane/rollout-requests.js';
import { OLD, NAMES, LIMITS, change } from './rollout-fixtures.js';

// ---------------------------------------------------------------------------
// A small world: three masters, an haproxy on each, kubelet replacing a pod
// some time after its manifest changes. It applies the planner's steps; the
// planner sees it only through observations.

interface Pod {
  sha: string;
  startedAtMs: number;
  /** undefined: never ready. */
  readyAtMs: number | undefined;
  /** Not ready in [from, to). */
  flap?: { fromMs: number; toMs: number } | undefined;
}

interface Behaviour {
  /** From start to ready; undefined: never. */
  readyAfterMs: number | undefined;
  flap?: { afterMs: number; forMs: number } | undefined;
}

interface WorldOptions {
  component?: RolloutComponent;
  kubeletDelayMs?: number;
  reportsRunningSha?: boolean;
  behaviour?: (master: string, sha: string) => Behaviour;
  /** Long watches per master: sessions that never end while its pod runs. */
  watches?: Record<string, number>;
}

const TICK_MS = 50;
/** haproxy's rise: UP this long after the apiserver is ready. */
const RISE_MS = 1_000;
const SHORT_SESSIONS = 3;
const SHORT_SESSIONS_END_MS = 300;

export class World {
  nowMs = 100_000;
  readonly alive = new Map<string, boolean>(NAMES.map((n) => [n, true]));
  etcdHealthy = true;
  readonly manifest = new Map<string, string>(NAMES.map((n) => [n, OLD]));
  readonly pods = new Map<string, Pod>(NAMES.map((n) => [n, { sha: OLD, startedAtMs: 0, readyAtMs: 1_000 }]));
  readonly restartAtMs = new Map<string, number>();
  /** `${balancer}|${master}` → admin state and when it was drained. */
  readonly admin = new Map<string, { state: AdminState; drainedAtMs: number }>();
  readonly applied: { master: string; sha: string }[] = [];
  readonly executed: RolloutStep[] = [];
  maxOut = 0;
  readonly o: Required<Omit<WorldOptions, 'behaviour' | 'watches'>> & Pick<WorldOptions, 'behaviour' | 'watches'>;

  constructor(o: WorldOptions = {}) {
    this.o = { component: 'kube-apiserver', kubeletDelayMs: 2_000, reportsRunningSha: false, ...o };
    for (const b of NAMES) for (const m of NAMES) this.admin.set(`${b}|${m}`, { state: 'READY', drainedAtMs: 0 });
  }

  get balanced(): boolean {
    return this.o.component === 'kube-apiserver';
  }

  private pod(m: string): Pod {
    const p = this.pods.get(m);
    assert.ok(p, `no pod on ${m}`);
    return p;
  }

  ready(m: string): boolean {
    const p = this.pod(m);
    if (!this.alive.get(m) || p.readyAtMs === undefined || this.nowMs < p.readyAtMs) return false;
    return !(p.flap && this.nowMs >= p.flap.fromMs && this.nowMs < p.flap.toMs);
  }

  readySince(m: string): number | undefined {
    if (!this.ready(m)) return undefined;
    const p = this.pod(m);
    return p.flap && this.nowMs >= p.flap.toMs ? p.flap.toMs : p.readyAtMs;
  }

  up(m: string): boolean {
    const since = this.readySince(m);
    return since !== undefined && this.nowMs >= since + RISE_MS;
  }

  sessions(b: string, m: string): number {
    if (!this.ready(m)) return 0;
    const a = this.admin.get(`${b}|${m}`);
    const watches = this.o.watches?.[m] ?? 0;
    if (!a || a.state === 'READY') return SHORT_SESSIONS + watches;
    const short = this.nowMs < a.drainedAtMs + SHORT_SESSIONS_END_MS ? SHORT_SESSIONS : 0;
    return short + (this.pod(m).startedAtMs > a.drainedAtMs ? 0 : watches);
  }

  /** Masters out now: drained anywhere, not UP, not ready, or about to be replaced by kubelet. */
  out(): string[] {
    return NAMES.filter((m) => {
      if (!this.ready(m) || this.manifest.get(m) !== this.pod(m).sha) return true;
      if (!this.balanced) return false;
      return !this.up(m) || NAMES.some((b) => this.admin.get(`${b}|${m}`)?.state !== 'READY');
    });
  }

  private check(): void {
    this.maxOut = Math.max(this.maxOut, this.out().length);
  }

  private startPod(m: string, sha: string): void {
    const b = this.o.behaviour?.(m, sha) ?? { readyAfterMs: 3_000 };
    const readyAtMs = b.readyAfterMs === undefined ? undefined : this.nowMs + b.readyAfterMs;
    const flap = b.flap && readyAtMs !== undefined ? { fromMs: readyAtMs + b.flap.afterMs, toMs: readyAtMs + b.flap.afterMs + b.flap.forMs } : undefined;
    this.pods.set(m, { sha, startedAtMs: this.nowMs, readyAtMs, flap });
  }

  advance(ms: number): void {
    const end = this.nowMs + ms;
    while (this.nowMs < end) {
      this.nowMs = Math.min(end, this.nowMs + TICK_MS);
      for (const [m, at] of this.restartAtMs) {
        if (this.nowMs >= at) {
          this.restartAtMs.delete(m);
          this.startPod(m, this.manifest.get(m) ?? '');
        }
      }
      this.check();
    }
  }

  observe(): RolloutObservation {
    return {
      masters: NAMES.map((m) => ({
        name: m,
        alive: this.alive.get(m) ?? false,
        manifestSha: this.manifest.get(m) ?? '',
        runningSha: this.o.reportsRunningSha ? this.pod(m).sha : undefined,
        ready: this.ready(m),
        readySinceMs: this.readySince(m),
        notReadyReason: this.ready(m) ? undefined : 'readiness probe failed: HTTP 503',
        logTail: ['E0101 12:00:00 run.go:74] "command failed" err="unknown flag: --bogus"'],
      })),
      balancers: this.balanced
        ? NAMES.map((b) => ({
            name: `haproxy on ${b}`,
            servers: this.alive.get(b)
              ? Object.fromEntries(
                  NAMES.map((m) => [
                    m,
                    {
                      admin: this.admin.get(`${b}|${m}`)?.state ?? 'READY',
                      operational: this.up(m) ? 'UP' : 'DOWN',
                      currentSessions: this.sessions(b, m),
                    } satisfies ServerView,
                  ]),
                )
              : undefined,
          }))
        : [],
      etcd: this.etcdHealthy ? { healthy: true } : { healthy: false, reason: 'no leader' },
    };
  }

  private setAdmin(m: string, balancers: string[], state: AdminState): void {
    for (const name of balancers) {
      const b = name.replace('haproxy on ', '');
      const a = this.admin.get(`${b}|${m}`);
      assert.ok(a, `no server ${m} in ${name}`);
      this.admin.set(`${b}|${m}`, { state, drainedAtMs: state === 'READY' ? a.drainedAtMs : a.state === 'READY' ? this.nowMs : a.drainedAtMs });
    }
  }

  /** Does the step; `partial` stops half-way (the leader died in the middle of it). */
  exec(s: RolloutStep, partial = false): void {
    this.executed.push(s);
    switch (s.kind) {
      case 'drain':
      case 'enable':
        assert.ok(this.balanced, `${s.kind} for ${this.o.component}`);
        this.setAdmin(s.master, partial ? s.balancers.slice(0, 1) : s.balancers, s.kind === 'drain' ? 'DRAIN' : 'READY');
        break;
      case 'apply':
      case 'rollback': {
        if (partial) break;
        const sha = s.kind === 'apply' ? s.sha : s.toSha;
        assert.ok(this.alive.get(s.master), `${s.kind} on ${s.master}, which is down`);
        if (this.manifest.get(s.master) === sha) break;
        this.manifest.set(s.master, sha);
        this.applied.push({ master: s.master, sha });
        this.restartAtMs.set(s.master, this.nowMs + this.o.kubeletDelayMs);
        break;
      }
      default:
        break;
    }
    this.check();
  }

  /** A host dies: gossip, its pod, and its haproxy (which restarts from its config, all servers READY). */
  kill(m: string): void {
    this.alive.set(m, false);
    this.check();
  }

  revive(m: string): void {
    this.alive.set(m, true);
    for (const x of NAMES) this.admin.set(`${m}|${x}`, { state: 'READY', drainedAtMs: 0 });
    this.startPod(m, this.manifest.get(m) ?? '');
  }
}

interface Crash {
  atPass: number;
  /** The leader died half-way through the step (one balancer of several). */
  partial: boolean;
  /** Until the next leader plans again. */
  downMs: number;
}

export interface Run {
  steps: RolloutStep[];
  record: RolloutRecord | undefined;
  passes: number;
}

/**
 * The leader's loop: plan from the stored record (JSON, as etcd holds it)
 * and what it observes; store the record a step carries; do the step; on a
 * wait, let time pass. A crash drops the pass's step (or does half of it)
 * and leaves the world alone for a while; the next leader has nothing but
 * the store and the world.
 */
export function drive(
  world: World,
  store: { json: string | undefined },
  o: { crashes?: Crash[]; maxPasses?: number; until?: (s: RolloutStep, r: RolloutRecord | undefined) => boolean } = {},
): Run {
  const steps: RolloutStep[] = [];
  const crashes = new Map((o.crashes ?? []).map((c) => [c.atPass, c]));
  const max = o.maxPasses ?? 5_000;
  let pass = 0;
  for (; pass < max; pass++) {
    const record = store.json === undefined ? undefined : (JSON.parse(store.json) as RolloutRecord);
    const step = planRollout({ nowMs: world.nowMs, record, observed: world.observe(), limits: LIMITS });
    steps.push(step);
    if (step.kind === 'idle' || o.until?.(step, record)) return { steps, record, passes: pass };
    const crash = crashes.get(pass);
    if (crash) {
      if (crash.partial) world.exec(step, true);
      world.advance(crash.downMs);
      continue;
    }
    const next = stepRecord(step);
    if (next) store.json = JSON.stringify(next);
    world.exec(step);
    if (step.kind === 'wait' || step.kind === 'blocked') {
      const wake = step.kind === 'wait' && step.wakeAtMs !== undefined ? step.wakeAtMs - world.nowMs : 500;
      world.advance(Math.max(TICK_MS, Math.min(500, wake)));
    } else world.advance(10);
  }
  assert.fail(`no end after ${max} passes; last steps: ${JSON.stringify(steps.slice(-3))}`);
}

export const startIn = (world: World, history: RolloutRecord[] = [], component: RolloutComponent = world.o.component): { json: string } => ({
  json: JSON.stringify(startRollout(history, change({ component, currentSha: Object.fromEntries(world.manifest) }), world.nowMs)),
});
export const finalRecord = (store: { json: string | undefined }): RolloutRecord => JSON.parse(store.json ?? 'null') as RolloutRecord;
export const allReady = (w: World): void => {
  for (const m of NAMES) assert.equal(w.ready(m), true, `${m} ready at the end`);
  for (const b of NAMES) for (const m of NAMES) assert.equal(w.admin.get(`${b}|${m}`)?.state, 'READY', `${m} READY in haproxy on ${b} at the end`);
};
