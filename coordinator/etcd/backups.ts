import type { HostPaths } from '../../proto/common/paths.js';
import type { DrillInfo } from '../../proto/gen/belay/v1/DrillInfo.js';
import type { SnapshotInfo } from '../../proto/gen/belay/v1/SnapshotInfo.js';
import { durationMs, type ClusterSpec } from '../cluster/spec.js';
import { type EtcdCluster } from './client.js';
import { type DrillResult } from './drill.js';
import { type SnapshotMeta } from './snapshot-meta.js';

/**
 * The leader's backups: a verified snapshot every spec.backup.interval into
 * its backup dir (and the secondary dir), the oldest beyond `retain` pruned,
 * and every drillInterval a restore drill of the newest one into a scratch
 * etcd. When each was last done lives in etcd, so a new leader keeps the
 * schedule; the files live on the master of the leader that took them.
 */

export function snapshotInfo(m: SnapshotMeta, paths?: HostPaths): SnapshotInfo {
  const unroot = (p: string): string => (paths && paths.root !== '/' && p.startsWith(paths.root + '/') ? p.slice(paths.root.length) : p);
  return {
    name: m.name,
    file: unroot(m.file),
    sha256: m.sha256,
    sizeBytes: m.sizeBytes,
    revision: m.revision,
    keyCount: m.keyCount,
    takenAtMs: m.takenAtMs,
    durationMs: m.durationMs,
    verified: m.verified,
    error: m.error,
    copies: m.copies.map(unroot),
    takenFrom: m.takenFrom,
  };
}

export function drillInfo(r: DrillResult, node: string): DrillInfo {
  return {
    ok: r.ok,
    snapshot: r.snapshot,
    revision: r.revision,
    expectedKeys: r.expectedKeys,
    restoredKeys: r.restoredKeys,
    sampleChecked: r.sampleChecked,
    mismatches: r.mismatches,
    durationMs: r.durationMs,
    error: r.error,
    atMs: r.atMs,
    node,
  };
}

/** What is wrong with the backups, one line, or '' (pure: for status). */
export function backupAlert(
  spec: ClusterSpec,
  last: SnapshotInfo | undefined,
  drill: DrillInfo | undefined,
  nowMs: number,
  failed?: { atMs: number; error: string },
): string {
  const interval = durationMs(spec.spec.backup.interval);
  const drillEvery = durationMs(spec.spec.backup.drillInterval);
  const age = (ms: number): string =>
    ms < 120_000 ? `${Math.round(ms / 1000)} s` : ms < 7_200_000 ? `${Math.round(ms / 60_000)} min` : `${(ms / 3_600_000).toFixed(1)} h`;
  if (failed && (!last || Number(last.takenAtMs) < failed.atMs)) return `ALERT: snapshots are failing (${age(nowMs - failed.atMs)} ago): ${failed.error}`;
  if (drill && !drill.ok)
    return `ALERT: the last restore drill failed (${drill.snapshot}, ${age(nowMs - Number(drill.atMs))} ago): ${drill.error || (drill.mismatches ?? []).join('; ')}`;
  if (last && !last.verified) return `ALERT: the last snapshot ${last.name} could not be verified: ${last.error}`;
  if (last && nowMs - Number(last.takenAtMs) > 2 * interval)
    return `ALERT: no snapshot for ${age(nowMs - Number(last.takenAtMs))} (every ${spec.spec.backup.interval} wanted)`;
  if (drill && nowMs - Number(drill.atMs) > 2 * drillEvery)
    return `ALERT: no restore drill for ${age(nowMs - Number(drill.atMs))} (every ${spec.spec.backup.drillInterval} wanted)`;
  return '';
}

export async function readJson<T>(cluster: EtcdCluster, key: string): Promise<T | undefined> {
  const text = await cluster.kv.get(key).string();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
