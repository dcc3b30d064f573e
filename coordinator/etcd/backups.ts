import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { errorText } from '../../proto/common/errors.js';
import type { Logger } from '../../proto/common/log.js';
import type { HostPaths } from '../../proto/common/paths.js';
import type { DrillInfo } from '../../proto/gen/belay/v1/DrillInfo.js';
import type { SnapshotInfo } from '../../proto/gen/belay/v1/SnapshotInfo.js';
import { durationMs, type ClusterSpec } from '../cluster/spec.js';
import { ETCD_KEYS } from '../cluster/etcd-keys.js';
import { ETCD_PKI, hexId, type EndpointStatus, type EtcdCluster, type EtcdMemberInfo } from './client.js';
import { restoreDrill, type DrillResult } from './drill.js';
import { FencedWriter } from './fenced.js';
import { listSnapshots, pruneSnapshots, takeSnapshot, type SnapshotMeta } from './snapshot.js';

/**
 * The leader's backups: a verified snapshot every spec.backup.interval into
 * its backup dir (and the secondary dir), the oldest beyond `retain` pruned,
 * and every drillInterval a restore drill of the newest one into a scratch
 * etcd. When each was last done lives in etcd, so a new leader keeps the
 * schedule; the files live on the master of the leader that took them.
 */

export interface BackupDeps {
  me: string;
  cluster: EtcdCluster;
  /** The leader's term: its records are fenced writes (fenced.ts). */
  term: number;
  spec: () => ClusterSpec;
  paths: HostPaths;
  signal: AbortSignal;
  log: Logger;
  observe: () => Promise<{ members: EtcdMemberInfo[] | undefined; statuses: Map<string, EndpointStatus> }>;
}

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

const SNAPSHOT_RETRY_MS = 60_000;

export class BackupScheduler {
  private busy: Promise<unknown> = Promise.resolve();

  private readonly fenced: FencedWriter;

  constructor(private readonly d: BackupDeps) {
    this.fenced = new FencedWriter(d.cluster, d.term);
  }

  private dirs(): { dir: string; secondary: string | undefined } {
    const b = this.d.spec().spec.backup;
    return { dir: this.d.paths.host(b.dir), secondary: b.secondaryDir ? this.d.paths.host(b.secondaryDir) : undefined };
  }

  async run(): Promise<void> {
    while (!this.d.signal.aborted) {
      try {
        await this.due();
      } catch (err) {
        this.d.log.warn('backup pass failed', { err: errorText(err) });
      }
      await new Promise((r) => setTimeout(r, 5_000));
    }
  }

  /** Takes what is due: a snapshot, then a drill. */
  async due(): Promise<void> {
    const spec = this.d.spec();
    const now = Date.now();
    const last = await readJson<SnapshotInfo>(this.d.cluster, ETCD_KEYS.lastSnapshot);
    const failed = await readJson<{ atMs: number; error: string }>(this.d.cluster, ETCD_KEYS.lastSnapshotError);
    // After a failure, try again a minute later, not every pass.
    const retryDue = !failed || now - failed.atMs >= SNAPSHOT_RETRY_MS || (last !== undefined && Number(last.takenAtMs) > failed.atMs);
    if ((!last || now - Number(last.takenAtMs) >= durationMs(spec.spec.backup.interval)) && retryDue) {
      try {
        await this.snapshot();
      } catch (err) {
        const error = errorText(err);
        if (error !== failed?.error)
          this.d.log.error('etcd snapshot failed', { err: error, code: 'SNAPSHOT_FAILED', hint: 'status shows it as an alert until a snapshot succeeds' });
        await this.fenced.put(ETCD_KEYS.lastSnapshotError, JSON.stringify({ atMs: now, error }));
        return;
      }
    }
    const drill = await readJson<DrillInfo>(this.d.cluster, ETCD_KEYS.lastDrill);
    if (!drill || now - Number(drill.atMs) >= durationMs(spec.spec.backup.drillInterval)) await this.drill();
  }

  /** One snapshot now (serialised with the schedule), from this master's own member when healthy, else any healthy one. */
  snapshot(): Promise<SnapshotMeta> {
    const next = this.busy.then(() => this.takeSnapshot());
    this.busy = next.catch(() => undefined);
    return next;
  }

  private async takeSnapshot(): Promise<SnapshotMeta> {
    const spec = this.d.spec();
    const { members, statuses } = await this.d.observe();
    const healthy = (members ?? []).filter((m) => !m.isLearner && statuses.get(m.id)?.ok && m.clientUrls[0]);
    const from = healthy.find((m) => m.name === this.d.me) ?? healthy[0];
    if (!from?.clientUrls[0]) throw new Error('no healthy member to take a snapshot from');
    const clusterId = hexId((await this.d.cluster.kv.maintenance.status()).header.cluster_id);
    const { dir, secondary } = this.dirs();
    // etcdctl receives the snapshot faster than the grpc-js stream; the same call, with this master's client certificate.
    const etcdctl = {
      endpoint: from.clientUrls[0],
      cacert: this.d.paths.host(ETCD_PKI.ca),
      cert: this.d.paths.host(ETCD_PKI.cert),
      key: this.d.paths.host(ETCD_PKI.key),
    };
    const meta = await takeSnapshot({
      client: this.d.cluster.endpoint(from.clientUrls[0]),
      etcdctl,
      dir,
      ...(secondary ? { secondaryDir: secondary } : {}),
      cluster: spec.metadata.name,
      clusterId,
      member: from.name,
    });
    const removed = [...(await pruneSnapshots(dir, spec.spec.backup.retain)), ...(secondary ? await pruneSnapshots(secondary, spec.spec.backup.retain) : [])];
    const info = snapshotInfo(meta, this.d.paths);
    await this.fenced.put(ETCD_KEYS.lastSnapshot, JSON.stringify({ ...info, node: this.d.me }));
    if (meta.verified)
      this.d.log.info('etcd snapshot taken', {
        name: meta.name,
        revision: meta.revision,
        bytes: meta.sizeBytes,
        ms: meta.durationMs,
        from: meta.takenFrom,
        pruned: removed.length,
      });
    else
      this.d.log.error('etcd snapshot not verified', {
        name: meta.name,
        err: meta.error,
        code: 'SNAPSHOT_NOT_VERIFIED',
        hint: 'see the error; the previous snapshots are kept',
      });
    return meta;
  }

  /** A restore drill of the newest verified snapshot here (one is taken first if there is none). */
  drill(): Promise<DrillResult> {
    const next = this.busy.then(async () => {
      const { dir } = this.dirs();
      let newest = listSnapshots(dir).find((m) => m.verified);
      newest ??= await this.takeSnapshot();
      const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-drill-'));
      // A minute, plus time to restore and read a big db (about 5 s per 100 MiB on these disks, with room).
      const timeoutMs = 60_000 + Math.ceil(newest.sizeBytes / (100 * 1024 ** 2)) * 15_000;
      const r: DrillResult = newest.verified
        ? await restoreDrill({ file: newest.file, meta: newest, scratchDir: scratch, timeoutMs })
        : {
            ok: false,
            snapshot: newest.name,
            revision: newest.revision,
            expectedKeys: newest.keyCount,
            restoredKeys: 0,
            sampleChecked: 0,
            mismatches: [],
            clusterName: '',
            durationMs: 0,
            error: `no verified snapshot to drill (the newest: ${newest.error})`,
            atMs: Date.now(),
          };
      fs.rmSync(scratch, { recursive: true, force: true });
      await this.fenced.put(ETCD_KEYS.lastDrill, JSON.stringify(drillInfo(r, this.d.me)));
      if (r.ok) this.d.log.info('restore drill passed', { snapshot: r.snapshot, keys: r.restoredKeys, sample: r.sampleChecked, ms: r.durationMs });
      else
        this.d.log.error('restore drill failed', {
          snapshot: r.snapshot,
          err: r.error,
          mismatches: r.mismatches,
          code: 'RESTORE_DRILL_FAILED',
          hint: "the newest snapshot does not restore as it should: take one by hand (belayctl etcd snapshot) and look at the leader's log",
        });
      return r;
    });
    this.busy = next.catch(() => undefined);
    return next;
  }
}
