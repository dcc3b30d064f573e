/**
 * What to tell the operator when members' etcd data is lost, from the
 * agents' data dir readings (docs/etcd-data-dir.md). Pure.
 *
 * While a quorum of members keeps its data, the leader replaces the lost
 * ones by itself (plan.ts). Without one there is no leader and nothing
 * safe to do automatically: the masters that lost their data are held back
 * by their agents (so they never form a quorum of empty members), and the
 * data left is either on the survivors or in a snapshot. This says which.
 */

export interface MasterDataReading {
  name: string;
  /** Its agent holds etcd back: the data dir is lost, foreign or corrupt. */
  held: boolean;
  /** lost | foreign | corrupt | ok | fresh | unknown */
  verdict: string;
  /** Its etcd client URL (where a survivor's data can be saved from). */
  clientUrl: string;
}

export interface SnapshotRef {
  /** Host path, as `belayctl etcd restore --snapshot` takes it. */
  file: string;
  revision: number;
  takenAtMs: number;
}

/** Masters whose agents hold etcd back, in spec order. */
export function heldMasters(readings: readonly MasterDataReading[]): string[] {
  return readings.filter((r) => r.held).map((r) => r.name);
}

/**
 * One sentence for `status` when etcd has no quorum and some masters' data is lost; undefined when no
 * agent reports a loss (a quorum lost for another reason: the usual no-quorum line stands).
 */
export function dataLossLine(readings: readonly MasterDataReading[], newest: SnapshotRef | undefined, me: string): string | undefined {
  const held = heldMasters(readings);
  if (held.length === 0) return undefined;
  const restore = newest
    ? `belayctl etcd restore --snapshot ${newest.file} (the newest verified snapshot on ${me}, revision ${newest.revision}, taken ${new Date(newest.takenAtMs).toISOString()})`
    : `belayctl etcd restore --snapshot FILE (no verified snapshot is kept on ${me}: belayctl --endpoint OTHER:7702 etcd snapshots lists another master's; or use an off-host copy)`;
  if (held.length === readings.length) {
    return `every etcd member's data is lost (${held.join(', ')}: their agents hold etcd back, so no empty cluster is served); restore: ${restore}`;
  }
  const survivors = readings.filter((r) => !r.held);
  const rest = survivors.map((r) => r.name);
  return (
    `${held.join(', ')} lost ${held.length === 1 ? 'its' : 'their'} etcd data (held back by ${held.length === 1 ? 'its agent' : 'their agents'}: no empty member votes), ` +
    `and ${rest.join(', ')} ${rest.length === 1 ? 'holds' : 'hold'} the data without a quorum: bring ${rest.length === 1 ? 'it' : 'them'} back if ${rest.length === 1 ? 'it is' : 'they are'} down, ` +
    `or keep every write by saving ${rest[0] ?? ''}'s data (etcdctl --endpoints ${survivors[0]?.clientUrl ?? ''} --cacert --cert --key ... snapshot save FILE) and restoring that (belayctl etcd restore --snapshot FILE); ` +
    `or, losing the writes since, ${restore}`
  );
}
