import { canRemoveMember, quorumOf } from './removal.js';

/**
 * The etcd reconcile planner: observed members + spec + gossip → the one
 * next safe membership step. Pure (no clock, no I/O: `nowMs` comes in), so
 * that every rule below is tested case by case. The leader runs it every
 * pass and executes at most one step; the next pass observes again, which
 * is what makes an interrupted join resumable: every step is recognised
 * from what etcd shows, not from memory.
 *
 * Rules, in order:
 *  1. No member list or no quorum of healthy voters: change nothing.
 *  2. A learner exists: it is the join in progress. Remove it if it belongs
 *     to no master of the spec, if its master is dead, or if it has not been
 *     promoted by the catch-up deadline; else start it (added, never
 *     started: etcd shows no name) or promote it (started; etcd refuses a
 *     promote until it is in sync, so retrying is the catch-up wait).
 *  3. A voter whose data is lost (its agent holds etcd back: the data dir is
 *     gone, empty, another member's or unreadable) is replaced at once: that
 *     member never comes back, waiting only keeps the cluster a fault from
 *     losing quorum. A voter whose master has been dead in gossip longer than replaceAfter,
 *     or whose master is alive but whose etcd has not run for that long (no
 *     etcd.yaml: a fresh host with the same name; its pod failed: e.g. a lost
 *     data dir), is removed, but only if the
 *     members that stay keep a quorum of healthy voters (removal.ts, the
 *     rule every removal goes through); it is re-added as a learner by rule
 *     5 when its master is back.
 *  4. Any other unhealthy voter: wait (a membership change now could cost quorum).
 *  5. The first master of the spec that is alive in gossip, not a member,
 *     not in retry backoff and not removed by hand: add it as a learner
 *     (after preflight).
 */

export interface ObservedMember {
  id: string;
  /** Empty while a learner was added but never started. */
  name: string;
  peerUrls: string[];
  isLearner: boolean;
  /** Its endpoint answered status with a leader and no errors. */
  healthy: boolean;
  isLeader: boolean;
  /** When it was first seen unhealthy by this leader, ms; undefined while healthy. */
  unhealthySinceMs?: number | undefined;
}

export interface MasterObservation {
  name: string;
  /** Its peer URL (from the spec). */
  peerUrl: string;
  gossip: 'alive' | 'suspect' | 'dead' | 'left' | 'unknown';
  /** Since when in that gossip state, ms. */
  gossipSinceMs: number;
  /** Its agent reports its etcd running: false when it has no etcd.yaml or its pod failed (crash-looping); undefined without a fresh report. */
  etcdRunning?: boolean | undefined;
  /** Its agent holds etcd back because the data dir is lost, foreign or corrupt (docs/etcd-data-dir.md): why; from a fresh report. */
  dataLoss?: string | undefined;
}

export interface JoinRecord {
  master: string;
  memberId: string;
  addedAtMs: number;
}

export interface PlanInput {
  nowMs: number;
  /** Spec order: joins go in this order. */
  masters: MasterObservation[];
  /** undefined: the member list could not be read. */
  members: ObservedMember[] | undefined;
  join?: JoinRecord | undefined;
  /** Masters whose last join failed, with when they may be tried again. */
  retryAtMs: Record<string, number>;
  /** Why a master's last join attempt failed (shown while it waits for its retry). */
  lastFailure?: Record<string, string> | undefined;
  /** Masters removed by hand (belayctl etcd remove): not joined again until belayctl etcd add. */
  heldOut?: string[] | undefined;
  learnerCatchUpTimeoutMs: number;
  replaceAfterMs: number;
}

export type Step =
  | { kind: 'idle'; reason: string }
  | { kind: 'blocked'; reason: string }
  | { kind: 'add-learner'; master: string; peerUrl: string }
  | { kind: 'start-learner'; master: string; memberId: string }
  | { kind: 'promote'; master: string; memberId: string }
  | { kind: 'remove-member'; master: string | undefined; memberId: string; isLearner: boolean; isLeader: boolean; reason: string };

/** Which master a member is: by name once started, by peer URL before. */
export function masterOf(m: Pick<ObservedMember, 'name' | 'peerUrls'>, masters: Pick<MasterObservation, 'name' | 'peerUrl'>[]): string | undefined {
  if (m.name) {
    const byName = masters.find((x) => x.name === m.name);
    if (byName) return byName.name;
  }
  return masters.find((x) => m.peerUrls.some((u) => sameUrl(u, x.peerUrl)))?.name;
}

export function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return a === b;
  }
}

const secs = (ms: number): string => `${Math.round(ms / 1000)} s`;

export function planEtcd(i: PlanInput): Step {
  if (!i.members)
    return {
      kind: 'blocked',
      reason: 'cannot read the etcd member list: no quorum, or no member answers; nothing is changed (if quorum is lost for good: belayctl etcd restore)',
    };
  const byMaster = new Map(i.masters.map((m) => [m.name, m]));
  const voters = i.members.filter((m) => !m.isLearner);
  const healthyVoters = voters.filter((m) => m.healthy);
  const quorum = quorumOf(voters.length);
  if (healthyVoters.length < quorum) {
    const down = voters.filter((m) => !m.healthy).map((m) => m.name || m.id);
    const lost = i.masters.filter((m) => m.dataLoss).map((m) => m.name);
    return {
      kind: 'blocked',
      reason: `no quorum: ${healthyVoters.length} of ${voters.length} voting members healthy, ${quorum} needed (down: ${down.join(', ')}${lost.length ? `; data lost: ${lost.join(', ')}, held back by their agents` : ''}); membership is not changed (if they do not come back: belayctl etcd restore; belayctl status names the snapshot)`,
    };
  }

  // 2. The join in progress.
  const learner = i.members.find((m) => m.isLearner);
  if (learner) {
    const master = masterOf(learner, i.masters);
    const base = { memberId: learner.id, isLearner: true, isLeader: false };
    if (!master)
      return {
        kind: 'remove-member',
        master: undefined,
        ...base,
        reason: `learner ${learner.name || learner.peerUrls.join(',')} belongs to no master of the spec`,
      };
    const obs = byMaster.get(master);
    if (obs?.gossip === 'dead' || obs?.gossip === 'left')
      return { kind: 'remove-member', master, ...base, reason: `its master ${master} is ${obs.gossip} in gossip` };
    const addedAt = i.join?.memberId === learner.id ? i.join.addedAtMs : undefined;
    if (addedAt !== undefined && i.nowMs - addedAt > i.learnerCatchUpTimeoutMs) {
      return {
        kind: 'remove-member',
        master,
        ...base,
        reason: `not caught up ${secs(i.nowMs - addedAt)} after it was added (deadline ${secs(i.learnerCatchUpTimeoutMs)})`,
      };
    }
    if (!learner.name) return { kind: 'start-learner', master, memberId: learner.id };
    return { kind: 'promote', master, memberId: learner.id };
  }

  // 3. Replacement of a voter whose master is gone or runs no etcd.
  for (const v of voters) {
    if (v.healthy) continue;
    const master = masterOf(v, i.masters);
    const obs = master ? byMaster.get(master) : undefined;
    const unhealthyFor = v.unhealthySinceMs === undefined ? 0 : i.nowMs - v.unhealthySinceMs;
    const deadFor = obs && (obs.gossip === 'dead' || obs.gossip === 'left') ? i.nowMs - obs.gossipSinceMs : 0;
    const noEtcd = obs?.gossip === 'alive' && obs.etcdRunning === false;
    const why = obs?.dataLoss
      ? `its data is lost: ${obs.dataLoss}`
      : deadFor > i.replaceAfterMs
        ? `its master ${master ?? ''} has been ${obs?.gossip ?? 'dead'} for ${secs(deadFor)} (replaceAfter ${secs(i.replaceAfterMs)})`
        : noEtcd && unhealthyFor > i.replaceAfterMs
          ? `its master ${master ?? ''} is up but its etcd is not running (no etcd.yaml: a fresh host; or crash-looping: a lost data dir) and the member has been down ${secs(unhealthyFor)}`
          : undefined;
    if (!why) continue;
    const removal = canRemoveMember(
      voters.map((x) => ({ ...x, name: x.name || x.id })),
      v,
    );
    if (!removal.ok) {
      return {
        kind: 'blocked',
        reason: `member ${v.name || v.id} should be replaced (${why}), but the ${removal.staying} that stay have ${removal.healthyStaying} healthy, under their quorum of ${removal.quorum}: nothing is changed`,
      };
    }
    return { kind: 'remove-member', master, memberId: v.id, isLearner: false, isLeader: v.isLeader, reason: `replacing it: ${why}` };
  }

  // 4. Never change membership next to an unhealthy voter.
  const sick = voters.find((m) => !m.healthy);
  if (sick) {
    const master = masterOf(sick, i.masters);
    const obs = master ? byMaster.get(master) : undefined;
    return {
      kind: 'blocked',
      reason: `member ${sick.name || sick.id} is unhealthy${obs ? ` (its master is ${obs.gossip} in gossip)` : ''}: no membership change until it is back or replaced`,
    };
  }

  // 5. The next join.
  const memberOf = new Set(i.members.map((m) => masterOf(m, i.masters)).filter((x): x is string => x !== undefined));
  const missing = i.masters.filter((m) => !memberOf.has(m.name));
  const held = new Set(i.heldOut ?? []);
  for (const m of missing) {
    if (m.gossip !== 'alive' || held.has(m.name)) continue;
    if ((i.retryAtMs[m.name] ?? 0) > i.nowMs) continue;
    return { kind: 'add-learner', master: m.name, peerUrl: m.peerUrl };
  }
  if (missing.length > 0) {
    const why = missing.map((m) =>
      held.has(m.name)
        ? `${m.name} (removed by hand: belayctl etcd add ${m.name} brings it back)`
        : (i.retryAtMs[m.name] ?? 0) > i.nowMs
          ? // No countdown: the line must not change every second (it is logged on change).
            `${m.name} (${i.lastFailure?.[m.name] ?? 'last try failed'}; retrying within ${secs(Math.ceil(((i.retryAtMs[m.name] ?? 0) - i.nowMs) / 10_000) * 10_000)})`
          : `${m.name} (${m.gossip} in gossip)`,
    );
    return { kind: 'blocked', reason: `waiting to join ${why.join(', ')}` };
  }
  const extra = voters.filter((m) => masterOf(m, i.masters) === undefined);
  if (extra.length > 0)
    return { kind: 'idle', reason: `member ${extra.map((m) => m.name || m.id).join(', ')} is not in the spec: belayctl etcd remove NAME if it should go` };
  return { kind: 'idle', reason: `all ${voters.length} masters are healthy etcd members` };
}
