/**
 * etcd figures (issue: join, snapshot, restore), belay next to the plain
 * etcd procedures in one run, printed with the aims:
 *  1. a fourth member joined into a 3-member cluster holding ~50 MB: belay's
 *     whole join (ApplyCluster of a 4-master spec → m4 a voting member that
 *     answers `etcdctl endpoint health`, preflight included) next to the
 *     etcdctl learner procedure by hand (member add --learner, start etcd,
 *     retry member promote, endpoint health) on a plain etcd cluster with
 *     the same data, flags and TLS (aim: belay within 1 s of manual);
 *  2. a verified snapshot of that db: `belayctl etcd snapshot` next to
 *     `etcdctl snapshot save` against the same member (aim: ≤ 1.5×);
 *  3. `belayctl etcd restore` after 2 of 3 members were stopped and wiped,
 *     from the command to 3 healthy voters (aim: ≤ 15 s).
 * Both sides start timing only once their 3 members have been healthy for
 * 6 s: etcd refuses `member add` for 5 s after a change (docs/measured-behaviour.md).
 * Usage: npm run build && npm run bench:etcd
 *   (BENCH_JOIN_RUNS=3 BENCH_SNAPSHOT_RUNS=3 BENCH_RESTORE_RUNS=2 BENCH_KEYS=200 BENCH_VALUE_KIB=256)
 */
import '../proto/common/warnings.js';
import { fromDist } from './dist.js';
import {
  cleanupAll,
  cleanupOnSignals,
  endpointHealthy,
  etcdctl,
  mb,
  octet,
  progress,
  run,
  s,
  sleep,
  withCleanup,
  type Run,
  type TlsFiles,
} from './bench/common.js';
import { SETTLE_MS, loadData, readTlsBuffers, settle } from './bench/etcd-data.js';
import { joinSteps } from './bench/etcd-logs.js';
import { manualJoin } from './bench/etcd-manual-join.js';
import { printEtcdReport, type JoinResult, type RestoreRow, type SnapshotRow } from './bench/etcd-report.js';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import type { CoordinatorClient } from '../proto/gen/belay/v1/Coordinator.js';
import type { StatusResponse__Output } from '../proto/gen/belay/v1/StatusResponse.js';
import type { DevState } from '../coordinator/dev/state.js';
import type { EtcdCluster as EtcdClusterT, EtcdMemberInfo } from '../coordinator/etcd/client.js';

type Cluster = typeof import('../coordinator/dev/cluster.js');
type Grpc = typeof import('../proto/common/grpc.js');
type EtcdClient = typeof import('../coordinator/etcd/client.js');
type EtcdPki = typeof import('../coordinator/pki/etcd.js');

const NAME = 'bench:etcd';
const cluster = await fromDist<Cluster>('coordinator/dev/cluster.js', NAME);
const g = await fromDist<Grpc>('proto/common/grpc.js', NAME);
const { EtcdCluster } = await fromDist<EtcdClient>('coordinator/etcd/client.js', NAME);
const pki = await fromDist<EtcdPki>('coordinator/pki/etcd.js', NAME);

const top = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(top, 'dist', 'coordinator', 'cli', 'main.js');
const JOIN_RUNS = Number(process.env.BENCH_JOIN_RUNS ?? 3);
const SNAPSHOT_RUNS = Number(process.env.BENCH_SNAPSHOT_RUNS ?? 3);
const RESTORE_RUNS = Number(process.env.BENCH_RESTORE_RUNS ?? 2);
const KEYS = Number(process.env.BENCH_KEYS ?? 200);
const VALUE_BYTES = Number(process.env.BENCH_VALUE_KIB ?? 256) * 1024;
const PREFIX = '/bench/';
/** The same random values for every cluster (random: nothing compresses them). */
const VALUES = Array.from({ length: KEYS }, () => randomBytes(VALUE_BYTES));

cleanupOnSignals();

/** belayctl from dist/ with a dev cluster's environment, talking to `endpoint`. */
function belayctl(state: DevState, endpoint: string, args: string[], timeoutMs = 120_000): Promise<Run> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BELAY_')));
  return run(process.execPath, [...cluster.shebangNodeFlags(CLI), CLI, ...args], { ...env, ...state.env, BELAY_ENDPOINT: endpoint }, timeoutMs);
}

// ---- belay ------------------------------------------------------------------

interface Belay {
  dir: string;
  state: DevState;
  /** A pooled etcd client over the spec's first `n` members, with m1's healthcheck-client certificate. */
  etcd: EtcdClusterT;
  etcdTls(master: string): TlsFiles;
  clientUrl(master: string): string;
  peerUrl(master: string): string;
  coordinator(master: string): CoordinatorClient;
  endpoint(master: string): string;
  status(master?: string): Promise<StatusResponse__Output | undefined>;
}

async function withBelay<T>(masters: number, specMasters: number, body: (b: Belay) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-bench-etcd-'));
  const roots = Array.from({ length: masters }, (_, i) => path.join(dir, `m${i + 1}`));
  const clients = new Map<string, CoordinatorClient>();
  let etcd: EtcdClusterT | undefined;
  const stop = async (): Promise<void> => {
    etcd?.close();
    clients.forEach((c) => c.close());
    await cluster.devDown(dir, { purge: true, graceMs: 5_000 });
    // A failed dev up leaves no state file: stop what its agents started all the same.
    for (const c of cluster.agentChildren(roots)) {
      for (const target of [-c.pid, c.pid]) {
        try {
          process.kill(target, 'SIGKILL');
        } catch {
          // gone, or not a group leader
        }
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return withCleanup(stop, async () => {
    const base = `127.7.${octet()}.1`;
    progress(`belay: dev up of ${masters} masters (${specMasters} in the spec) on ${base} in ${dir}`);
    const state = await cluster.devUp({ masters, specMasters, bootstrap: true, dir, baseAddress: base, progress: (l) => progress(`  ${l}`) });
    const addr = (m: string): string => state.masters.find((x) => x.name === m)?.address ?? '';
    const etcdTls = (m: string): TlsFiles => {
      const d = path.join(dir, m, 'etc/kubernetes/pki/etcd');
      return { ca: path.join(d, 'ca.crt'), cert: path.join(d, 'healthcheck-client.crt'), key: path.join(d, 'healthcheck-client.key') };
    };
    const clientUrl = (m: string): string => `https://${addr(m)}:2379`;
    etcd = new EtcdCluster(
      state.masters.slice(0, specMasters).map((m) => clientUrl(m.name)),
      readTlsBuffers(etcdTls('m1')),
      30_000,
    );
    const tls = g.readTls({ ca: state.env.BELAY_CA, cert: state.env.BELAY_CERT, key: state.env.BELAY_KEY });
    const Client = g.belayProto().belay.v1.Coordinator;
    const coordinator = (m: string): CoordinatorClient => {
      let c = clients.get(m);
      if (!c) {
        c = new Client(`${addr(m)}:7702`, g.clientCredentials(tls), g.channelOptions(g.DEFAULT_MAX_MESSAGE_BYTES));
        clients.set(m, c);
      }
      return c;
    };
    const b: Belay = {
      dir,
      state,
      etcd,
      etcdTls,
      clientUrl,
      peerUrl: (m) => `https://${addr(m)}:2380`,
      coordinator,
      endpoint: (m) => `${addr(m)}:7702`,
      status: (m = 'm1') =>
        new Promise((resolve) => coordinator(m).Status({}, { deadline: new Date(Date.now() + 3_000) }, (err, res) => resolve(err ? undefined : res))),
    };
    return body(b);
  });
}

/** The leader takes a snapshot and a restore drill as soon as it leads: let that finish before anything is timed. */
async function waitFirstBackup(b: Belay): Promise<string> {
  const deadline = performance.now() + 120_000;
  for (;;) {
    const st = await b.status();
    if (st?.leader && st.lastSnapshot && st.lastDrill) return st.leader;
    if (performance.now() > deadline) {
      progress(`belay: no first snapshot + drill after 120 s (${st?.reconcile ?? 'no status'}); going on`);
      return st?.leader || 'm1';
    }
    await sleep(500);
  }
}

async function loadAndSettle(b: Belay, masters: string[]): Promise<number> {
  const t0 = performance.now();
  await loadData(b.etcd, VALUES, PREFIX);
  progress(
    `belay: ${KEYS} keys × ${VALUE_BYTES / 1024} KiB put in ${s(performance.now() - t0)} s; waiting until ${masters.join(', ')} have been healthy for ${SETTLE_MS / 1000} s`,
  );
  return settle(
    b.etcd,
    masters.map((m) => b.clientUrl(m)),
  );
}

/** The first line of each error in a daemon's JSON log (the last `n`), for a failed run. */
function logErrors(file: string, n = 3): string {
  const out: string[] = [];
  for (const l of cluster.tail(file, 2_000).split('\n')) {
    try {
      const j = JSON.parse(l) as { level?: string; message?: string; err?: unknown };
      if (j.level !== 'error') continue;
      const err = typeof j.err === 'string' ? j.err : j.err === undefined ? '' : JSON.stringify(j.err);
      out.push(`${j.message ?? ''}: ${err.split('\n')[0] ?? ''}`);
    } catch {
      // not a JSON line
    }
  }
  return out.slice(-n).join(' | ');
}

async function belayJoin(runNo: number): Promise<JoinResult> {
  return withBelay(4, 3, async (b) => {
    const leader = await waitFirstBackup(b);
    const dbBytes = await loadAndSettle(b, ['m1', 'm2', 'm3']);
    const spec = YAML.parse(fs.readFileSync(path.join(b.dir, 'cluster.yaml'), 'utf8')) as { spec: { masters: unknown[] } };
    spec.spec.masters = b.state.masters.map(({ name, address }) => ({ name, address }));
    const text = YAML.stringify(spec);
    const m4peer = b.peerUrl('m4');
    const r: JoinResult = { healthyMs: NaN, dbBytes };
    progress(`belay join ${runNo}: db ${mb(dbBytes)} MB; applying the 4-master spec (leader ${leader})`);
    const wall0 = Date.now();
    const t0 = performance.now();
    const applied = await new Promise<string>((resolve) =>
      b
        .coordinator('m1')
        .ApplyCluster({ spec: text, dryRun: false, localOnly: false }, { deadline: new Date(Date.now() + 20_000) }, (err) =>
          resolve(err ? `${err.code} ${err.details}` : ''),
        ),
    );
    if (applied) {
      r.failure = `ApplyCluster through m1 failed after ${s(performance.now() - t0)} s: ${applied}; m1's log: ${logErrors(path.join(b.dir, 'm1', 'var/log/belay/coordinator.log'))}`;
      progress(`belay join ${runNo}: ${r.failure}`);
      return r;
    }
    const deadline = t0 + 300_000;
    for (;;) {
      const members: EtcdMemberInfo[] | undefined = await b.etcd.members().catch(() => undefined);
      const m4 = members?.find((m) => m.peerUrls.includes(m4peer));
      const now = performance.now() - t0;
      if (m4 && r.addedMs === undefined) r.addedMs = now;
      if (m4?.name && r.publishedMs === undefined) r.publishedMs = now;
      if (m4 && !m4.isLearner && r.promotedMs === undefined) r.promotedMs = now;
      if (r.promotedMs !== undefined && (await endpointHealthy(b.etcdTls('m4'), b.clientUrl('m4')))) {
        r.healthyMs = performance.now() - t0;
        break;
      }
      if (performance.now() > deadline) {
        r.failure = `m4 not a healthy voter 300 s after the apply (${(await b.status(leader))?.reconcile ?? 'no status'})`;
        progress(`belay join ${runNo}: ${r.failure}`);
        break;
      }
      await sleep(50);
    }
    await sleep(300); // the log lines of the last step are flushed
    r.steps = joinSteps(b, wall0, wall0 + (Number.isFinite(r.healthyMs) ? r.healthyMs : 300_000));
    progress(
      `belay join ${runNo}: learner added ${s(r.addedMs)} s, published ${s(r.publishedMs)} s, promoted ${s(r.promotedMs)} s, m4 healthy ${s(r.healthyMs)} s after the apply`,
    );
    for (const l of r.steps) progress(`  ${l}`);
    return r;
  });
}

// ---- plain etcd -------------------------------------------------------------

// ---- snapshot and restore ---------------------------------------------------

async function snapshotBench(b: Belay, leader: string): Promise<{ rows: SnapshotRow[]; lastFile: string }> {
  const rows: SnapshotRow[] = [];
  let lastFile = '';
  const scratch = path.join(b.dir, 'etcdctl-snapshots');
  fs.mkdirSync(scratch, { recursive: true });
  for (let i = 0; i < SNAPSHOT_RUNS; i++) {
    const belaySnap = async (): Promise<Pick<SnapshotRow, 'belayCliMs' | 'belayDurationMs' | 'belayVerified' | 'belayBytes'>> => {
      const r = await belayctl(b.state, b.endpoint(leader), ['etcd', 'snapshot', '-o', 'json']);
      if (r.code !== 0) throw new Error(`belayctl etcd snapshot exited ${r.code}: ${r.stderr.trim()}`);
      const j = JSON.parse(r.stdout) as { file: string; durationMs: number; verified: boolean; sizeBytes: number };
      lastFile = j.file;
      return { belayCliMs: r.ms, belayDurationMs: Number(j.durationMs), belayVerified: j.verified, belayBytes: Number(j.sizeBytes) };
    };
    const plainSnap = async (): Promise<Pick<SnapshotRow, 'etcdctlSaveMs' | 'etcdctlStatusMs' | 'etcdctlBytes'>> => {
      const file = path.join(scratch, `snap-${i}.db`);
      const save = await etcdctl(b.etcdTls(leader), [b.clientUrl(leader)], ['snapshot', 'save', file, '--command-timeout=120s'], 180_000);
      if (save.code !== 0) throw new Error(`etcdctl snapshot save exited ${save.code}: ${save.stderr.trim()}`);
      const st = await etcdctl(undefined, [], ['snapshot', 'status', file, '-w', 'json'], 120_000);
      if (st.code !== 0) throw new Error(`etcdctl snapshot status exited ${st.code}: ${st.stderr.trim()}`);
      const bytes = fs.statSync(file).size;
      fs.rmSync(file, { force: true });
      return { etcdctlSaveMs: save.ms, etcdctlStatusMs: st.ms, etcdctlBytes: bytes };
    };
    // Alternate which goes first: the page cache favours the second.
    let x: Awaited<ReturnType<typeof belaySnap>>;
    let y: Awaited<ReturnType<typeof plainSnap>>;
    if (i % 2 === 0) {
      x = await belaySnap();
      y = await plainSnap();
    } else {
      y = await plainSnap();
      x = await belaySnap();
    }
    const row: SnapshotRow = { ...x, ...y };
    rows.push(row);
    progress(
      `snapshot ${i + 1}: belayctl ${s(row.belayCliMs)} s (durationMs ${s(row.belayDurationMs)} s, ${row.belayVerified ? 'verified' : 'NOT verified'}, ${mb(row.belayBytes)} MB); etcdctl save ${s(row.etcdctlSaveMs)} s + status ${s(row.etcdctlStatusMs)} s (${mb(row.etcdctlBytes)} MB)`,
    );
  }
  return { rows, lastFile };
}

async function restoreRun(runNo: number, withSnapshots: boolean): Promise<{ restore: RestoreRow; snapshots: SnapshotRow[]; dbBytes: number }> {
  return withBelay(3, 3, async (b) => {
    const leader = await waitFirstBackup(b);
    const all = ['m1', 'm2', 'm3'];
    const dbBytes = await loadAndSettle(b, all);
    let snapshots: SnapshotRow[] = [];
    let file: string;
    if (withSnapshots && SNAPSHOT_RUNS > 0) {
      progress(`snapshots: ${SNAPSHOT_RUNS} each from ${leader}'s member (db ${mb(dbBytes)} MB)`);
      const sb = await snapshotBench(b, leader);
      snapshots = sb.rows;
      file = sb.lastFile;
    } else {
      const r = await belayctl(b.state, b.endpoint(leader), ['etcd', 'snapshot', '-o', 'json']);
      if (r.code !== 0) throw new Error(`belayctl etcd snapshot exited ${r.code}: ${r.stderr.trim()}`);
      file = (JSON.parse(r.stdout) as { file: string }).file;
    }
    const others = all.filter((m) => m !== leader);
    progress(`restore ${runNo}: stopping etcd on ${others.join(', ')} and wiping their data dirs; snapshot ${file} on ${leader}`);
    for (const m of others) {
      const rm = await belayctl(b.state, b.endpoint(leader), ['manifests', 'remove', m, 'etcd.yaml', '--force']);
      if (rm.code !== 0) throw new Error(`belayctl manifests remove ${m} etcd.yaml exited ${rm.code}: ${rm.stderr.trim()}`);
    }
    const deadline = performance.now() + 90_000;
    for (;;) {
      const st = await b.status(leader);
      if (st?.etcdPhase === 'no-quorum') break;
      if (performance.now() > deadline) throw new Error(`quorum not lost 90 s after stopping ${others.join(', ')}: etcdPhase ${st?.etcdPhase ?? '?'}`);
      await sleep(500);
    }
    for (const m of others) fs.rmSync(path.join(b.dir, m, 'var/lib/etcd'), { recursive: true, force: true });
    progress(`restore ${runNo}: quorum lost; belayctl etcd restore --snapshot ${file}`);
    const wall0 = Date.now();
    const r = await belayctl(b.state, b.endpoint(leader), ['etcd', 'restore', '--snapshot', file], 300_000);
    const breakdown = r.stderr
      .trim()
      .split('\n')
      .filter((l) => l.trim());
    progress(`restore ${runNo}: exit ${r.code} after ${s(r.ms)} s`);
    for (const l of breakdown) progress(`  ${l}`);
    const steps = joinSteps(b, wall0, wall0 + r.ms, all);
    progress(`restore ${runNo}: every coordinator's and agent's log lines while it ran, s after the command:`);
    for (const l of steps) progress(`  ${l}`);
    let error = '';
    if (r.code !== 0) {
      const log = path.join(b.dir, leader, 'var/log/belay/coordinator.log');
      progress(`restore ${runNo}: the last warnings and errors in ${leader}'s coordinator log:`);
      const bad = cluster
        .tail(log, 400)
        .split('\n')
        .filter((x) => /"level":"(warn|error)"/.test(x) && !/"message":"call cut"/.test(x));
      for (const l of bad.slice(-6)) progress(`  ${l.slice(0, 1500)}`);
      for (const l of bad.filter((x) => /"level":"error"/.test(x))) {
        try {
          const err = (JSON.parse(l) as { err?: unknown }).err;
          error = (typeof err === 'string' ? err : JSON.stringify(err ?? '')).split('\n')[0] ?? '';
        } catch {
          // not a JSON line
        }
      }
      error ||= r.stderr.trim().split('\n').pop() ?? '';
    }
    // Checked after the clock stopped: voters and keys on each member's own endpoint.
    let voters = '?';
    const keys: string[] = [];
    if (r.code === 0) {
      const ms = await b.etcd.members().catch(() => undefined);
      voters = (ms ?? [])
        .filter((m) => !m.isLearner && m.name)
        .map((m) => m.name)
        .sort()
        .join(',');
      for (const m of all) {
        let count = '?';
        for (let i = 0; i < 40; i++) {
          // Serializable: what this member holds itself (3.4's etcdctl has no --count-only).
          const c = await etcdctl(b.etcdTls(m), [b.clientUrl(m)], ['get', PREFIX, '--prefix', '--keys-only', '--consistency=s', '-w', 'json']);
          try {
            count = String((JSON.parse(c.stdout) as { count?: number }).count ?? 0);
          } catch {
            count = '?';
          }
          if (count === String(KEYS)) break;
          await sleep(500);
        }
        keys.push(`${m} ${count}`);
      }
    }
    return {
      restore: { ms: r.ms, code: r.code, error, voters, keys: keys.join(', '), breakdown, last: r.stdout.trim().split('\n').pop() ?? '' },
      snapshots,
      dbBytes,
    };
  });
}

// ---- main -------------------------------------------------------------------

const errorLine = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
const started = performance.now();
const load = (): string =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
console.log(`bench: load average at the start ${load()}`);
console.log(
  `bench: etcd ${/etcd Version: (\S+)/.exec((await run('etcd', ['--version'], process.env, 5_000)).stdout)?.[1] ?? '?'}, ${KEYS} keys × ${VALUE_BYTES / 1024} KiB of random bytes (${mb(KEYS * VALUE_BYTES)} MB of values); ${os.cpus().length} cores; everything on loopback`,
);
const belayJoins: JoinResult[] = [];
const manualJoins: JoinResult[] = [];
const restores: RestoreRow[] = [];
let snapshots: SnapshotRow[] = [];
let restoreDb = 0;
let failure: unknown;
try {
  for (let i = 1; i <= JOIN_RUNS; i++) {
    // Alternate, one cluster at a time, so that both see the same machine.
    // A failed run is reported in the table; the others still run.
    belayJoins.push(await belayJoin(i).catch((err: unknown) => ({ healthyMs: NaN, dbBytes: NaN, failure: errorLine(err) })));
    manualJoins.push(
      await manualJoin(i, { pki, EtcdCluster, values: VALUES, prefix: PREFIX }).catch((err: unknown) => ({
        healthyMs: NaN,
        dbBytes: NaN,
        failure: errorLine(err),
      })),
    );
  }
  for (let i = 1; i <= RESTORE_RUNS; i++) {
    const r = await restoreRun(i, i === 1).catch((err: unknown) => ({
      restore: { ms: NaN, code: -1, error: errorLine(err), voters: '?', keys: '', breakdown: [], last: '' },
      snapshots: [],
      dbBytes: 0,
    }));
    restores.push(r.restore);
    if (i === 1) {
      snapshots = r.snapshots;
      restoreDb = r.dbBytes;
    }
  }
} catch (err) {
  failure = err;
  progress(`FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
} finally {
  await cleanupAll();
}

printEtcdReport({ keys: KEYS, belayJoins, manualJoins, snapshots, restoreDb, restores });
console.log(`\nbench: load average at the end ${load()}`);
console.log(`bench: done in ${s(performance.now() - started)} s${failure ? ' (FAILED: see stderr; the figures above are partial)' : ''}`);
if (failure) process.exitCode = 1;
