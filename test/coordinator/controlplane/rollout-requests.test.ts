import assert from 'node:assert/strict';
import { test } from 'node:test';
import { activeRollout, pauseRollout, resumeRollout, rolloutHistory, startRollout, undoRollout } from '../../../coordinator/controlplane/rollout-requests.js';
import { rolloutSummary } from '../../../coordinator/controlplane/rollout-summary.js';
import { OLD, NEW, NAMES, NOW, shas, record, current, change, refusal } from './rollout-fixtures.js';

// ---------------------------------------------------------------------------
// Starting, pausing, undoing.

test('startRollout: the first revision, then increasing per component', () => {
  const r1 = startRollout([], change(), 5);
  assert.deepEqual(r1, {
    id: 'kube-apiserver-1',
    component: 'kube-apiserver',
    revision: 1,
    fromRevision: 0,
    changes: ['image: v1.31.0 → v1.31.1'],
    settings: { image: 'registry.k8s.io/kube-apiserver:v1.31.1', extraArgs: {} },
    previousSettings: { extraArgs: {} },
    order: NAMES,
    targetSha: shas(NEW),
    previousSha: shas(OLD),
    done: [],
    state: 'running',
    startedAtMs: 5,
    updatedAtMs: 5,
    requestedBy: 'admin',
  });
  const history = [
    { ...r1, state: 'complete' as const },
    { ...record({ component: 'kube-scheduler', id: 'kube-scheduler-4', revision: 4 }), state: 'complete' as const },
  ];
  const r2 = startRollout(history, change({ targetSha: shas('c'.repeat(64)), currentSha: shas(NEW) }), 6);
  assert.deepEqual([r2.revision, r2.fromRevision, r2.id], [2, 1, 'kube-apiserver-2']);
  assert.deepEqual(startRollout(history, change({ component: 'kube-scheduler' }), 7).revision, 5);
});

test('startRollout refuses while any rollout runs or is paused, naming it', () => {
  const running = record({
    component: 'kube-controller-manager',
    id: 'kube-controller-manager-3',
    revision: 3,
    done: ['m1'],
    current: current({ master: 'm2', phase: 'waiting-ready' }),
  });
  const e = refusal(
    () => startRollout([running], change(), NOW),
    'ROLLOUT_IN_PROGRESS',
    /^not starting a rollout of kube-apiserver: kube-controller-manager revision 3: m2 waiting ready, 1 of 3 done$/,
  );
  assert.equal(e.unsafe, true);
  const paused = refusal(
    () => undoRollout([{ ...running, state: 'paused' }], { component: 'kube-controller-manager', order: NAMES, currentSha: shas(OLD), requestedBy: 'x' }, NOW),
    'ROLLOUT_IN_PROGRESS',
    /an undo of kube-controller-manager: kube-controller-manager revision 3: paused, m2 waiting ready/,
  );
  assert.match(paused.hint, /belayctl rollout resume controller-manager/);
});

test('startRollout refuses an undo with nothing to undo, a change that changes nothing, a master with no manifest', () => {
  refusal(
    () =>
      undoRollout(
        [record({ component: 'kube-scheduler', state: 'complete' })],
        { component: 'kube-apiserver', order: NAMES, currentSha: shas(NEW), requestedBy: 'x' },
        NOW,
      ),
    'ROLLOUT_NO_PREVIOUS_REVISION',
    /cannot undo kube-apiserver: it has no rollout in its history/,
  );
  refusal(
    () => startRollout([], change({ targetSha: shas(OLD) }), NOW),
    'ROLLOUT_NO_CHANGE',
    /nothing to roll out: the kube-apiserver manifest on all 3 master\(s\) already is what the new spec renders/,
  );
  refusal(() => startRollout([], change({ currentSha: { m1: OLD, m2: OLD, m3: '' } }), NOW), 'ROLLOUT_NO_MANIFEST', /m3 has no kube-apiserver manifest yet/);
  refusal(() => startRollout([], change({ order: [] }), NOW), 'ROLLOUT_NO_MASTERS', /lists no master/);
  const prev = record({ state: 'complete', done: [...NAMES] });
  refusal(
    () => undoRollout([prev], { component: 'kube-apiserver', order: [...NAMES, 'm4'], currentSha: shas(NEW, [...NAMES, 'm4']), requestedBy: 'x' }, NOW),
    'ROLLOUT_UNDO_UNKNOWN_MASTER',
    /m4 joined after it started/,
  );
});

test('undoRollout: a new revision back to the previous manifests and settings', () => {
  const prev = record({ state: 'complete', done: [...NAMES] });
  const u = undoRollout([prev], { component: 'kube-apiserver', order: NAMES, currentSha: shas(NEW), requestedBy: 'ops' }, NOW);
  assert.deepEqual(
    {
      revision: u.revision,
      fromRevision: u.fromRevision,
      undoOf: u.undoOf,
      targetSha: u.targetSha,
      previousSha: u.previousSha,
      settings: u.settings,
      previousSettings: u.previousSettings,
      changes: u.changes,
    },
    {
      revision: 3,
      fromRevision: 2,
      undoOf: 2,
      targetSha: shas(OLD),
      previousSha: shas(NEW),
      settings: prev.previousSettings,
      previousSettings: prev.settings,
      changes: ['undo of revision 2 (image: v1.31.0 → v1.31.1)'],
    },
  );
  assert.equal(rolloutSummary(u), 'kube-apiserver revision 3 (undo of 2): 0 of 3 done, next m1');
});

test('pause, resume: idempotent on their own state, refused on a finished rollout', () => {
  const r = record();
  const p = pauseRollout(r, NOW);
  assert.equal(p.state, 'paused');
  assert.equal(pauseRollout(p, NOW + 1), p);
  assert.equal(resumeRollout(p, NOW).state, 'running');
  assert.equal(resumeRollout(r, NOW), r);
  refusal(() => pauseRollout(record({ state: 'complete' }), NOW), 'ROLLOUT_NOT_ACTIVE', /nothing to pause: kube-apiserver revision 2: complete/);
  const e = refusal(
    () => resumeRollout(record({ state: 'halted', haltReason: 'm1 never ready' }), NOW),
    'ROLLOUT_NOT_ACTIVE',
    /nothing to resume: kube-apiserver revision 2: halted, 0 of 3 done: m1 never ready/,
  );
  assert.match(e.hint, /belayctl rollout undo apiserver/);
});

test('history: per component, oldest first; activeRollout finds the one running', () => {
  const h = [
    record({ revision: 3, state: 'complete' }),
    record({ component: 'kube-scheduler', revision: 1, state: 'paused' }),
    record({ revision: 1, state: 'halted' }),
  ];
  assert.deepEqual(
    rolloutHistory(h, 'kube-apiserver').map((r) => r.revision),
    [1, 3],
  );
  assert.equal(activeRollout(h)?.component, 'kube-scheduler');
  assert.equal(activeRollout(h.filter((r) => r.state !== 'paused')), undefined);
});

test('summaries', () => {
  assert.equal(rolloutSummary(record({ state: 'complete', done: [...NAMES] })), 'kube-apiserver revision 2: complete, 3 of 3 done');
  assert.equal(rolloutSummary(record({ current: current({ master: 'm1', phase: 'draining' }) })), 'kube-apiserver revision 2: m1 draining, 0 of 3 done');
  assert.equal(
    rolloutSummary(record({ current: current({ master: 'm1', phase: 'enabling', abortReason: 'm3 does not report, its agent is down or cut off' }) })),
    'kube-apiserver revision 2: m1 enabling, not rolled (m3 does not report, its agent is down or cut off), 0 of 3 done',
  );
});
