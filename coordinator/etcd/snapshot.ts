import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Etcd3, ISnapshotResponse } from 'etcd3';
import { syncDir, writeFileAtomic } from '../../proto/common/atomic-file.js';
import { OperatorError, errorText } from '../../proto/common/errors.js';
import { shortError } from './client.js';
import { etcdctlSave, snapshotStatus, type SnapshotStatus } from './etcdctl.js';
import { SnapshotHasher, WRITE_BATCH_BYTES, hashFile, hasherOfFile, sizeProblem, writeAll } from './snapshot-digest.js';
import { readKeys } from './snapshot-keys.js';
import { SNAPSHOT_DEFAULTS, metaJson, sha256sumLine, type SnapshotMeta } from './snapshot-meta.js';
import { CLUSTER_NAME, utcStamp } from './snapshot-names.js';

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
