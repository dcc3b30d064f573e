import net from 'node:net';
import { OperatorError } from '../../proto/common/errors.js';
import type { HostReport__Output } from '../../proto/gen/belay/v1/HostReport.js';
import { caFromPem, issueCert, type Ca } from '../pki/ca.js';
import { createEtcdCa } from '../pki/etcd.js';
import { formatClusterSpec, type ClusterSpec } from '../cluster/spec.js';
import { specMaster } from '../cluster/spec-fields.js';
import { ETCD_KEYS } from '../cluster/etcd-keys.js';
import type { LocalClusterStore } from '../cluster/store.js';
import type { AgentApi } from '../agents/client.js';
import { EtcdCluster, shortError } from './client.js';
import { preflight, preflightFailure } from './preflight.js';
import { etcdPkiFor, storeEtcdCa } from './pki.js';
import { clientUrl, peerUrl, renderEtcdManifest } from './render.js';

/**
 * `belayctl bootstrap --node NAME`: the only way an etcd cluster is created,
 * explicit and on one master. Refused when any etcd of the spec's masters
 * answers, or when another master already has an etcd.yaml: a second
 * "new" cluster beside a live one is how data gets lost.
 */

export interface BootstrapDeps {
  me: string;
  local: LocalClusterStore;
  agent: (master: string) => AgentApi | undefined;
  requestedBy: string;
  progress(step: string, message: string, planned?: boolean): void;
  /** How long a failing preflight is looked at again before bootstrap gives up, ms (default 30 s). */
  preflightWaitMs?: number;
  /** How long to wait for the new member to be healthy, ms. */
  healthyTimeoutMs?: number;
}

function answers(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

async function report(agent: AgentApi): Promise<{ report: HostReport__Output; askedAtMs: number; answeredAtMs: number }> {
  const askedAtMs = Date.now();
  const r = await agent.GetReport({ refresh: true });
  return { report: r, askedAtMs, answeredAtMs: Date.now() };
}

export async function bootstrapEtcd(d: BootstrapDeps, node: string, dryRun: boolean): Promise<void> {
  const local = d.local.read();
  if (!local) throw new OperatorError({ code: 'NO_SPEC', message: 'there is no Cluster spec to bootstrap from', hint: 'belayctl apply -f cluster.yaml first' });
  const spec = local.spec;
  const m = specMaster(spec, node);
  if (!m)
    throw new OperatorError({
      code: 'NOT_IN_SPEC',
      message: `${node} is not a master of the spec (masters: ${spec.spec.masters.map((x) => x.name).join(', ')})`,
      hint: 'bootstrap on one of them, or add it to the spec first',
    });
  const agent = d.agent(node);
  if (!agent) throw new OperatorError({ code: 'NO_SUCH_NODE', message: `no agent known for ${node}`, hint: 'its coordinator config must list it under nodes' });

  d.progress('check', 'looking for an existing etcd of this cluster');
  const answering: typeof spec.spec.masters = [];
  for (const x of spec.spec.masters) if (await answers(x.address, spec.spec.etcd.clientPort)) answering.push(x);
  // A bootstrap that gave up waiting while etcd was still starting: finish it rather than refuse it.
  if (answering.length === 1 && answering[0]?.name === node && !dryRun && (await finishEarlierBootstrap(d, spec, node, local.appliedAtMs))) return;
  const x = answering[0];
  if (x) {
    throw new OperatorError({
      code: 'ETCD_EXISTS',
      message: `refusing to bootstrap: something already answers on ${x.name}'s etcd client port (${x.address}:${spec.spec.etcd.clientPort}), so a cluster may exist and a new one would split it`,
      hint: 'belayctl etcd members shows the cluster; to start over from a backup use belayctl etcd restore',
      unsafe: true,
    });
  }
  const reports = new Map<string, Awaited<ReturnType<typeof report>>>();
  for (const x of spec.spec.masters) {
    const a = d.agent(x.name);
    if (!a) continue;
    try {
      reports.set(x.name, await report(a));
    } catch (err) {
      if (x.name === node)
        throw new OperatorError({
          code: 'AGENT_UNREACHABLE',
          message: `cannot reach the agent of ${node}: ${shortError(err)}`,
          hint: `is belay-agent running on ${node}?`,
          retryable: true,
        });
      d.progress('check', `${x.name}'s agent does not answer (${shortError(err)}): it gets its certificates when it joins`);
    }
  }
  for (const [name, r] of reports) {
    if (name !== node && r.report.manifests.some((f) => f.file === 'etcd.yaml')) {
      throw new OperatorError({
        code: 'ETCD_EXISTS',
        message: `refusing to bootstrap on ${node}: ${name} already has an etcd.yaml, so it may hold this cluster's data`,
        hint: `look at it first (belayctl manifests get ${name} etcd.yaml); if it is stale, remove it (belayctl manifests remove ${name} etcd.yaml) and bootstrap again`,
        unsafe: true,
      });
    }
  }
  let own = reports.get(node);
  if (!own)
    throw new OperatorError({ code: 'AGENT_UNREACHABLE', message: `no host report from ${node}`, hint: `is belay-agent running on ${node}?`, retryable: true });
  // A busy minute (daemons starting beside the disk) can fail the fsync check once: look again for a while, saying so.
  const preflightUntil = Date.now() + (d.preflightWaitMs ?? 30_000);
  for (;;) {
    const failed = preflightFailure(
      preflight({
        master: node,
        report: own.report,
        askedAtMs: own.askedAtMs,
        answeredAtMs: own.answeredAtMs,
        limits: spec.spec.etcd.preflight,
        dbSizeBytes: 0,
        quotaBackendBytes: spec.spec.etcd.quotaBackendBytes,
        alarms: [],
      }),
    );
    if (!failed) break;
    if (Date.now() > preflightUntil)
      throw new OperatorError({ code: 'PREFLIGHT_FAILED', message: failed, hint: 'fix the host (or relax spec.etcd.preflight) and bootstrap again' });
    d.progress('preflight', `${failed}; looking again`);
    await new Promise((r) => setTimeout(r, 3_000));
    own = await report(agent);
  }
  d.progress('preflight', `preflight passed on ${node}`);

  const root = own.report.root || '/';
  const content = renderEtcdManifest({ spec, master: node, root, state: 'new', initialCluster: [{ name: node, peerUrl: peerUrl(spec, node) }] });
  if (dryRun) {
    for (const line of [
      `issue the etcd CA and ${node}'s etcd certificates (kubeadm layout, /etc/kubernetes/pki/etcd)`,
      `hand every other master its etcd client certificate`,
      `move aside any old data dir ${spec.spec.etcd.dataDir} on ${node} (kept, never deleted)`,
      `apply etcd.yaml on ${node}: --initial-cluster=${node}=${peerUrl(spec, node)} --initial-cluster-state=new`,
      `wait until ${clientUrl(spec, node)} is healthy, then store the spec and the etcd CA in etcd under /belay/`,
      `then the elected leader joins ${
        spec.spec.masters
          .filter((x) => x.name !== node)
          .map((x) => x.name)
          .join(', ') || 'nobody else'
      } one at a time as learners`,
    ]) {
      d.progress('plan', line, true);
    }
    return;
  }

  const kept = d.local.readEtcdCa();
  const ca: Ca = kept ? await caFromPem(kept.certPem, kept.keyPem) : await createEtcdCa(spec.metadata.name);
  if (!kept) await d.local.writeEtcdCa({ certPem: ca.certPem, keyPem: ca.keyPem });
  d.progress('pki', kept ? 'using the etcd CA kept from an earlier bootstrap attempt' : 'made the etcd CA');
  const memberFiles = await etcdPkiFor(ca, m, 'member');
  await agent.WritePki({ files: memberFiles, requestedBy: d.requestedBy, term: 0 });
  d.progress('pki', `wrote ${node}'s etcd certificates`);
  for (const x of spec.spec.masters) {
    if (x.name === node) continue;
    const a = d.agent(x.name);
    if (!a || !reports.has(x.name)) continue;
    try {
      const files = await etcdPkiFor(ca, x, 'client');
      await a.WritePki({ files, requestedBy: d.requestedBy, term: 0 });
      d.progress('pki', `wrote ${x.name}'s etcd client certificate`);
    } catch (err) {
      d.progress('pki', `could not give ${x.name} its etcd client certificate (${shortError(err)}): it gets it when it joins`);
    }
  }

  const archived = await agent.ArchiveEtcdData({
    dataDir: spec.spec.etcd.dataDir,
    reason: `bootstrap of a new etcd cluster on ${node}`,
    requestedBy: d.requestedBy,
    term: 0,
  });
  if (archived.existed) d.progress('data', `an old data dir was on ${node}: kept at ${archived.archivedTo}`);
  await agent.ApplyManifest({ file: 'etcd.yaml', content, force: true, requestedBy: d.requestedBy, term: 0 });
  d.progress('manifest', `applied etcd.yaml on ${node} (initial-cluster-state new)`);

  // Talk to the new member with a client certificate issued for this call: this coordinator may not hold its own yet.
  const me = await issueCert(ca, { commonName: `belay-coordinator-${d.me}`, dnsNames: [], ipAddresses: [], usages: ['client'], days: 1 });
  const cluster = new EtcdCluster([clientUrl(spec, node)], { ca: Buffer.from(ca.certPem), cert: Buffer.from(me.certPem), key: Buffer.from(me.keyPem) });
  try {
    const deadline = Date.now() + (d.healthyTimeoutMs ?? 60_000);
    await waitHealthy(cluster, clientUrl(spec, node), deadline, (line) => d.progress('wait-healthy', line));
    d.progress('wait-healthy', `etcd on ${node} is healthy`);
    await storeEtcdCa(cluster, ca);
    await cluster.kv.put(ETCD_KEYS.spec).value(formatClusterSpec(spec));
    await cluster.kv.put(ETCD_KEYS.specAppliedAt).value(String(local.appliedAtMs || Date.now()));
    await cluster.kv.put(ETCD_KEYS.bootstrap).value(JSON.stringify({ node, atMs: Date.now(), by: d.requestedBy }));
    d.progress('store', 'stored the spec and the etcd CA in etcd under /belay/');
    // Bootstrap happens once: from now on no manifest says `new`, so that a lost data dir can never
    // start an empty cluster under this one's name (docs/etcd-data-dir.md). etcd restarts on its WAL.
    const existing = renderEtcdManifest({ spec, master: node, root, state: 'existing', initialCluster: [{ name: node, peerUrl: peerUrl(spec, node) }] });
    await agent.ApplyManifest({ file: 'etcd.yaml', content: existing, force: true, requestedBy: d.requestedBy, term: 0 });
    await waitHealthy(cluster, clientUrl(spec, node), Date.now() + (d.healthyTimeoutMs ?? 60_000), (line) => d.progress('wait-healthy', line));
    d.progress('manifest', `etcd.yaml on ${node} now says initial-cluster-state existing; etcd is healthy on its data`);
  } finally {
    cluster.close();
  }
}

/** Polls `url`'s status until healthy, saying each new error once; throws at `deadline`. */
async function waitHealthy(cluster: EtcdCluster, url: string, deadline: number, progress: (line: string) => void): Promise<void> {
  let last = '';
  for (;;) {
    const s = await cluster.status(url, 2_000);
    if (s.ok) return;
    if (s.error !== last) {
      last = s.error;
      progress(`waiting for etcd at ${url}: ${s.error}`);
    }
    if (Date.now() > deadline) {
      throw new OperatorError({
        code: 'BOOTSTRAP_TIMEOUT',
        message: `etcd at ${url} is not healthy in time: ${s.error}`,
        hint: 'see its log (/var/log/belay/pods/kube-system_etcd_etcd.log) and belayctl events; bootstrap again once fixed',
      });
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * The earlier bootstrap on `node`, run from this coordinator (it kept the
 * etcd CA), started etcd but gave up before storing the spec: if that etcd
 * is a one-member cluster without belay's bootstrap record, store it now.
 * False when it is anything else (then bootstrap is refused as usual).
 */
async function finishEarlierBootstrap(d: BootstrapDeps, spec: ClusterSpec, node: string, appliedAtMs: number): Promise<boolean> {
  const kept = d.local.readEtcdCa();
  if (!kept) return false;
  const ca = await caFromPem(kept.certPem, kept.keyPem);
  const me = await issueCert(ca, { commonName: `belay-coordinator-${d.me}`, dnsNames: [], ipAddresses: [], usages: ['client'], days: 1 });
  const cluster = new EtcdCluster([clientUrl(spec, node)], { ca: Buffer.from(ca.certPem), cert: Buffer.from(me.certPem), key: Buffer.from(me.keyPem) });
  try {
    const s = await cluster.status(clientUrl(spec, node), 2_000);
    if (!s.ok) return false;
    const members = await cluster.members();
    if (members.length !== 1 || members[0]?.name !== node) return false;
    if (await cluster.kv.get(ETCD_KEYS.bootstrap).string()) return false;
    d.progress('resume', `etcd on ${node} came up after an earlier bootstrap gave up waiting: finishing that bootstrap`);
    await storeEtcdCa(cluster, ca);
    await cluster.kv.put(ETCD_KEYS.spec).value(formatClusterSpec(spec));
    await cluster.kv.put(ETCD_KEYS.specAppliedAt).value(String(appliedAtMs || Date.now()));
    await cluster.kv.put(ETCD_KEYS.bootstrap).value(JSON.stringify({ node, atMs: Date.now(), by: d.requestedBy, resumed: true }));
    d.progress('store', 'stored the spec and the etcd CA in etcd under /belay/');
    return true;
  } catch {
    return false;
  } finally {
    cluster.close();
  }
}
