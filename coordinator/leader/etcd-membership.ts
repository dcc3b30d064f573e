import type { HostReport__Output } from '../../proto/gen/belay/v1/HostReport.js';
import { ETCD_KEYS } from '../cluster/etcd-keys.js';
import { durationMs, type ClusterSpec } from '../cluster/spec.js';
import { specMaster } from '../cluster/spec-fields.js';
import type { AgentApi } from '../agents/client.js';
import { refusalCode } from '../agents/errors.js';
import { etcdErrorCode, shortError, type EndpointStatus, type EtcdErrorCode, type EtcdMemberInfo } from '../etcd/client.js';
import { masterOf, planEtcd, type JoinRecord, type ObservedMember, type Step } from '../etcd/plan.js';
import { preflight, preflightFailure } from '../etcd/preflight.js';
import { peerUrl, renderEtcdManifest } from '../etcd/render.js';
import { etcdPkiFor, loadEtcdCa } from '../etcd/pki.js';
import { FencedWriter } from '../etcd/fenced.js';
import type { Next } from './controller.js';
import { LEADER_TIMINGS } from './timings.js';
import type { ControllerContext } from './context.js';
import type { EtcdObservation } from './observation.js';

/**
 * The leader's etcd loop: observe (members, each member's status, gossip,
 * agents' reports), plan one step (plan.ts), execute it, repeat. Every call
 * to an agent carries the leader's term; the loop ends the moment
 * leadership is lost (the signal). Steps are idempotent and recognised
 * from etcd's state, so a new leader picks up where the old one stopped.
 */

export interface ReconcilerDeps extends ControllerContext {
  /** Between passes while nothing changes, ms. */
  intervalMs?: number;
}

const T = LEADER_TIMINGS.etcdMembership;
/**
 * etcd's answers to a promote that are retried within that window: the learner is not in sync yet; the
 * call reached the learner itself; or the member is no longer a learner (a promote applied whose answer
 * was lost), which the next pass sees.
 */
const PROMOTE_NOT_YET = new Set<EtcdErrorCode | undefined>(['LEARNER_NOT_READY', 'NOT_SUPPORTED_FOR_LEARNER', 'MEMBER_NOT_LEARNER']);

/** From a master's report: false when it has no etcd.yaml or its pod failed; undefined when the runtime does not say (kubelet). */
function etcdRunning(r: HostReport__Output): boolean | undefined {
  const m = r.manifests.find((x) => x.file === 'etcd.yaml');
  if (!m) return false;
  if (m.podPhase === 'Failed') return false;
  return m.podPhase === 'Running' || m.podPhase === 'Pending' ? true : undefined;
}

export class EtcdReconciler {
  private readonly unhealthySince = new Map<string, number>();
  private readonly retryAtMs: Record<string, number> = {};
  private readonly attempts: Record<string, number> = {};
  private readonly lastFailure: Record<string, string> = {};
  private readonly startedAt = new Map<string, number>();
  /** Serialises passes with membership changes asked by hand (EtcdAdd/EtcdRemove). */
  private lock: Promise<unknown> = Promise.resolve();

  private readonly fenced: FencedWriter;

  constructor(private readonly d: ReconcilerDeps) {
    this.fenced = new FencedWriter(d.cluster, d.term);
  }

  readonly name = 'etcd-membership';
  private changedAtMs = -Infinity;

  /** One pass under the lock (by-hand membership changes take it too). */
  async reconcile(): Promise<Next> {
    const step = await this.exclusive(() => this.pass());
    if (step.kind !== 'idle' && step.kind !== 'blocked') this.changedAtMs = Date.now();
    return { afterMs: this.nextWait() };
  }

  failed(err: unknown): Next {
    this.status(`reconcile failed: ${shortError(err)}`);
    return { afterMs: this.nextWait() };
  }

  /**
   * Right after a membership change the next step is usually seconds away (the new member turning
   * healthy, etcd's 5 s rule): look more often then, so a restore or a grow does not add a pass
   * interval per member.
   */
  private nextWait(): number {
    const every = this.d.intervalMs ?? T.passMs;
    return Date.now() - this.changedAtMs < T.quickAfterChangeMs ? Math.min(every, T.quickPassMs) : every;
  }

  /** Runs the next pass now (a new spec was stored). */
  wake(): void {
    this.d.wake();
  }

  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.lock.then(work, work);
    this.lock = next.catch(() => undefined);
    return next;
  }

  /** Also sent to a by-hand command's progress while it runs. */
  private tap: ((line: string) => void) | undefined;

  private status(line: string): void {
    this.d.setStatus(line);
    this.tap?.(line);
  }

  /** belayctl etcd remove, already checked for quorum by the caller; call inside exclusive(). */
  async removeByHand(
    r: { memberId: string; master: string | undefined; isLearner: boolean; isLeader: boolean; reason: string },
    members: EtcdMemberInfo[],
    statuses: Map<string, EndpointStatus>,
    progress: (step: string, message: string) => void,
  ): Promise<void> {
    this.tap = (line) => progress('remove', line);
    try {
      await this.removeMember({ kind: 'remove-member', ...r }, this.d.spec(), { members, statuses });
    } finally {
      this.tap = undefined;
    }
  }

  /** belayctl etcd add: passes until `master` is a healthy voter; call inside exclusive(). */
  async joinByHand(master: string, progress: (step: string, message: string) => void): Promise<string> {
    const spec = this.d.spec();
    const deadline = Date.now() + durationMs(spec.spec.etcd.learnerCatchUpTimeout) + T.byHandJoinExtraMs;
    let last = '';
    this.tap = (line) => {
      if (line !== last) progress('join', line);
      last = line;
    };
    try {
      for (;;) {
        this.checkLeading();
        const { members, statuses } = await this.observe();
        const mine = members?.find((m) => m.name === master && !m.isLearner);
        if (mine && statuses.get(mine.id)?.ok) return `${master} is a healthy voting member`;
        if (Date.now() > deadline) throw new Error(`${master} did not become a healthy voting member in time; last: ${last}`);
        await this.pass();
        await new Promise((r) => setTimeout(r, T.byHandJoinPollMs));
      }
    } finally {
      this.tap = undefined;
    }
  }

  /** belayctl etcd add: forget a failed join's backoff so that the next pass tries at once. */
  clearBackoff(master: string): void {
    delete this.retryAtMs[master];
    delete this.attempts[master];
    delete this.lastFailure[master];
  }

  private checkLeading(): void {
    if (this.d.signal.aborted) throw new Error('leadership lost: stopping');
  }

  /** etcd's members and statuses, shared with the other controllers (observation.ts); `maxAgeMs` 0 for a read now. */
  observe(maxAgeMs?: number): Promise<EtcdObservation> {
    return this.d.observe(maxAgeMs);
  }

  /** One pass: observe, plan, act. Returns the step taken (for tests and the by-hand commands). */
  async pass(): Promise<Step> {
    const spec = this.d.spec();
    const now = Date.now();
    const { members, statuses } = await this.observe();
    const leaderId = [...statuses.values()].find((s) => s.ok)?.leaderId;
    const observed: ObservedMember[] | undefined = members?.map((m) => {
      const s = statuses.get(m.id);
      const healthy = Boolean(s?.ok);
      if (healthy) this.unhealthySince.delete(m.id);
      else if (!this.unhealthySince.has(m.id)) this.unhealthySince.set(m.id, now);
      return {
        id: m.id,
        name: m.name,
        peerUrls: m.peerUrls,
        isLearner: m.isLearner,
        healthy,
        isLeader: m.id === leaderId,
        unhealthySinceMs: this.unhealthySince.get(m.id),
      };
    });
    const gossip = this.d.gossip();
    const masters = spec.spec.masters.map((m) => {
      const g = gossip.find((x) => x.name === m.name);
      const r = this.d.report(m.name);
      const fresh = r && now - Number(r.collectedAtMs) < spec.spec.etcd.preflight.maxReportAgeMs;
      return {
        name: m.name,
        peerUrl: peerUrl(spec, m.name),
        gossip: g ? g.state : ('unknown' as const),
        gossipSinceMs: g?.stateSinceMs ?? now,
        etcdRunning: fresh ? etcdRunning(r) : undefined,
        dataLoss: fresh && r.etcdData?.held ? r.etcdData.reason || `its agent holds etcd back (${r.etcdData.verdict})` : undefined,
      };
    });
    const join = await this.readJoin();
    const learner = members?.find((m) => m.isLearner);
    let record = join;
    if (learner && join?.memberId !== learner.id) {
      // A learner nobody recorded (the old leader died between add and record): its deadline starts now.
      record = { master: masterOf(learner, masters) ?? '', memberId: learner.id, addedAtMs: now };
      await this.writeJoin(record);
    }
    const heldOut = (await this.d.cluster.kv.getAll().prefix(ETCD_KEYS.heldOut).keys()).map((k) => k.slice(ETCD_KEYS.heldOut.length));
    const step = planEtcd({
      nowMs: now,
      heldOut,
      lastFailure: this.lastFailure,
      masters,
      members: observed,
      join: record,
      retryAtMs: this.retryAtMs,
      learnerCatchUpTimeoutMs: durationMs(spec.spec.etcd.learnerCatchUpTimeout),
      replaceAfterMs: durationMs(spec.spec.etcd.replaceAfter),
    });
    await this.execute(step, spec, { members: members ?? [], statuses });
    return step;
  }

  private async execute(step: Step, spec: ClusterSpec, o: { members: EtcdMemberInfo[]; statuses: Map<string, EndpointStatus> }): Promise<void> {
    this.checkLeading();
    switch (step.kind) {
      case 'idle':
      case 'blocked':
        this.status(step.reason);
        return;
      case 'add-learner':
        await this.addLearner(step.master, spec, o);
        return;
      case 'start-learner':
        await this.startLearner(step.master, step.memberId, spec, o.members);
        return;
      case 'promote':
        await this.promote(step.master, step.memberId, o);
        return;
      case 'remove-member':
        await this.removeMember(step, spec, o);
        return;
    }
  }

  private agentOf(master: string): AgentApi {
    const a = this.d.agent(master);
    if (!a) throw new Error(`no agent client for ${master}`);
    return a;
  }

  private async freshReport(master: string): Promise<{ report: HostReport__Output | undefined; askedAtMs: number; answeredAtMs: number; error?: string }> {
    const askedAtMs = Date.now();
    try {
      const report = await this.agentOf(master).GetReport({ refresh: true });
      return { report, askedAtMs, answeredAtMs: Date.now() };
    } catch (err) {
      return { report: undefined, askedAtMs, answeredAtMs: Date.now(), error: shortError(err) };
    }
  }

  /** Runs the preflight for `master`; a failure is the status line and the step is not taken. */
  async preflightOk(
    master: string,
    spec: ClusterSpec,
    statuses: Map<string, EndpointStatus>,
  ): Promise<{ ok: boolean; line: string; report: HostReport__Output | undefined }> {
    const r = await this.freshReport(master);
    const leader = [...statuses.values()].find((s) => s.ok && s.memberId === s.leaderId) ?? [...statuses.values()].find((s) => s.ok);
    // The pass's shared observation holds them (read with the member list, [] when unreadable).
    const alarms = (await this.d.observe()).alarms.map((a) => a.alarm);
    const checks = preflight({
      master,
      report: r.report,
      askedAtMs: r.askedAtMs,
      answeredAtMs: r.answeredAtMs,
      limits: spec.spec.etcd.preflight,
      dbSizeBytes: leader?.dbSizeBytes ?? 0,
      quotaBackendBytes: spec.spec.etcd.quotaBackendBytes,
      alarms,
    });
    const failed = preflightFailure(checks);
    return { ok: !failed, line: failed ?? `preflight passed on ${master}`, report: r.report };
  }

  private async addLearner(master: string, spec: ClusterSpec, o: { statuses: Map<string, EndpointStatus> }): Promise<void> {
    const pf = await this.preflightOk(master, spec, o.statuses);
    if (!pf.ok) {
      this.retryAtMs[master] = Date.now() + T.preflightRetryMs;
      this.lastFailure[master] = pf.line;
      this.status(`joining ${master}: ${pf.line}`);
      this.d.log.warn('join blocked by preflight', { master, why: pf.line });
      return;
    }
    this.status(`joining ${master}: issuing its etcd certificates and adding it as a learner`);
    // The certificates are written while etcd adds the learner: neither needs the other, and a learner
    // added whose certificates failed is started (with them written again) on a later pass.
    const pki = this.writePki(master, spec, 'member');
    pki.catch(() => undefined);
    let added: EtcdMemberInfo | undefined;
    // etcd refuses right after a change until the leader has seen every voter for 5 s (docs/measured-behaviour.md,
    // "Member add right after a change"): retry every 250 ms for up to 8 s here rather than a pass later.
    for (const until = Date.now() + T.memberAddRetryWindowMs; ;) {
      this.checkLeading();
      try {
        added = await this.d.cluster.addLearner(peerUrl(spec, master));
        this.d.invalidate();
        break;
      } catch (err) {
        if (Date.now() > until || etcdErrorCode(err) !== 'UNHEALTHY_CLUSTER') {
          this.status(`joining ${master}: etcd refused the learner for now (${shortError(err)}); retrying`);
          this.d.log.info('member add refused, will retry', { master, err: shortError(err) });
          return;
        }
        this.status(`joining ${master}: etcd refuses a new member for now (${shortError(err)}): retrying`);
        await new Promise((r) => setTimeout(r, T.memberAddRetryMs));
      }
    }
    await this.writeJoin({ master, memberId: added.id, addedAtMs: Date.now() });
    this.d.log.info('learner added', { master, memberId: added.id, term: this.d.term });
    await pki;
    await this.startLearner(master, added.id, spec, await this.d.cluster.members(), { pkiWritten: true, report: pf.report });
    // Promote at once, retried while etcd says the learner is not in sync: a pass later would add a
    // pass interval to every join.
    await this.promote(master, added.id, o, T.joinPromoteWindowMs);
  }

  private async writePki(master: string, spec: ClusterSpec, kind: 'member' | 'client'): Promise<void> {
    const ca = await loadEtcdCa(this.d.cluster);
    const m = specMaster(spec, master);
    if (!m) throw new Error(`${master} is not in the spec`);
    const files = await etcdPkiFor(ca, m, kind);
    await this.agentOf(master).WritePki({ files, requestedBy: 'leader', term: this.d.term });
  }

  private async startLearner(
    master: string,
    memberId: string,
    spec: ClusterSpec,
    members: EtcdMemberInfo[],
    o: { pkiWritten?: boolean; report?: HostReport__Output | undefined } = {},
  ): Promise<void> {
    const startedAt = this.startedAt.get(memberId);
    if (startedAt !== undefined && Date.now() - startedAt < T.learnerStartGraceMs) {
      this.status(`joining ${master}: learner started ${Math.round((Date.now() - startedAt) / 1000)} s ago, waiting for it to publish itself`);
      return;
    }
    const agent = this.agentOf(master);
    const report = o.report ?? (await this.freshReport(master)).report;
    if (!report) throw new Error(`cannot read the host report of ${master}`);
    const masters = spec.spec.masters.map((x) => ({ name: x.name, peerUrl: peerUrl(spec, x.name) }));
    // The initial cluster: every started member, and this learner.
    const initialCluster = spec.spec.masters
      .filter((x) => x.name === master || members.some((m) => m.name && masterOf(m, masters) === x.name))
      .map((x) => ({ name: x.name, peerUrl: peerUrl(spec, x.name) }));
    const content = renderEtcdManifest({ spec, master, root: report.root || '/', state: 'existing', initialCluster });
    const current = await agent.GetManifest({ name: 'etcd.yaml' }).catch(() => undefined);
    if (current?.content === content) {
      if (startedAt === undefined) {
        // Applied by an earlier leader: give it the same grace before touching it.
        this.startedAt.set(memberId, Date.now());
        this.status(`joining ${master}: its etcd.yaml is in place, waiting for the learner to publish itself`);
        return;
      }
      this.d.log.warn('learner did not publish itself; starting it again', { master, memberId, sinceMs: Date.now() - startedAt });
    }
    this.checkLeading();
    if (current) {
      this.status(`joining ${master}: stopping its old etcd`);
      await agent.RemoveManifest({ file: 'etcd.yaml', force: true, requestedBy: 'leader', term: this.d.term });
    }
    // A data dir left from an earlier membership would make etcd start as the old member: move it aside (never deleted).
    for (let i = 0; ; i++) {
      this.checkLeading();
      try {
        const res = await agent.ArchiveEtcdData({
          dataDir: spec.spec.etcd.dataDir,
          reason: `${master} joins etcd as a new member`,
          requestedBy: 'leader',
          term: this.d.term,
        });
        if (res.existed) this.d.log.warn('old etcd data dir kept aside', { master, archivedTo: res.archivedTo });
        break;
      } catch (err) {
        if (refusalCode(err) !== 'ETCD_DATA_IN_USE' || i >= T.archiveRetries) throw err;
        await new Promise((r) => setTimeout(r, T.archiveRetryMs));
      }
    }
    // Written just before the member add when this pass added it; a resumed join writes them again.
    if (!o.pkiWritten) await this.writePki(master, spec, 'member');
    this.checkLeading();
    this.status(`joining ${master}: starting its etcd as a learner`);
    await agent.ApplyManifest({ file: 'etcd.yaml', content, force: true, requestedBy: 'leader', term: this.d.term });
    this.startedAt.set(memberId, Date.now());
    this.d.log.info('learner started', { master, memberId, initialCluster: initialCluster.map((x) => x.name) });
  }

  private async promote(master: string, memberId: string, o: { statuses: Map<string, EndpointStatus> }, windowMs = T.promoteWindowMs): Promise<void> {
    try {
      // etcd accepts a promote only once the learner is in sync: retrying every 100 ms is the catch-up
      // wait at its finest (docs/measured-behaviour.md, "Promote only when in sync"); past the window, the next pass tries again.
      for (const until = Date.now() + windowMs; ;) {
        this.checkLeading();
        try {
          await this.d.cluster.promote(memberId);
          this.d.invalidate();
          break;
        } catch (err) {
          if (Date.now() > until || !PROMOTE_NOT_YET.has(etcdErrorCode(err))) throw err;
          await new Promise((r) => setTimeout(r, T.promoteRetryMs));
        }
      }
    } catch (err) {
      const s = o.statuses.get(memberId);
      const leader = [...o.statuses.values()].find((x) => x.ok && x.memberId === x.leaderId);
      const progress = s?.ok && leader ? ` (raft index ${s.raftIndex} of ${leader.raftIndex})` : '';
      this.status(`joining ${master}: waiting for the learner to catch up${progress}: ${shortError(err)}`);
      return;
    }
    await this.fenced.delete(ETCD_KEYS.join);
    delete this.attempts[master];
    delete this.lastFailure[master];
    this.startedAt.delete(memberId);
    this.status(`${master} joined: promoted to a voting member`);
    this.d.log.info('learner promoted', { master, memberId, term: this.d.term });
  }

  private async removeMember(
    step: Extract<Step, { kind: 'remove-member' }>,
    spec: ClusterSpec,
    o: { members: EtcdMemberInfo[]; statuses: Map<string, EndpointStatus> },
  ): Promise<void> {
    const who = step.master ?? step.memberId;
    if (step.isLeader) {
      const leaderStatus = o.statuses.get(step.memberId);
      const target = o.members.find((m) => !m.isLearner && m.id !== step.memberId && o.statuses.get(m.id)?.ok);
      const url = o.members.find((m) => m.id === step.memberId)?.clientUrls[0];
      if (target && url && leaderStatus?.ok) {
        this.status(`removing ${who}: moving etcd leadership to ${target.name} first`);
        await this.d.cluster.moveLeader(url, target.id);
        this.d.invalidate();
      }
    }
    this.checkLeading();
    this.status(`removing ${who}: ${step.reason}`);
    await this.d.cluster.remove(step.memberId);
    this.d.invalidate();
    this.d.log.warn('etcd member removed', { member: who, memberId: step.memberId, reason: step.reason, term: this.d.term });
    this.startedAt.delete(step.memberId);
    const join = await this.readJoin();
    if (join?.memberId === step.memberId) await this.fenced.delete(ETCD_KEYS.join);
    if (step.master) {
      if (step.isLearner) {
        const n = (this.attempts[step.master] ?? 0) + 1;
        this.attempts[step.master] = n;
        this.retryAtMs[step.master] = Date.now() + Math.min(T.joinRetryMaxMs, T.joinRetryBaseMs * 2 ** (n - 1));
        this.lastFailure[step.master] = `join ${n} failed: ${step.reason}`;
      }
      // Its etcd must not go on as a removed member: stop it (best effort; the master may be down).
      const agent = this.d.agent(step.master);
      if (agent && specMaster(spec, step.master)) {
        // 5 s rather than the table's 30: best effort, and its master may be down.
        await agent
          .RemoveManifest({ file: 'etcd.yaml', force: true, requestedBy: 'leader', term: this.d.term }, { timeoutMs: T.stopRemovedMemberTimeoutMs })
          .catch((err: unknown) => {
            this.d.log.info("could not stop the removed member's etcd (its master may be down)", { master: step.master, err: shortError(err) });
          });
      }
    }
  }

  async readJoin(): Promise<JoinRecord | undefined> {
    const text = await this.d.cluster.kv.get(ETCD_KEYS.join).string();
    if (!text) return undefined;
    try {
      return JSON.parse(text) as JoinRecord;
    } catch {
      return undefined;
    }
  }

  private async writeJoin(r: JoinRecord): Promise<void> {
    await this.fenced.put(ETCD_KEYS.join, JSON.stringify(r));
  }
}
