import fs from 'node:fs';
import https from 'node:https';
import type { ClusterSpec } from '../cluster/spec.js';
import type { AgentApi } from '../agents/client.js';
import { refusalCode } from '../agents/errors.js';
import { OperatorError } from '../../proto/common/errors.js';
import { shortError, type EtcdCluster, type EtcdTls } from './client.js';
import { clientUrl, peerUrl, renderEtcdManifest } from './render.js';
import type { RestorePlan, RestoreTarget } from './restore-plan.js';

/**
 * The steps of `belayctl etcd restore` that change the masters, in the
 * order restore.ts runs them, each on every master of the plan at once.
 * Every agent call carries term 0: an operator's request, never fenced.
 */

export interface RunDeps {
  spec: ClusterSpec;
  agent: (master: string) => AgentApi;
  requestedBy: string;
  progress: (step: string, message: string) => void;
}

const CHUNK = 1024 * 1024;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** etcd.yaml removed on every master of the spec; a target that cannot be stopped ends the restore (nothing archived yet). */
export async function stopEtcd(d: RunDeps, targets: string[]): Promise<void> {
  await Promise.all(
    d.spec.spec.masters.map(async (m) => {
      try {
        const res = await d.agent(m.name).RemoveManifest({ file: 'etcd.yaml', force: true, requestedBy: d.requestedBy, term: 0 });
        d.progress('stop', res.changed ? `stopped etcd on ${m.name}` : `${m.name} runs no etcd.yaml`);
      } catch (err) {
        if (refusalCode(err) === 'NO_SUCH_MANIFEST') d.progress('stop', `${m.name} runs no etcd.yaml`);
        else if (targets.includes(m.name)) throw err;
        else
          d.progress(
            'stop',
            `could not reach ${m.name} (${shortError(err)}): its etcd, if it comes back, belongs to the old cluster and is replaced when it rejoins`,
          );
      }
    }),
  );
}

/** Each target's data dir moved aside (kept), retried for up to 30 s while its etcd stops. */
export async function archiveData(d: RunDeps, targets: string[], snapshot: string): Promise<void> {
  await Promise.all(
    targets.map(async (name) => {
      for (let i = 0; ; i++) {
        try {
          const res = await d.agent(name).ArchiveEtcdData({
            dataDir: d.spec.spec.etcd.dataDir,
            reason: `etcd restore from ${snapshot}`,
            requestedBy: d.requestedBy,
            term: 0,
          });
          d.progress('data', res.existed ? `kept ${name}'s old data dir at ${res.archivedTo}` : `${name} had no data dir`);
          return;
        } catch (err) {
          if (refusalCode(err) !== 'ETCD_DATA_IN_USE' || i >= 120) throw err;
          await sleep(250);
        }
      }
    }),
  );
}

export interface SnapshotSource {
  /** The snapshot's host path on the coordinator's master, and its real path here. */
  hostPath: string;
  file: string;
  sha256: string;
  sizeBytes: number;
}

/** The snapshot restored on every target at once, each with the plan's whole initial cluster and its own name and peer URL. */
export async function restoreSnapshot(d: RunDeps, plan: RestorePlan, src: SnapshotSource): Promise<void> {
  const initialCluster = plan.initialCluster.map((m) => `${m.name}=${m.peerUrl}`).join(',');
  await Promise.all(
    plan.targets.map(async (t) => {
      const res = await sendSnapshot(d.agent(t.name), src, t, {
        dataDir: d.spec.spec.etcd.dataDir,
        name: t.name,
        initialAdvertisePeerUrl: peerUrl(d.spec, t.name),
        initialCluster,
        initialClusterToken: d.spec.metadata.name,
        requestedBy: d.requestedBy,
      });
      d.progress('restore', `restored on ${t.name} in ${res.durationMs} ms${t.localFile ? '' : ` (${src.sizeBytes} bytes sent)`}`);
    }),
  );
}

/** The sums checked before travel with the bytes: the agent refuses anything that differs (a file changed since). */
function sendSnapshot(
  agent: AgentApi,
  src: SnapshotSource,
  t: RestoreTarget,
  h: { dataDir: string; name: string; initialAdvertisePeerUrl: string; initialCluster: string; initialClusterToken: string; requestedBy: string },
): Promise<{ durationMs: number }> {
  // The agent beside this coordinator reads the file itself: streaming tens of MB through gRPC costs seconds.
  const localFile = t.localFile ? src.hostPath : '';
  return agent.RestoreEtcdSnapshot((up) => {
    up.write({ header: { ...h, sha256: src.sha256, sizeBytes: src.sizeBytes, term: 0, localFile } });
    if (localFile) {
      up.end();
      return;
    }
    const fd = fs.openSync(src.file, 'r');
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
}

/**
 * etcd.yaml applied on every target, with the plan's initial cluster: one after the other, each as soon as
 * the one before serves its peers. Started at the same moment, members restored from one snapshot wait on
 * each other's initial corruption check, 7 s per peer (docs/measured-behaviour.md); a peer not yet listening
 * is skipped at once, one that serves answers at once.
 */
export async function startEtcd(d: RunDeps, plan: RestorePlan, roots: Map<string, string>, tls: EtcdTls): Promise<void> {
  for (const t of plan.targets) {
    const content = renderEtcdManifest({
      spec: d.spec,
      master: t.name,
      root: roots.get(t.name) || '/',
      // The restored data dir has its WAL: etcd starts from it and ignores the state, and a manifest saying
      // `new` would start an empty cluster if that data dir were ever lost (docs/etcd-data-dir.md).
      state: 'existing',
      initialCluster: plan.initialCluster,
    });
    await d.agent(t.name).ApplyManifest({ file: 'etcd.yaml', content, force: true, requestedBy: d.requestedBy, term: 0 });
    if (plan.targets.length === 1) {
      d.progress('start', `started etcd on ${t.name}`);
      continue;
    }
    const serving = await peerServing(peerUrl(d.spec, t.name), tls, PEER_WAIT_MS);
    d.progress('start', serving ? `started etcd on ${t.name}; it serves its peers` : `started etcd on ${t.name}; it does not serve its peers yet`);
  }
}

/** How long a started member has to serve its peer port before the next one is started anyway. */
const PEER_WAIT_MS = 10_000;

/** Whether etcd answers HTTP on its peer URL within timeoutMs (it accepts connections before it serves them). */
async function peerServing(url: string, tls: EtcdTls, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const req = https.get(`${url}/version`, { ca: tls.ca, cert: tls.cert, key: tls.key, timeout: 300 }, (res) => {
        res.resume();
        resolve(true);
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve(false));
    });
    if (ok) return true;
    await sleep(50);
  }
  return false;
}

/** Until every target answers healthy (a leader, no errors) and, with more than one, all are named voting members. */
export async function waitHealthy(d: RunDeps, cluster: EtcdCluster, targets: string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Short: a starting etcd accepts client connections before it serves them, and a call to it waits out its deadline.
    const status = await Promise.all(targets.map((n) => cluster.status(clientUrl(d.spec, n), 500)));
    const down = targets.filter((_, i) => !status[i]?.ok);
    let notVoters: string[] = [];
    if (down.length === 0 && targets.length > 1) {
      const members = await cluster.members().catch(() => []);
      const voters = members.filter((m) => !m.isLearner && m.name).map((m) => m.name);
      notVoters = targets.filter((n) => !voters.includes(n));
    }
    if (down.length === 0 && notVoters.length === 0) return;
    if (Date.now() > deadline) {
      const why = down.length ? down.map((n) => `${n}: ${status[targets.indexOf(n)]?.error}`).join('; ') : `not voting members yet: ${notVoters.join(', ')}`;
      throw new OperatorError({
        code: 'RESTORE_NOT_HEALTHY',
        message: `the restored etcd is not healthy after ${timeoutMs / 1000} s (${why})`,
        hint: `see etcd's log on ${(down.length ? down : notVoters).join(', ')}; the snapshot and the old data dirs are untouched`,
      });
    }
    await sleep(100);
  }
}
