import { elapsedSecs, rolloutSummary, secs } from './rollout-summary.js';
import {
  rolloutCommandName,
  type MasterView,
  type RolloutCurrent,
  type RolloutFailure,
  type RolloutPhase,
  type RolloutPlanInput,
  type RolloutRecord,
  type RolloutStep,
  type ServerView,
} from './rollout-record.js';

/**
 * The control-plane rollout planner: the rollout record the leader keeps in
 * etcd + what is observed now → the one next step. Pure (no clock, no I/O:
 * `nowMs` comes in), like etcd/plan.ts. The leader runs it every pass and
 * does at most one step, then observes again. Every record change is a step
 * of its own (`mark`, `halt`, `complete`) that the shell stores, fenced by
 * its term, before anything else happens: the record always says what is
 * about to be done to which master (write-ahead), and every phase is
 * finished from what the agents and balancers show, so a new leader
 * resumes an interrupted step from the record and the world alone.
 *
 * "Out" is a master that is drained, restarting or not ready because of
 * the rollout; there is at most one, record.current, also across a leader
 * change (the record names it). The balancer steps are apiserver only.
 *
 * Rules, in order:
 *  1. No record, or a halted or complete one: idle.
 *  2. A master mid-way (record.current) is finished before anything else,
 *     also while paused, by its phase (rules 6-10).
 *  3. Paused with no master mid-way: wait.
 *  4. The next master of the order not done: if its manifest already has
 *     the target sha, it is ready on it and (apiserver) READY in every
 *     balancer, it is done without being touched (a resume after a leader
 *     change; an undo of a master this rollout never changed).
 *  5. Before taking a master out: every OTHER master of the order alive in
 *     gossip and its component ready (apiserver: also UP and READY in every
 *     balancer, every balancer answering), and etcd healthy; else blocked,
 *     naming each master and why. Then it becomes current: draining
 *     (apiserver) or applying. No master left: complete.
 *  6. draining: rule 5 failing for the others now → put it back (enabling,
 *     not rolled). Else set it DRAIN in every balancer that has it READY
 *     (from then on no balancer sends it a new connection); then wait until
 *     its sessions in all balancers reach 0, or have not gone down for
 *     drainSettleMs (what is left are keep-alive connections and watches,
 *     which never end by themselves: the apiserver's graceful shutdown
 *     closes them, each after its answer), at most drainTimeoutMs; then
 *     applying.
 *  7. applying: its manifest at the target → waiting-ready. Else rule 5
 *     failing for the others → put it back (nothing was applied yet); not
 *     taken by its agent within readyTimeoutMs → rolling-back; its master
 *     not alive → blocked; else apply.
 *  8. waiting-ready: ready on the target (the manifest at the target, and
 *     the instance started from it: the agent's runningSha, or ready since
 *     the apply began, since the old pod stays ready until kubelet kills
 *     it) continuously for stableWindowMs, a flap restarting the window →
 *     enabling (apiserver) or done. The apiserver is set READY in the
 *     balancers as soon as it is ready, as a Service sends traffic to a
 *     ready pod while a Deployment's minReadySeconds runs: the balancers'
 *     rise runs inside the window instead of after it, and a flap in the
 *     window is taken out by their own checks. Not ready readyTimeoutMs
 *     after the manifest was seen applied → rolling-back (drained first),
 *     the failure (master, probe, log tail, elapsed time) kept for the
 *     halt.
 *  9. rolling-back: (apiserver) drained first if it is not; the previous
 *     manifest applied; ready on it for stableWindowMs, or given up after
 *     readyTimeoutMs → enabling (apiserver) or halt.
 * 10. enabling: READY in every balancer that answers; it stays current
 *     while one does not (never leaves a backend drained). Then: after a rollback → halt; put
 *     back unrolled → no longer current, tried again by rule 5; else UP in
 *     every balancer → done, and never UP within readyTimeoutMs (it passes
 *     its own probe but not the balancer's check) → rolling-back.
 */

interface Ctx {
  i: RolloutPlanInput;
  r: RolloutRecord;
  nowMs: number;
  balanced: boolean;
  view: (master: string) => MasterView | undefined;
}

export function planRollout(i: RolloutPlanInput): RolloutStep {
  const r = i.record;
  if (!r) return { kind: 'idle', reason: 'no rollout' };
  if (r.state === 'complete' || r.state === 'halted') return { kind: 'idle', reason: rolloutSummary(r) };
  const views = new Map(i.observed.masters.map((m) => [m.name, m]));
  const ctx: Ctx = { i, r, nowMs: i.nowMs, balanced: r.component === 'kube-apiserver', view: (m) => views.get(m) };

  if (r.current) return planCurrent(ctx, r.current);
  if (r.state === 'paused') return { kind: 'wait', reason: `${rolloutSummary(r)}: belayctl rollout resume ${rolloutCommandName(r.component)} goes on` };

  const next = r.order.find((m) => !r.done.includes(m));
  if (next === undefined)
    return {
      kind: 'complete',
      record: { ...r, state: 'complete', updatedAtMs: i.nowMs },
      reason: `${r.component} revision ${r.revision} complete on ${r.order.length} master(s)`,
    };
  const target = r.targetSha[next];
  if (!target)
    return halt(
      ctx,
      { ...r },
      `the record has no target manifest for ${next}: halted before touching it (belayctl rollout ${rolloutCommandName(r.component)} again)`,
    );

  // 4. Already there: done untouched.
  const o = ctx.view(next);
  if (o && readyOn(o, target, undefined) && (!ctx.balanced || balancersSay(ctx, next, (s) => s.admin === 'READY'))) {
    return mark(ctx, { ...r, done: [...r.done, next] }, `${next} already runs the target manifest and is ready: done without touching it`);
  }

  // 5. Taking it out.
  const why = blockers(ctx, next);
  if (why.length > 0) return { kind: 'blocked', reason: `not taking ${next} out: ${why.join('; ')}` };
  const current: RolloutCurrent = ctx.balanced
    ? { master: next, phase: 'draining', phaseSinceMs: ctx.nowMs }
    : { master: next, phase: 'applying', phaseSinceMs: ctx.nowMs, applyStartedAtMs: ctx.nowMs };
  return mark(ctx, { ...r, current }, `${next}: ${current.phase} (${r.done.length} of ${r.order.length} done)`);
}

function planCurrent(ctx: Ctx, c: RolloutCurrent): RolloutStep {
  switch (c.phase) {
    case 'draining':
      return planDraining(ctx, c);
    case 'applying':
      return planApplying(ctx, c);
    case 'waiting-ready':
      return planWaitingReady(ctx, c);
    case 'rolling-back':
      return planRollingBack(ctx, c);
    case 'enabling':
      return planEnabling(ctx, c);
  }
}

function planDraining(ctx: Ctx, c: RolloutCurrent): RolloutStep {
  const m = c.master;
  const why = blockers(ctx, m);
  if (why.length > 0) return putBack(ctx, c, why);
  const bs = ctx.i.observed.balancers;
  const toDrain = bs.filter((b) => b.servers?.[m]?.admin === 'READY').map((b) => b.name);
  if (toDrain.length > 0) return { kind: 'drain', master: m, balancers: toDrain };
  // A balancer without this server sends it nothing: nothing to drain there.
  const sessions = bs.reduce((n, b) => n + (b.servers?.[m]?.currentSessions ?? 0), 0);
  const elapsed = ctx.nowMs - c.phaseSinceMs;
  const { drainTimeoutMs: limit, drainSettleMs: settle } = ctx.i.limits;
  if (sessions > 0 && elapsed < limit) {
    // Kept in the record, so that a new leader goes on counting from it.
    if (c.drainLow === undefined || sessions < c.drainLow.sessions) {
      return mark(ctx, { ...ctx.r, current: { ...c, drainLow: { sessions, sinceMs: ctx.nowMs } } }, `${m} drained: ${sessions} session(s) open`);
    }
    const still = ctx.nowMs - c.drainLow.sinceMs;
    if (still < settle) {
      return {
        kind: 'wait',
        reason: `${m} drained: waiting for its ${sessions} session(s) to end (${elapsedSecs(elapsed)} of at most ${secs(limit)})`,
        wakeAtMs: c.drainLow.sinceMs + settle,
      };
    }
  }
  const how =
    sessions === 0
      ? 'no sessions left'
      : elapsed >= limit
        ? `${sessions} session(s) still open after ${secs(elapsed)}: applying anyway, the apiserver's graceful shutdown ends them`
        : `${sessions} long-lived session(s) left (keep-alive connections, watches): the apiserver's graceful shutdown ends them`;
  return mark(
    ctx,
    { ...ctx.r, current: { master: m, phase: 'applying', phaseSinceMs: ctx.nowMs, applyStartedAtMs: ctx.nowMs } },
    `${m} drained (${how}): applying`,
  );
}

function planApplying(ctx: Ctx, c: RolloutCurrent): RolloutStep {
  const m = c.master;
  const target = ctx.r.targetSha[m] ?? '';
  const o = ctx.view(m);
  if (target && o?.manifestSha === target) {
    return mark(
      ctx,
      { ...ctx.r, current: { master: m, phase: 'waiting-ready', phaseSinceMs: ctx.nowMs, applyStartedAtMs: c.applyStartedAtMs ?? c.phaseSinceMs } },
      `${m} has the new manifest: waiting for it to be ready`,
    );
  }
  const why = blockers(ctx, m);
  if (why.length > 0) return putBack(ctx, c, why);
  const elapsed = ctx.nowMs - c.phaseSinceMs;
  if (!target || elapsed > ctx.i.limits.readyTimeoutMs) {
    const reason = target
      ? `the agent on ${m} did not take the new ${ctx.r.component} manifest within ${secs(elapsed)} (deadline ${secs(ctx.i.limits.readyTimeoutMs)})`
      : `the record has no target manifest for ${m}`;
    return startRollback(ctx, c, 'applying', reason, o, elapsed);
  }
  if (!o?.alive)
    return {
      kind: 'blocked',
      reason: `cannot apply the new ${ctx.r.component} manifest on ${m}: it does not report, its agent is down or cut off (${elapsedSecs(elapsed)} of ${secs(ctx.i.limits.readyTimeoutMs)} before it is rolled back)`,
    };
  return { kind: 'apply', master: m, sha: target };
}

function planWaitingReady(ctx: Ctx, c: RolloutCurrent): RolloutStep {
  const m = c.master;
  const target = ctx.r.targetSha[m] ?? '';
  const o = ctx.view(m);
  const ready = o !== undefined && readyOn(o, target, c.applyStartedAtMs ?? c.phaseSinceMs);
  const step = awaitStable(ctx, c, o, ready, {
    what: 'the new manifest',
    onStable: () =>
      ctx.balanced
        ? mark(
            ctx,
            { ...ctx.r, current: { master: m, phase: 'enabling', phaseSinceMs: ctx.nowMs } },
            `${m} ready for ${secs(ctx.i.limits.stableWindowMs)} on the new manifest: enabling it in the balancers`,
          )
        : finishMaster(ctx, m),
    onTimeout: (elapsed) => {
      const seen = o && o.manifestSha !== target ? `; its manifest is now ${short(o.manifestSha)}, not the target ${short(target)}` : '';
      return startRollback(
        ctx,
        c,
        'waiting-ready',
        `${ctx.r.component} on ${m} not ready ${secs(elapsed)} after the new manifest was applied (deadline ${secs(ctx.i.limits.readyTimeoutMs)})${seen}`,
        o,
        ctx.nowMs - (c.applyStartedAtMs ?? c.phaseSinceMs),
      );
    },
  });
  if (ctx.balanced && ready && step.kind === 'wait') {
    // Ready, its stable window running: back into the balancers now, so that their rise runs inside the window.
    const toEnable = ctx.i.observed.balancers.filter((b) => b.servers?.[m] !== undefined && b.servers[m].admin !== 'READY').map((b) => b.name);
    if (toEnable.length > 0) return { kind: 'enable', master: m, balancers: toEnable };
  }
  return step;
}

function planRollingBack(ctx: Ctx, c: RolloutCurrent): RolloutStep {
  const m = c.master;
  const prev = ctx.r.previousSha[m] ?? '';
  if (!prev) return afterRollback(ctx, c, 'it had no previous manifest to go back to');
  const o = ctx.view(m);
  if (o?.manifestSha !== prev) {
    // Entered from enabling, it may be serving through some balancer: out of them first.
    if (ctx.balanced) {
      const toDrain = ctx.i.observed.balancers.filter((b) => b.servers?.[m]?.admin === 'READY').map((b) => b.name);
      if (toDrain.length > 0) return { kind: 'drain', master: m, balancers: toDrain };
    }
    if (!o?.alive)
      return { kind: 'blocked', reason: `cannot roll ${m} back: it does not report, its agent is down or cut off (${c.failure?.reason ?? 'rolling back'})` };
    return { kind: 'rollback', master: m, toSha: prev, reason: c.failure?.reason ?? 'rolling back' };
  }
  // The failed pod never was ready, so any ready instance on the previous manifest is the one the rollback started.
  const ready = o.ready && (o.runningSha === undefined || o.runningSha === prev);
  return awaitStable(ctx, c, o, ready, {
    what: 'its previous manifest',
    onStable: () => afterRollback(ctx, c, 'ready again on its previous manifest'),
    onTimeout: (elapsed) => afterRollback(ctx, c, `not ready on its previous manifest either ${secs(elapsed)} after the rollback (${notReady(o)})`),
  });
}

function planEnabling(ctx: Ctx, c: RolloutCurrent): RolloutStep {
  const m = c.master;
  const bs = ctx.i.observed.balancers;
  const toEnable = bs.filter((b) => b.servers?.[m] !== undefined && b.servers[m].admin !== 'READY').map((b) => b.name);
  if (toEnable.length > 0) return { kind: 'enable', master: m, balancers: toEnable };
  // Serving again through every balancer that answers; still current, so that it is set READY in the others once they answer.
  const silent = bs.filter((b) => !b.servers).map((b) => b.name);
  if (silent.length > 0)
    return {
      kind: 'blocked',
      reason: `${m} is enabled in every balancer that answers, but ${silent.join(', ')} does not: it stays the current master until it can be enabled there too`,
    };
  if (c.failure) {
    const f = c.failure;
    return halt(
      ctx,
      { ...ctx.r, failure: f },
      `${f.reason} (${f.notReadyReason}); rolled back: ${f.rolledBack ?? 'done'}; ${m} is enabled again; the rollout is halted (belayctl rollout undo ${rolloutCommandName(ctx.r.component)}, or fix the spec and roll out again)`,
    );
  }
  if (c.abortReason !== undefined)
    return mark(ctx, withoutCurrent(ctx.r), `${m} is back in the balancers without being rolled (${c.abortReason}): tried again when the others are ready`);
  const down = bs.flatMap((b) => {
    const s = b.servers?.[m];
    return s && s.operational !== 'UP' ? [`${b.name} reports it ${s.operational}${s.checkStatus ? ` (check ${s.checkStatus})` : ''}`] : [];
  });
  if (down.length === 0) return finishMaster(ctx, m);
  const elapsed = ctx.nowMs - c.phaseSinceMs;
  if (elapsed > ctx.i.limits.readyTimeoutMs) {
    return startRollback(
      ctx,
      c,
      'enabling',
      `${ctx.r.component} on ${m} passes its readiness probe but not the balancer's check ${secs(elapsed)} after it was enabled (deadline ${secs(ctx.i.limits.readyTimeoutMs)}): ${down.join(', ')}`,
      ctx.view(m),
      elapsed,
      down.join(', '),
    );
  }
  return {
    kind: 'wait',
    reason: `${m} enabled; waiting for the balancers to see it UP: ${down.join(', ')}`,
    wakeAtMs: c.phaseSinceMs + ctx.i.limits.readyTimeoutMs + 1,
  };
}

/**
 * How much later the agent's readySinceMs may be than the recorded one
 * before it counts as a restart the passes missed: the shell derives it
 * from the agent's "ready for N ms" (hosts' clocks differ), so it jitters
 * by the report's latency; a restart moves it past the last pass.
 */
const READY_SINCE_SLACK_MS = 1_000;

/**
 * Ready without a break for the stable window (the record keeps since when,
 * so a flap the agent smoothed over but a pass saw still restarts it); or
 * the deadline, readyTimeoutMs after the phase began.
 */
function awaitStable(
  ctx: Ctx,
  c: RolloutCurrent,
  o: MasterView | undefined,
  ready: boolean,
  on: { what: string; onStable: () => RolloutStep; onTimeout: (elapsedMs: number) => RolloutStep },
): RolloutStep {
  const m = c.master;
  const { stableWindowMs, readyTimeoutMs } = ctx.i.limits;
  if (ready) {
    const seenSince = Math.min(o?.readySinceMs ?? ctx.nowMs, ctx.nowMs);
    if (c.readySinceMs === undefined || seenSince > c.readySinceMs + READY_SINCE_SLACK_MS)
      return mark(ctx, { ...ctx.r, current: { ...c, readySinceMs: seenSince } }, `${m} ready on ${on.what}: ${secs(stableWindowMs)} stable window`);
    const stableMs = ctx.nowMs - c.readySinceMs;
    if (stableMs >= stableWindowMs) return on.onStable();
    return {
      kind: 'wait',
      reason: `${m} ready on ${on.what} for ${elapsedSecs(stableMs)} of ${secs(stableWindowMs)} stable window`,
      wakeAtMs: c.readySinceMs + stableWindowMs,
    };
  }
  const elapsed = ctx.nowMs - c.phaseSinceMs;
  if (elapsed > readyTimeoutMs) return on.onTimeout(elapsed);
  if (c.readySinceMs !== undefined) {
    const { readySinceMs: _, ...rest } = c;
    return mark(ctx, { ...ctx.r, current: rest }, `${m} not ready again (${o ? notReady(o) : 'no report'}): the stable window starts over`);
  }
  return {
    kind: 'wait',
    reason: `waiting for ${m} to be ready on ${on.what} (${elapsedSecs(elapsed)} of ${secs(readyTimeoutMs)}): ${o ? notReady(o) : 'no report from its agent'}`,
    wakeAtMs: c.phaseSinceMs + readyTimeoutMs + 1,
  };
}

function startRollback(
  ctx: Ctx,
  c: RolloutCurrent,
  phase: RolloutPhase,
  reason: string,
  o: MasterView | undefined,
  afterMs: number,
  balancerSays?: string,
): RolloutStep {
  const failure: RolloutFailure = {
    master: c.master,
    phase,
    reason,
    notReadyReason: balancerSays ?? (o ? notReady(o) : 'no report from its agent'),
    logTail: o?.logTail ?? [],
    afterMs,
  };
  return mark(
    ctx,
    { ...ctx.r, current: { master: c.master, phase: 'rolling-back', phaseSinceMs: ctx.nowMs, failure } },
    `${reason}: rolling ${c.master} back to its previous manifest`,
  );
}

function afterRollback(ctx: Ctx, c: RolloutCurrent, outcome: string): RolloutStep {
  const failure: RolloutFailure = {
    ...(c.failure ?? { master: c.master, phase: 'rolling-back', reason: 'rolled back', notReadyReason: '', logTail: [], afterMs: 0 }),
    rolledBack: outcome,
  };
  if (ctx.balanced)
    return mark(
      ctx,
      { ...ctx.r, current: { master: c.master, phase: 'enabling', phaseSinceMs: ctx.nowMs, failure } },
      `${c.master} rolled back (${outcome}): enabling it before halting`,
    );
  return halt(
    ctx,
    { ...ctx.r, failure },
    `${failure.reason} (${failure.notReadyReason}); rolled back: ${outcome}; the rollout is halted (belayctl rollout undo ${rolloutCommandName(ctx.r.component)}, or fix the spec and roll out again)`,
  );
}

/** The others went unready before anything was applied: back into the balancers (apiserver), or simply no longer current. */
function putBack(ctx: Ctx, c: RolloutCurrent, why: string[]): RolloutStep {
  const abortReason = why.join('; ');
  if (ctx.balanced)
    return mark(
      ctx,
      { ...ctx.r, current: { master: c.master, phase: 'enabling', phaseSinceMs: ctx.nowMs, abortReason } },
      `${c.master}: not rolled now (${abortReason}): enabling it again`,
    );
  return mark(ctx, withoutCurrent(ctx.r), `${c.master}: not rolled now (${abortReason})`);
}

function finishMaster(ctx: Ctx, m: string): RolloutStep {
  const r = withoutCurrent(ctx.r);
  const done = [...r.done, m];
  return mark(ctx, { ...r, done }, `${m} done (${done.length} of ${r.order.length})`);
}

/** Why a master other than `master` keeps us from taking `master` out (rule 5). */
function blockers(ctx: Ctx, master: string): string[] {
  const why: string[] = [];
  const { etcd, balancers } = ctx.i.observed;
  if (!etcd.healthy) why.push(`etcd is unhealthy (${etcd.reason ?? 'no reason given'})`);
  if (ctx.balanced) {
    if (balancers.length === 0) why.push('no balancer is observed');
    for (const b of balancers) if (!b.servers) why.push(`${b.name} does not answer${b.error ? ` (${b.error})` : ''}`);
  }
  for (const m of ctx.r.order) {
    if (m === master) continue;
    const o = ctx.view(m);
    if (!o) why.push(`${m}: no report from its agent`);
    else if (!o.alive) why.push(`${m} does not report, its agent is down or cut off`);
    else if (!o.ready) why.push(`${m}'s ${ctx.r.component} is not ready (${notReady(o)})`);
    else if (ctx.balanced) {
      for (const b of balancers) {
        if (!b.servers) continue;
        const s = b.servers[m];
        if (!s) why.push(`${m} is not a server in ${b.name}`);
        else if (s.admin !== 'READY' || s.operational !== 'UP') why.push(`${m} is ${s.admin}/${s.operational} in ${b.name}`);
      }
    }
  }
  return why;
}

/** Every balancer answers, and has this master as a server that satisfies `ok`. */
function balancersSay(ctx: Ctx, master: string, ok: (s: ServerView) => boolean): boolean {
  const bs = ctx.i.observed.balancers;
  return bs.length > 0 && bs.every((b) => b.servers?.[master] !== undefined && ok(b.servers[master]));
}

/**
 * Ready on `sha`: the manifest is there, and the ready instance was started
 * from it: the agent says so (runningSha), or, when it cannot, it has been
 * ready only since `afterMs` (the old pod stays ready until kubelet, which
 * may take seconds to notice the file, replaces it).
 */
function readyOn(o: MasterView, sha: string, afterMs: number | undefined): boolean {
  if (!o.ready || !sha || o.manifestSha !== sha) return false;
  if (o.runningSha !== undefined) return o.runningSha === sha;
  if (afterMs === undefined) return true;
  return o.readySinceMs !== undefined && o.readySinceMs >= afterMs;
}

function notReady(o: MasterView): string {
  if (!o.alive) return 'its agent does not report, down or cut off';
  if (o.ready) return 'ready, but not yet on the new manifest';
  return o.notReadyReason || 'not ready, no reason given';
}

const short = (sha: string): string => (sha ? sha.slice(0, 12) : 'none');

function withoutCurrent(r: RolloutRecord): RolloutRecord {
  const { current: _, ...rest } = r;
  return rest;
}

function mark(ctx: Ctx, record: RolloutRecord, reason: string): RolloutStep {
  return { kind: 'mark', record: { ...record, updatedAtMs: ctx.nowMs }, reason };
}

function halt(ctx: Ctx, record: RolloutRecord, reason: string): RolloutStep {
  return { kind: 'halt', record: { ...withoutCurrent(record), state: 'halted', haltReason: reason, updatedAtMs: ctx.nowMs }, reason };
}
