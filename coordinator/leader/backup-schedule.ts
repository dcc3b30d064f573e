import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OperatorError, errorText } from '../../proto/common/errors.js';
import { checkLineage } from '../etcd/lineage.js';
import type { DrillInfo } from '../../proto/gen/belay/v1/DrillInfo.js';
import type { SnapshotInfo } from '../../proto/gen/belay/v1/SnapshotInfo.js';
import { durationMs } from '../cluster/spec.js';
import { ETCD_KEYS } from '../cluster/etcd-keys.js';
import { drillInfo, readJson, snapshotInfo } from '../etcd/backups.js';
import { ETCD_PKI, hexId } from '../etcd/client.js';
import { restoreDrill, type DrillResult } from '../etcd/drill.js';
import { FencedWriter } from '../etcd/fenced.js';
import { listSnapshots, pruneSnapshots } from '../etcd/snapshot-list.js';
import { type SnapshotMeta } from '../etcd/snapshot-meta.js';
import { takeSnapshot } from '../etcd/snapshot.js';
import type { Next } from './controller.js';
import { LEADER_TIMINGS } from './timings.js';
import type { ControllerContext } from './context.js';

/**
 * The leader's backups: a verified snapshot every spec.backup.interval into
 * its backup dir (and the secondary dir), the oldest beyond `retain` pruned,
 * and every drillInterval a restore drill of the newest one into a scratch
 * etcd. When each was last done lives in etcd, so a new leader keeps the
 * schedule; the files live on the master of the leader that took them.
 */

export type BackupDeps = ControllerContext;

const T = LEADER_TIMINGS.backups;

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

  readonly name = 'backups';

  async reconcile(): Promise<Next> {
    await this.due();
    return { afterMs: T.passMs };
  }

  failed(): Next {
    return { afterMs: T.passMs };
  }

  /** Takes what is due: a snapshot, then a drill. */
  async due(): Promise<void> {
    const spec = this.d.spec();
    const now = Date.now();
    const last = await readJson<SnapshotInfo>(this.d.cluster, ETCD_KEYS.lastSnapshot);
    const failed = await readJson<{ atMs: number; error: string }>(this.d.cluster, ETCD_KEYS.lastSnapshotError);
    // After a failure, try again a minute later, not every pass.
    const retryDue = !failed || now - failed.atMs >= T.snapshotRetryMs || (last !== undefined && Number(last.takenAtMs) > failed.atMs);
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
    const status = await this.d.cluster.kv.maintenance.status();
    const clusterId = hexId(status.header.cluster_id);
    const { dir, secondary } = this.dirs();
    await this.checkLineage(clusterId, Number(status.header.revision), [dir, ...(secondary ? [secondary] : [])]);
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
    const { retain, maxBytes } = spec.spec.backup;
    const removed = [...(await pruneSnapshots(dir, retain, maxBytes)), ...(secondary ? await pruneSnapshots(secondary, retain, maxBytes) : [])];
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

  /** Refuses (exit 3 by hand, an alert on schedule) a snapshot of data that replaced the cluster's (etcd/lineage.ts). */
  private async checkLineage(clusterId: string, revision: number, dirs: string[]): Promise<void> {
    const last = dirs
      .flatMap((d) => listSnapshots(d))
      .filter((m) => m.verified)
      .sort((a, b) => b.takenAtMs - a.takenAtMs)[0];
    const started = await Promise.all(
      [ETCD_KEYS.bootstrap, ETCD_KEYS.restored].map((k) => readJson<{ atMs?: number }>(this.d.cluster, k).then((r) => Number(r?.atMs ?? 0))),
    );
    const startedAtMs = Math.max(...started) || undefined;
    const v = checkLineage({ current: { clusterId, revision }, last, startedAtMs });
    if (v.ok) return;
    this.d.log.error('etcd backup refused: the data was replaced', { code: 'BACKUP_LINEAGE', reason: v.reason, clusterId, revision, last: last?.name });
    throw new OperatorError({ code: 'BACKUP_LINEAGE', message: v.reason, hint: 'belayctl status; belayctl etcd snapshots', unsafe: true });
  }

  /** A restore drill of the newest verified snapshot here (one is taken first if there is none). */
  drill(): Promise<DrillResult> {
    const next = this.busy.then(async () => {
      const { dir } = this.dirs();
      let newest = listSnapshots(dir).find((m) => m.verified);
      newest ??= await this.takeSnapshot();
      const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-drill-'));
      // A minute, plus time to restore and read a big db (about 5 s per 100 MiB on these disks, with room).
      const timeoutMs = T.drillBaseTimeoutMs + Math.ceil(newest.sizeBytes / (100 * 1024 ** 2)) * T.drillPer100MiBMs;
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
