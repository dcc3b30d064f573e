import { createHash } from 'node:crypto';
import type { ClusterSpec } from '../cluster/spec.js';
import { specMaster } from '../cluster/spec-fields.js';
import { ETCD_KEYS } from '../cluster/etcd-keys.js';
import { BACKEND, backendServerOptions, backendServers, renderHaproxyConfig } from '../balancer/haproxy-config.js';
import { syncSummary } from '../../proto/common/balancer.js';
import { HAPROXY_MANIFEST_FILE, renderHaproxyManifest } from '../balancer/haproxy-manifest.js';
import { FencedWriter } from '../etcd/fenced.js';
import { masterOf } from '../etcd/plan.js';
import { peerUrl } from '../etcd/render.js';
import {
  apiserverSans,
  createControlPlanePki,
  masterControlPlaneFiles,
  sharedFiles,
  sharedPkiFromFiles,
  toStored,
  type ControlPlanePki,
} from '../pki/control-plane.js';
import { servedApiserverLacks } from '../pki/check.js';
import { servedCertificate } from '../pki/served.js';
import type { AgentApi } from '../agents/client.js';
import { refusalCode } from '../agents/errors.js';
import type { Next } from './controller.js';
import { LEADER_TIMINGS } from './timings.js';
import type { ControllerContext } from './context.js';
import { errorText } from '../../proto/common/errors.js';
import { renderApiserverManifest, renderControllerManagerManifest, renderSchedulerManifest } from '../controlplane/render.js';
import { deployStatus, planApiserverRestart, planMasterDeploy, readyMasters, type MasterRecord, type StaleApiserver } from '../controlplane/deploy-plan.js';

/**
 * The leader's first deployment of the control plane, master by master, as
 * `kubeadm join --control-plane` does it: once a master is a voting etcd
 * member, it gets the shared PKI (cluster CA, front-proxy CA, service-account
 * keys, kept in etcd) and its own serving and client certificates and
 * kubeconfigs, its balancer's config, and then the static pods it lacks:
 * haproxy (static-pod mode), kube-apiserver, kube-controller-manager,
 * kube-scheduler. A manifest already there is never touched here: changing
 * one is a rollout's job (one master at a time, behind the balancer).
 */

export interface ControlPlaneDeps extends ControllerContext {
  intervalMs?: number;
  /**
   * Starts `belayctl rollout restart apiserver`'s rollout (the leader's rollout runner); throws
   * ROLLOUT_IN_PROGRESS while another runs. Absent: stale served certificates are only logged.
   */
  restartApiservers?: (reason: string) => Promise<void>;
}

export class ControlPlaneReconciler {
  private readonly fenced: FencedWriter;
  private pki: ControlPlanePki | undefined;
  private readonly failures = new Map<string, string>();
  /** Masters whose running apiserver may serve an older certificate than its file: all at first, then each reissued. */
  private servingToCheck: Set<string> | undefined;
  /** master → the SANs (sha) an automatic restart was started for: never twice for the same, lest a restart that does not help loop. */
  private readonly restartedFor = new Map<string, string>();
  /** What the external haproxy was last brought in step with (spec masters, socket, options), by this leader. */
  private externalSynced: string | undefined;
  private externalError = '';

  constructor(private readonly d: ControlPlaneDeps) {
    this.fenced = new FencedWriter(d.cluster, d.term);
  }

  readonly name = 'control-plane';

  async reconcile(): Promise<Next> {
    await this.pass();
    return { afterMs: this.d.intervalMs ?? LEADER_TIMINGS.controlPlane.passMs };
  }

  failed(): Next {
    return { afterMs: this.d.intervalMs ?? LEADER_TIMINGS.controlPlane.passMs };
  }

  /** Masters whose control plane may be deployed: alive in gossip and a started voting etcd member. */
  async ready(spec: ClusterSpec): Promise<string[]> {
    const { members } = await this.d.observe();
    if (!members) throw new Error('cannot read the etcd member list');
    const masters = spec.spec.masters.map((m) => ({ name: m.name, peerUrl: peerUrl(spec, m.name) }));
    const voters = new Set(
      members
        .filter((m) => !m.isLearner && m.name)
        .map((m) => masterOf(m, masters))
        .filter((n): n is string => n !== undefined),
    );
    const alive = new Set(
      this.d
        .gossip()
        .filter((g) => g.state === 'alive')
        .map((g) => g.name),
    );
    return readyMasters(
      spec.spec.masters.map((m) => m.name),
      voters,
      alive,
    );
  }

  async pass(): Promise<void> {
    const spec = this.d.spec();
    if (!spec.spec.controlPlane.enabled) return;
    const masters = await this.ready(spec);
    if (masters.length === 0) return;
    const pki = await this.sharedPki(spec);
    // A new leader does not know what the last one reissued: every apiserver is looked at once.
    this.servingToCheck ??= new Set(spec.spec.masters.map((m) => m.name));
    let failedNow = false;
    for (const master of masters) {
      this.checkLeading();
      try {
        await this.deploy(spec, pki, master);
        this.failures.delete(master);
      } catch (err) {
        failedNow = true;
        const line = `control plane on ${master}: ${errorText(err).split('\n')[0] ?? ''}`;
        if (this.failures.get(master) !== line) this.d.log.warn('control-plane deploy failed', { master, err: errorText(err) });
        this.failures.set(master, line);
        this.d.setStatus(line);
      }
    }
    await this.syncExternalBalancer(spec).then(
      () => (this.externalError = ''),
      (err: unknown) => {
        // Looked at again next pass; said once.
        const text = errorText(err);
        if (text !== this.externalError) this.d.log.warn('cannot bring the external haproxy in step with the masters', { err: text });
        this.externalError = text;
      },
    );
    await this.restartStaleApiservers(spec, pki, masters);
    const line = deployStatus({ specMasters: spec.spec.masters.map((m) => m.name), ready: masters, failedNow, failing: this.failures.size });
    if (line) this.d.setStatus(line);
  }

  private checkLeading(): void {
    if (this.d.signal.aborted) throw new Error('leadership lost: stopping');
  }

  /** The shared PKI from etcd, made once by the first leader that needs it (a create-if-absent write, fenced). */
  private async sharedPki(spec: ClusterSpec): Promise<ControlPlanePki> {
    if (this.pki) return this.pki;
    let text = await this.d.cluster.kv.get(ETCD_KEYS.controlPlanePki).string();
    if (!text) {
      const made = await createControlPlanePki(spec.metadata.name);
      const res = await this.d.cluster.kv
        .if(ETCD_KEYS.leader, 'Create', '==', this.d.term)
        .and(ETCD_KEYS.controlPlanePki, 'Create', '==', 0)
        .then(this.d.cluster.kv.put(ETCD_KEYS.controlPlanePki).value(JSON.stringify(toStored(made))))
        .commit();
      if (res.succeeded) this.d.log.info('control-plane PKI created', { cluster: spec.metadata.name });
      text = await this.d.cluster.kv.get(ETCD_KEYS.controlPlanePki).string();
      if (!text) throw new Error(`the control-plane PKI could not be stored in etcd (${ETCD_KEYS.controlPlanePki})`);
    }
    this.pki = await sharedPkiFromFiles(JSON.parse(text) as Record<string, string>);
    return this.pki;
  }

  /** The master's haproxy's servers made the spec's masters (added checked and READY; removed once drained of sessions). */
  private async syncBalancer(spec: ClusterSpec, master: string, agent: AgentApi): Promise<void> {
    const res = await agent.SyncBalancerServers({
      socket: '',
      backend: BACKEND,
      servers: backendServers(spec),
      serverOptions: backendServerOptions(spec),
      requestedBy: 'leader',
      term: this.d.term,
    });
    const line = syncSummary(res);
    if (line) this.d.log.info('balancer servers synced', { master, changes: line });
    // Not recorded as done while a removed server still has sessions: the next pass tries the delete again.
    if (res.pending.length > 0) throw new Error(`haproxy on ${master}: ${res.pending.join(', ')} still has sessions; deleted on a later pass`);
  }

  /**
   * After a master joins, every other apiserver's certificate is reissued with its address (any balancer
   * sends clients to any apiserver), but a running kube-apiserver serves the one it read at start: clients
   * dialing the new master's balancer fail TLS verification on 2 in 3 requests. The leader looks at what
   * each apiserver serves and, when one lacks a SAN its master's certificate now has, restarts them all
   * the careful way (`belayctl rollout restart apiserver`: one master at a time behind the balancers).
   */
  private async restartStaleApiservers(spec: ClusterSpec, pki: ControlPlanePki, masters: string[]): Promise<void> {
    const toCheck = this.servingToCheck;
    if (!toCheck || toCheck.size === 0) return;
    const stale: StaleApiserver[] = [];
    for (const master of [...toCheck]) {
      const m = specMaster(spec, master);
      if (!m) {
        toCheck.delete(master);
        continue;
      }
      // Not running or not ready yet: looked at on a later pass.
      const pod = this.d.report(master)?.manifests.find((x) => x.file === 'kube-apiserver.yaml');
      if (!masters.includes(master) || !pod?.podReady) continue;
      const pem = await servedCertificate(m.address, spec.spec.apiserver.securePort);
      if (!pem) continue;
      const lacks = await servedApiserverLacks(pem, pki.ca.certPem, spec, m);
      if (lacks.length === 0) {
        toCheck.delete(master);
        continue;
      }
      stale.push({ master, lacks: lacks.map((l) => l.san), sans: sha256(JSON.stringify(apiserverSans(spec, m))) });
    }
    const allReady = spec.spec.masters.every((m) => this.d.report(m.name)?.manifests.find((x) => x.file === 'kube-apiserver.yaml')?.podReady);
    const plan = planApiserverRestart({ stale, restartedFor: this.restartedFor, allReady, canRestart: this.d.restartApiservers !== undefined });
    if (plan.kind === 'give-up') {
      for (const s of plan.stale) toCheck.delete(s.master);
      this.d.log.warn('apiservers still serve certificates without SANs after a restart', {
        masters: plan.stale.map((s) => `${s.master} lacks ${s.lacks.join(', ')}`),
        hint: 'belayctl pki check; belayctl pki issue apiserver --node NAME',
      });
      return;
    }
    if (plan.kind !== 'restart' || !this.d.restartApiservers) return;
    const { fresh, reason } = plan;
    try {
      await this.d.restartApiservers(reason);
    } catch (err) {
      // Another rollout runs: this one starts after it (its restart may already serve the new certificates).
      if (refusalCode(err) === 'ROLLOUT_IN_PROGRESS' || refusalCode(err) === 'ROLLOUT_NO_MANIFEST') return;
      throw err;
    }
    for (const s of fresh) this.restartedFor.set(s.master, s.sans);
    this.d.log.info('apiserver restart started: served certificates are older than their files', { reason });
    this.d.setStatus(`restarting the apiservers one by one: ${reason}`);
  }

  /**
   * External mode: the operator's haproxy, reached through runtimeApi, gets a server for every master in
   * the spec, as belay's own haproxies do (added at run time, checked, READY once /readyz passes): a
   * joining master's apiserver takes traffic without the operator's help. Only added, never removed (it
   * may serve more than the masters), and its haproxy.cfg is the operator's: a warning says what to write
   * there, or its next reload undoes the change.
   */
  private async syncExternalBalancer(spec: ClusterSpec): Promise<void> {
    const lb = spec.spec.loadBalancer;
    if (lb.mode !== 'external' || !lb.runtimeApi) return;
    const { master, socket } = lb.runtimeApi;
    const wanted = backendServers(spec);
    const options = backendServerOptions(spec);
    const key = sha256(JSON.stringify({ wanted, master, socket, options }));
    if (this.externalSynced === key) return;
    const agent = this.agentOf(master);
    const res = await agent.SyncBalancerServers({
      socket,
      backend: BACKEND,
      servers: wanted,
      serverOptions: options,
      requestedBy: 'leader',
      term: this.d.term,
      addOnly: true,
    });
    this.externalSynced = key;
    if (res.added.length === 0) return;
    const lines = res.added.map((n) => `server ${n} ${wanted[n] ?? ''} ${options}`);
    this.d.log.warn('servers added to the external haproxy at run time', {
      via: master,
      socket,
      added: res.added,
      hint: `add to backend ${BACKEND} in its haproxy.cfg: ${lines.join('; ')} (a reload would drop them)`,
    });
    this.d.setStatus(`external haproxy (via ${master}): added ${res.added.join(', ')} at run time; add them to its haproxy.cfg too`);
  }

  private agentOf(master: string): AgentApi {
    const a = this.d.agent(master);
    if (!a) throw new Error(`no agent client for ${master}`);
    return a;
  }

  /** One master's deploy: observe, plan (deploy-plan.ts), act in the plan's order. */
  private async deploy(spec: ClusterSpec, pki: ControlPlanePki, master: string): Promise<void> {
    const m = specMaster(spec, master);
    if (!m) return;
    const report = this.d.report(master);
    if (!report) throw new Error(`no report from ${master}'s agent yet`);
    const root = report.root || '/';
    const staticPodLb = spec.spec.loadBalancer.mode === 'static-pod';

    const sansSha256 = sha256(JSON.stringify(apiserverSans(spec, m)));
    const haproxyCfg = staticPodLb ? renderHaproxyConfig({ spec, master, root }) : '';
    const haproxyCfgSha256 = sha256(haproxyCfg);
    const recordKey = ETCD_KEYS.controlPlaneMaster + master;
    const recorded = (await this.d.cluster.kv
      .get(recordKey)
      .json()
      .catch(() => null)) as MasterRecord | null;
    const agent = this.agentOf(master);
    const write = (dir: string, files: { path: string; content: string; mode: number }[]): Promise<unknown> =>
      agent.WritePki({ dir, files, requestedBy: 'leader', term: this.d.term });

    const actions = planMasterDeploy({
      staticPodBalancer: staticPodLb,
      present: report.manifests.map((x) => x.file),
      recorded: recorded ?? undefined,
      sansSha256,
      haproxyCfgSha256,
    });
    for (const action of actions) {
      switch (action.kind) {
        case 'issue-certificates': {
          this.d.setStatus(`control plane on ${master}: issuing its certificates and kubeconfigs`);
          const own = await masterControlPlaneFiles(pki, spec, master);
          await write('pki', [...sharedFiles(pki), ...own.pki]);
          await write('kubernetes', own.kubeconfigs);
          if (action.recheckServing) this.servingToCheck?.add(master);
          break;
        }
        case 'write-haproxy-config':
          await write('haproxy', [{ path: 'haproxy.cfg', content: haproxyCfg, mode: 0o644 }]);
          break;
        case 'sync-balancer':
          await this.syncBalancer(spec, master, agent);
          break;
        case 'record':
          this.checkLeading();
          await this.fenced.put(recordKey, JSON.stringify({ sansSha256, haproxyCfgSha256, issuedAtMs: Date.now() } satisfies MasterRecord));
          break;
        case 'start-pods':
          this.d.setStatus(`control plane on ${master}: starting ${action.files.join(', ')}`);
          for (const file of action.files) {
            this.checkLeading();
            const content = render(file, { spec, master, root, haproxyCfgSha256 });
            try {
              await agent.ApplyManifest({ file, content, force: false, requestedBy: 'leader', term: this.d.term });
            } catch (err) {
              // Written by someone else since the report: theirs stands; a rollout changes it, not this.
              if (refusalCode(err) === 'MANIFEST_DRIFTED') continue;
              throw err;
            }
            this.d.log.info('control-plane pod started', { master, file });
          }
          break;
      }
    }
  }
}

function render(file: string, i: { spec: ClusterSpec; master: string; root: string; haproxyCfgSha256: string }): string {
  switch (file) {
    case HAPROXY_MANIFEST_FILE:
      return renderHaproxyManifest({ spec: i.spec, master: i.master, root: i.root, configSha256: i.haproxyCfgSha256 });
    case 'kube-apiserver.yaml':
      return renderApiserverManifest(i);
    case 'kube-controller-manager.yaml':
      return renderControllerManagerManifest(i);
    case 'kube-scheduler.yaml':
      return renderSchedulerManifest(i);
    default:
      throw new Error(`no renderer for ${file}`);
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
