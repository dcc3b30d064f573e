/**
 * Where "never below quorum" lives: the one rule every path that takes an
 * etcd member away goes through (the planner's replacement of a dead
 * member, plan.ts rule 3; `belayctl etcd remove`, rpc/cluster.ts). Pure:
 * members and their health in, ok or a refusal out; tested case by case in
 * test/coordinator/etcd/removal.test.ts.
 *
 * The rule: the voting members that stay must keep a quorum of healthy
 * voters among themselves, and at least one must stay (removing the last
 * voter deletes the cluster). A learner has no vote: removing one never
 * changes the quorum and is always allowed.
 */

/** Votes needed for a quorum of `voters` voting members. */
export function quorumOf(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

export interface MemberHealth {
  id: string;
  /** How refusals name it (its name, or its id before it has one). */
  name: string;
  isLearner: boolean;
  /** Its endpoint answered status with a leader and no errors. */
  healthy: boolean;
}

export type Removal =
  | { ok: true }
  | {
      ok: false;
      code: 'LAST_MEMBER' | 'WOULD_LOSE_QUORUM';
      message: string;
      hint: string;
      /** The voting members that would stay, how many of them are healthy, and their quorum. */
      staying: number;
      healthyStaying: number;
      quorum: number;
    };

/** Whether member `target` may be removed from `members` without costing etcd its quorum. */
export function canRemoveMember(members: readonly MemberHealth[], target: Pick<MemberHealth, 'id' | 'name' | 'isLearner'>): Removal {
  if (target.isLearner) return { ok: true };
  const staying = members.filter((m) => !m.isLearner && m.id !== target.id);
  const healthy = staying.filter((m) => m.healthy);
  const quorum = quorumOf(staying.length);
  const facts = { staying: staying.length, healthyStaying: healthy.length, quorum };
  if (staying.length === 0)
    return {
      ok: false,
      code: 'LAST_MEMBER',
      message: `${target.name} is the only voting member: removing it would delete the cluster`,
      hint: 'to start over, take a snapshot (belayctl etcd snapshot) and restore it',
      ...facts,
    };
  if (healthy.length < quorum) {
    const down = staying.filter((m) => !m.healthy).map((m) => m.name);
    return {
      ok: false,
      code: 'WOULD_LOSE_QUORUM',
      message: `removing ${target.name} would leave ${staying.length} voting members of which ${healthy.length} are healthy, under their quorum of ${quorum} (down: ${down.join(', ') || 'none'}): etcd would stop accepting writes`,
      hint: `bring ${down.join(', ') || 'the down members'} back first; if a member is gone for good, remove that one instead`,
      ...facts,
    };
  }
  return { ok: true };
}
