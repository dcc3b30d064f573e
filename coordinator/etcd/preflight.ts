import type { HostReport__Output } from '../../proto/gen/belay/v1/HostReport.js';
import type { ClusterSpec } from '../cluster/spec.js';

/**
 * Preflight before bootstrap and before every join (automatic or by
 * `belayctl etcd add`) on a master, from its agent's host report: the checks etcd's operations guide
 * asks for, each failure naming the check, the master and the number. Pure.
 */

export interface PreflightInput {
  master: string;
  report: HostReport__Output | undefined;
  /** The leader's clock when the report was asked for and when it arrived, ms (the skew is bounded by the round trip). */
  askedAtMs: number;
  answeredAtMs: number;
  limits: ClusterSpec['spec']['etcd']['preflight'];
  /** The cluster's current db size and quota, bytes (0 when unknown). */
  dbSizeBytes: number;
  quotaBackendBytes: number;
  /** Active etcd alarms (NOSPACE, CORRUPT). */
  alarms: string[];
}

export interface PreflightCheck {
  check: string;
  ok: boolean;
  detail: string;
}

const mib = (b: number): string => `${(b / 1024 ** 2).toFixed(0)} MiB`;

export function preflight(i: PreflightInput): PreflightCheck[] {
  const out: PreflightCheck[] = [];
  const add = (check: string, ok: boolean, detail: string): void => void out.push({ check, ok, detail: `${i.master}: ${detail}` });
  const r = i.report;
  if (!r) {
    add('report', false, 'no host report from its agent');
    return out;
  }
  const age = i.answeredAtMs - (r.collectedAtMs + r.collectDurationMs);
  add('report', age <= i.limits.maxReportAgeMs, `host report is ${Math.max(0, age)} ms old (limit ${i.limits.maxReportAgeMs} ms)`);

  const fsys = r.filesystems.find((f) => f.holdsEtcdData);
  if (!fsys) add('disk', false, `no filesystem found for the etcd data dir ${r.etcdDataDir}`);
  else {
    add(
      'free-space',
      Number(fsys.availableBytes) >= i.limits.minFreeBytes,
      `${mib(Number(fsys.availableBytes))} free on ${fsys.mount} (need ${mib(i.limits.minFreeBytes)})`,
    );
    add(
      'free-inodes',
      Number(fsys.inodesFree) >= i.limits.minFreeInodes || Number(fsys.inodesTotal) === 0,
      `${fsys.inodesFree} free inodes on ${fsys.mount} (need ${i.limits.minFreeInodes})`,
    );
    add('read-only', !fsys.readOnly, fsys.readOnly ? `${fsys.mount} is mounted read-only` : `${fsys.mount} is writable`);
  }

  const d = r.etcdDisk;
  if (!d || Number(d.measuredAtMs) === 0)
    add('fsync', false, d?.error ? `fdatasync latency could not be measured: ${d.error}` : 'fdatasync latency not measured yet');
  else
    add(
      'fsync',
      d.fdatasyncP99Ms <= i.limits.maxFsyncP99Ms,
      `fdatasync p99 ${d.fdatasyncP99Ms.toFixed(2)} ms in ${d.dir} (limit ${i.limits.maxFsyncP99Ms} ms)`,
    );

  // The report's clock was read between asking and answering: the skew is at least how far outside that window it lies.
  const clock = Number(r.host?.clockMs ?? r.collectedAtMs);
  const skew = clock < i.askedAtMs ? i.askedAtMs - clock : clock > i.answeredAtMs ? clock - i.answeredAtMs : 0;
  add('clock-skew', skew <= i.limits.maxClockSkewMs, `clock differs from the leader's by at least ${skew} ms (limit ${i.limits.maxClockSkewMs} ms)`);

  const bad = r.services.filter(
    (s) =>
      s.state === 'crash-looping' ||
      s.state === 'backoff' ||
      (s.state === 'unhealthy' && (s.name === 'kubelet' || s.name === 'containerd' || s.name === 'docker')),
  );
  add(
    'services',
    bad.length === 0,
    bad.length
      ? bad.map((s) => `${s.name} is ${s.state}${s.lastFailure ? ` (${s.lastFailure})` : ''}`).join('; ')
      : 'kubelet and runtime healthy (or not supervised)',
  );

  if (i.dbSizeBytes > 0) {
    const limit = i.limits.maxDbQuotaFraction * i.quotaBackendBytes;
    add(
      'db-size',
      i.dbSizeBytes <= limit,
      `db is ${mib(i.dbSizeBytes)} of a ${mib(i.quotaBackendBytes)} quota (limit ${Math.round(i.limits.maxDbQuotaFraction * 100)} %)`,
    );
  }
  add('alarms', i.alarms.length === 0, i.alarms.length ? `etcd alarms active: ${i.alarms.join(', ')}` : 'no etcd alarms');
  return out;
}

/** The failed checks as one line, or undefined when all passed. */
export function preflightFailure(checks: PreflightCheck[]): string | undefined {
  const failed = checks.filter((c) => !c.ok);
  return failed.length ? `preflight failed: ${failed.map((c) => `${c.check}: ${c.detail}`).join('; ')}` : undefined;
}
