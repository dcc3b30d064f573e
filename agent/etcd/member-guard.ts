import type { DataDirState } from './data-state.js';

/**
 * Whether etcd may start on this master's data dir. Pure: the data dir's
 * state and what the agent recorded about this master's membership (kept
 * outside the data dir, so it survives the data dir's loss) in, a verdict out.
 *
 * A member that restarts on an empty data dir under its old identity has
 * forgotten its votes and the writes it acknowledged: two such members can
 * out-vote the one that holds the data, and a lone one with
 * `initial-cluster-state=new` is a silent empty cluster. So once this master
 * has been a member, etcd starts only on that member's data; a fresh start is
 * allowed only after the recorded membership was forgotten on purpose (the
 * data dir archived for a join as a new member, or for a restore).
 */

export interface RecordedMember {
  /** Hex. */
  memberId: string;
  /** Hex. */
  clusterId: string;
  recordedAtMs: number;
}

export type DataVerdict =
  /** Holds this master's member's data. `record`: store it (first sight of a member here). */
  | { start: true; verdict: 'ok'; record?: RecordedMember }
  /** Empty or absent, and no membership recorded: a bootstrap or a join as a new member. */
  | { start: true; verdict: 'fresh' }
  | { start: false; verdict: 'lost' | 'foreign' | 'corrupt'; reason: string };

export function judgeDataDir(dataDir: string, recorded: RecordedMember | undefined, seen: DataDirState, nowMs: number): DataVerdict {
  const was = recorded ? `this master was member ${recorded.memberId} of cluster ${recorded.clusterId}` : '';
  switch (seen.kind) {
    case 'absent':
    case 'empty':
      if (!recorded) return { start: true, verdict: 'fresh' };
      return {
        start: false,
        verdict: 'lost',
        reason: `etcd data dir ${dataDir} is ${seen.kind === 'absent' ? 'gone' : 'empty'} but ${was}: etcd is held back (a member restarted without its data forgets its votes and the writes it acknowledged); the leader replaces it with a new member`,
      };
    case 'unreadable':
      return {
        start: false,
        verdict: 'corrupt',
        reason: `etcd data dir ${dataDir} cannot be read as a member's data (${seen.reason})${was ? ` and ${was}` : ''}: etcd is held back; the leader replaces it with a new member`,
      };
    case 'member':
      if (!recorded) return { start: true, verdict: 'ok', record: { memberId: seen.memberId, clusterId: seen.clusterId, recordedAtMs: nowMs } };
      if (recorded.clusterId !== seen.clusterId || recorded.memberId !== seen.memberId)
        return {
          start: false,
          verdict: 'foreign',
          reason: `etcd data dir ${dataDir} holds member ${seen.memberId} of cluster ${seen.clusterId}, but ${was}: etcd is held back (that data is not this member's); the leader replaces it with a new member`,
        };
      return { start: true, verdict: 'ok' };
  }
}
