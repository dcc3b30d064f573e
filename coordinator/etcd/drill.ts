import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import { once } from 'node:events';
import fsp from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { noop } from 'cockatiel';
import { Etcd3 } from 'etcd3';
import YAML from 'yaml';
import { OperatorError, errorText } from '../../proto/common/errors.js';
import { ETCD_KEYS } from '../cluster/etcd-keys.js';
import { shortError } from './client.js';
import { etcdFreeEnv, etcdctl, toolError } from './etcdctl.js';
import { type SnapshotMeta } from './snapshot-meta.js';

/**
 * A restore drill: proves a snapshot restores by doing it. `etcdctl
 * snapshot restore` into a scratch dir (which checks etcd's integrity hash),
 * a one-member etcd started on it, then its keys counted and the snapshot's
 * sample values compared. The scratch etcd is a private throwaway copy:
 * plain HTTP on 127.0.0.1 ports the kernel hands out, its data dir and
 * working dir inside the scratch dir, none of the host's ETCD_* environment,
 * no metrics listener. It is stopped and the scratch dir removed whatever
 * happened.
 */

export const DRILL_DEFAULTS = {
  /** The whole drill (restore, start, count, compare), ms. The scratch etcd is stopped and its dir removed after it, on time or not. */
  timeoutMs: 60_000,
  /** SIGTERM → SIGKILL for the scratch etcd, ms. */
  stopGraceMs: 5_000,
  /** Deadline of each call to the scratch etcd, ms. */
  callTimeoutMs: 5_000,
} as const;

export interface DrillResult {
  ok: boolean;
  /** File name of the snapshot. */
  snapshot: string;
  /** Revision of the restored etcd. */
  revision: number;
  /** meta.keyCount when it was counted at the snapshot's revision, else 0 (not compared). */
  expectedKeys: number;
  restoredKeys: number;
  sampleChecked: number;
  /** One line per difference from `meta`: revision, key count, each sample key. */
  mismatches: string[];
  /** metadata.name of the spec stored at /belay/cluster/spec in the snapshot, '' if there is none. */
  clusterName: string;
  durationMs: number;
  /** Why the drill could not be done; '' when it was (then `mismatches` says whether it matched). */
  error: string;
  atMs: number;
}

const NAME = 'belay-drill';
const ALL_KEYS = Buffer.from([0]);

/**
 * Never throws for a bad snapshot or a failed drill: ok false with `error`.
 * `scratchDir` must be missing or empty (a mkdtemp dir is); a non-empty one
 * is refused and left alone, since removing it afterwards would remove
 * something that is not ours.
 */
export async function restoreDrill(o: { file: string; meta?: SnapshotMeta; scratchDir: string; timeoutMs?: number }): Promise<DrillResult> {
  const atMs = Date.now();
  const started = performance.now();
  const timeoutMs = o.timeoutMs ?? DRILL_DEFAULTS.timeoutMs;
  const r: DrillResult = {
    ok: false,
    snapshot: path.basename(o.file),
    revision: 0,
    expectedKeys: 0,
    restoredKeys: 0,
    sampleChecked: 0,
    mismatches: [],
    clusterName: '',
    durationMs: 0,
    error: '',
    atMs,
  };
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  const proc: { etcd?: ChildProcess } = {};
  const step = { now: 'preparing the scratch dir' };
  let ours = false;
  try {
    await prepareScratch(o.scratchDir);
    ours = true;
    await drill(o, r, proc, step, timeoutMs, ac.signal);
    r.ok = r.mismatches.length === 0;
  } catch (err) {
    r.ok = false;
    r.error = ac.signal.aborted ? `timed out after ${timeoutMs} ms while ${step.now}` : `${step.now}: ${errorText(err)}`;
  } finally {
    clearTimeout(timer);
    await stopEtcd(proc.etcd);
    if (ours) {
      try {
        await fsp.rm(o.scratchDir, { recursive: true, force: true });
      } catch (err) {
        r.ok = false;
        r.error ||= `removing the scratch dir ${o.scratchDir} failed: ${errorText(err)}`;
      }
    }
    r.durationMs = Math.round(performance.now() - started);
  }
  return r;
}

async function drill(
  o: { file: string; meta?: SnapshotMeta; scratchDir: string },
  r: DrillResult,
  proc: { etcd?: ChildProcess },
  step: { now: string },
  timeoutMs: number,
  signal: AbortSignal,
): Promise<void> {
  const scratch = await fsp.realpath(o.scratchDir);
  if (o.meta) {
    step.now = `reading ${o.file}`;
    const size = (await fsp.stat(o.file)).size;
    if (size !== o.meta.sizeBytes) throw new Error(`${o.file} is ${size} bytes, its snapshot was ${o.meta.sizeBytes}: truncated or replaced`);
  }

  step.now = 'restoring the snapshot';
  const peerPort = await freePort();
  let clientPort = await freePort();
  while (clientPort === peerPort) clientPort = await freePort();
  const peer = `http://127.0.0.1:${peerPort}`;
  const client = `http://127.0.0.1:${clientPort}`;
  const dataDir = path.join(scratch, 'data');
  await etcdctl(
    [
      'snapshot',
      'restore',
      o.file,
      `--data-dir=${dataDir}`,
      `--name=${NAME}`,
      `--initial-cluster=${NAME}=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster-token=${NAME}`,
    ],
    {
      timeoutMs,
      cwd: scratch,
      signal,
    },
  );
  signal.throwIfAborted();

  step.now = 'starting the scratch etcd';
  const flags = [
    `--name=${NAME}`,
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=${NAME}=${peer}`,
    `--initial-cluster-token=${NAME}`,
    '--logger=zap',
    '--log-outputs=stderr',
  ];
  const etcd = spawn('etcd', flags, { cwd: scratch, env: etcdFreeEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
  proc.etcd = etcd;
  let stderr = '';
  let spawnError: Error | undefined;
  etcd.on('error', (err) => (spawnError = err));
  etcd.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-16_000);
  });

  const kv = new Etcd3({
    hosts: client,
    dialTimeout: 1_000,
    // Asked until it answers: no retries or circuit breaker remembering the refusals from before it listened.
    faultHandling: { global: noop, host: () => noop },
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + DRILL_DEFAULTS.callTimeoutMs }),
  });
  try {
    for (;;) {
      signal.throwIfAborted();
      if (spawnError) throw new Error(`etcd could not be started: ${spawnError.message}`);
      if (etcd.exitCode !== null || etcd.signalCode !== null)
        throw new Error(`etcd exited (${etcd.exitCode ?? etcd.signalCode}) before it answered: ${toolError(stderr)}`);
      try {
        const s = await kv.maintenance.status({ deadline: Date.now() + 1_000 });
        if (s.leader !== '0') break;
      } catch {
        // Not listening yet.
      }
      await sleep(100, undefined, { signal });
    }

    step.now = 'reading the restored keys';
    const counted = await kv.kv.range({ key: ALL_KEYS, range_end: ALL_KEYS, count_only: true });
    signal.throwIfAborted();
    r.revision = Number(counted.header.revision);
    r.restoredKeys = Number(counted.count);
    if (o.meta) await compare(kv, o.meta, r, signal);

    step.now = `reading ${ETCD_KEYS.spec}`;
    const spec = await kv.kv.range({ key: Buffer.from(ETCD_KEYS.spec) });
    r.clusterName = clusterName(spec.kvs[0]?.value.toString('utf8'));
  } catch (err) {
    if (signal.aborted) throw err;
    throw new Error(shortError(err), { cause: err });
  } finally {
    kv.close();
  }
}

async function compare(kv: Etcd3, meta: SnapshotMeta, r: DrillResult, signal: AbortSignal): Promise<void> {
  if (r.revision !== meta.revision) r.mismatches.push(`revision: restored ${r.revision}, snapshot ${meta.revision}`);
  // A count taken at another revision (the snapshot's was compacted first) says nothing about this one.
  if (meta.keysRevision !== meta.revision) return;
  r.expectedKeys = meta.keyCount;
  if (r.restoredKeys !== meta.keyCount) r.mismatches.push(`key count: restored ${r.restoredKeys}, snapshot ${meta.keyCount}`);
  for (const s of meta.sample) {
    const res = await kv.kv.range({ key: Buffer.from(s.key, 'utf8') });
    signal.throwIfAborted();
    r.sampleChecked++;
    const value = res.kvs[0]?.value;
    if (!value) {
      r.mismatches.push(`${s.key}: missing`);
      continue;
    }
    const sha = crypto.createHash('sha256').update(value).digest('hex');
    if (sha !== s.valueSha256) r.mismatches.push(`${s.key}: value sha256 ${sha}, snapshot ${s.valueSha256}`);
  }
}

/** metadata.name of a Cluster spec (YAML or JSON), '' if there is none. */
function clusterName(text: string | undefined): string {
  if (!text) return '';
  try {
    const doc = YAML.parse(text) as unknown;
    const name = (doc as { metadata?: { name?: unknown } } | null)?.metadata?.name;
    return typeof name === 'string' ? name : '';
  } catch {
    return '';
  }
}

async function prepareScratch(dir: string): Promise<void> {
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  const entries = await fsp.readdir(dir);
  if (entries.length > 0) {
    throw new OperatorError({
      code: 'DRILL_SCRATCH_NOT_EMPTY',
      message: `the drill's scratch dir ${dir} is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}); it was left alone`,
      hint: `give a new empty dir (mktemp -d); a leftover of a killed drill can go once no etcd runs on it (pgrep -af ${dir})`,
    });
  }
  await fsp.chmod(dir, 0o700);
}

async function stopEtcd(p: ChildProcess | undefined): Promise<void> {
  if (!p || p.pid === undefined || p.exitCode !== null || p.signalCode !== null) return;
  const exited = once(p, 'exit');
  p.kill('SIGTERM');
  const grace = new AbortController();
  const stopped = await Promise.race([exited.then(() => true), sleep(DRILL_DEFAULTS.stopGraceMs, false, { signal: grace.signal }).catch(() => false)]);
  grace.abort();
  if (!stopped) {
    p.kill('SIGKILL');
    await exited;
  }
}

/** A loopback port nobody listens on right now, asked of the kernel. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port from the kernel'))));
    });
  });
}
