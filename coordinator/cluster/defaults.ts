/**
 * Every default of the Cluster spec, and durations as the spec writes them.
 * Pure: the renderers and planners read these without the schema's I/O.
 */

export const ETCD_DEFAULTS = {
  image: 'registry.k8s.io/etcd:3.5.15-0',
  clientPort: 2379,
  peerPort: 2380,
  /** /health and /metrics, plain HTTP, on the master's address (kubeadm: 127.0.0.1:2381; several masters share one host in tests). */
  metricsPort: 2381,
  dataDir: '/var/lib/etcd',
  /** etcd's own default backend quota. */
  quotaBackendBytes: 2 * 1024 ** 3,
  /** kubeadm's value. */
  snapshotCount: 10_000,
  heartbeatIntervalMs: 100,
  electionTimeoutMs: 1_000,
  /** A learner not caught up by then is removed and the join retried with backoff. */
  learnerCatchUpTimeout: '5m',
  /** A member whose master stays dead in gossip this long (or is up without a running etcd this long) is removed if the rest keep quorum, and joined again as a new member once its master is back. */
  replaceAfter: '5m',
} as const;

export const PREFLIGHT_DEFAULTS = {
  /** Free space where the data dir lives, bytes (at least the quota is wise; 2 GiB by default). */
  minFreeBytes: 2 * 1024 ** 3,
  minFreeInodes: 10_000,
  /** etcd's hardware guide: fdatasync p99 under 10 ms. */
  maxFsyncP99Ms: 10,
  /** Largest db size as a fraction of the quota before a join is refused. */
  maxDbQuotaFraction: 0.8,
  /** Largest clock difference between masters, ms. */
  maxClockSkewMs: 1_000,
  /** A host report older than this is no evidence, ms. */
  maxReportAgeMs: 30_000,
} as const;

export const BACKUP_DEFAULTS = {
  dir: '/var/lib/belay/backups/etcd',
  interval: '30m',
  retain: 48,
  /** 10 GiB: five snapshots at etcd's default 2 GiB quota; backups share a disk with etcd more often than not. */
  maxBytes: 10 * 1024 ** 3,
  drillInterval: '24h',
} as const;

export const CONTROL_PLANE_DEFAULTS = {
  /** The Kubernetes version whose images and flags are used when a component names no image. */
  kubernetesVersion: 'v1.31.0',
  apiserverSecurePort: 6443,
  schedulerSecurePort: 10259,
  controllerManagerSecurePort: 10257,
  serviceSubnet: '10.96.0.0/12',
  dnsDomain: 'cluster.local',
  /** The balancer's port on each master: not 6443, which the apiserver on the same address holds (kubeadm's HA guide uses 8443 too). */
  loadBalancerPort: 8443,
  /** haproxy's health checks: kubeadm's HA guide checks every 2 s; faster so a failing apiserver is out within about a second. */
  checkIntervalMs: 500,
  fall: 2,
  rise: 2,
  /** A restarted component must stay ready this long before the rollout moves on. */
  stableWindow: '2s',
  /** A restarted component not ready by then is rolled back and the rollout halts. */
  readyTimeout: '2m',
} as const;

export const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** "30m" → 1800000. */
export function durationMs(text: string): number {
  const m = DURATION.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${text}`);
  return Math.round(Number(m[1]) * (UNIT_MS[m[2] ?? 'ms'] ?? 1));
}
