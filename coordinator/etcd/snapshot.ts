import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { GRPCOutOfRangeError, type Etcd3, type ISnapshotResponse } from 'etcd3';
import { z } from 'zod';
import { syncDir, writeFileAtomic } from '../../proto/common/atomic-file.js';
import { OperatorError, errorText } from '../../proto/common/errors.js';
import { shortError } from './client.js';

/**
 * Verified etcd snapshots. A snapshot is streamed from one member
 * (Maintenance.Snapshot, what `etcdctl snapshot save` does) into a dot-file,
 * fsynced, checked with `etcdctl snapshot status` and against the sha256
 * etcd appends to the stream, renamed to its final name (which carries the
 * revision status reported), and described by two sidecars: `NAME.sha256`
 * (sha256sum format, so `sha256sum -c` works by hand) and `NAME.json` (the
 * SnapshotMeta). The files hold every Secret of the cluster: 0600 in a 0700
 * dir.
 */

export const SNAPSHOT_DEFAULTS = {
  /** Keys whose value hashes a snapshot records for drills to compare; spread evenly over the keyspace. More catch more, cost one range each. */
  sampleKeys: 20,
  /** Keys per keys-only page while picking the sample: bounds memory on a large keyspace. */
  keysPageSize: 5_000,
  /** The whole stream from the member, ms. etcd's backend is at most 8 GiB. */
  streamTimeoutMs: 600_000,
  /** `etcdctl snapshot status` reads and hashes every key of the file, ms. */
  statusTimeoutMs: 300_000,
  /** A `.partial` or `.tmp` of ours older than this is a crash leftover that prune removes, ms; a running snapshot writes to its partial continuously. */
  stalePartialMs: 3_600_000,
} as const;

export interface SnapshotMeta {
  /** File name, e.g. etcd-belay-dev-20261126T002800Z-rev1234.db. */
  name: string;
  /** Real path of the .db where it was taken; listSnapshots and checkSnapshotFile report where they found it. */
  file: string;
  /** Hex sha256 of the whole .db file (etcd's appended integrity hash included). */
  sha256: string;
  sizeBytes: number;
  /** From `etcdctl snapshot status`; for an unverified snapshot, the revision of the stream's first header. */
  revision: number;
  /** `snapshot status` hash (crc32 over the backend's keys and values). */
  hash: number;
  /** `snapshot status` totalKey: every key of every bucket, history included; not the live key count. */
  totalKeys: number;
  /** Live keys at `keysRevision`, counted from the cluster right after the snapshot. */
  keyCount: number;
  /**
   * The revision keyCount and sample were read at: `revision`, unless it was
   * compacted before they could be read; then keyCount is from the head
   * revision, the sample is empty, `error` says so and a drill does not
   * compare them. 0 when they could not be read at all.
   */
  keysRevision: number;
  /** Up to SNAPSHOT_DEFAULTS.sampleKeys keys spread over the keyspace at `revision`, with sha256 of their values. */
  sample: { key: string; valueSha256: string }[];
  takenAtMs: number;
  /** Stream + fsync + verify (status, key count, sample), ms. */
  durationMs: number;
  /** The spec's metadata.name. */
  cluster: string;
  /** Hex. */
  clusterId: string;
  /** Member name it was streamed from. */
  takenFrom: string;
  /** `snapshot status` succeeded and matched the file (size, etcd's integrity hash); the sha256 sidecar was written. */
  verified: boolean;
  /** Why not verified, or what else went wrong (key count, copies); '' when all went well. */
  error: string;
  /** Real paths of the copies of the .db in the secondary dir. */
  copies: string[];
}

export interface SnapshotStatus {
  hash: number;
  revision: number;
  totalKey: number;
  totalSize: number;
}

export interface SnapshotCheck {
  ok: boolean;
  /** Why not ok; when ok, what could not be checked ('' when everything could). */
  reason: string;
  /** Hex sha256 of the file, '' if it could not be read. */
  sha256: string;
  status?: SnapshotStatus;
  /** From the .json sidecar, with `file` the path checked. */
  meta?: SnapshotMeta;
}

const metaSchema: z.ZodType<SnapshotMeta> = z.object({
  name: z.string(),
  file: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  sizeBytes: z.number().int().nonnegative(),
  revision: z.number().int().nonnegative(),
  hash: z.number().int().nonnegative(),
  totalKeys: z.number().int().nonnegative(),
  keyCount: z.number().int().nonnegative(),
  keysRevision: z.number().int().nonnegative(),
  sample: z.array(z.object({ key: z.string(), valueSha256: z.string().regex(/^[0-9a-f]{64}$/) })),
  takenAtMs: z.number(),
  durationMs: z.number().nonnegative(),
  cluster: z.string(),
  clusterId: z.string(),
  takenFrom: z.string(),
  verified: z.boolean(),
  error: z.string(),
  copies: z.array(z.string()),
});

const statusSchema = z.object({ hash: z.number().int(), revision: z.number().int(), totalKey: z.number().int(), totalSize: z.number().int() });

/** etcd appends the sha256 of the backend to the snapshot stream (etcdserver/api/v3rpc/maintenance.go); `snapshot restore` checks it. */
const INTEGRITY_HASH_BYTES = 32;
const SNAPSHOT_NAME = /^etcd-(.+)-(\d{8}T\d{6}Z)-rev(\d+)\.db$/;
const SNAPSHOT_FILE = /^(etcd-.+-\d{8}T\d{6}Z-rev\d+\.db)(\.sha256|\.json)?$/;
const LEFTOVER = /^\.etcd-.+\.(partial|tmp)$/;
/** Becomes part of a file name. */
const CLUSTER_NAME = /^[A-Za-z0-9][-A-Za-z0-9_.]*$/;
const ALL_KEYS = Buffer.from([0]);
const WRITE_BATCH_BYTES = 1024 * 1024;

export async function takeSnapshot(o: {
  client: Etcd3;
  dir: string;
  secondaryDir?: string;
  cluster: string;
  clusterId: string;
  member: string;
  nowMs?: () => number;
  /** Deadline of the stream, ms (SNAPSHOT_DEFAULTS.streamTimeoutMs). */
  timeoutMs?: number;
  /**
   * Take it with `etcdctl snapshot save` against this endpoint and these
   * files instead of streaming through `client`: the same Maintenance.Snapshot
   * call, received about twice as fast as grpc-js decodes it (64 MB: 0.6 s
   * against 1.0-1.3 s here), then hashed from disk.
   */
  etcdctl?: { endpoint: string; cacert?: string; cert?: string; key?: string };
}): Promise<SnapshotMeta> {
  if (!CLUSTER_NAME.test(o.cluster)) {
    throw new OperatorError({
      code: 'SNAPSHOT_BAD_CLUSTER_NAME',
      message: `cluster name ${JSON.stringify(o.cluster)} cannot be part of a snapshot file name`,
      hint: 'metadata.name of the spec must be a DNS label',
    });
  }
  const takenAtMs = (o.nowMs ?? Date.now)();
  const started = performance.now();
  const base = `etcd-${o.cluster}-${utcStamp(takenAtMs)}`;
  await fsp.mkdir(o.dir, { recursive: true, mode: 0o700 });
  const dir = await fsp.realpath(o.dir);
  const partial = path.join(dir, `.${base}.db.partial`);

  let hasher = new SnapshotHasher();
  let headerRevision = 0;
  try {
    if (o.etcdctl) {
      await etcdctlSave(o.etcdctl, partial, o.timeoutMs ?? SNAPSHOT_DEFAULTS.streamTimeoutMs);
      hasher = await hasherOfFile(partial);
    } else {
      headerRevision = await streamSnapshot(o.client, partial, hasher, o.timeoutMs ?? SNAPSHOT_DEFAULTS.streamTimeoutMs);
    }
  } catch (err) {
    await fsp.rm(partial, { force: true }).catch(() => undefined);
    throw new OperatorError({
      code: 'SNAPSHOT_STREAM_FAILED',
      message: `streaming a snapshot from etcd member ${o.member} into ${dir} failed after ${hasher.bytes} bytes: ${shortError(err)}`,
      hint: `check that member (etcdctl endpoint status) and the free space in ${dir} (df -h); nothing was kept`,
      retryable: true,
      cause: err,
    });
  }
  const digest = hasher.digest();
  const errors: string[] = [];

  let status: SnapshotStatus | undefined;
  try {
    status = await snapshotStatus(partial);
    const why = sizeProblem(digest, status);
    if (why) errors.push(why);
  } catch (err) {
    errors.push(errorText(err));
  }
  const verified = status !== undefined && errors.length === 0;
  const revision = status?.revision ?? headerRevision;
  const keys = verified ? await readKeys(o.client, revision) : { keyCount: 0, keysRevision: 0, sample: [], error: '' };
  if (keys.error) errors.push(keys.error);

  const name = `${base}-rev${revision}.db`;
  const file = path.join(dir, name);
  await fsp.rename(partial, file);
  await syncDir(dir);
  const durationMs = Math.round(performance.now() - started);

  const meta: SnapshotMeta = {
    name,
    file,
    sha256: digest.sha256,
    sizeBytes: digest.bytes,
    revision,
    hash: status?.hash ?? 0,
    totalKeys: status?.totalKey ?? 0,
    keyCount: keys.keyCount,
    keysRevision: keys.keysRevision,
    sample: keys.sample,
    takenAtMs,
    durationMs,
    cluster: o.cluster,
    clusterId: o.clusterId,
    takenFrom: o.member,
    verified,
    error: '',
    copies: [],
  };
  if (verified) await writeFileAtomic(`${file}.sha256`, sha256sumLine(digest.sha256, name), 0o600);

  // An unverified snapshot is not worth a second copy: the primary keeps it as evidence until pruned.
  if (verified && o.secondaryDir !== undefined) {
    try {
      meta.copies = [await copySnapshot(file, digest.sha256, o.secondaryDir, meta)];
    } catch (err) {
      errors.push(`copy to ${o.secondaryDir} failed: ${errorText(err)}`);
    }
  }
  meta.error = errors.join('; ');
  await writeFileAtomic(`${file}.json`, metaJson(meta), 0o600);
  return meta;
}

/** The snapshots in `dir` described by their .json sidecars, newest first. Anything else (a corrupt sidecar, one whose .db is gone) is skipped. */
export function listSnapshots(dir: string): SnapshotMeta[] {
  let names: string[];
  let real: string;
  try {
    real = fs.realpathSync(dir);
    names = fs.readdirSync(real);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`listing snapshots in ${dir}`, { cause: err });
  }
  const out: SnapshotMeta[] = [];
  for (const n of names) {
    const m = SNAPSHOT_FILE.exec(n);
    if (!m?.[1] || m[2] !== '.json') continue;
    const file = path.join(real, m[1]);
    const meta = readMeta(`${file}.json`);
    if (meta?.name !== m[1] || !fs.existsSync(file)) continue;
    out.push({ ...meta, file });
  }
  return out.sort((a, b) => b.takenAtMs - a.takenAtMs || b.revision - a.revision || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
}

/**
 * Removes the oldest of our snapshots in `dir` beyond the newest `retain`
 * (the .db and its sidecars; ordered by the time and revision in the name),
 * never the newest verified one, and crash leftovers (`.partial`, `.tmp`)
 * older than SNAPSHOT_DEFAULTS.stalePartialMs. Files not named like ours
 * are never touched. Returns the paths removed.
 */
export async function pruneSnapshots(dir: string, retain: number): Promise<string[]> {
  if (!Number.isInteger(retain) || retain < 0) {
    throw new OperatorError({
      code: 'SNAPSHOT_BAD_RETAIN',
      message: `cannot keep ${retain} snapshots`,
      hint: 'spec.backup.retain is a whole number, 0 or more',
    });
  }
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`listing snapshots in ${dir}`, { cause: err });
  }
  const removed: string[] = [];
  const groups = new Map<string, string[]>();
  for (const n of names) {
    const m = SNAPSHOT_FILE.exec(n);
    if (m?.[1]) {
      groups.set(m[1], [...(groups.get(m[1]) ?? []), n]);
    } else if (LEFTOVER.test(n)) {
      const st = await fsp.lstat(path.join(dir, n)).catch(() => undefined);
      if (st?.isFile() && Date.now() - st.mtimeMs > SNAPSHOT_DEFAULTS.stalePartialMs) {
        await fsp.rm(path.join(dir, n), { force: true });
        removed.push(path.join(dir, n));
      }
    }
  }
  const order = [...groups.keys()].sort(newestNameFirst);
  const newestVerified = order.find((n) => groups.get(n)?.includes(n) && readMeta(path.join(dir, `${n}.json`))?.verified === true);
  for (const n of order.slice(retain)) {
    if (n === newestVerified) continue;
    // The .json first: listSnapshots stops offering it before its .db goes.
    for (const f of [`${n}.json`, `${n}.sha256`, n]) {
      if (!groups.get(n)?.includes(f)) continue;
      await fsp.rm(path.join(dir, f), { force: true });
      removed.push(path.join(dir, f));
    }
  }
  if (removed.length > 0) await syncDir(dir);
  return removed;
}

/**
 * Whether `file` can be restored: readable; equal to its .sha256 sidecar
 * (and .json) when there is one; `etcdctl snapshot status` reads it; its
 * size is the backend's plus the integrity hash etcd appends, and that hash
 * matches. A plain `etcdctl snapshot save` file without sidecars passes on
 * the last two alone (the reason says so).
 */
export async function checkSnapshotFile(file: string): Promise<SnapshotCheck> {
  let digest: SnapshotDigest;
  try {
    const st = await fsp.stat(file);
    if (!st.isFile()) return { ok: false, reason: `${file} is not a regular file`, sha256: '' };
    digest = await hashFile(file);
  } catch (err) {
    return { ok: false, reason: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? errorText(err)}`, sha256: '' };
  }
  const sha256 = digest.sha256;
  const meta = readMeta(`${file}.json`);
  const found = meta ? { meta: { ...meta, file } } : {};
  let sidecar: string | undefined;
  try {
    const text = await fsp.readFile(`${file}.sha256`, 'utf8');
    sidecar = /^([0-9a-f]{64}) [ *]/.exec(text)?.[1];
    if (!sidecar)
      return {
        ok: false,
        reason: `${file}.sha256 is not in sha256sum format ("HEX  NAME"): cannot tell whether ${path.basename(file)} is intact`,
        sha256,
        ...found,
      };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      return { ok: false, reason: `cannot read ${file}.sha256: ${(err as NodeJS.ErrnoException).code ?? errorText(err)}`, sha256, ...found };
  }
  if (sidecar && sidecar !== sha256) {
    return {
      ok: false,
      reason: `sha256 of ${file} is ${sha256} but its .sha256 sidecar says ${sidecar}: the file was truncated or altered after it was taken`,
      sha256,
      ...found,
    };
  }
  if (meta && meta.sha256 !== sha256) {
    return {
      ok: false,
      reason: `sha256 of ${file} is ${sha256} but its .json sidecar says ${meta.sha256}: the file was truncated or altered after it was taken`,
      sha256,
      ...found,
    };
  }
  let status: SnapshotStatus;
  try {
    status = await snapshotStatus(file);
  } catch (err) {
    const hashNote = digest.embeddedOk ? '' : ', and its last 32 bytes are not the sha256 etcd appends: truncated or altered';
    return { ok: false, reason: `${errorText(err)}${hashNote}`, sha256, ...found };
  }
  const why = sizeProblem(digest, status);
  if (why) return { ok: false, reason: why, sha256, status, ...found };
  if (meta && meta.revision !== status.revision) {
    return {
      ok: false,
      reason: `${file} is at revision ${status.revision} but its .json sidecar says ${meta.revision}: the sidecar belongs to another snapshot`,
      sha256,
      status,
      ...found,
    };
  }
  const reason = sidecar ? '' : 'no .sha256 sidecar: checked with etcdctl snapshot status and the integrity hash etcd appends only';
  return { ok: true, reason, sha256, status, ...found };
}

/** `etcdctl snapshot status FILE -w json`; rejects with what etcdctl said. */
export async function snapshotStatus(file: string): Promise<SnapshotStatus> {
  const out = await etcdctl(['snapshot', 'status', file, '-w', 'json'], { timeoutMs: SNAPSHOT_DEFAULTS.statusTimeoutMs });
  try {
    return statusSchema.parse(JSON.parse(out));
  } catch {
    throw new Error(`etcdctl snapshot status ${file} printed no status: ${out.trim().slice(0, 200)}`);
  }
}

/** Runs etcdctl (v3 API) without the caller's ETCD*_ environment; resolves with stdout, rejects with its error line. */
export function etcdctl(args: string[], o: { timeoutMs: number; cwd?: string; signal?: AbortSignal }): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'etcdctl',
      args,
      {
        env: { ...etcdFreeEnv(), ETCDCTL_API: '3' },
        timeout: o.timeoutMs,
        maxBuffer: 16 * 1024 * 1024,
        ...(o.cwd ? { cwd: o.cwd } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
      },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const what = `etcdctl ${args.slice(0, 2).join(' ')}`;
        if ((err as { killed?: boolean }).killed) return reject(new Error(`${what} did not finish within ${o.timeoutMs} ms`, { cause: err }));
        reject(new Error(`${what} failed: ${toolError(stderr) || errorText(err)}`, { cause: err }));
      },
    );
  });
}

/**
 * The environment minus ETCD_* and ETCDCTL_*: etcd and etcdctl read their
 * flags from those too (and refuse a flag that one shadows), so a scratch
 * etcd must not inherit the host's.
 */
export function etcdFreeEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^ETCD(CTL)?_/.test(k)) env[k] = v;
  return env;
}

/** The line of an etcd tool's stderr that says what went wrong (a Go panic dumps pages of goroutines after it). */
export function toolError(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const line = lines.find((l) => /^(Error:|panic:|fatal error:|unexpected fault)/.test(l)) ?? lines.find((l) => !l.startsWith('{')) ?? lines.at(-1) ?? '';
  return line.replace(/^Error:\s*/, '').slice(0, 300);
}

interface SnapshotDigest {
  sha256: string;
  bytes: number;
  /** The last 32 bytes are the sha256 of the rest, as etcd appends it. */
  embeddedOk: boolean;
}

/** sha256 of all the bytes, and of all but the last 32 (what etcd's appended hash covers), in one pass. */
class SnapshotHasher {
  private readonly whole = crypto.createHash('sha256');
  private readonly body = crypto.createHash('sha256');
  private tail = Buffer.alloc(0);
  bytes = 0;

  update(chunk: Buffer): void {
    this.whole.update(chunk);
    this.bytes += chunk.length;
    if (chunk.length >= INTEGRITY_HASH_BYTES) {
      this.body.update(this.tail);
      this.body.update(chunk.subarray(0, chunk.length - INTEGRITY_HASH_BYTES));
      this.tail = Buffer.from(chunk.subarray(chunk.length - INTEGRITY_HASH_BYTES));
    } else {
      const joined = Buffer.concat([this.tail, chunk]);
      const cut = Math.max(0, joined.length - INTEGRITY_HASH_BYTES);
      this.body.update(joined.subarray(0, cut));
      this.tail = joined.subarray(cut);
    }
  }

  digest(): SnapshotDigest {
    const body = this.body.digest();
    return { sha256: this.whole.digest('hex'), bytes: this.bytes, embeddedOk: this.tail.length === INTEGRITY_HASH_BYTES && body.equals(this.tail) };
  }
}

async function hashFile(file: string): Promise<SnapshotDigest> {
  return (await hasherOfFile(file)).digest();
}

async function hasherOfFile(file: string): Promise<SnapshotHasher> {
  const hasher = new SnapshotHasher();
  for await (const chunk of fs.createReadStream(file, { highWaterMark: WRITE_BATCH_BYTES })) hasher.update(chunk as Buffer);
  return hasher;
}

/** `etcdctl snapshot save` into `file` (it writes FILE.part and renames it), made 0600 and fsynced. */
async function etcdctlSave(t: { endpoint: string; cacert?: string; cert?: string; key?: string }, file: string, timeoutMs: number): Promise<void> {
  await fsp.rm(file, { force: true });
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ETCDCTL_') && !k.startsWith('ETCD_'))), ETCDCTL_API: '3' };
  await new Promise<void>((resolve, reject) => {
    const tls = [...(t.cacert ? [`--cacert=${t.cacert}`] : []), ...(t.cert ? [`--cert=${t.cert}`] : []), ...(t.key ? [`--key=${t.key}`] : [])];
    execFile(
      'etcdctl',
      [`--endpoints=${t.endpoint}`, ...tls, `--command-timeout=${Math.ceil(timeoutMs / 1000)}s`, 'snapshot', 'save', file],
      { env, timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 },
      (err, _out, stderr) =>
        err ? reject(new Error(`etcdctl snapshot save: ${(stderr || errorText(err)).trim().split('\n').slice(-2).join(' ')}`)) : resolve(),
    );
  });
  const fh = await fsp.open(file, 'r+');
  try {
    await fh.chmod(0o600);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Streams Maintenance.Snapshot into a new `file` (0600), fsynced; returns the revision of the first header. */
async function streamSnapshot(client: Etcd3, file: string, hasher: SnapshotHasher, timeoutMs: number): Promise<number> {
  await fsp.rm(file, { force: true });
  const fh = await fsp.open(file, 'wx', 0o600);
  try {
    // etcd3 types it as an event emitter; it is grpc-js's object-mode Readable, so iterating it applies backpressure.
    const stream = (await client.maintenance.snapshot({ deadline: Date.now() + timeoutMs })) as unknown as AsyncIterable<ISnapshotResponse>;
    let revision = 0;
    let batch: Buffer[] = [];
    let batchBytes = 0;
    for await (const msg of stream) {
      if (revision === 0) revision = Number(msg.header?.revision ?? 0);
      hasher.update(msg.blob);
      batch.push(msg.blob);
      batchBytes += msg.blob.length;
      if (batchBytes >= WRITE_BATCH_BYTES) {
        await writeAll(fh, Buffer.concat(batch, batchBytes));
        batch = [];
        batchBytes = 0;
      }
    }
    if (batchBytes > 0) await writeAll(fh, Buffer.concat(batch, batchBytes));
    await fh.sync();
    return revision;
  } finally {
    await fh.close();
  }
}

async function writeAll(fh: fsp.FileHandle, buf: Buffer): Promise<void> {
  for (let off = 0; off < buf.length;) off += (await fh.write(buf, off)).bytesWritten;
}

function sizeProblem(d: SnapshotDigest, s: SnapshotStatus): string {
  if (d.bytes === s.totalSize + INTEGRITY_HASH_BYTES) {
    return d.embeddedOk ? '' : `the last 32 bytes of the file are not the sha256 of the ${s.totalSize}-byte backend before them (etcd appends it): altered`;
  }
  if (d.bytes === s.totalSize)
    return `the file is exactly the ${s.totalSize}-byte backend, without the sha256 etcd appends to a snapshot (a copy of member/snap/db?): etcdctl snapshot restore refuses it without --skip-hash-check`;
  return `the file is ${d.bytes} bytes but its backend says ${s.totalSize} (+32 for the sha256 etcd appends): truncated or padded`;
}

/** keyCount and sample at `revision` (see SnapshotMeta.keysRevision for when it was compacted). Never throws: a failure is the error. */
async function readKeys(client: Etcd3, revision: number): Promise<{ keyCount: number; keysRevision: number; sample: SnapshotMeta['sample']; error: string }> {
  try {
    return { ...(await readKeysAt(client, revision)), keysRevision: revision, error: '' };
  } catch (err) {
    if (!(err instanceof GRPCOutOfRangeError))
      return { keyCount: 0, keysRevision: 0, sample: [], error: `counting keys at revision ${revision} failed: ${shortError(err)}` };
  }
  try {
    const head = await client.kv.range({ key: ALL_KEYS, range_end: ALL_KEYS, count_only: true });
    return {
      keyCount: Number(head.count),
      keysRevision: Number(head.header.revision),
      sample: [],
      error: `revision ${revision} was compacted before its keys could be counted: keyCount is from revision ${head.header.revision}, no sample`,
    };
  } catch (err) {
    return {
      keyCount: 0,
      keysRevision: 0,
      sample: [],
      error: `revision ${revision} was compacted before its keys could be counted, and counting at the head failed: ${shortError(err)}`,
    };
  }
}

async function readKeysAt(client: Etcd3, revision: number): Promise<{ keyCount: number; sample: SnapshotMeta['sample'] }> {
  const counted = await client.kv.range({ key: ALL_KEYS, range_end: ALL_KEYS, revision, count_only: true });
  const keyCount = Number(counted.count);
  const want = sampleIndexes(keyCount, SNAPSHOT_DEFAULTS.sampleKeys);
  const picked: Buffer[] = [];
  let from = ALL_KEYS;
  for (let index = 0, w = 0; w < want.length;) {
    const page = await client.kv.range({ key: from, range_end: ALL_KEYS, revision, keys_only: true, limit: SNAPSHOT_DEFAULTS.keysPageSize });
    for (const kv of page.kvs) {
      if (index === want[w]) {
        picked.push(kv.key);
        w++;
      }
      index++;
    }
    const last = page.kvs.at(-1);
    if (!page.more || !last) break;
    from = Buffer.concat([last.key, Buffer.from([0])]);
  }
  const sample: SnapshotMeta['sample'] = [];
  for (const key of picked) {
    const text = key.toString('utf8');
    // The sample travels as strings: a key that is not UTF-8 could not be looked up again.
    if (!Buffer.from(text, 'utf8').equals(key)) continue;
    const res = await client.kv.range({ key, revision });
    const value = res.kvs[0]?.value;
    if (value) sample.push({ key: text, valueSha256: crypto.createHash('sha256').update(value).digest('hex') });
  }
  return { keyCount, sample };
}

/** Up to n indexes in [0, count), first and last included, evenly spread. */
export function sampleIndexes(count: number, n: number): number[] {
  if (count <= n) return Array.from({ length: count }, (_, i) => i);
  if (n <= 1) return n === 1 ? [0] : [];
  return Array.from({ length: n }, (_, i) => Math.round((i * (count - 1)) / (n - 1)));
}

/** Copies the .db and its .sha256 into `secondaryDir` (each written beside, fsynced, re-read and hashed, then renamed), then the .json; returns the copy's real path. */
async function copySnapshot(file: string, sha256: string, secondaryDir: string, meta: SnapshotMeta): Promise<string> {
  await fsp.mkdir(secondaryDir, { recursive: true, mode: 0o700 });
  const dir = await fsp.realpath(secondaryDir);
  const copy = path.join(dir, meta.name);
  if (copy === file) throw new Error(`the secondary dir ${secondaryDir} is the primary one`);
  await copyVerified(file, copy, sha256);
  const sidecar = sha256sumLine(sha256, meta.name);
  await copyVerified(`${file}.sha256`, `${copy}.sha256`, crypto.createHash('sha256').update(sidecar).digest('hex'));
  const json = metaJson({ ...meta, copies: [copy] });
  await writeFileAtomic(`${copy}.json`, json, 0o600);
  if ((await fsp.readFile(`${copy}.json`, 'utf8')) !== json) throw new Error(`${copy}.json reads back different from what was written`);
  return copy;
}

async function copyVerified(src: string, dst: string, sha256: string): Promise<void> {
  const tmp = path.join(path.dirname(dst), `.${path.basename(dst)}.tmp`);
  await fsp.rm(tmp, { force: true });
  try {
    const out = await fsp.open(tmp, 'wx', 0o600);
    try {
      for await (const chunk of fs.createReadStream(src, { highWaterMark: WRITE_BATCH_BYTES })) await writeAll(out, chunk as Buffer);
      await out.sync();
    } finally {
      await out.close();
    }
    const got = (await hashFile(tmp)).sha256;
    if (got !== sha256) throw new Error(`the copy ${tmp} has sha256 ${got}, the original ${sha256}`);
    await fsp.rename(tmp, dst);
  } catch (err) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  await syncDir(path.dirname(dst));
}

function readMeta(file: string): SnapshotMeta | undefined {
  try {
    const parsed = metaSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function metaJson(meta: SnapshotMeta): string {
  return `${JSON.stringify(meta, null, 2)}\n`;
}

function sha256sumLine(sha256: string, name: string): string {
  return `${sha256}  ${name}\n`;
}

/** 20261126T002800Z */
function utcStamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

function newestNameFirst(a: string, b: string): number {
  const ma = SNAPSHOT_NAME.exec(a);
  const mb = SNAPSHOT_NAME.exec(b);
  const sa = ma?.[2] ?? '';
  const sb = mb?.[2] ?? '';
  if (sa !== sb) return sa < sb ? 1 : -1;
  const d = Number(mb?.[3] ?? 0) - Number(ma?.[3] ?? 0);
  return d !== 0 ? d : a < b ? 1 : a > b ? -1 : 0;
}
