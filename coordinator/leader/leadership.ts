import type { Registry } from 'prom-client';
import type { Logger } from '../../proto/common/log.js';
import type { HostPaths } from '../../proto/common/paths.js';
import type { AgentApi } from '../agents/client.js';
import type { HostReport__Output } from '../../proto/gen/belay/v1/HostReport.js';
import type { ClusterSpec } from '../cluster/spec.js';
import { ETCD_KEYS } from '../cluster/etcd-keys.js';
import type { EtcdCluster } from '../etcd/client.js';
import type { MemberView } from '../swim/membership.js';
import { BackupScheduler } from './backup-schedule.js';
import type { ControllerContext, LeaderContext } from './context.js';
import { ControlPlaneReconciler } from './control-plane-deploy.js';
import { EtcdReconciler } from './etcd-membership.js';
import { EtcdObserver } from './observation.js';
import { RolloutRunner } from './rollouts.js';
import { ControllerRunner, runnerMetrics } from './runner.js';

/**
 * One term of leadership: what an elected coordinator runs until the
 * signal ends it. It builds the leader context once (etcd, the term, the
 * in-memory spec, gossip, agents, one shared observation of etcd) and runs
 * the controllers over it:
 *
 *   etcd-membership  joins, promotes, replaces etcd members (etcd/plan.ts decides)
 *   rollout          changes a control-plane component master by master (controlplane/rollout-plan.ts decides)
 *   control-plane    deploys the control plane on masters that lack it
 *   backups          verified snapshots and restore drills on schedule
 */

export interface LeadershipDeps {
  me: string;
  paths: HostPaths;
  /** The in-memory spec; undefined before one is applied. */
  spec: () => ClusterSpec | undefined;
  gossip: () => MemberView[];
  agent: (master: string) => AgentApi | undefined;
  report: (master: string) => HostReport__Output | undefined;
  log: Logger;
  registry?: Registry | undefined;
  /** false: no scheduled snapshots or drills (on-demand ones still work). */
  backups?: boolean | undefined;
}

export interface Leading {
  term: number;
  reconciler: EtcdReconciler;
  rollout: RolloutRunner;
  backups: BackupScheduler;
  /** Runs a controller's next pass now. */
  wake(controller: string): void;
}

export function lead(d: LeadershipDeps, cluster: EtcdCluster, term: number, signal: AbortSignal): Leading {
  const spec = (): ClusterSpec => {
    const s = d.spec();
    if (!s) throw new Error('no spec');
    return s;
  };
  const observer = new EtcdObserver(cluster, spec, d.log.child({ component: 'etcd-observer', term }));
  const runner = new ControllerRunner({ signal, log: d.log.child({ component: 'leader', term }), metrics: d.registry ? runnerMetrics(d.registry) : undefined });
  const shared: LeaderContext = {
    me: d.me,
    cluster,
    term,
    signal,
    spec,
    gossip: d.gossip,
    agent: d.agent,
    report: d.report,
    paths: d.paths,
    observe: (maxAgeMs) => observer.observe(maxAgeMs),
    invalidate: () => observer.invalidate(),
  };
  const status = new StatusLines(cluster, d.log);
  const context = (controller: string, statusKey: string): ControllerContext => ({
    ...shared,
    log: d.log.child({ component: controller, term }),
    setStatus: (line) => status.set(statusKey, line, controller),
    wake: () => runner.wake(controller),
  });

  const reconciler = new EtcdReconciler(context('etcd-membership', ETCD_KEYS.reconcileStatus));
  const rollout = new RolloutRunner(context('rollout', ETCD_KEYS.rolloutStatus));
  const controlPlane = new ControlPlaneReconciler({
    ...context('control-plane', ETCD_KEYS.controlPlaneStatus),
    restartApiservers: async (reason) => {
      await rollout.exclusive(() =>
        rollout.start({ component: 'kube-apiserver', set: {}, undo: false, restart: true, requestedBy: `leader ${d.me} (${reason})`, dryRun: false }),
      );
    },
  });
  // Backups write their records themselves (last snapshot, last drill): no status line of their own.
  const backups = new BackupScheduler(context('backups', ''));
  runner.run(reconciler);
  runner.run(rollout);
  runner.run(controlPlane);
  if (d.backups !== false) runner.run(backups);
  return { term, reconciler, rollout, backups, wake: (c) => runner.wake(c) };
}

/** The controllers' status lines in etcd (for `status` on any coordinator): written when they change. */
class StatusLines {
  private readonly last = new Map<string, string>();
  private readonly lastShape = new Map<string, string>();

  constructor(
    private readonly cluster: EtcdCluster,
    private readonly log: Logger,
  ) {}

  set(key: string, line: string, controller: string): void {
    if (!key || line === this.last.get(key)) return;
    this.last.set(key, line);
    // Logged when it changes in kind, not when a number in it moves (a learner's raft index, a db size).
    const shape = line.replace(/\d+/g, '#');
    if (shape !== this.lastShape.get(key)) this.log.info(controller === 'etcd-membership' ? 'etcd reconcile' : 'control plane', { status: line });
    this.lastShape.set(key, shape);
    void this.cluster.kv
      .put(key)
      .value(line)
      .catch(() => undefined);
  }
}
