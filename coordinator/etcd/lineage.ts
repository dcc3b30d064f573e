/**
 * Whether a backup of the cluster as it is now may be taken: never of a
 * cluster that is not the one the last verified snapshot came from (another
 * cluster ID), nor of one whose revision went backwards (its data was
 * replaced, e.g. an etcd that started empty under the old identity), unless
 * belay itself bootstrapped or restored it since. A snapshot of an empty
 * cluster, verified and drilled, would otherwise push the good ones out by
 * retention. Pure.
 */

export interface LineageInput {
  /** The cluster as its members report it now. */
  current: { clusterId: string; revision: number };
  /** The newest verified snapshot known (this master's backup dir, or the cluster's last-snapshot record). */
  last: { name: string; clusterId: string; revision: number; takenAtMs: number } | undefined;
  /** When belay last bootstrapped or restored this cluster (its /belay/cluster/bootstrap and /restored records), ms. */
  startedAtMs: number | undefined;
}

export type LineageVerdict = { ok: true } | { ok: false; reason: string };

export function checkLineage(i: LineageInput): LineageVerdict {
  const { current, last } = i;
  if (!last) return { ok: true };
  const sameCluster = current.clusterId === last.clusterId;
  if (sameCluster && current.revision >= last.revision) return { ok: true };
  // A bootstrap or restore after that snapshot explains a new ID or an older revision.
  if (i.startedAtMs !== undefined && i.startedAtMs > last.takenAtMs) return { ok: true };
  const what = sameCluster
    ? `its revision went backwards (${current.revision} now, ${last.revision} in ${last.name})`
    : `its cluster ID changed (${current.clusterId} now, ${last.clusterId} in ${last.name})`;
  return {
    ok: false,
    reason: `not backing up etcd: ${what} and belay has not bootstrapped or restored it since: its data was replaced (an etcd that started empty, or another cluster's data); the snapshots kept are not pruned for it. If every member's data is lost, restore: belayctl etcd restore --snapshot (belayctl etcd snapshots lists them)`,
  };
}
