import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stepRecord, type RolloutObservation } from '../../../coordinator/controlplane/rollout-record.js';
import { rolloutSummary } from '../../../coordinator/controlplane/rollout-summary.js';
import { OLD, NEW, NAMES, NOW, record, current, view, server, balancers, observed, plan, reasonOf, markedCurrent } from './rollout-fixtures.js';

// ---------------------------------------------------------------------------
// Rules, one by one.

test('rule 1: no record, a complete or a halted one: idle', () => {
  assert.equal(plan(undefined).kind, 'idle');
  assert.equal(plan(record({ state: 'complete', done: [...NAMES] })).kind, 'idle');
  assert.equal(plan(record({ state: 'halted', haltReason: 'x' })).kind, 'idle');
});

test('rule 4: a master already on the target, ready and READY everywhere is done without being touched', () => {
  const s = plan(record(), observed({ masters: { m1: { manifestSha: NEW, readySinceMs: NOW - 100 } } }));
  assert.equal(s.kind, 'mark');
  assert.deepEqual(stepRecord(s)?.done, ['m1']);
  assert.equal(stepRecord(s)?.current, undefined);
  assert.match(reasonOf(s), /m1 already runs the target manifest/);
  // The running instance is still the old one (kubelet has not replaced it yet): not done, it is rolled.
  const old = plan(record(), observed({ masters: { m1: { manifestSha: NEW, runningSha: OLD } } }));
  assert.equal(markedCurrent(old)?.phase, 'draining');
  // On the target but drained in a balancer: taken through the phases, which enable it again.
  const drained = plan(record(), observed({ masters: { m1: { manifestSha: NEW } }, balancers: balancers({ m1: { admin: 'DRAIN' } }) }));
  assert.deepEqual(markedCurrent(drained), { master: 'm1', phase: 'draining', phaseSinceMs: NOW });
});

test('rule 5: never a second master out: blocked, naming every master and why', () => {
  const cases: [RolloutObservation, RegExp][] = [
    [
      observed({ masters: { m3: { ready: false, notReadyReason: 'readiness probe failed: HTTP 503' } } }),
      /not taking m1 out: m3's kube-apiserver is not ready \(readiness probe failed: HTTP 503\)/,
    ],
    [observed({ masters: { m2: { alive: false } } }), /m2 does not report, its agent is down or cut off/],
    [observed({ balancers: balancers({ m2: { admin: 'DRAIN' } }) }), /m2 is DRAIN\/UP in haproxy on m1/],
    [observed({ balancers: balancers({ m3: { operational: 'DOWN' } }) }), /m3 is READY\/DOWN in haproxy on m1/],
    [observed({ etcd: { healthy: false, reason: '1 of 3 members unhealthy' } }), /etcd is unhealthy \(1 of 3 members unhealthy\)/],
    [observed({ balancers: [...balancers().slice(0, 2), { name: 'haproxy on m3', servers: undefined }] }), /haproxy on m3 does not answer/],
    [
      observed({
        balancers: [
          ...balancers().slice(0, 2),
          { name: 'haproxy via m1', servers: undefined, error: 'BALANCER_BAD_SOCKET: /tmp/x.sock is not a path under /run' },
        ],
      }),
      /haproxy via m1 does not answer \(BALANCER_BAD_SOCKET: \/tmp\/x\.sock is not a path under \/run\)/,
    ],
    [{ ...observed(), masters: [view('m1'), view('m2')] }, /m3: no report from its agent/],
  ];
  for (const [obs, why] of cases) {
    const s = plan(record(), obs);
    assert.equal(s.kind, 'blocked', JSON.stringify(s));
    assert.match(reasonOf(s), why);
  }
  const both = plan(record(), observed({ masters: { m2: { alive: false }, m3: { ready: false, notReadyReason: 'x' } } }));
  assert.match(reasonOf(both), /m2 does not report, its agent is down or cut off; m3's kube-apiserver is not ready/);
  // The master to be rolled may itself be broken: rolling a fix onto it takes nobody else out.
  assert.equal(plan(record(), observed({ masters: { m1: { ready: false } }, balancers: balancers({ m1: { operational: 'DOWN' } }) })).kind, 'mark');
});

test('rule 5: a master is taken out by marking it current first: draining (apiserver) or applying (others)', () => {
  assert.deepEqual(markedCurrent(plan(record())), { master: 'm1', phase: 'draining', phaseSinceMs: NOW });
  const sched = plan(record({ component: 'kube-scheduler' }), observed({ balancers: [] }));
  assert.deepEqual(markedCurrent(sched), { master: 'm1', phase: 'applying', phaseSinceMs: NOW, applyStartedAtMs: NOW });
  // The others' balancer state means nothing for the scheduler.
  assert.equal(plan(record({ component: 'kube-scheduler' }), observed({ balancers: balancers({ m2: { admin: 'MAINT' } }) })).kind, 'mark');
  // Done masters are skipped; spec order otherwise.
  assert.equal(markedCurrent(plan(record({ done: ['m1'] })))?.master, 'm2');
});

test('rule 5: every master done: complete', () => {
  const s = plan(record({ done: [...NAMES] }));
  assert.equal(s.kind, 'complete');
  assert.equal(stepRecord(s)?.state, 'complete');
  assert.equal(stepRecord(s)?.updatedAtMs, NOW);
});

test('rule 6: draining: DRAIN in every balancer that has it READY, then its sessions end, then applying', () => {
  const r = record({ current: current({ master: 'm1', phase: 'draining' }) });
  const partly = balancers();
  partly[0] = { name: 'haproxy on m1', servers: { ...partly[0]?.servers, m1: server({ admin: 'DRAIN' }) } };
  assert.deepEqual(plan(r, observed({ balancers: partly })), { kind: 'drain', master: 'm1', balancers: ['haproxy on m2', 'haproxy on m3'] });

  // Sessions open: the fewest seen, and since when, go into the record (a new leader counts on from them).
  const busyObs = observed({ balancers: balancers({ m1: { admin: 'DRAIN', currentSessions: 4 } }) });
  const first = plan(r, busyObs);
  assert.deepEqual(markedCurrent(first)?.drainLow, { sessions: 12, sinceMs: NOW });
  const r2 = stepRecord(first);
  assert.ok(r2, 'the step carries a record to store');
  const busy = plan(r2, busyObs, NOW + 500);
  assert.equal(busy.kind, 'wait');
  assert.match(reasonOf(busy), /waiting for its 12 session\(s\) to end \(1 s of at most 15 s\)/);
  assert.equal(busy.kind === 'wait' && busy.wakeAtMs, NOW + 1_000);
  // Going down: the lower count is kept, the settle time starts over.
  assert.deepEqual(markedCurrent(plan(r2, observed({ balancers: balancers({ m1: { admin: 'DRAIN', currentSessions: 1 } }) }), NOW + 900))?.drainLow, {
    sessions: 3,
    sinceMs: NOW + 900,
  });
  // Not going down for drainSettle: long-lived (keep-alive, watches): applying, the apiserver's graceful shutdown closes them.
  const settled = plan(r2, busyObs, NOW + 1_000);
  assert.equal(markedCurrent(settled)?.phase, 'applying');
  assert.match(reasonOf(settled), /m1 drained \(12 long-lived session\(s\) left \(keep-alive connections, watches\)/);

  const idle = plan(r, observed({ balancers: balancers({ m1: { admin: 'DRAIN', currentSessions: 0 } }) }));
  assert.deepEqual(markedCurrent(idle), { master: 'm1', phase: 'applying', phaseSinceMs: NOW, applyStartedAtMs: NOW });
  assert.match(reasonOf(idle), /no sessions left/);

  // MAINT sends it nothing either.
  assert.equal(markedCurrent(plan(r, observed({ balancers: balancers({ m1: { admin: 'MAINT', currentSessions: 0 } }) })))?.phase, 'applying');
});

test("rule 6: sessions that keep going down are waited for at most drainTimeout, then left to the apiserver's graceful shutdown", () => {
  const r = record({ current: current({ master: 'm1', phase: 'draining', phaseSinceMs: NOW - 15_000, drainLow: { sessions: 9, sinceMs: NOW - 100 } }) });
  const s = plan(r, observed({ balancers: balancers({ m1: { admin: 'DRAIN', currentSessions: 1 } }) }));
  assert.equal(markedCurrent(s)?.phase, 'applying');
  assert.match(reasonOf(s), /3 session\(s\) still open after 15 s: applying anyway, the apiserver's graceful shutdown ends them/);
});

test('rule 6: another master goes unready while draining: it is put back (enabled), not rolled, and tried again later', () => {
  const r = record({ current: current({ master: 'm1', phase: 'draining' }) });
  const obs = observed({
    masters: { m3: { ready: false, notReadyReason: 'readiness probe failed: HTTP 500' } },
    balancers: balancers({ m1: { admin: 'DRAIN', currentSessions: 0 } }),
  });
  const back = plan(r, obs);
  const c = markedCurrent(back);
  assert.equal(c?.phase, 'enabling');
  assert.match(c?.abortReason ?? '', /m3's kube-apiserver is not ready/);
  const r2 = stepRecord(back);
  assert.ok(r2, 'the step carries a record to store');
  assert.deepEqual(plan(r2, obs), { kind: 'enable', master: 'm1', balancers: ['haproxy on m1', 'haproxy on m2', 'haproxy on m3'] });
  const enabled = observed({ masters: { m3: { ready: false } } });
  const cleared = plan(r2, enabled);
  assert.equal(cleared.kind, 'mark');
  assert.equal(stepRecord(cleared)?.current, undefined);
  assert.deepEqual(stepRecord(cleared)?.done, []);
  assert.match(reasonOf(cleared), /m1 is back in the balancers without being rolled/);
  // And it is not taken out again while m3 is not ready.
  const r3 = stepRecord(cleared);
  assert.ok(r3, 'the step carries a record to store');
  assert.equal(plan(r3, enabled).kind, 'blocked');
});

test('rule 7: applying: apply; the manifest there → waiting-ready; put back if the others went unready before', () => {
  const r = record({ current: current({ master: 'm1', phase: 'applying', applyStartedAtMs: NOW - 1_000 }) });
  const drained = balancers({ m1: { admin: 'DRAIN', currentSessions: 0 } });
  assert.deepEqual(plan(r, observed({ balancers: drained })), { kind: 'apply', master: 'm1', sha: NEW });
  const there = plan(r, observed({ masters: { m1: { manifestSha: NEW } }, balancers: drained }));
  assert.deepEqual(markedCurrent(there), { master: 'm1', phase: 'waiting-ready', phaseSinceMs: NOW, applyStartedAtMs: NOW - 1_000 });
  // Applied already: the others going unready no longer stop it (finishing it brings it back soonest).
  assert.equal(markedCurrent(plan(r, observed({ masters: { m1: { manifestSha: NEW }, m2: { alive: false } }, balancers: drained })))?.phase, 'waiting-ready');
  // Not applied yet: put back.
  assert.equal(
    markedCurrent(plan(r, observed({ masters: { m2: { alive: false } }, balancers: drained })))?.abortReason,
    'm2 does not report, its agent is down or cut off',
  );
  // Non-balanced components have nothing to put back: just no longer current.
  const sched = plan(
    record({ component: 'kube-scheduler', current: current({ master: 'm1', phase: 'applying' }) }),
    observed({ masters: { m2: { alive: false } }, balancers: [] }),
  );
  assert.equal(sched.kind, 'mark');
  assert.equal(stepRecord(sched)?.current, undefined);
});

test('rule 7: a master not alive cannot be applied to; an agent that never takes the manifest → rolling-back', () => {
  const drained = balancers({ m1: { admin: 'DRAIN', currentSessions: 0 } });
  const r = record({ current: current({ master: 'm1', phase: 'applying' }) });
  const dead = plan(r, observed({ masters: { m1: { alive: false, ready: false } }, balancers: drained }));
  assert.equal(dead.kind, 'blocked');
  assert.match(reasonOf(dead), /cannot apply the new kube-apiserver manifest on m1: it does not report, its agent is down or cut off/);
  const late = record({ current: current({ master: 'm1', phase: 'applying', phaseSinceMs: NOW - 121_000 }) });
  const s = plan(late, observed({ balancers: drained }));
  assert.equal(markedCurrent(s)?.phase, 'rolling-back');
  assert.match(markedCurrent(s)?.failure?.reason ?? '', /the agent on m1 did not take the new kube-apiserver manifest within 121 s/);
});

test("rule 8: the old pod's readiness does not count; the new one must hold for the stable window", () => {
  const applied = NOW - 3_000;
  const r = record({ current: current({ master: 'm1', phase: 'waiting-ready', phaseSinceMs: NOW - 2_000, applyStartedAtMs: applied }) });
  const drained = balancers({ m1: { admin: 'DRAIN', currentSessions: 0 } });
  // Ready, but since before the apply: the old pod kubelet has not replaced yet.
  const old = plan(r, observed({ masters: { m1: { manifestSha: NEW, readySinceMs: applied - 60_000 } }, balancers: drained }));
  assert.equal(old.kind, 'wait');
  assert.match(reasonOf(old), /ready, but not yet on the new manifest/);
  // The agent knows what runs: the old manifest.
  assert.equal(plan(r, observed({ masters: { m1: { manifestSha: NEW, runningSha: OLD, readySinceMs: NOW } }, balancers: drained })).kind, 'wait');
  // Ready since after the apply: its start is recorded.
  const fresh = plan(r, observed({ masters: { m1: { manifestSha: NEW, readySinceMs: NOW - 1_000 } }, balancers: drained }));
  assert.equal(markedCurrent(fresh)?.readySinceMs, NOW - 1_000);
  const r2 = stepRecord(fresh);
  assert.ok(r2, 'the step carries a record to store');
  const obs = (readySinceMs: number): RolloutObservation => observed({ masters: { m1: { manifestSha: NEW, readySinceMs } }, balancers: drained });
  // Ready on the new manifest: back into the balancers at once, the stable window running.
  assert.deepEqual(plan(r2, obs(NOW - 1_000), NOW + 3_000), { kind: 'enable', master: 'm1', balancers: ['haproxy on m1', 'haproxy on m2', 'haproxy on m3'] });
  const enabled = (readySinceMs: number): RolloutObservation => observed({ masters: { m1: { manifestSha: NEW, readySinceMs } } });
  const waiting = plan(r2, enabled(NOW - 1_000), NOW + 3_000);
  assert.deepEqual(waiting, { kind: 'wait', reason: 'm1 ready on the new manifest for 4 s of 5 s stable window', wakeAtMs: NOW + 4_000 });
  assert.equal(
    rolloutSummary(r2, { nowMs: NOW + 3_000, stableWindowMs: 5_000 }),
    'kube-apiserver revision 2: m1 waiting ready (4 s of 5 s stable), 0 of 3 done',
  );
  const stable = plan(r2, enabled(NOW - 1_000), NOW + 4_000);
  assert.deepEqual(markedCurrent(stable), { master: 'm1', phase: 'enabling', phaseSinceMs: NOW + 4_000 });
});

test('rule 8: a flap restarts the stable window, whether a pass saw it or only the agent did', () => {
  const drained = balancers({ m1: { admin: 'DRAIN', currentSessions: 0 } });
  const r = record({ current: current({ master: 'm1', phase: 'waiting-ready', applyStartedAtMs: NOW - 10_000, readySinceMs: NOW - 4_000 }) });
  const seen = plan(
    r,
    observed({
      masters: { m1: { manifestSha: NEW, ready: false, readySinceMs: undefined, notReadyReason: 'readiness probe failed: HTTP 500' } },
      balancers: drained,
    }),
  );
  assert.equal(markedCurrent(seen)?.readySinceMs, undefined);
  assert.match(reasonOf(seen), /m1 not ready again \(readiness probe failed: HTTP 500\): the stable window starts over/);
  // Between two passes it went down and up: the agent's readySince moved on.
  const unseen = plan(r, observed({ masters: { m1: { manifestSha: NEW, readySinceMs: NOW - 500 } }, balancers: drained }));
  assert.equal(markedCurrent(unseen)?.readySinceMs, NOW - 500);
  // Report jitter below a second is not a restart.
  assert.equal(plan(r, observed({ masters: { m1: { manifestSha: NEW, readySinceMs: NOW - 3_500 } } })).kind, 'wait');
});

test('rule 8: not ready within readyTimeout → rolling-back, keeping master, probe, log tail and elapsed time', () => {
  const drained = balancers({ m1: { admin: 'DRAIN', currentSessions: 0 } });
  const r = record({ current: current({ master: 'm1', phase: 'waiting-ready', phaseSinceMs: NOW - 120_500, applyStartedAtMs: NOW - 121_000 }) });
  const m1 = {
    manifestSha: NEW,
    ready: false,
    readySinceMs: undefined,
    notReadyReason: 'readiness probe failed: HTTP 503',
    logTail: ['E0101 flag provided but not defined: -bogus'],
  };
  const before = plan(
    record({ current: current({ master: 'm1', phase: 'waiting-ready', phaseSinceMs: NOW - 119_000 }) }),
    observed({ masters: { m1 }, balancers: drained }),
  );
  assert.equal(before.kind, 'wait');
  assert.match(reasonOf(before), /waiting for m1 to be ready on the new manifest \(119 s of 120 s\): readiness probe failed: HTTP 503/);
  const s = plan(r, observed({ masters: { m1 }, balancers: drained }));
  const c = markedCurrent(s);
  assert.equal(c?.phase, 'rolling-back');
  assert.deepEqual(c?.failure, {
    master: 'm1',
    phase: 'waiting-ready',
    reason: 'kube-apiserver on m1 not ready 121 s after the new manifest was applied (deadline 120 s)',
    notReadyReason: 'readiness probe failed: HTTP 503',
    logTail: ['E0101 flag provided but not defined: -bogus'],
    afterMs: 121_000,
  });
  // Another master unready meanwhile changes nothing: m1 is already out, the rollback brings it back.
  assert.equal(markedCurrent(plan(r, observed({ masters: { m1, m3: { ready: false } }, balancers: drained })))?.phase, 'rolling-back');
});

test('rule 9: rolling back applies the previous manifest, waits for it to be ready, enables, then halts', () => {
  const drained = balancers({ m1: { admin: 'DRAIN', currentSessions: 0 } });
  const failure = {
    master: 'm1',
    phase: 'waiting-ready' as const,
    reason: 'kube-apiserver on m1 not ready 121 s after the new manifest was applied (deadline 120 s)',
    notReadyReason: 'readiness probe failed: HTTP 503',
    logTail: ['boom'],
    afterMs: 121_000,
  };
  const r = record({ current: current({ master: 'm1', phase: 'rolling-back', failure }) });
  assert.deepEqual(plan(r, observed({ masters: { m1: { manifestSha: NEW, ready: false } }, balancers: drained })), {
    kind: 'rollback',
    master: 'm1',
    toSha: OLD,
    reason: failure.reason,
  });
  const readyAgain = plan(r, observed({ masters: { m1: { manifestSha: OLD, readySinceMs: NOW - 6_000 } }, balancers: drained }));
  const r2 = stepRecord(readyAgain);
  assert.ok(r2, 'the step carries a record to store');
  const enabling = plan(r2, observed({ masters: { m1: { manifestSha: OLD, readySinceMs: NOW - 6_000 } }, balancers: drained }));
  assert.equal(markedCurrent(enabling)?.phase, 'enabling');
  assert.equal(markedCurrent(enabling)?.failure?.rolledBack, 'ready again on its previous manifest');
  const r3 = stepRecord(enabling);
  assert.ok(r3, 'the step carries a record to store');
  assert.equal(plan(r3, observed({ masters: { m1: { manifestSha: OLD } }, balancers: drained })).kind, 'enable');
  const halted = plan(r3, observed({ masters: { m1: { manifestSha: OLD } } }));
  assert.equal(halted.kind, 'halt');
  const h = stepRecord(halted);
  assert.equal(h?.state, 'halted');
  assert.equal(h?.current, undefined);
  assert.deepEqual(h?.failure?.logTail, ['boom']);
  assert.match(
    h?.haltReason ?? '',
    /^kube-apiserver on m1 not ready 121 s after the new manifest was applied \(deadline 120 s\) \(readiness probe failed: HTTP 503\); rolled back: ready again on its previous manifest; m1 is enabled again; the rollout is halted/,
  );
});

test('rule 9: not ready on the previous manifest either: given up after readyTimeout, still enabled before halting', () => {
  const failure = { master: 'm1', phase: 'waiting-ready' as const, reason: 'r', notReadyReason: 'p', logTail: [], afterMs: 1 };
  const r = record({ current: current({ master: 'm1', phase: 'rolling-back', phaseSinceMs: NOW - 121_000, failure }) });
  const s = plan(
    r,
    observed({
      masters: { m1: { manifestSha: OLD, ready: false, notReadyReason: 'readiness probe failed: connection refused' } },
      balancers: balancers({ m1: { admin: 'DRAIN' } }),
    }),
  );
  assert.equal(markedCurrent(s)?.phase, 'enabling');
  assert.match(
    markedCurrent(s)?.failure?.rolledBack ?? '',
    /not ready on its previous manifest either 121 s after the rollback \(readiness probe failed: connection refused\)/,
  );
  // A scheduler has no balancer: it halts at once.
  const sched = plan(
    record({ component: 'kube-scheduler', current: current({ master: 'm1', phase: 'rolling-back', phaseSinceMs: NOW - 121_000, failure }) }),
    observed({ masters: { m1: { manifestSha: OLD, ready: false } }, balancers: [] }),
  );
  assert.equal(sched.kind, 'halt');
});

test('rule 9: rolled back from enabling (serving through some balancer): drained first', () => {
  const failure = { master: 'm1', phase: 'enabling' as const, reason: 'r', notReadyReason: 'p', logTail: [], afterMs: 1 };
  const r = record({ current: current({ master: 'm1', phase: 'rolling-back', failure }) });
  assert.deepEqual(plan(r, observed({ masters: { m1: { manifestSha: NEW } } })), {
    kind: 'drain',
    master: 'm1',
    balancers: ['haproxy on m1', 'haproxy on m2', 'haproxy on m3'],
  });
  assert.equal(plan(r, observed({ masters: { m1: { manifestSha: NEW } }, balancers: balancers({ m1: { admin: 'DRAIN' } }) })).kind, 'rollback');
  const dead = plan(r, observed({ masters: { m1: { manifestSha: NEW, alive: false } }, balancers: balancers({ m1: { admin: 'DRAIN' } }) }));
  assert.equal(dead.kind, 'blocked');
  assert.match(reasonOf(dead), /cannot roll m1 back: it does not report, its agent is down or cut off/);
});

test('rule 10: enabled and UP everywhere → done; UP never seen within readyTimeout → rolling-back', () => {
  const r = record({ current: current({ master: 'm1', phase: 'enabling' }) });
  assert.deepEqual(plan(r, observed({ masters: { m1: { manifestSha: NEW } }, balancers: balancers({ m1: { admin: 'DRAIN' } }) })).kind, 'enable');
  const notUp = plan(r, observed({ masters: { m1: { manifestSha: NEW } }, balancers: balancers({ m1: { operational: 'DOWN', checkStatus: 'L4CON' } }) }));
  assert.equal(notUp.kind, 'wait');
  assert.match(reasonOf(notUp), /waiting for the balancers to see it UP: haproxy on m1 reports it DOWN \(check L4CON\)/);
  const done = plan(r, observed({ masters: { m1: { manifestSha: NEW } } }));
  assert.equal(done.kind, 'mark');
  assert.deepEqual(stepRecord(done)?.done, ['m1']);
  assert.equal(stepRecord(done)?.current, undefined);
  const late = record({ current: current({ master: 'm1', phase: 'enabling', phaseSinceMs: NOW - 121_000 }) });
  const back = plan(late, observed({ masters: { m1: { manifestSha: NEW } }, balancers: balancers({ m1: { operational: 'DOWN', checkStatus: 'L4CON' } }) }));
  assert.equal(markedCurrent(back)?.phase, 'rolling-back');
  assert.match(markedCurrent(back)?.failure?.reason ?? '', /passes its readiness probe but not the balancer's check 121 s after it was enabled/);
});

test('rule 10: a balancer that does not answer: enabled in the others, and current until it answers', () => {
  const r = record({ current: current({ master: 'm1', phase: 'enabling' }) });
  const bs = balancers({ m1: { admin: 'DRAIN' } });
  bs[2] = { name: 'haproxy on m3', servers: undefined };
  assert.deepEqual(plan(r, observed({ balancers: bs })), { kind: 'enable', master: 'm1', balancers: ['haproxy on m1', 'haproxy on m2'] });
  const bs2 = balancers();
  bs2[2] = { name: 'haproxy on m3', servers: undefined };
  const s = plan(r, observed({ balancers: bs2 }));
  assert.equal(s.kind, 'blocked');
  assert.match(reasonOf(s), /m1 is enabled in every balancer that answers, but haproxy on m3 does not/);
});

test('rules 2-3: paused: the master mid-way is finished, then nothing new', () => {
  const mid = record({ state: 'paused', current: current({ master: 'm2', phase: 'applying' }), done: ['m1'] });
  assert.deepEqual(plan(mid, observed({ balancers: balancers({ m2: { admin: 'DRAIN' } }) })), { kind: 'apply', master: 'm2', sha: NEW });
  const after = plan(record({ state: 'paused', done: ['m1', 'm2'] }));
  assert.equal(after.kind, 'wait');
  assert.match(reasonOf(after), /paused, 2 of 3 done, next m3: belayctl rollout resume apiserver goes on/);
});

test('after a crash in any phase the next pass resumes from what it sees', () => {
  // draining, already DRAIN with no sessions → applying.
  assert.equal(
    markedCurrent(
      plan(
        record({ current: current({ master: 'm2', phase: 'draining' }) }),
        observed({ balancers: balancers({ m2: { admin: 'DRAIN', currentSessions: 0 } }) }),
      ),
    )?.phase,
    'applying',
  );
  // applying, the manifest already at the target → waiting-ready.
  assert.equal(
    markedCurrent(
      plan(
        record({ current: current({ master: 'm2', phase: 'applying' }) }),
        observed({ masters: { m2: { manifestSha: NEW, ready: false } }, balancers: balancers({ m2: { admin: 'DRAIN' } }) }),
      ),
    )?.phase,
    'waiting-ready',
  );
  // enabling, already READY and UP → done, next master.
  const s = plan(
    record({ done: ['m1'], current: current({ master: 'm2', phase: 'enabling' }) }),
    observed({ masters: { m1: { manifestSha: NEW }, m2: { manifestSha: NEW } } }),
  );
  assert.deepEqual(stepRecord(s)?.done, ['m1', 'm2']);
});
