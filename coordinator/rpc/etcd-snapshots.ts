import { OperatorError } from '../../proto/common/errors.js';
import type { CoordinatorHandlers } from '../../proto/gen/belay/v1/Coordinator.js';
import type { DrillInfo } from '../../proto/gen/belay/v1/DrillInfo.js';
import { ETCD_KEYS } from '../cluster/etcd-keys.js';
import { readJson, snapshotInfo } from '../etcd/backups.js';
import { shortError } from '../etcd/client.js';
import { restoreEtcd } from '../etcd/restore.js';
import { listSnapshots } from '../etcd/snapshot-list.js';
import type { ClusterHandlerDeps } from './deps.js';
import type { LeaderRelay } from './leader-relay.js';
import { specUnaryOf } from './spec-errors.js';

/** etcd snapshots over gRPC: one taken by the leader on demand, the list on this master, and a restore from one. */
export function etcdSnapshotHandlers(
  d: ClusterHandlerDeps,
  { streamed, onLeader }: LeaderRelay,
): Pick<CoordinatorHandlers, 'EtcdSnapshot' | 'EtcdSnapshots' | 'EtcdRestore'> {
  const specUnary = specUnaryOf(d);

  return {
    EtcdSnapshot(call) {
      onLeader('EtcdSnapshot', call, async (progress) => {
        const backups = d.etcd.leaderBackups();
        if (!backups) throw new OperatorError({ code: 'NO_LEADER', message: 'this coordinator stopped leading', hint: 'retry', retryable: true });
        progress('snapshot', `taking a snapshot on ${d.node}`);
        const meta = await backups.snapshot();
        const info = snapshotInfo(meta, d.paths);
        if (!meta.verified)
          throw new OperatorError({
            code: 'SNAPSHOT_NOT_VERIFIED',
            message: `snapshot ${info.file} could not be verified: ${meta.error}`,
            hint: "see the leader's log; the earlier snapshots are kept",
          });
        return {
          message: `snapshot ${info.file} on ${d.node}: revision ${meta.revision}, ${meta.keyCount} keys, ${(meta.sizeBytes / 1024 ** 2).toFixed(1)} MiB, sha256 ${meta.sha256.slice(0, 12)}…, verified in ${meta.durationMs} ms`,
          result: { ...info, node: d.node },
        };
      });
    },

    EtcdSnapshots: specUnary('EtcdSnapshots', async () => {
      const spec = d.local.read()?.spec;
      if (!spec) return { node: d.node, snapshots: [], lastDrill: null, error: 'no Cluster spec yet' };
      const dirs = [spec.spec.backup.dir, ...(spec.spec.backup.secondaryDir ? [spec.spec.backup.secondaryDir] : [])];
      const errors: string[] = [];
      const snapshots = dirs.flatMap((dir) => {
        try {
          return listSnapshots(d.paths.host(dir)).map((m) => snapshotInfo(m, d.paths));
        } catch (err) {
          errors.push(`${dir}: ${shortError(err)}`);
          return [];
        }
      });
      snapshots.sort((a, b) => Number(b.takenAtMs) - Number(a.takenAtMs));
      const cluster = d.etcd.client();
      const lastDrill = cluster ? ((await readJson<DrillInfo>(cluster, ETCD_KEYS.lastDrill).catch(() => undefined)) ?? null) : null;
      return { node: d.node, snapshots, lastDrill, error: errors.join('; ') };
    }),

    EtcdRestore(call) {
      const { snapshot, node, dryRun, force } = call.request;
      const by = d.caller(call);
      streamed('EtcdRestore', call, async (progress) => {
        const msg = await restoreEtcd(
          { me: d.node, paths: d.paths, local: d.local, agent: d.agent, requestedBy: by, progress },
          { snapshot, node, dryRun, force },
        );
        if (!dryRun) d.log.warn('etcd restored from a snapshot', { snapshot, node: node || d.node, by });
        return msg;
      });
    },
  };
}
