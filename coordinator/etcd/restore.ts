import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OperatorError } from '../../proto/common/errors.js';
import type { HostPaths } from '../../proto/common/paths.js';
import { formatClusterSpec, type ClusterSpec } from '../cluster/spec.js';
import { specMaster } from '../cluster/spec-fields.js';
import { ETCD_KEYS } from '../cluster/etcd-keys.js';
import type { LocalClusterStore } from '../cluster/store.js';
import type { AgentApi } from '../agents/client.js';
import { EtcdCluster, readEtcdTls, shortError } from './client.js';
import { restoreDrill } from './drill.js';
import { quorumOf } from './removal.js';
import { clientUrl, peerUrl } from './render.js';
import { planRestore, type RestoreMasterFacts } from './restore-plan.js';
import { archiveData, restoreSnapshot, startEtcd, stopEtcd, waitHealthy, type RunDeps } from './restore-run.js';
import { checkSnapshotFile } from './snapshot-check.js';

/**
 * `belayctl etcd restore --snapshot FILE`: disaster recovery when quorum is
 * lost for good. Explicit, never automatic. The snapshot is checked three
 * ways before anything is stopped (sha256 sidecar, `etcdctl snapshot
 * status`, a restore into a scratch etcd that also says which cluster it
 * comes from); old data dirs are renamed aside, never deleted. Then every
 * master of the spec is restored and started at once when all can be, else
 * the one asked for alone (restore-plan.ts decides, restore-run.ts does it).
 */

export interface RestoreDeps {
  me: string;
  paths: HostPaths;
  local: LocalClusterStore;
  agent: (master: string) => AgentApi | undefined;
  requestedBy: string;
  progress: (step: string, message: string, planned?: boolean) => void;
  /** How long to wait for every master of the spec to be a voting member again, ms. */
  rejoinTimeoutMs?: number;
}

/** A master whose agent takes longer than this to answer its report is restored later, by the leader. */
const REPORT_TIMEOUT_MS = 5_000;
/** Under /etc/kubernetes on each master (ReadPki's paths): what etcd.yaml needs to start a member. */
const MEMBER_PKI = ['pki/etcd/ca.crt', 'pki/etcd/server.crt', 'pki/etcd/server.key', 'pki/etcd/peer.crt', 'pki/etcd/peer.key'];

export async function restoreEtcd(d: RestoreDeps, o: { snapshot: string; node: string; dryRun: boolean; force: boolean }): Promise<string> {
  const started = Date.now();
  const local = d.local.read();
  if (!local)
    throw new OperatorError({
      code: 'NO_SPEC',
      message: 'there is no Cluster spec here to restore into',
      hint: 'apply the spec first (belayctl apply -f cluster.yaml)',
    });
  const spec = local.spec;
  const node = o.node || d.me;
  if (!specMaster(spec, node))
    throw new OperatorError({
      code: 'NOT_IN_SPEC',
      message: `${node} is not a master of the spec`,
      hint: `restore on one of ${spec.spec.masters.map((m) => m.name).join(', ')}`,
    });
  if (!path.isAbsolute(o.snapshot))
    throw new OperatorError({
      code: 'SNAPSHOT_BAD_PATH',
      message: `--snapshot ${o.snapshot} is not an absolute path`,
      hint: `give the host path on ${d.me}, e.g. ${spec.spec.backup.dir}/etcd-...db (belayctl etcd snapshots lists them)`,
    });
  const file = d.paths.host(o.snapshot);

  d.progress('check', `checking ${o.snapshot} on ${d.me}`);
  const check = await checkSnapshotFile(file);
  if (!check.ok)
    throw new OperatorError({
      code: 'SNAPSHOT_BAD',
      message: `refusing to restore ${o.snapshot}: ${check.reason}`,
      hint: 'pick another snapshot (belayctl etcd snapshots); nothing was changed',
    });
  d.progress(
    'check',
    `${check.reason || 'snapshot status ok'} (revision ${check.status?.revision ?? '?'}, ${check.status?.totalKey ?? '?'} keys in the backend)`,
  );
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-restore-check-'));
  const drill = await restoreDrill({ file, scratchDir: scratch, ...(check.meta ? { meta: check.meta } : {}) });
  if (!drill.ok)
    throw new OperatorError({
      code: 'SNAPSHOT_BAD',
      message: `refusing to restore ${o.snapshot}: it does not restore into a scratch etcd: ${drill.error || drill.mismatches.join('; ')}`,
      hint: 'pick another snapshot; nothing was changed',
    });
  if (drill.clusterName && drill.clusterName !== spec.metadata.name) {
    throw new OperatorError({
      code: 'SNAPSHOT_OTHER_CLUSTER',
      message: `refusing to restore ${o.snapshot}: it is a snapshot of cluster "${drill.clusterName}", this is "${spec.metadata.name}"`,
      hint: 'restore a snapshot of this cluster (belayctl etcd snapshots); nothing was changed',
    });
  }
  d.progress(
    'check',
    `restores into a scratch etcd: ${drill.restoredKeys} keys${check.meta ? `, ${drill.sampleChecked} sampled values match` : ''}${drill.clusterName ? `, cluster ${drill.clusterName}` : ', no belay spec inside (not a belay snapshot?)'}`,
  );

  // Refused while the cluster has quorum: a restore throws away every write since the snapshot.
  const tls = readEtcdTls(d.paths);
  if (!tls) {
    throw new OperatorError({
      code: 'NO_ETCD_CLIENT_CERT',
      message: `${d.me} has no etcd client certificate: it can neither tell whether the cluster still has quorum nor check the restored one`,
      hint: 'run the restore through the coordinator of a master that was an etcd member (belayctl --endpoint MASTER:7702 etcd restore ...)',
    });
  }
  // Every master's agent is asked before anything is stopped; the one asked for (--node) must answer.
  const facts = await masterFacts(d, spec, node);
  const plan = planRestore({
    masters: facts.map((f) => f.facts),
    node,
    snapshot: o.snapshot,
    revision: String(check.status?.revision ?? '?'),
    cluster: spec.metadata.name,
    dataDir: spec.spec.etcd.dataDir,
  });
  {
    const cluster = new EtcdCluster(
      spec.spec.masters.map((m) => clientUrl(spec, m.name)),
      tls,
    );
    try {
      const members = await cluster.members().catch(() => undefined);
      if (members) {
        const voters = members.filter((m) => !m.isLearner);
        const healthy = (
          await Promise.all(voters.map((m) => (m.clientUrls[0] ? cluster.status(m.clientUrls[0], 2_000) : Promise.resolve({ ok: false }))))
        ).filter((s) => s.ok).length;
        if (healthy >= quorumOf(voters.length) && !o.force) {
          throw new OperatorError({
            code: 'CLUSTER_HEALTHY',
            message: `refusing to restore: the current cluster has quorum (${healthy} of ${voters.length} voting members healthy), and a restore loses every write since the snapshot`,
            hint: 'restore is for a quorum lost for good; if you really mean to go back in time, add --force (the current data dirs are kept aside)',
            unsafe: true,
          });
        }
      }
    } finally {
      cluster.close();
    }
  }

  if (o.dryRun) {
    for (const line of plan.lines) d.progress('plan', line, true);
    return 'dry run: nothing was changed';
  }
  if (plan.path === 'one-then-join') d.progress('plan', plan.lines[0] ?? '');

  const agentOf = (master: string): AgentApi => {
    const a = d.agent(master);
    if (!a) throw new Error(`no agent client for ${master}`);
    return a;
  };
  const run: RunDeps = { spec, agent: agentOf, requestedBy: d.requestedBy, progress: (step, message) => d.progress(step, message) };
  const targets = plan.targets.map((t) => t.name);
  await stopEtcd(run, targets);
  await archiveData(run, targets, o.snapshot);
  await restoreSnapshot(run, plan, { hostPath: o.snapshot, file, sha256: check.sha256, sizeBytes: fs.statSync(file).size });
  await startEtcd(run, plan, new Map(facts.map((f) => [f.facts.name, f.root])), tls);

  const cluster = new EtcdCluster(
    spec.spec.masters.map((m) => clientUrl(spec, m.name)),
    tls,
  );
  try {
    await waitHealthy(run, cluster, targets);
    // The snapshot's leader key, join record, reconcile line and held-out marks belong to the old cluster.
    for (const k of [ETCD_KEYS.leader, ETCD_KEYS.join, ETCD_KEYS.reconcileStatus]) await cluster.kv.delete().key(k);
    await cluster.kv.delete().prefix(ETCD_KEYS.heldOut);
    await cluster.kv.put(ETCD_KEYS.spec).value(formatClusterSpec(spec));
    await cluster.kv.put(ETCD_KEYS.specAppliedAt).value(String(local.appliedAtMs || Date.now()));
    // The backups' lineage (etcd/lineage.ts): from here on the cluster goes on from this snapshot's revision.
    await cluster.kv
      .put(ETCD_KEYS.restored)
      .value(JSON.stringify({ snapshot: o.snapshot, revision: check.status?.revision ?? 0, node, nodes: targets, atMs: Date.now(), by: d.requestedBy }));
    const seconds = `${((Date.now() - started) / 1000).toFixed(1)} s`;
    if (plan.joinLater.length === 0)
      return `restored ${o.snapshot} on ${targets.join(', ')} at once; all ${targets.length} masters are voting members again (${seconds})`;
    d.progress('start', `${node} is healthy at revision ${check.status?.revision ?? '?'}; the leader now joins ${plan.joinLater.join(', ')}`);
    const missing = await followRejoin(d, spec, cluster);
    if (missing.length) return `restored on ${node}; still joining ${missing.join(', ')} (belayctl status follows it)`;
  } finally {
    cluster.close();
  }
  return `restored ${o.snapshot} on ${node}; all ${spec.spec.masters.length} masters are voting members again (${((Date.now() - started) / 1000).toFixed(1)} s)`;
}

/** Follows the leader's status line until every master of the spec is a voting member, or the rejoin timeout; answers those still missing. */
async function followRejoin(d: RestoreDeps, spec: ClusterSpec, cluster: EtcdCluster): Promise<string[]> {
  const rejoinBy = Date.now() + (d.rejoinTimeoutMs ?? 180_000);
  let last = '';
  for (;;) {
    const members = await cluster.members().catch(() => []);
    const voters = members.filter((m) => !m.isLearner && m.name).map((m) => m.name);
    const missing = spec.spec.masters.map((m) => m.name).filter((n) => !voters.includes(n));
    if (missing.length === 0) return [];
    const line =
      (await cluster.kv
        .get(ETCD_KEYS.reconcileStatus)
        .string()
        .catch(() => null)) ?? '';
    if (line && line !== last) d.progress('rejoin', line);
    last = line;
    if (Date.now() > rejoinBy) return missing;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * What each master of the spec can do for the restore: its agent's report (its --root), and whether it holds
 * an etcd member certificate (a master that never was a member, or was made a client only, cannot start etcd).
 */
async function masterFacts(d: RestoreDeps, spec: ClusterSpec, node: string): Promise<{ facts: RestoreMasterFacts; root: string }[]> {
  return Promise.all(
    spec.spec.masters.map(async (m) => {
      const base = { name: m.name, peerUrl: peerUrl(spec, m.name), holdsSnapshot: false };
      const agent = d.agent(m.name);
      if (!agent) {
        if (m.name === node)
          throw new OperatorError({ code: 'NO_SUCH_NODE', message: `no agent known for ${node}`, hint: 'its coordinator config must list it under nodes' });
        return { facts: { ...base, unfit: 'no agent known for it' }, root: '/' };
      }
      let root: string;
      try {
        root = (await agent.GetReport({ refresh: false }, { timeoutMs: REPORT_TIMEOUT_MS })).root || '/';
      } catch (err) {
        if (m.name === node) throw err;
        return { facts: { ...base, unfit: `its agent does not answer (${shortError(err)})` }, root: '/' };
      }
      const holdsSnapshot = m.name === d.me && path.resolve(root) === d.paths.root;
      const missing = await agent.ReadPki({}).then(
        (r) => MEMBER_PKI.filter((f) => !r.files.some((x) => x.path === f && !x.error)),
        (err: unknown) => [`unreadable: ${shortError(err)}`],
      );
      return { facts: { ...base, holdsSnapshot, unfit: missing.length ? `no etcd member certificate (${missing.join(', ')})` : '' }, root };
    }),
  );
}
