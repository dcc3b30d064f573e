import { createHash } from 'node:crypto';
import { formatClusterSpec, parseClusterSpec, type ClusterSpec } from '../cluster/spec.js';
import { ETCD_KEYS } from '../cluster/etcd-keys.js';
import { BACKEND } from '../balancer/haproxy-config.js';
import type { EtcdCluster } from '../etcd/client.js';
import { FencedWriter } from '../etcd/fenced.js';
import { refusalCode } from '../agents/errors.js';
import { ConfigError } from '../../proto/common/config-file.js';
import { OperatorError, errorText } from '../../proto/common/errors.js';
import type { Next } from './controller.js';
import { LEADER_TIMINGS } from './timings.js';
import type { ControllerContext } from './context.js';
import { renderApiserverManifest, renderControllerManagerManifest, renderSchedulerManifest } from '../controlplane/render.js';
import { planRollout } from '../controlplane/rollout-plan.js';
import {
  ROLLOUT_DEFAULTS,
  stepRecord,
  type BalancerView,
  type ComponentSettings,
  type MasterView,
  type RolloutComponent,
  type RolloutRecord,
  type RolloutStep,
} from '../controlplane/rollout-record.js';
import { activeRollout, rolloutHistory, startRollout } from '../controlplane/rollout-requests.js';
import { rolloutSummary } from '../controlplane/rollout-summary.js';
import { durationMs } from '../cluster/spec.js';
import type { AdminState, OperationalState } from '../../proto/common/balancer.js';

/**
 * The leader's rollout shell around the pure planner (rollout-plan.ts):
 * records in etcd under /belay/rollout/, written fenced by the leader's term
 * before each step; every pass observes the masters (agents' reports) and
 * the balancers (each master's haproxy through its agent), asks the planner
 * for one step and does it. A new leader picks the record up where the old
 * one left it.
 */

const T = LEADER_TIMINGS.rollout;

export const MANIFEST_FILE: Record<RolloutComponent, string> = {
  'kube-apiserver': 'kube-apiserver.yaml',
  'kube-scheduler': 'kube-scheduler.yaml',
  'kube-controller-manager': 'kube-controller-manager.yaml',
};

export interface RolloutDeps extends ControllerContext {
  /** Between passes while no master is mid-way, ms. */
  intervalMs?: number;
}

const recordKey = (r: { component: string; revision: number }): string => `${ETCD_KEYS.rollouts}${r.component}/${String(r.revision).padStart(6, '0')}`;

/** Every rollout record in etcd, oldest first per component. */
export async function readRolloutHistory(cluster: EtcdCluster): Promise<RolloutRecord[]> {
  const all = await cluster.kv.getAll().prefix(ETCD_KEYS.rollouts).strings();
  return Object.keys(all)
    .sort()
    .map((k) => JSON.parse(all[k] ?? '{}') as RolloutRecord);
}

export function renderComponent(component: RolloutComponent, spec: ClusterSpec, master: string, root: string): string {
  const i = { spec, master, root };
  return component === 'kube-apiserver'
    ? renderApiserverManifest(i)
    : component === 'kube-scheduler'
      ? renderSchedulerManifest(i)
      : renderControllerManagerManifest(i);
}

export function componentSettings(spec: ClusterSpec, c: RolloutComponent): ComponentSettings {
  const s = c === 'kube-apiserver' ? spec.spec.apiserver : c === 'kube-scheduler' ? spec.spec.scheduler : spec.spec.controllerManager;
  return { image: s.image, extraArgs: { ...s.extraArgs }, ...(s.restartedAt ? { restartedAt: s.restartedAt } : {}) };
}

/** The spec with `settings` as component c's image and extraArgs, validated again. */
export function withSettings(spec: ClusterSpec, c: RolloutComponent, settings: ComponentSettings): ClusterSpec {
  const doc = JSON.parse(JSON.stringify(spec)) as { spec: Record<string, { image?: string; extraArgs: Record<string, string>; restartedAt?: string }> };
  const key = c === 'kube-apiserver' ? 'apiserver' : c === 'kube-scheduler' ? 'scheduler' : 'controllerManager';
  const section = doc.spec[key] ?? { extraArgs: {} };
  if (settings.image === undefined) delete section.image;
  else section.image = settings.image;
  section.extraArgs = { ...settings.extraArgs };
  if (settings.restartedAt === undefined) delete section.restartedAt;
  else section.restartedAt = settings.restartedAt;
  doc.spec[key] = section;
  return parseClusterSpec(JSON.stringify(doc), 'the changed spec');
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export class RolloutRunner {
  private readonly fenced: FencedWriter;
  private lastLine = '';

  constructor(private readonly d: RolloutDeps) {
    this.fenced = new FencedWriter(d.cluster, d.term);
  }

  private lock: Promise<unknown> = Promise.resolve();

  /** Serialises the passes with what the RPCs change (start, pause, resume): one writer of the record at a time. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.lock.then(work, work);
    this.lock = next.catch(() => undefined);
    return next;
  }

  readonly name = 'rollout';

  /** One pass under the lock; the wait before the next depends on where the rollout is. */
  async reconcile(): Promise<Next> {
    const every = this.d.intervalMs ?? T.passMs;
    const step = await this.exclusive(() => this.pass());
    // A master mid-way: looked at more often, each look saves the rollout time on every master.
    let afterMs = this.midWay ? Math.min(every, T.activePassMs) : every;
    // After a step, look again at once: the next one (the drain after the mark, the apply after
    // the drain) is usually due now, and a pass interval per step would add seconds per master.
    if (step !== undefined && step.kind !== 'idle' && step.kind !== 'wait' && step.kind !== 'blocked') afterMs = T.afterStepMs;
    // A wait that ends sooner (the stable window, the drain's settle time) is looked at when it ends.
    else if (step?.kind === 'wait' && step.wakeAtMs !== undefined) afterMs = Math.max(T.afterStepMs, Math.min(afterMs, step.wakeAtMs - Date.now() + 5));
    return { afterMs };
  }

  failed(err: unknown): Next {
    this.status(`rollout pass failed: ${errorText(err).split('\n')[0] ?? ''}`);
    return { afterMs: this.d.intervalMs ?? T.passMs };
  }

  private midWayMaster: string | undefined;

  /**
   * A report arrived. From the master mid-way, it may say that its pod got ready (agents send one at
   * once on a change): the next pass runs now rather than after its sleep, which was up to 0.5 s a master.
   */
  reportArrived(node: string): void {
    // Ended early also when it came during the pass (the runner keeps the wake).
    if (this.midWay && node === this.midWayMaster) this.d.wake();
  }

  private status(line: string): void {
    if (line === this.lastLine) return;
    this.lastLine = line;
    this.d.setStatus(line);
  }

  /** What the leader is doing about the active rollout now (for RolloutStatus). */
  get line(): string {
    return this.lastLine;
  }

  /** Starts a rollout (the RPC, on the leader): the spec and the record are stored in one fenced transaction. */
  async start(req: {
    component: RolloutComponent;
    image?: string;
    set: Record<string, string>;
    undo: boolean;
    restart?: boolean;
    requestedBy: string;
    dryRun: boolean;
  }): Promise<{ record: RolloutRecord; plan: string[] }> {
    const spec = this.d.spec();
    const history = await readRolloutHistory(this.d.cluster);
    const c = req.component;
    const before = componentSettings(spec, c);
    let settings: ComponentSettings;
    if (req.undo) {
      const latest = rolloutHistory(history, c).at(-1);
      settings = latest?.previousSettings ?? before;
    } else if (req.restart) {
      // As kubectl rollout restart: a new restartedAt annotation changes every manifest, nothing else.
      settings = { ...before, restartedAt: new Date().toISOString() };
    } else {
      const extraArgs = { ...before.extraArgs };
      for (const [k, v] of Object.entries(req.set)) {
        if (v === '') delete extraArgs[k];
        else extraArgs[k] = v;
      }
      settings = { image: req.image || before.image, extraArgs };
    }
    let next: ClusterSpec;
    try {
      next = withSettings(spec, c, settings);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      throw new OperatorError({
        code: 'ROLLOUT_BAD_SETTINGS',
        message: `not starting a rollout of ${c}: ${err.problems.join('; ')}`,
        hint: 'fix --image or --set as named; nothing was stored or changed',
      });
    }
    const order = next.spec.masters.map((m) => m.name);
    const targetSha: Record<string, string> = {};
    const currentSha: Record<string, string> = {};
    for (const m of order) {
      const r = this.d.report(m);
      const entry = r?.manifests.find((x) => x.file === MANIFEST_FILE[c]);
      if (entry?.sha256) currentSha[m] = entry.sha256;
      // Renders refuse bad flags here, before anything is stored.
      targetSha[m] = sha256(renderComponent(c, next, m, r?.root || '/'));
    }
    const changes: string[] = [];
    if (before.image !== settings.image) changes.push(`image: ${before.image ?? '(default)'} → ${settings.image ?? '(default)'}`);
    for (const k of new Set([...Object.keys(before.extraArgs), ...Object.keys(settings.extraArgs)])) {
      if (before.extraArgs[k] !== settings.extraArgs[k]) changes.push(`--${k}: ${before.extraArgs[k] ?? '(unset)'} → ${settings.extraArgs[k] ?? '(unset)'}`);
    }
    if (before.restartedAt !== settings.restartedAt)
      changes.push(
        req.restart
          ? `restart (restartedAt ${settings.restartedAt ?? ''})`
          : `restartedAt: ${before.restartedAt ?? '(unset)'} → ${settings.restartedAt ?? '(unset)'}`,
      );
    const record = startRollout(
      history,
      req.undo
        ? { kind: 'undo', component: c, order, currentSha, requestedBy: req.requestedBy }
        : { kind: 'change', component: c, order, targetSha, currentSha, changes, settings, previousSettings: before, requestedBy: req.requestedBy },
      Date.now(),
    );
    const plan = [
      `${c} revision ${record.revision}: ${record.changes.join('; ') || 'no change'}`,
      ...order.map(
        (m, i) =>
          `${i + 1}. ${m}: ${c === 'kube-apiserver' ? 'drain its backend in every balancer, ' : ''}apply the new manifest, wait until ready for ${next.spec.rollout.stableWindow}${c === 'kube-apiserver' ? ', enable its backend' : ''} (rolled back and halted if not ready within ${next.spec.rollout.readyTimeout})`,
      ),
    ];
    if (req.dryRun) return { record, plan };
    const text = formatClusterSpec(next);
    const res = await this.d.cluster.kv
      .if(ETCD_KEYS.leader, 'Create', '==', this.d.term)
      .then(
        this.d.cluster.kv.put(ETCD_KEYS.spec).value(text),
        this.d.cluster.kv.put(ETCD_KEYS.specAppliedAt).value(String(Date.now())),
        this.d.cluster.kv.put(recordKey(record)).value(JSON.stringify(record)),
      )
      .commit();
    if (!res.succeeded)
      throw new OperatorError({
        code: 'NOT_LEADER',
        message: 'this coordinator stopped leading before the rollout was stored',
        hint: 'retry: the new leader takes it',
        retryable: true,
      });
    this.d.log.info('rollout started', { component: c, revision: record.revision, changes: record.changes, by: req.requestedBy });
    return { record, plan };
  }

  /** pause / resume: the record changed and stored, fenced. */
  async store(record: RolloutRecord): Promise<void> {
    await this.fenced.put(recordKey(record), JSON.stringify(record));
  }

  /** The last pass found a master mid-way (drained, restarting, waiting for readiness). */
  private midWay = false;

  async pass(): Promise<RolloutStep | undefined> {
    const history = await readRolloutHistory(this.d.cluster);
    const record = activeRollout(history);
    this.midWay = record?.current !== undefined;
    this.midWayMaster = record?.current?.master;
    if (!record) return undefined;
    const spec = this.d.spec();
    const observed = await this.observe(spec, record);
    const step = planRollout({
      nowMs: Date.now(),
      record,
      observed,
      limits: {
        stableWindowMs: durationMs(spec.spec.rollout.stableWindow),
        readyTimeoutMs: durationMs(spec.spec.rollout.readyTimeout),
        drainTimeoutMs: ROLLOUT_DEFAULTS.drainTimeoutMs,
        drainSettleMs: ROLLOUT_DEFAULTS.drainSettleMs,
      },
    });
    await this.execute(step, spec, record);
    return step;
  }

  private async observe(
    spec: ClusterSpec,
    record: RolloutRecord,
  ): Promise<{ masters: MasterView[]; balancers: BalancerView[]; etcd: { healthy: boolean; reason?: string } }> {
    const now = Date.now();
    const file = MANIFEST_FILE[record.component];
    const masters: MasterView[] = record.order.map((name) => {
      const r = this.d.report(name);
      const m = r?.manifests.find((x) => x.file === file);
      // The report's age counts against "ready for": a report 2 s old saying 3 s is 3 s ending 2 s ago.
      const readyForMs = m?.podReady ? Number(m.podReadyForMs) : 0;
      // Sent again on every pod state change: its durations are as of when it was sent.
      const reportAt = r ? Number(r.publishedAtMs) || Number(r.collectedAtMs) : now;
      return {
        name,
        // Its agent reporting is what counts: the component runs under the agent, whatever its coordinator does
        // (a killed leader's master keeps serving).
        alive: r !== undefined && now - reportAt < T.reportFreshMs,
        manifestSha: m?.sha256 ?? '',
        ...(m?.runningSha256 ? { runningSha: m.runningSha256 } : {}),
        ready: Boolean(m?.podReady),
        ...(m?.podReady ? { readySinceMs: now - (now - reportAt) - readyForMs } : {}),
        ...(m?.podNotReadyReason ? { notReadyReason: m.podNotReadyReason } : {}),
      };
    });
    const balancers: BalancerView[] = [];
    if (record.component === 'kube-apiserver') {
      const lb = spec.spec.loadBalancer;
      const hosts =
        lb.mode === 'static-pod'
          ? spec.spec.masters.map((m) => ({ name: `haproxy on ${m.name}`, master: m.name, socket: '' }))
          : lb.runtimeApi
            ? [{ name: `haproxy via ${lb.runtimeApi.master}`, master: lb.runtimeApi.master, socket: lb.runtimeApi.socket }]
            : [];
      await Promise.all(
        hosts.map(async (h, i) => {
          const view: BalancerView = { name: h.name, servers: undefined };
          balancers[i] = view;
          const agent = this.d.agent(h.master);
          if (!agent) return;
          try {
            const res = await agent.BalancerServers({ socket: h.socket, backend: BACKEND });
            view.servers = Object.fromEntries(
              res.servers.map((s) => [
                s.name,
                {
                  admin: s.adminState as AdminState,
                  operational: s.operationalState as OperationalState,
                  currentSessions: s.currentSessions,
                  checkStatus: s.checkStatus,
                },
              ]),
            );
          } catch (err) {
            view.servers = undefined;
            view.error = errorText(err).split('\n')[0] ?? '';
          }
        }),
      );
    }
    let etcd: { healthy: boolean; reason?: string } = { healthy: true };
    const { members, statuses } = await this.d.observe();
    if (!members) etcd = { healthy: false, reason: 'etcd does not answer: cannot read its member list' };
    else {
      const down = members.filter((m) => !m.isLearner && !statuses.get(m.id)?.ok).map((m) => m.name || m.id);
      if (down.length > 0) etcd = { healthy: false, reason: `etcd members not healthy: ${down.join(', ')}` };
    }
    return { masters, balancers, etcd };
  }

  private async execute(step: RolloutStep, spec: ClusterSpec, record: RolloutRecord): Promise<void> {
    if (this.d.signal.aborted) return;
    const stored = stepRecord(step);
    if (stored) {
      await this.fenced.put(recordKey(stored), JSON.stringify(stored));
      this.d.log.info('rollout', { component: stored.component, revision: stored.revision, step: step.kind, why: 'reason' in step ? step.reason : '' });
      this.status(rolloutSummary(stored));
      return;
    }
    switch (step.kind) {
      case 'idle':
        return;
      case 'blocked':
      case 'wait':
        this.status(`${rolloutSummary(record)}: ${step.reason}`);
        return;
      case 'drain':
      case 'enable':
        await this.setBalancers(spec, step.master, step.kind === 'drain' ? 'drain' : 'ready', step.balancers);
        this.status(`${rolloutSummary(record)}: ${step.kind === 'drain' ? 'draining' : 'enabling'} ${step.master} in ${step.balancers.join(', ')}`);
        return;
      case 'apply':
        await this.applySha(record, spec, step.master, step.sha);
        this.status(`${rolloutSummary(record)}: applied the new ${record.component} manifest on ${step.master}`);
        return;
      case 'rollback':
        this.d.log.warn('rolling back', { master: step.master, why: step.reason });
        await this.applySha(record, spec, step.master, step.toSha);
        this.status(`${rolloutSummary(record)}: rolled ${step.master} back (${step.reason})`);
        return;
    }
  }

  private async setBalancers(spec: ClusterSpec, master: string, state: 'drain' | 'ready', names: string[]): Promise<void> {
    const lb = spec.spec.loadBalancer;
    for (const name of names) {
      const host = lb.mode === 'static-pod' ? name.replace(/^haproxy on /, '') : (lb.runtimeApi?.master ?? '');
      const socket = lb.mode === 'static-pod' ? '' : (lb.runtimeApi?.socket ?? '');
      const agent = this.d.agent(host);
      if (!agent) throw new Error(`no agent client for ${host}`);
      await agent.SetBalancerServer({ socket, backend: BACKEND, server: master, state, requestedBy: 'leader', term: this.d.term });
    }
  }

  /** The manifest with this sha on `master`: rendered from the spec when it matches, else the agent's kept version (a rollback, an undo). */
  private async applySha(record: RolloutRecord, spec: ClusterSpec, master: string, sha: string): Promise<void> {
    const agent = this.d.agent(master);
    if (!agent) throw new Error(`no agent client for ${master}`);
    const file = MANIFEST_FILE[record.component];
    const root = this.d.report(master)?.root || '/';
    // From the record's settings, not the spec as this coordinator last read it: the spec the rollout
    // stored may reach its copy a moment later, and the target must not depend on that.
    const rendered = renderComponent(record.component, withSettings(spec, record.component, record.settings), master, root);
    if (sha256(rendered) === sha) {
      try {
        await agent.ApplyManifest({ file, content: rendered, force: false, requestedBy: 'leader', term: this.d.term });
      } catch (err) {
        if (refusalCode(err) !== 'MANIFEST_DRIFTED') throw err;
        throw new OperatorError({
          code: 'MANIFEST_DRIFTED',
          message: `${master}'s ${file} was changed by hand: the rollout does not overwrite it`,
          hint: `belayctl manifests diff ${master} ${file}; put it back (belayctl manifests rollback) and the rollout goes on`,
        });
      }
      return;
    }
    await agent.RollbackManifest({ file, toSha256: sha, requestedBy: 'leader', term: this.d.term });
  }
}
