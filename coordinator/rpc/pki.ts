import { OperatorError } from '../../proto/common/errors.js';
import { unary } from '../../proto/common/handlers.js';
import type { CoordinatorHandlers } from '../../proto/gen/belay/v1/Coordinator.js';
import type { PkiCheckResponse } from '../../proto/gen/belay/v1/PkiCheckResponse.js';
import type { ReadPkiResponse__Output } from '../../proto/gen/belay/v1/ReadPkiResponse.js';
import { type ClusterSpec, type SpecMaster } from '../cluster/spec.js';
import { specMaster } from '../cluster/spec-fields.js';
import { ETCD_KEYS } from '../cluster/etcd-keys.js';
import { shortError, type EtcdCluster } from '../etcd/client.js';
import { etcdPkiFor, loadEtcdCa } from '../etcd/pki.js';
import { masterOf } from '../etcd/plan.js';
import { peerUrl } from '../etcd/render.js';
import { checkMasterPki, PKI_CHECK_DEFAULTS, type MasterPkiCheck, type PublicPkiFile } from '../pki/check.js';
import { servedCertificate } from '../pki/served.js';
import { apiserverSans, masterControlPlaneFiles, sharedPkiFromFiles, type ControlPlanePki } from '../pki/control-plane.js';
import type { ClusterHandlerDeps } from './deps.js';
import { leaderRelay, type ProgressLine } from './leader-relay.js';

type PkiHandlers = Pick<CoordinatorHandlers, 'PkiCheck' | 'PkiIssue'>;

export type PkiIssueTarget = 'apiserver' | 'kubeconfigs' | 'etcd';
export const PKI_ISSUE_TARGETS: readonly PkiIssueTarget[] = ['apiserver', 'kubeconfigs', 'etcd'];

export type PkiHandlerDeps = Pick<ClusterHandlerDeps, 'node' | 'local' | 'etcd' | 'gossip' | 'agent' | 'log' | 'caller'>;

/**
 * `belayctl pki check` and `pki issue` over gRPC. A check runs on any
 * coordinator: it reads the CA certificates from etcd with this
 * coordinator's own client and each master's public PKI through its agent
 * (no private key crosses the network for it). Issuing runs on the leader
 * (relayed there), in turn with its reconcile passes, and writes through
 * the agent with the leader's term, like every other leader write.
 */
export function pkiHandlers(d: PkiHandlerDeps): PkiHandlers {
  const ctx = { node: d.node, log: d.log };
  const { onLeader } = leaderRelay(d);

  const specOf = (): ClusterSpec => {
    const spec = d.local.read()?.spec;
    if (!spec)
      throw new OperatorError({
        code: 'NO_SPEC',
        message: 'no Cluster spec yet: there are no masters to check',
        hint: 'belayctl apply -f cluster.yaml, then belayctl bootstrap --node NAME',
      });
    return spec;
  };
  const masterOfSpec = (spec: ClusterSpec, name: string): SpecMaster => {
    const m = specMaster(spec, name);
    if (!m)
      throw new OperatorError({
        code: 'NOT_IN_SPEC',
        message: `${name} is not a master of the spec (masters: ${spec.spec.masters.map((x) => x.name).join(', ')})`,
        hint: 'give one of the masters the spec lists (belayctl get cluster)',
      });
    return m;
  };
  const clientOf = (): EtcdCluster => {
    const cluster = d.etcd.client();
    if (!cluster)
      throw new OperatorError({
        code: 'NO_ETCD_CLIENT',
        message: `${d.node} has no etcd client (no etcd yet, or no etcd client certificate here): the cluster's CAs are kept in etcd`,
        hint: 'bootstrap etcd first (belayctl bootstrap --node NAME), or ask another coordinator with --endpoint',
        retryable: true,
      });
    return cluster;
  };
  /** The etcd members among the masters, or undefined when etcd cannot say. */
  const etcdMembers = async (cluster: EtcdCluster, spec: ClusterSpec): Promise<Set<string> | undefined> => {
    try {
      const masters = spec.spec.masters.map((m) => ({ name: m.name, peerUrl: peerUrl(spec, m.name) }));
      return new Set((await cluster.members()).map((m) => masterOf(m, masters)).filter((n): n is string => n !== undefined));
    } catch {
      return undefined;
    }
  };

  return {
    PkiCheck: unary(ctx, 'PkiCheck', async (request): Promise<PkiCheckResponse> => {
      const { node, warnDays } = request;
      const spec = specOf();
      const masters = node ? [masterOfSpec(spec, node)] : spec.spec.masters;
      const cluster = clientOf();
      const trusted = await trustedCas(cluster);
      const members = await etcdMembers(cluster, spec);
      const now = new Date();
      const results = await Promise.all(
        masters.map(async (m): Promise<{ name: string; findings?: Awaited<ReturnType<typeof checkMasterPki>>; unreachable?: string }> => {
          const agent = d.agent(m.name);
          if (!agent) return { name: m.name, unreachable: `${m.name}: no agent address known for it` };
          let res: ReadPkiResponse__Output;
          try {
            res = await agent.ReadPki({});
          } catch (err) {
            return { name: m.name, unreachable: `${m.name}: ${(err instanceof OperatorError ? err.message : shortError(err)).trim()}` };
          }
          const files: Record<string, PublicPkiFile> = Object.fromEntries(
            res.files.map((f) => [f.path, { content: f.content, publicKeySha256: f.publicKeySha256, error: f.error }]),
          );
          // Without etcd's member list, a master holding an etcd server certificate is taken for a member.
          const etcdMember = members ? members.has(m.name) : files['pki/etcd/server.crt'] !== undefined || files['pki/etcd/peer.crt'] !== undefined;
          const served = spec.spec.controlPlane.enabled ? await servedCertificate(m.address, spec.spec.apiserver.securePort) : undefined;
          const input: MasterPkiCheck = {
            spec,
            master: m.name,
            files,
            trusted,
            now,
            warnDays: warnDays || PKI_CHECK_DEFAULTS.warnDays,
            etcdMember,
            servedApiserverPem: served,
          };
          return { name: m.name, findings: await checkMasterPki(input) };
        }),
      );
      const unreachable = results.flatMap((r) => (r.unreachable ? [r.unreachable] : []));
      if (unreachable.length > 0) d.log.warn('pki check: masters not reached', { unreachable });
      return {
        findings: results.flatMap((r) =>
          (r.findings ?? []).map((f) => ({
            master: f.master,
            file: f.file,
            severity: f.severity,
            message: f.message,
            fix: f.fix,
            ...(f.daysLeft === undefined ? {} : { daysLeft: f.daysLeft }),
          })),
        ),
        checked: results.filter((r) => r.findings).map((r) => r.name),
        unreachable,
      };
    }),

    PkiIssue(call) {
      const { target, node, dryRun } = call.request;
      const by = d.caller(call);
      onLeader('PkiIssue', call, async (progress) => {
        if (!isTarget(target))
          throw new OperatorError({
            code: 'PKI_BAD_TARGET',
            message: `cannot issue "${target}": the targets are ${PKI_ISSUE_TARGETS.join(', ')}`,
            hint: 'belayctl pki issue --help says what each writes',
          });
        const spec = specOf();
        const master = masterOfSpec(spec, node);
        const cluster = clientOf();
        const term = d.etcd.term;
        if (!d.etcd.leaderReconciler() || term <= 0)
          throw new OperatorError({ code: 'NO_LEADER', message: 'this coordinator stopped leading', hint: 'retry', retryable: true });
        const plan = await planIssue(target, spec, master, cluster, await etcdMembers(cluster, spec), progress);
        for (const w of plan.writes) progress(dryRun ? 'plan' : 'issue', `${dryRun ? 'issue' : 'issued'} ${w.what}`, dryRun);
        if (dryRun) {
          for (const w of plan.writes)
            progress(
              'plan',
              `write ${w.files.map((f) => `${w.dir === 'kubernetes' ? '' : 'pki/'}${f.path}`).join(', ')} on ${master.name} through its agent`,
              true,
            );
          progress('plan', plan.after, true);
          return 'dry run: nothing was changed';
        }
        const agent = d.agent(master.name);
        if (!agent)
          throw new OperatorError({
            code: 'AGENT_UNREACHABLE',
            message: `no agent address known for ${master.name}`,
            hint: 'belayctl status shows whether its agent reports',
            retryable: true,
          });
        const written: string[] = [];
        for (const w of plan.writes) {
          const res = await agent.WritePki({ dir: w.dir, files: w.files, requestedBy: by, term });
          written.push(...res.written);
          progress('write', `wrote ${res.written.join(', ') || 'nothing (the files were already these)'} on ${master.name}`);
        }
        d.log.info('pki issued', { node: master.name, target, by, paths: written });
        return { message: `${plan.done}. ${plan.after}`, result: { node: master.name, target, written } };
      });
    },
  };
}

function isTarget(t: string): t is PkiIssueTarget {
  return (PKI_ISSUE_TARGETS as readonly string[]).includes(t);
}

/** What the master's files must agree with: the cluster's CA certificates (never their keys) and sa.pub, as kept in etcd. */
async function trustedCas(cluster: EtcdCluster): Promise<MasterPkiCheck['trusted']> {
  let shared: string | null;
  let etcdCa: string | null;
  try {
    [shared, etcdCa] = await Promise.all([cluster.kv.get(ETCD_KEYS.controlPlanePki).string(), cluster.kv.get(ETCD_KEYS.etcdCa).string()]);
  } catch (err) {
    throw new OperatorError({
      code: 'ETCD_UNAVAILABLE',
      message: `cannot read the cluster's CAs from etcd: ${shortError(err)}`,
      hint: 'retry once etcd answers (belayctl status)',
      retryable: true,
    });
  }
  if (!etcdCa)
    throw new OperatorError({
      code: 'PKI_NOT_IN_ETCD',
      message: `the etcd CA is missing from etcd (${ETCD_KEYS.etcdCa})`,
      hint: 'was the cluster bootstrapped by belay? belayctl status shows etcd',
    });
  if (!shared) {
    throw new OperatorError({
      code: 'PKI_NOT_IN_ETCD',
      message: `there is no control-plane PKI in etcd yet (${ETCD_KEYS.controlPlanePki})`,
      hint: 'the leader makes it when it deploys the control plane (spec.controlPlane.enabled): belayctl status shows its progress',
      retryable: true,
    });
  }
  const files = JSON.parse(shared) as Record<string, string | undefined>;
  const ca = (JSON.parse(etcdCa) as { certPem?: string }).certPem;
  return {
    caPem: files['ca.crt'] ?? '',
    frontProxyCaPem: files['front-proxy-ca.crt'] ?? '',
    etcdCaPem: ca ?? '',
    ...(files['sa.pub'] ? { serviceAccountPublicKeyPem: files['sa.pub'] } : {}),
  };
}

/** The shared control-plane PKI with its keys, for issuing; only ever on the leader. */
async function sharedPki(cluster: EtcdCluster): Promise<ControlPlanePki> {
  const text = await cluster.kv.get(ETCD_KEYS.controlPlanePki).string();
  if (!text)
    throw new OperatorError({
      code: 'PKI_NOT_IN_ETCD',
      message: `there is no control-plane PKI in etcd yet (${ETCD_KEYS.controlPlanePki}): nothing to issue from`,
      hint: 'the leader makes it when it deploys the control plane (spec.controlPlane.enabled): belayctl status shows its progress',
      retryable: true,
    });
  return sharedPkiFromFiles(JSON.parse(text) as Record<string, string>);
}

interface IssuePlan {
  writes: { dir: 'pki' | 'kubernetes'; what: string; files: { path: string; content: string; mode: number }[] }[];
  /** What was done, once written. */
  done: string;
  /** What the operator must do for the files to be used. */
  after: string;
}

async function planIssue(
  target: PkiIssueTarget,
  spec: ClusterSpec,
  master: SpecMaster,
  cluster: EtcdCluster,
  members: Set<string> | undefined,
  progress: ProgressLine,
): Promise<IssuePlan> {
  const name = master.name;
  switch (target) {
    case 'apiserver': {
      progress('ca', 'reading the cluster CA from etcd');
      const own = await masterControlPlaneFiles(await sharedPki(cluster), spec, name);
      const files = own.pki.filter((f) => f.path === 'apiserver.crt' || f.path === 'apiserver.key');
      const sans = apiserverSans(spec, master);
      return {
        writes: [{ dir: 'pki', what: `pki/apiserver.crt and a new key for ${name}, with SANs ${[...sans.dnsNames, ...sans.ipAddresses].join(', ')}`, files }],
        done: `${name} has a new apiserver certificate`,
        after: `kube-apiserver on ${name} loads its certificate only when it starts: restart it with a rollout of the apiserver (belayctl rollout restart apiserver: one master at a time, behind the balancers) for it to serve the new one`,
      };
    }
    case 'kubeconfigs': {
      progress('ca', 'reading the cluster CA from etcd');
      const own = await masterControlPlaneFiles(await sharedPki(cluster), spec, name);
      return {
        writes: [
          {
            dir: 'kubernetes',
            what: `${own.kubeconfigs.map((k) => k.path).join(', ')} for ${name}, each with a new client certificate and key`,
            files: own.kubeconfigs,
          },
        ],
        done: `${name} has new kubeconfigs`,
        after: `kube-scheduler and kube-controller-manager on ${name} read their kubeconfig only when they start: restart them with a rollout of the scheduler and of the controller-manager; admin.conf is read by each kubectl run`,
      };
    }
    case 'etcd': {
      progress('ca', 'reading the etcd CA from etcd');
      if (!members)
        throw new OperatorError({
          code: 'ETCD_UNAVAILABLE',
          message: `cannot tell whether ${name} is an etcd member: etcd's member list cannot be read`,
          hint: 'retry once etcd answers (belayctl etcd members)',
          retryable: true,
        });
      const kind = members.has(name) ? 'member' : 'client';
      const files = (await etcdPkiFor(await loadEtcdCa(cluster), master, kind)).map((f) => ({
        path: f.path ?? '',
        content: f.content ?? '',
        mode: f.mode ?? 0,
      }));
      return {
        writes: [
          {
            dir: 'pki',
            what: `${kind === 'member' ? "the etcd member's server, peer and client" : 'the etcd client (not a member)'} certificates of ${name}: ${files
              .filter((f) => f.path.endsWith('.crt'))
              .map((f) => `pki/${f.path}`)
              .join(', ')}`,
            files,
          },
        ],
        done: `${name} has new etcd ${kind} certificates`,
        after: `etcd reads its certificates at each new connection; kube-apiserver on ${name} reads apiserver-etcd-client only when it starts: restart it with a rollout of the apiserver (belayctl rollout restart apiserver)`,
      };
    }
  }
}
