/**
 * haproxy's server states and the summary of a server sync, as both daemons
 * speak of them: the agent reads them from the runtime API, the leader's
 * rollout planner and deploy loop reason about them.
 */

/** srv_admin_state, as `show servers state` and `show stat` give it. */
export type AdminState = 'READY' | 'DRAIN' | 'MAINT';
/** srv_op_state: STOPPED is DOWN; STOPPING is up but refusing new connections (NOLB). */
export type OperationalState = 'DOWN' | 'STARTING' | 'UP' | 'STOPPING';

/** What a sync of a backend's servers did. */
export interface ServerSync {
  added: string[];
  removed: string[];
  pending: string[];
}

/** "added m4; removed m2; m5 in maintenance until its sessions end"; '' when nothing changed. */
export function syncSummary(r: ServerSync): string {
  return [
    r.added.length ? `added ${r.added.join(', ')}` : '',
    r.removed.length ? `removed ${r.removed.join(', ')}` : '',
    r.pending.length ? `${r.pending.join(', ')} in maintenance until their sessions end` : '',
  ]
    .filter(Boolean)
    .join('; ');
}
