import { HAPROXY_MANIFEST_FILE } from '../balancer/haproxy-manifest.js';

/**
 * The control-plane deploy's decisions (deploy.ts is the shell): which
 * masters are ready for their control plane, what to issue, write, sync and
 * start on one master and in which order, when to restart the apiservers
 * for certificates they do not serve yet, and the status line. Pure:
 * observations in (hashes computed by the shell), decisions out; tested case
 * by case in test/coordinator/controlplane/deploy-plan.test.ts.
 */

/** The static pods of the control plane, in the order they are started. */
export const CONTROL_PLANE_MANIFESTS = ['kube-apiserver.yaml', 'kube-controller-manager.yaml', 'kube-scheduler.yaml'] as const;

/** Masters whose control plane may be deployed, in spec order: alive in gossip and a started voting etcd member. */
export function readyMasters(specMasters: readonly string[], voters: ReadonlySet<string>, alive: ReadonlySet<string>): string[] {
  return specMasters.filter((n) => voters.has(n) && alive.has(n));
}

/** What the leader recorded of a master's control-plane files (kept in etcd). */
export interface MasterRecord {
  /** sha256 of the apiserver SANs the certificates were issued for: a change (a balancer address added) reissues them. */
  sansSha256: string;
  /** sha256 of the haproxy.cfg written (static-pod mode). */
  haproxyCfgSha256: string;
  issuedAtMs: number;
}

export interface MasterDeployObservation {
  /** spec.loadBalancer.mode is static-pod: belay runs haproxy on every master. */
  staticPodBalancer: boolean;
  /** The manifest files its agent reports. */
  present: readonly string[];
  recorded: Pick<MasterRecord, 'sansSha256' | 'haproxyCfgSha256'> | undefined;
  /** What the spec asks now. */
  sansSha256: string;
  haproxyCfgSha256: string;
}

export type DeployAction =
  /**
   * Write the shared PKI, its own certificates and kubeconfigs. `recheckServing`: kube-apiserver reads its
   * certificate at start only, so a running one serves the old one until restarted: look at what it serves.
   */
  | { kind: 'issue-certificates'; recheckServing: boolean }
  | { kind: 'write-haproxy-config' }
  /**
   * haproxy reads its config at start only: a running one gets the new servers (a master joined or was
   * removed) through its runtime API, without a restart that would drop its connections.
   */
  | { kind: 'sync-balancer' }
  | { kind: 'record' }
  /** Start the static pods it lacks, in this order; one already there is never touched (that is a rollout's job). */
  | { kind: 'start-pods'; files: string[] };

/** One master's deploy, in order. */
export function planMasterDeploy(o: MasterDeployObservation): DeployAction[] {
  const present = new Set(o.present);
  const actions: DeployAction[] = [];
  const sansChanged = !o.recorded || o.recorded.sansSha256 !== o.sansSha256;
  const cfgChanged = o.recorded?.haproxyCfgSha256 !== o.haproxyCfgSha256;
  if (sansChanged) actions.push({ kind: 'issue-certificates', recheckServing: present.has('kube-apiserver.yaml') });
  if (o.staticPodBalancer && cfgChanged) {
    actions.push({ kind: 'write-haproxy-config' });
    if (o.recorded && present.has(HAPROXY_MANIFEST_FILE)) actions.push({ kind: 'sync-balancer' });
  }
  if (sansChanged || cfgChanged) actions.push({ kind: 'record' });
  const wanted = [...(o.staticPodBalancer ? [HAPROXY_MANIFEST_FILE] : []), ...CONTROL_PLANE_MANIFESTS];
  const missing = wanted.filter((f) => !present.has(f));
  if (missing.length > 0) actions.push({ kind: 'start-pods', files: missing });
  return actions;
}

/** An apiserver that serves a certificate without SANs its file now has. */
export interface StaleApiserver {
  master: string;
  lacks: string[];
  /** sha256 of the SANs its certificate was issued for. */
  sans: string;
}

export type ApiserverRestart =
  | { kind: 'none' }
  /** Restarted once for these SANs and still served without them: not a restart's to fix; stop looking and warn. */
  | { kind: 'give-up'; stale: StaleApiserver[] }
  | { kind: 'restart'; fresh: StaleApiserver[]; reason: string };

/**
 * Whether to restart the apiservers (the careful way: a rollout, one master at a time) for certificates
 * they do not serve yet. `restartedFor`: master → the SANs a restart was already started for (never
 * twice for the same, lest a restart that does not help loop); `allReady`: every master's apiserver is
 * ready (a master still coming up, the one that joined, is waited for: the restart goes through all).
 */
export function planApiserverRestart(i: {
  stale: readonly StaleApiserver[];
  restartedFor: ReadonlyMap<string, string>;
  allReady: boolean;
  canRestart: boolean;
}): ApiserverRestart {
  const fresh = i.stale.filter((s) => i.restartedFor.get(s.master) !== s.sans);
  if (i.stale.length > 0 && fresh.length === 0) return { kind: 'give-up', stale: [...i.stale] };
  if (fresh.length === 0 || !i.canRestart || !i.allReady) return { kind: 'none' };
  const reason = `certificates reissued: ${fresh.map((s) => `${s.master}'s apiserver serves one without ${s.lacks.join(', ')}`).join('; ')}`;
  return { kind: 'restart', fresh, reason };
}

/**
 * The status line after a pass, or undefined while a master's failure is the line. `failedNow`: a
 * master failed in this pass; `failing`: masters whose last deploy failed (this pass or an earlier one).
 */
export function deployStatus(i: { specMasters: readonly string[]; ready: readonly string[]; failedNow: boolean; failing: number }): string | undefined {
  if (i.ready.length === i.specMasters.length && !i.failedNow) return `every master (${i.ready.length}) has its control-plane pods`;
  if (i.failing > 0) return undefined;
  return `control plane on ${i.ready.join(', ')}; waiting for ${i.specMasters.filter((n) => !i.ready.includes(n)).join(', ')} to be etcd voters`;
}
