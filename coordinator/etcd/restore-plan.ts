/**
 * Which way `belayctl etcd restore` rebuilds the cluster (restore.ts does it).
 *
 * all-at-once: etcd's disaster-recovery procedure. Every master of the spec
 * is restored from the same snapshot at the same time, each as its own
 * member of the full initial cluster (same token, so the same member IDs
 * on every master), and all are started within a second: a healthy cluster of
 * voters within seconds, with no member add (etcd's 5 s rule after a
 * reconfiguration) and no learner publishing itself (up to 7 s each).
 *
 * one-then-join: when some master cannot take part (its agent does not
 * answer, or it holds no etcd member certificate), the snapshot is restored
 * on one master as a one-member cluster and the elected leader joins the
 * others as learners, one at a time, as they come.
 *
 * Pure: the shell asks the agents and passes what they said.
 */

/** What the restore learned about one master of the spec before changing anything. */
export interface RestoreMasterFacts {
  name: string;
  peerUrl: string;
  /** Why its agent could not take part, e.g. `its agent does not answer: ...`; empty when it can. */
  unfit: string;
  /** The snapshot lies on this master's disk where its agent can read it (the coordinator asked is beside it). */
  holdsSnapshot: boolean;
}

export interface RestorePlanInput {
  /** Every master of the spec, in spec order. */
  masters: RestoreMasterFacts[];
  /** The master asked for (--node, default the coordinator's own): the one restored when not all can be. */
  node: string;
  snapshot: string;
  revision: string;
  cluster: string;
  dataDir: string;
}

export interface RestoreTarget {
  name: string;
  /** The snapshot is read from this master's disk by its agent, not sent over gRPC. */
  localFile: boolean;
}

export interface RestorePlan {
  path: 'all-at-once' | 'one-then-join';
  /** Restored and started by the command, all at the same time. */
  targets: RestoreTarget[];
  /** The --initial-cluster every target is restored and started with. */
  initialCluster: { name: string; peerUrl: string }[];
  /** Joined afterwards by the leader, as learners. */
  joinLater: string[];
  /** Why not all at once (one line per master left out); empty on all-at-once. */
  why: string[];
  /** The plan, one line per step, as --dry-run prints it. */
  lines: string[];
}

const list = (names: string[]): string => names.join(', ') || 'nobody';

export function planRestore(i: RestorePlanInput): RestorePlan {
  const unfit = i.masters.filter((m) => m.unfit);
  const all = i.masters.map((m) => m.name);
  const parallel = unfit.length === 0;
  const chosen = parallel ? i.masters : i.masters.filter((m) => m.name === i.node);
  const targets = chosen.map((m) => ({ name: m.name, localFile: m.holdsSnapshot }));
  const initialCluster = chosen.map((m) => ({ name: m.name, peerUrl: m.peerUrl }));
  const names = targets.map((t) => t.name);
  const joinLater = all.filter((n) => !names.includes(n));
  const why = unfit.map((m) => `${m.name}: ${m.unfit}`);
  const local = targets.filter((t) => t.localFile).map((t) => t.name);
  const sent = targets.filter((t) => !t.localFile).map((t) => t.name);
  const carried = [local.length ? `read from disk on ${list(local)}` : '', sent.length ? `sent to ${list(sent)}` : ''].filter(Boolean).join(', ');
  const ic = initialCluster.map((m) => `${m.name}=${m.peerUrl}`).join(',');
  const lines = [
    ...(parallel ? [] : [`not every master can be restored at once (${why.join('; ')}): restoring on ${i.node} alone, the others join later`]),
    `stop etcd on every master (remove etcd.yaml: ${list(all)})`,
    `move the data dir ${i.dataDir} aside on ${list(names)} (kept, never deleted)`,
    parallel
      ? `restore ${i.snapshot} (revision ${i.revision}) on ${list(names)} at once, each as its member of one cluster "${i.cluster}" (--initial-cluster ${ic}; the snapshot ${carried})`
      : `restore ${i.snapshot} (revision ${i.revision}) on ${i.node} as a new one-member cluster "${i.cluster}" (the snapshot ${carried})`,
    parallel
      ? `start etcd on ${list(names)} (etcd.yaml, that initial cluster), each as soon as the one before serves its peers, and wait until all ${names.length} are healthy voting members`
      : `start it (etcd.yaml, initial-cluster ${ic})`,
    'store the current spec in it',
    ...(joinLater.length ? [`then the leader joins ${list(joinLater)} again as learners, one at a time (their old data dirs kept aside)`] : []),
  ];
  return { path: parallel ? 'all-at-once' : 'one-then-join', targets, initialCluster, joinLater, why, lines };
}
