import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OperatorError } from '../../proto/common/errors.js';
import type { HostPaths } from '../../proto/common/paths.js';
import { formatClusterSpec } from '../cluster/spec.js';
import { specMaster } from '../cluster/spec-fields.js';
import { ETCD_KEYS } from '../cluster/etcd-keys.js';
import type { LocalClusterStore } from '../cluster/store.js';
import type { AgentApi } from '../agents/client.js';
import { refusalCode } from '../agents/errors.js';
import { EtcdCluster, readEtcdTls, shortError } from './client.js';
import { restoreDrill } from './drill.js';
import { quorumOf } from './removal.js';
import { clientUrl, peerUrl, renderEtcdManifest } from './render.js';
import { checkSnapshotFile } from './snapshot-check.js';

/**
 * `belayctl etcd restore --snapshot FILE`: disaster recovery when quorum is
 * lost for good. Explicit, never automatic. The snapshot is checked three
 * ways before anything is stopped (sha256 sidecar, `etcdctl snapshot
 * status`, a restore into a scratch etcd that also says which cluster it
 * comes from); old data dirs are renamed aside, never deleted.
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

const CHUNK = 1024 * 1024;

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
  // The target must answer before anything is stopped.
  const target = d.agent(node);
  if (!target)
    throw new OperatorError({ code: 'NO_SUCH_NODE', message: `no agent known for ${node}`, hint: 'its coordinator config must list it under nodes' });
  const targetReport = await target.GetReport({ refresh: false });
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

  const others = spec.spec.masters.filter((m) => m.name !== node);
  const plan = [
    `stop etcd on every master (remove etcd.yaml: ${spec.spec.masters.map((m) => m.name).join(', ')})`,
    `move ${node}'s data dir ${spec.spec.etcd.dataDir} aside (kept, never deleted)`,
    `restore ${o.snapshot} (revision ${check.status?.revision ?? '?'}) on ${node} as a new one-member cluster "${spec.metadata.name}"`,
    `start it (etcd.yaml, initial-cluster ${node}=${peerUrl(spec, node)}) and store the current spec in it`,
    `then the leader joins ${others.map((m) => m.name).join(', ') || 'nobody'} again as learners, one at a time (their old data dirs kept aside)`,
  ];
  if (o.dryRun) {
    for (const line of plan) d.progress('plan', line, true);
    return 'dry run: nothing was changed';
  }

  const agentOf = (master: string): AgentApi => {
    const a = d.agent(master);
    if (!a) throw new Error(`no agent client for ${master}`);
    return a;
  };
  for (const m of spec.spec.masters) {
    try {
      const res = await agentOf(m.name).RemoveManifest({ file: 'etcd.yaml', force: true, requestedBy: d.requestedBy, term: 0 });
      d.progress('stop', res.changed ? `stopped etcd on ${m.name}` : `${m.name} runs no etcd.yaml`);
    } catch (err) {
      if (refusalCode(err) === 'NO_SUCH_MANIFEST') d.progress('stop', `${m.name} runs no etcd.yaml`);
      else if (m.name === node) throw err;
      else
        d.progress(
          'stop',
          `could not reach ${m.name} (${shortError(err)}): its etcd, if it comes back, belongs to the old cluster and is replaced when it rejoins`,
        );
    }
  }
  for (let i = 0; ; i++) {
    try {
      const res = await agentOf(node).ArchiveEtcdData({
        dataDir: spec.spec.etcd.dataDir,
        reason: `etcd restore from ${o.snapshot}`,
        requestedBy: d.requestedBy,
        term: 0,
      });
      d.progress('data', res.existed ? `kept ${node}'s old data dir at ${res.archivedTo}` : `${node} had no data dir`);
      break;
    } catch (err) {
      if (refusalCode(err) !== 'ETCD_DATA_IN_USE' || i >= 120) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  // The sums checked above travel with the bytes: the agent refuses anything that differs (a file changed since).
  const bytes = fs.statSync(file).size;
  const sha256 = check.sha256;
  const agent = target;
  // The agent beside this coordinator reads the file itself: streaming tens of MB through gRPC costs seconds.
  const localFile = node === d.me && path.resolve(targetReport.root || '/') === d.paths.root ? o.snapshot : '';
  const restored = await agent.RestoreEtcdSnapshot((up) => {
    up.write({
      header: {
        dataDir: spec.spec.etcd.dataDir,
        name: node,
        initialAdvertisePeerUrl: peerUrl(spec, node),
        initialCluster: `${node}=${peerUrl(spec, node)}`,
        initialClusterToken: spec.metadata.name,
        sha256,
        sizeBytes: bytes,
        requestedBy: d.requestedBy,
        term: 0,
        localFile,
      },
    });
    if (localFile) {
      up.end();
      return;
    }
    const fd = fs.openSync(file, 'r');
    const pump = (): void => {
      for (;;) {
        // A fresh buffer per chunk: a chunk waiting in the stream's queue must not be overwritten by the next read.
        const buf = Buffer.alloc(CHUNK);
        const n = fs.readSync(fd, buf, 0, CHUNK, null);
        if (n === 0) {
          fs.closeSync(fd);
          up.end();
          return;
        }
        if (!up.write({ data: buf.subarray(0, n) })) {
          up.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
  d.progress('restore', `restored on ${node} in ${restored.durationMs} ms`);

  const content = renderEtcdManifest({
    spec,
    master: node,
    root: targetReport.root || '/',
    // The restored data dir has its WAL: etcd starts from it and ignores the state, and a manifest saying
    // `new` would start an empty cluster if that data dir were ever lost (docs/etcd-data-dir.md).
    state: 'existing',
    initialCluster: [{ name: node, peerUrl: peerUrl(spec, node) }],
  });
  await agentOf(node).ApplyManifest({ file: 'etcd.yaml', content, force: true, requestedBy: d.requestedBy, term: 0 });
  d.progress('start', `started etcd on ${node}`);

  const cluster = new EtcdCluster(
    spec.spec.masters.map((m) => clientUrl(spec, m.name)),
    tls,
  );
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const s = await cluster.status(clientUrl(spec, node), 2_000);
      if (s.ok) break;
      if (Date.now() > deadline)
        throw new OperatorError({
          code: 'RESTORE_NOT_HEALTHY',
          message: `the restored etcd on ${node} is not healthy after 60 s: ${s.error}`,
          hint: `see its log on ${node}; the snapshot and the old data dirs are untouched`,
        });
      await new Promise((r) => setTimeout(r, 200));
    }
    // The snapshot's leader key, join record, reconcile line and held-out marks belong to the old cluster.
    for (const k of [ETCD_KEYS.leader, ETCD_KEYS.join, ETCD_KEYS.reconcileStatus]) await cluster.kv.delete().key(k);
    await cluster.kv.delete().prefix(ETCD_KEYS.heldOut);
    await cluster.kv.put(ETCD_KEYS.spec).value(formatClusterSpec(spec));
    await cluster.kv.put(ETCD_KEYS.specAppliedAt).value(String(local.appliedAtMs || Date.now()));
    // The backups' lineage (etcd/lineage.ts): from here on the cluster goes on from this snapshot's revision.
    await cluster.kv
      .put(ETCD_KEYS.restored)
      .value(JSON.stringify({ snapshot: o.snapshot, revision: check.status?.revision ?? 0, node, atMs: Date.now(), by: d.requestedBy }));
    d.progress(
      'start',
      `${node} is healthy at revision ${check.status?.revision ?? '?'}; the leader now joins ${others.map((m) => m.name).join(', ') || 'nobody'}`,
    );
    const rejoinBy = Date.now() + (d.rejoinTimeoutMs ?? 180_000);
    let last = '';
    for (;;) {
      const members = await cluster.members().catch(() => []);
      const voters = members.filter((m) => !m.isLearner && m.name).map((m) => m.name);
      const missing = spec.spec.masters.map((m) => m.name).filter((n) => !voters.includes(n));
      if (missing.length === 0) break;
      const line =
        (await cluster.kv
          .get(ETCD_KEYS.reconcileStatus)
          .string()
          .catch(() => null)) ?? '';
      if (line && line !== last) d.progress('rejoin', line);
      last = line;
      if (Date.now() > rejoinBy) return `restored on ${node}; still joining ${missing.join(', ')} (belayctl status follows it)`;
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    cluster.close();
  }
  return `restored ${o.snapshot} on ${node}; all ${spec.spec.masters.length} masters are voting members again (${((Date.now() - started) / 1000).toFixed(1)} s)`;
}
