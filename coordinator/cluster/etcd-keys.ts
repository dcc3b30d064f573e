/**
 * Every key belay keeps in etcd, all under /belay/. "Fenced" writes are made by the elected leader in a
 * transaction that holds only while its term (the create revision of
 * `leader`) is current (etcd/fenced.ts): a deposed leader's write fails.
 * Prefixes end in '/'.
 */
export const ETCD_KEYS = {
  /** The Cluster spec (YAML). Written by apply (rpc/cluster.ts), bootstrap and restore, unfenced; by a rollout's start, fenced. Read by every coordinator into its state dir (etcd/service.ts). */
  spec: '/belay/cluster/spec',
  /** When the spec was stored (ms), written with `spec`. Read with it. */
  specAppliedAt: '/belay/cluster/spec-applied-at',
  /** The etcd CA (cert and key, JSON). Written once at bootstrap (etcd/pki.ts), unfenced. Read to issue etcd certificates (etcd/pki.ts, rpc/pki.ts). */
  etcdCa: '/belay/pki/etcd-ca',
  /** The leader's name, on a lease: its create revision is the term. Created by the campaign (etcd/election.ts) only if absent; deleted by restore. Read by the election and by every fence. */
  leader: '/belay/leader',
  /** The join in flight (member id, master). Written and deleted by the etcd reconciler, fenced; deleted by restore. Read by the reconciler. */
  join: '/belay/etcd/join',
  /** Bootstrap done (who, when). Written once by bootstrap (etcd/bootstrap.ts), unfenced. Read by bootstrap, to resume instead of starting over, and by backups, as the start of the cluster's lineage (etcd/lineage.ts). */
  bootstrap: '/belay/cluster/bootstrap',
  /** The last restore (snapshot, its revision, where, when). Written by restore (etcd/restore.ts), unfenced. Read by backups: a cluster restored since the last verified snapshot may have another ID or a lower revision (etcd/lineage.ts). */
  restored: '/belay/cluster/restored',
  /** Prefix, one key per master removed by hand, kept out of automatic joins. Written by `etcd remove`, deleted by `etcd add` and apply (rpc/cluster.ts), unfenced; deleted by restore. Read by the reconciler. */
  heldOut: '/belay/etcd/held-out/',
  /** The etcd reconciler's status line. Written by the leader when it changes, unfenced (best effort). Read by status (etcd/service.ts) and restore. */
  reconcileStatus: '/belay/status/reconcile',
  /** The control-plane deploy's status line. Written by the leader, unfenced (best effort). Read by status. */
  controlPlaneStatus: '/belay/status/control-plane',
  /** The rollout runner's status line. Written by the leader, unfenced (best effort). Read by `rollout status` (rpc/rollout.ts). */
  rolloutStatus: '/belay/status/rollout',
  /** The last scheduled snapshot (JSON). Written by backups (etcd/backups.ts), fenced. Read by status. */
  lastSnapshot: '/belay/backup/last-snapshot',
  /** The last restore drill (JSON). Written by backups, fenced. Read by status and the snapshot list (rpc/cluster.ts). */
  lastDrill: '/belay/backup/last-drill',
  /** The last failed snapshot (when, why). Written by backups, fenced. Read by status. */
  lastSnapshotError: '/belay/backup/last-snapshot-error',
  /** The shared control-plane PKI (ca, front-proxy-ca, sa; pki/control-plane.ts). Created once by the control-plane deploy, fenced and only if absent. Read by the deploy and rpc/pki.ts. */
  controlPlanePki: '/belay/pki/control-plane',
  /** Prefix, per master: what its control-plane files were issued for (controlplane/deploy.ts MasterRecord). Written by the deploy, fenced. Read by the deploy. */
  controlPlaneMaster: '/belay/controlplane/master/',
  /** Prefix, per component and revision: the rollout records (COMPONENT/000042). Written by the rollout runner, fenced. Read by the runner, `rollout status` and history (rpc/rollout.ts), and apply (is a rollout active?). */
  rollouts: '/belay/rollout/',
} as const;
