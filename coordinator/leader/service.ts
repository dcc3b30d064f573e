import { errorText } from '../../proto/common/errors.js';
import type { Logger } from '../../proto/common/log.js';
import type { HostPaths } from '../../proto/common/paths.js';
import type { HostReport__Output } from '../../proto/gen/belay/v1/HostReport.js';
import { parseClusterSpec, type ClusterSpec } from '../cluster/spec.js';
import { ETCD_KEYS } from '../cluster/etcd-keys.js';
import type { LocalClusterStore } from '../cluster/store.js';
import type { MemberView } from '../swim/membership.js';
import type { AgentApi } from '../agents/client.js';
import { EtcdCluster, readEtcdTls, shortError, type EndpointStatus } from '../etcd/client.js';
import { ELECTION_DEFAULTS, LeaderElection, type LeaderInfo } from '../etcd/election.js';
import type { EtcdReconciler } from './etcd-membership.js';
import type { RolloutRunner } from './rollouts.js';
import type { BackupScheduler } from './backup-schedule.js';
import { backupAlert, readJson } from '../etcd/backups.js';
import { lead, type Leading } from './leadership.js';
import type { Registry } from 'prom-client';
import type { DrillInfo } from '../../proto/gen/belay/v1/DrillInfo.js';
import type { SnapshotInfo } from '../../proto/gen/belay/v1/SnapshotInfo.js';
import { clientUrl } from '../etcd/render.js';
import { dataLossLine, type SnapshotRef } from '../etcd/data-loss.js';
import { listSnapshots } from '../etcd/snapshot-list.js';
import { alarmLines, dataFsOf } from '../etcd/nospace.js';
import path from 'node:path';

/**
 * Everything this coordinator does with etcd: once there is a spec and this
 * master holds its etcd client certificate, it connects, follows the spec
 * stored in etcd (keeping the local copy true), campaigns for leadership,
 * and while leader runs the leader's controllers (leadership.ts). Any coordinator answers who leads
 * and what the leader is doing (both read from etcd).
 */

export interface EtcdServiceDeps {
  me: string;
  paths: HostPaths;
  local: LocalClusterStore;
  gossip: () => MemberView[];
  agent: (master: string) => AgentApi | undefined;
  report: (master: string) => HostReport__Output | undefined;
  log: Logger;
  /** Between looks at etcd (spec, leader, phase), ms. */
  refreshMs?: number;
  electionTtlSeconds?: number;
  /** false: no scheduled snapshots or drills (on-demand ones still work). */
  backups?: boolean;
  /** The coordinator's metrics: the leader's controllers count their passes there. */
  registry?: Registry;
}

export type EtcdPhase = 'no-spec' | 'awaiting-bootstrap' | 'healthy' | 'degraded' | 'no-quorum';

export interface EtcdSummary {
  phase: EtcdPhase;
  leader: LeaderInfo | undefined;
  reconcile: string;
  /** The leader's control-plane line. */
  controlPlane?: string;
  alarms: string[];
  lastSnapshot?: SnapshotInfo | undefined;
  lastDrill?: DrillInfo | undefined;
  backupAlert: string;
}

const STATUS_KEY = ETCD_KEYS.reconcileStatus;

export class EtcdService {
  private cluster: EtcdCluster | undefined;
  private election: LeaderElection | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private summaryCache: EtcdSummary = { phase: 'no-spec', leader: undefined, reconcile: '', alarms: [], backupAlert: '' };
  /** The controllers of this coordinator's latest term as leader. */
  private leading: Leading | undefined;

  constructor(private readonly d: EtcdServiceDeps) {}

  start(): void {
    const tick = (): void => {
      void this.refresh()
        .catch((err: unknown) => this.d.log.debug('etcd refresh failed', { err: errorText(err) }))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.d.refreshMs ?? 2_000);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.election?.stop();
    this.cluster?.close();
  }

  /** The spec: etcd's once connected (kept in step by refresh), else the local copy. */
  spec(): ClusterSpec | undefined {
    return this.d.local.read()?.spec;
  }

  summary(): EtcdSummary {
    return this.summaryCache;
  }

  /** The etcd client, once this master has its certificate and a spec says where etcd is. */
  client(): EtcdCluster | undefined {
    return this.cluster;
  }

  get isLeader(): boolean {
    return this.election?.isLeader ?? false;
  }

  get term(): number {
    return this.election?.term ?? 0;
  }

  /** The backup schedule while this coordinator leads. */
  leaderBackups(): BackupScheduler | undefined {
    return this.isLeader ? this.leading?.backups : undefined;
  }

  /** The running reconciler while this coordinator leads. */
  /** The rollout shell while this coordinator leads. */
  leaderRollout(): RolloutRunner | undefined {
    return this.isLeader ? this.leading?.rollout : undefined;
  }

  leaderReconciler(): EtcdReconciler | undefined {
    return this.isLeader ? this.leading?.reconciler : undefined;
  }

  /** Looks at etcd: connects when possible, follows the stored spec, reads leader and phase. */
  async refresh(): Promise<void> {
    const local = this.d.local.read();
    if (!local) {
      this.summaryCache = {
        phase: 'no-spec',
        leader: undefined,
        reconcile: 'no Cluster spec yet: belayctl apply -f cluster.yaml',
        alarms: [],
        backupAlert: '',
      };
      return;
    }
    const endpoints = local.spec.spec.masters.map((m) => clientUrl(local.spec, m.name));
    // A grown spec keeps the client (and so the election: a new one would hand leadership around mid-join);
    // only a spec that drops an endpoint we use makes a new one.
    if (!this.cluster || this.cluster.endpoints.some((e) => !endpoints.includes(e))) {
      const tls = readEtcdTls(this.d.paths);
      if (!tls) {
        this.summaryCache = {
          phase: 'awaiting-bootstrap',
          leader: undefined,
          reconcile: 'no etcd yet (or this master has no etcd client certificate): belayctl bootstrap --node NAME',
          alarms: [],
          backupAlert: '',
        };
        return;
      }
      await this.election?.stop();
      this.cluster?.close();
      this.cluster = new EtcdCluster(endpoints, tls);
      this.election = this.campaign(this.cluster);
    }
    const cluster = this.cluster;
    try {
      const stored = await cluster.kv.get(ETCD_KEYS.spec).string();
      if (stored && stored !== local.text) {
        const at = Number((await cluster.kv.get(ETCD_KEYS.specAppliedAt).string()) ?? Date.now());
        await this.d.local.write(parseClusterSpec(stored, ETCD_KEYS.spec), at);
      }
      const leader = await this.election?.current();
      const reconcile = (await cluster.kv.get(STATUS_KEY).string()) ?? '';
      const controlPlane = (await cluster.kv.get(ETCD_KEYS.controlPlaneStatus).string()) ?? '';
      const members = await cluster.members();
      const statuses = await Promise.all(
        members.filter((m) => !m.isLearner).map((m) => (m.clientUrls[0] ? cluster.status(m.clientUrls[0], 1_000) : Promise.resolve({ ok: false }))),
      );
      const phase: EtcdPhase = statuses.every((s) => s.ok) ? 'healthy' : 'degraded';
      // Each alarm with its member, cause and remedy; a full data dir filesystem too (etcd/nospace.ts).
      const answered = new Map<string, number>();
      for (const st of statuses as Partial<EndpointStatus>[]) if (st.memberId && st.dbSizeBytes !== undefined) answered.set(st.memberId, st.dbSizeBytes);
      const alarms = alarmLines({
        alarms: await cluster.alarms().catch(() => []),
        members: members.map((m) => ({ id: m.id, name: m.name, dbSizeBytes: answered.get(m.id) })),
        dataFs: new Map(local.spec.spec.masters.map((m) => [m.name, dataFsOf(this.d.report(m.name))])),
        quotaBackendBytes: local.spec.spec.etcd.quotaBackendBytes,
      });
      const lastSnapshot = await readJson<SnapshotInfo>(cluster, ETCD_KEYS.lastSnapshot);
      const lastDrill = await readJson<DrillInfo>(cluster, ETCD_KEYS.lastDrill);
      const failed = await readJson<{ atMs: number; error: string }>(cluster, ETCD_KEYS.lastSnapshotError);
      this.summaryCache = {
        phase,
        leader,
        reconcile,
        controlPlane,
        alarms,
        lastSnapshot,
        lastDrill,
        backupAlert: backupAlert(local.spec, lastSnapshot, lastDrill, Date.now(), failed),
      };
    } catch (err) {
      // Without quorum there is no leader to say why: the agents' data dir readings may (docs/etcd-data-dir.md).
      const lost = this.dataLoss(local.spec);
      this.summaryCache = {
        phase: 'no-quorum',
        leader: undefined,
        reconcile: lost ?? `etcd does not answer: ${shortError(err)}`,
        alarms: [],
        backupAlert: '',
      };
    }
  }

  /** The data-loss line (etcd/data-loss.ts) from the latest reports and the newest verified snapshot kept here. */
  private dataLoss(spec: ClusterSpec): string | undefined {
    const readings = spec.spec.masters.map((m) => {
      const d = this.d.report(m.name)?.etcdData;
      return { name: m.name, held: Boolean(d?.held), verdict: d?.verdict ?? 'unknown', clientUrl: clientUrl(spec, m.name) };
    });
    if (!readings.some((r) => r.held)) return undefined;
    let newest: SnapshotRef | undefined;
    try {
      const s = listSnapshots(this.d.paths.host(spec.spec.backup.dir)).find((x) => x.verified);
      if (s) newest = { file: path.posix.join(spec.spec.backup.dir, s.name), revision: s.revision, takenAtMs: s.takenAtMs };
    } catch (err) {
      this.d.log.debug('cannot list snapshots', { err: errorText(err) });
    }
    return dataLossLine(readings, newest, this.d.me);
  }

  private campaign(cluster: EtcdCluster): LeaderElection {
    const election = new LeaderElection({
      cluster,
      me: this.d.me,
      ttlSeconds: this.d.electionTtlSeconds ?? ELECTION_DEFAULTS.ttlSeconds,
      log: this.d.log.child({ component: 'election' }),
      onElected: (term, signal) => {
        this.leading = lead({ ...this.d, spec: () => this.spec() }, cluster, term, signal);
      },
    });
    election.start();
    return election;
  }
}
