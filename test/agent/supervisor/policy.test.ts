import assert from 'node:assert/strict';
import { test } from 'node:test';
import { POLICY_DEFAULTS, type PolicyConfig } from '../../../agent/supervisor/policy-config.js';
import type { Input, Output, Proc } from '../../../agent/supervisor/policy-io.js';
import { SupervisionPolicy } from '../../../agent/supervisor/policy.js';

/** An input without its clock: the simulation adds it. */
type WithoutNow<T> = T extends unknown ? Omit<T, 'nowMs'> : never;

/** Drives a policy through simulated time: every wakeAtMs is honoured, every start answered by the test's script. */
class Sim {
  now = 0;
  wake = Infinity;
  readonly log: { t: number; out: Output }[] = [];
  private pending: Output[] = [];
  private nextPid = 100;
  constructor(readonly p: SupervisionPolicy) {}
  step(i: WithoutNow<Input>): Output {
    const out = this.p.step({ ...i, nowMs: this.now });
    this.wake = out.wakeAtMs;
    this.log.push({ t: this.now, out });
    this.pending.push(out);
    return out;
  }
  /**
   * Advances the clock to `t`, ticking at every wake-up on the way. `onAction` sees every
   * output, also those of the steps it makes itself (a check answered may ask for the next).
   */
  runUntil(t: number, onAction: (o: Output) => void = () => undefined): void {
    this.drain(onAction);
    while (this.wake <= t) {
      this.now = Math.max(this.now, this.wake);
      this.step({ kind: 'tick' });
      this.drain(onAction);
    }
    this.now = Math.max(this.now, t);
  }
  private drain(onAction: (o: Output) => void): void {
    while (this.pending.length > 0) {
      const o = this.pending.shift();
      if (o) onAction(o);
    }
  }
  proc(): Proc {
    return { pid: this.nextPid++, startTicks: this.nextPid * 10 };
  }
  events(kind?: string): { t: number; kind: string; message: string }[] {
    return this.log.flatMap(({ t, out }) => out.events.filter((e) => !kind || e.kind === kind).map((e) => ({ t, kind: e.kind, message: e.message })));
  }
  starts(): number[] {
    return this.log.filter(({ out }) => out.actions.some((a) => a.kind === 'start')).map(({ t }) => t);
  }
}

const cfg = (over: Partial<PolicyConfig> = {}): PolicyConfig => ({ ...POLICY_DEFAULTS, ...over });
const has = (o: Output, kind: string): boolean => o.actions.some((a) => a.kind === kind);

test('a service that is not running is started; it is running once its first check passes', () => {
  const sim = new Sim(new SupervisionPolicy(cfg(), { hasCheck: true }));
  // given nothing running
  assert.ok(has(sim.step({ kind: 'observed', proc: null }), 'start'));
  assert.equal(sim.p.status().state, 'starting');
  // when it starts and its check passes
  const proc = sim.proc();
  assert.ok(has(sim.step({ kind: 'started', proc }), 'check'), 'first check at once');
  sim.now = 120;
  sim.step({ kind: 'checked', ok: true, reason: 'ok: 200' });
  // then
  assert.deepEqual([sim.p.status().state, sim.p.status().healthy, sim.p.status().proc], ['running', true, proc]);
  assert.deepEqual(
    sim.events().map((e) => e.kind),
    ['Started', 'Healthy'],
  );
});

test('a process found running at start-up is adopted, not started again', () => {
  const sim = new Sim(new SupervisionPolicy(cfg(), { hasCheck: false }));
  const proc = sim.proc();
  const out = sim.step({ kind: 'observed', proc });
  assert.equal(has(out, 'start'), false);
  assert.equal(sim.p.status().state, 'running');
  assert.deepEqual(
    sim.events().map((e) => e.kind),
    ['Adopted'],
  );
});

test('an exit is restarted at once, then with exponential backoff', () => {
  const sim = new Sim(new SupervisionPolicy(cfg({ budgetRestarts: 100 }), { hasCheck: false }));
  sim.step({ kind: 'observed', proc: null });
  let proc = sim.proc();
  sim.step({ kind: 'started', proc });
  // when it crashes 5 times, each time 10 ms after its start
  const crashes: number[] = [];
  for (let i = 0; i < 5; i++) {
    sim.now += 10;
    crashes.push(sim.now);
    sim.step({ kind: 'exited', proc, reason: 'exited with code 1' });
    let restarted = false;
    sim.runUntil(sim.now + 20_000, (o) => {
      if (has(o, 'start') && !restarted) {
        restarted = true;
        proc = sim.proc();
        sim.step({ kind: 'started', proc });
        sim.wake = Infinity; // stop here: the next crash comes 10 ms after this start
      }
    });
    sim.now = sim.starts().at(-1) ?? 0;
  }
  // then the delays between crash and restart are 0, 250, 500, 1000, 2000 ms
  assert.deepEqual(
    sim
      .starts()
      .slice(1)
      .map((s, i) => s - (crashes[i] ?? 0)),
    [0, 250, 500, 1000, 2000],
  );
  assert.equal(sim.p.status().restarts, 5);
});

test('past the budget a crash loop raises one alert and restarts go on at the capped backoff, never giving up', () => {
  const sim = new Sim(new SupervisionPolicy(cfg(), { hasCheck: false }));
  sim.step({ kind: 'observed', proc: null });
  let proc = sim.proc();
  sim.step({ kind: 'started', proc });
  const crashAfterStart = (o: Output): void => {
    if (has(o, 'start')) {
      proc = sim.proc();
      sim.step({ kind: 'started', proc });
      sim.step({ kind: 'exited', proc, reason: 'exited with code 2: bad flag' });
    }
  };
  sim.step({ kind: 'exited', proc, reason: 'exited with code 2: bad flag' });
  // when it keeps crashing for 30 simulated minutes
  sim.runUntil(30 * 60_000, crashAfterStart);
  // then exactly one alert, after the 6th restart in the window
  const alerts = sim.events('CrashLooping');
  assert.equal(alerts.length, 1);
  assert.match(alerts[0]?.message ?? '', /crash-looping: 6 restarts within 300 s; still restarting every 10 s/);
  assert.equal(sim.p.status().state, 'crash-looping');
  // and restarts went on every 10 s to the end: about 180 of them
  const starts = sim.starts();
  const late = starts.filter((t) => t > 60_000);
  assert.ok(late.length >= 170, `only ${late.length} restarts in the last 29 min`);
  for (let i = 1; i < late.length; i++) assert.equal((late[i] ?? 0) - (late[i - 1] ?? 0), 10_000);
});

test('healthy for healthyResetMs ends crash-looping and the backoff starts over', () => {
  const sim = new Sim(new SupervisionPolicy(cfg({ budgetRestarts: 1 }), { hasCheck: false }));
  sim.step({ kind: 'observed', proc: null });
  let proc = sim.proc();
  sim.step({ kind: 'started', proc });
  let crashes = 3;
  sim.step({ kind: 'exited', proc, reason: 'boom' });
  sim.runUntil(100_000, (o) => {
    if (has(o, 'start')) {
      proc = sim.proc();
      sim.step({ kind: 'started', proc });
      if (--crashes > 0) sim.step({ kind: 'exited', proc, reason: 'boom' });
    }
  });
  assert.equal(sim.events('CrashLooping').length, 1);
  // 60 s healthy after the last start
  sim.runUntil(200_000);
  assert.equal(sim.events('Recovered').length, 1);
  assert.equal(sim.p.status().crashLooping, false);
  // and the next crash is restarted at once again
  sim.step({ kind: 'exited', proc, reason: 'boom' });
  assert.ok(sim.log.at(-1)?.out.actions.some((a) => a.kind === 'start'));
});

test('a hang (alive, failing checks) is SIGTERMed after the threshold, SIGKILLed after the stop timeout, then restarted', () => {
  const sim = new Sim(new SupervisionPolicy(cfg(), { hasCheck: true }));
  sim.step({ kind: 'observed', proc: null });
  const proc = sim.proc();
  sim.step({ kind: 'started', proc });
  sim.step({ kind: 'checked', ok: true, reason: 'ok' });
  // when checks start failing at t=10 s (the process is SIGSTOPped)
  const actions: Output['actions'] = [];
  sim.runUntil(10_000, (o) => {
    if (has(o, 'check')) sim.step({ kind: 'checked', ok: true, reason: 'ok' });
  });
  sim.runUntil(20_000, (o) => {
    actions.push(...o.actions);
    if (has(o, 'check')) {
      sim.now += 750; // the check times out
      sim.step({ kind: 'checked', ok: false, reason: 'timeout after 750 ms' });
    }
  });
  // then: Unhealthy, Hung + SIGTERM at the 2nd failure, SIGKILL 5 s later (a stopped process ignores nothing, but this one is wedged)
  const term = sim.events('Hung')[0];
  assert.ok(term && term.t <= 10_000 + 2 * 750 + 500, `hang acted on at ${term?.t}`);
  assert.deepEqual(
    actions.filter((a) => a.kind === 'signal').map((a) => (a.kind === 'signal' ? [a.signal, a.proc.pid] : [])),
    [
      ['SIGTERM', proc.pid],
      ['SIGKILL', proc.pid],
    ],
  );
  assert.equal(sim.events('Killed').length, 1);
  // and once it is gone it restarts at once, the restart charged with the hang
  const out = sim.step({ kind: 'exited', proc, reason: 'killed by SIGKILL' });
  assert.ok(has(out, 'start'));
  assert.match(sim.p.status().lastFailure, /^hung: alive but failed 2 health checks in a row: timeout after 750 ms/);
});

test('no blind window: right after a restart, a hang is caught as soon as one check has passed', () => {
  const sim = new Sim(new SupervisionPolicy(cfg(), { hasCheck: true }));
  sim.step({ kind: 'observed', proc: null });
  const proc = sim.proc();
  sim.step({ kind: 'started', proc });
  sim.now = 200;
  sim.step({ kind: 'checked', ok: true, reason: 'ok' });
  // hung at once after its first passing check
  sim.runUntil(5_000, (o) => {
    if (has(o, 'check')) sim.step({ kind: 'checked', ok: false, reason: 'refused' });
  });
  const hung = sim.events('Hung')[0];
  assert.ok(hung && hung.t <= 1_200, `acted on at ${hung?.t} ms, not after a 30 s blind window`);
});

test('failed checks during the start-up grace do not count; after it they do', () => {
  const sim = new Sim(new SupervisionPolicy(cfg({ startupGraceMs: 5_000 }), { hasCheck: true }));
  sim.step({ kind: 'observed', proc: null });
  sim.step({ kind: 'started', proc: sim.proc() });
  sim.runUntil(4_900, (o) => {
    if (has(o, 'check')) sim.step({ kind: 'checked', ok: false, reason: 'connection refused' });
  });
  assert.equal(sim.events('Hung').length, 0);
  assert.equal(sim.p.status().state, 'starting');
  sim.runUntil(7_000, (o) => {
    if (has(o, 'check')) sim.step({ kind: 'checked', ok: false, reason: 'connection refused' });
  });
  const hung = sim.events('Hung')[0];
  assert.ok(hung && hung.t >= 5_000 && hung.t <= 6_000, `at ${hung?.t}`);
});

test('kubelet waits for its runtime: failures while it is down are not charged, and it restarts once the runtime is ready', () => {
  const sim = new Sim(new SupervisionPolicy(cfg({ budgetRestarts: 2 }), { hasCheck: true, dependsOn: ['containerd'] }));
  // given containerd not ready yet: kubelet waits instead of starting
  sim.step({ kind: 'observed', proc: null });
  assert.equal(sim.p.status().state, 'waiting');
  assert.ok(has(sim.step({ kind: 'dependency', name: 'containerd', ready: true }), 'start'));
  let proc = sim.proc();
  sim.step({ kind: 'started', proc });
  sim.step({ kind: 'checked', ok: true, reason: 'ok' });
  // when containerd goes down 10 times and kubelet dies with it each time
  for (let i = 0; i < 10; i++) {
    sim.now += 1000;
    sim.step({ kind: 'dependency', name: 'containerd', ready: false });
    const failing = sim.step({ kind: 'checked', ok: false, reason: 'runtime down' });
    assert.equal(
      failing.actions.some((a) => a.kind === 'signal'),
      false,
      "no restart of kubelet for its runtime's failure",
    );
    sim.step({ kind: 'exited', proc, reason: 'exited with code 1' });
    assert.equal(sim.p.status().state, 'waiting');
    sim.now += 500;
    const out = sim.step({ kind: 'dependency', name: 'containerd', ready: true });
    assert.ok(has(out, 'start'), 'started as soon as the runtime is ready');
    proc = sim.proc();
    sim.step({ kind: 'started', proc });
  }
  // then none of it counted against kubelet's budget of 2
  assert.equal(sim.events('CrashLooping').length, 0);
  assert.equal(sim.events('WaitingForDependency').length, 11);
});

test('a paused service is never restarted, and resume starts it again', () => {
  const sim = new Sim(new SupervisionPolicy(cfg(), { hasCheck: true }));
  sim.step({ kind: 'observed', proc: null });
  const proc = sim.proc();
  sim.step({ kind: 'started', proc });
  sim.runUntil(sim.now); // the start above is done with
  sim.step({ kind: 'pause', by: 'admin' });
  assert.equal(sim.p.status().state, 'paused');
  sim.step({ kind: 'exited', proc, reason: 'killed by SIGKILL' });
  sim.runUntil(3_600_000, (o) => assert.deepEqual(o.actions, [], 'a paused service does nothing'));
  assert.equal(sim.wake, Infinity);
  assert.equal(sim.starts().length, 1);
  const out = sim.step({ kind: 'resume', by: 'admin' });
  assert.ok(has(out, 'start'));
  assert.deepEqual(
    sim.events().map((e) => e.kind),
    ['Started', 'Paused', 'Exited', 'Resumed'],
  );
});

test('a service paused before the agent started is neither started nor touched', () => {
  const p = new SupervisionPolicy(cfg(), { hasCheck: true, paused: true });
  const out = p.step({ kind: 'observed', nowMs: 0, proc: null });
  assert.deepEqual(out.actions, []);
  assert.equal(p.status().state, 'paused');
});

test('a new process seen by a poll is adopted (started elsewhere); its exit is restarted', () => {
  const sim = new Sim(new SupervisionPolicy(cfg(), { hasCheck: false }));
  const a = sim.proc();
  sim.step({ kind: 'observed', proc: a });
  const b = sim.proc();
  const out = sim.step({ kind: 'observed', proc: b, reason: 'pidfile names another process' });
  assert.equal(has(out, 'start'), false);
  assert.deepEqual(sim.p.status().proc, b);
  assert.ok(has(sim.step({ kind: 'observed', proc: null, reason: 'pid 101 gone' }), 'start'));
});

test('an exit of a process other than the supervised one changes nothing', () => {
  const sim = new Sim(new SupervisionPolicy(cfg(), { hasCheck: false }));
  const a = sim.proc();
  sim.step({ kind: 'observed', proc: a });
  const out = sim.step({ kind: 'exited', proc: { pid: a.pid, startTicks: a.startTicks + 1 }, reason: 'reused pid' });
  assert.deepEqual(out.actions, []);
  assert.equal(sim.p.status().state, 'running');
});

test('resource thresholds raise a warning when crossed and an info when back under, once each', () => {
  const sim = new Sim(new SupervisionPolicy(cfg({ maxRssBytes: 100, maxCpuPercent: 50 }), { hasCheck: false }));
  sim.step({ kind: 'observed', proc: sim.proc() });
  for (const [cpu, rss] of [
    [10, 50],
    [90, 50],
    [95, 50],
    [10, 200],
    [10, 50],
    [10, 50],
  ] as const)
    sim.step({ kind: 'resources', cpuPercent: cpu, rssBytes: rss });
  assert.deepEqual(
    sim
      .events()
      .filter((e) => e.kind.startsWith('Resource'))
      .map((e) => e.kind),
    ['ResourceHigh', 'ResourceNormal'],
  );
});

test('a start that produces no process in time is a failure and is retried', () => {
  const sim = new Sim(new SupervisionPolicy(cfg({ startTimeoutMs: 1000 }), { hasCheck: false }));
  sim.step({ kind: 'observed', proc: null });
  sim.runUntil(1_500);
  assert.equal(sim.events('StartFailed').length, 1);
  assert.equal(sim.starts().length, 2, 'retried at once');
});
