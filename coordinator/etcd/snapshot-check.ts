import fsp from 'node:fs/promises';
import path from 'node:path';
import { errorText } from '../../proto/common/errors.js';
import { snapshotStatus, type SnapshotStatus } from './etcdctl.js';
import { hashFile, sizeProblem, type SnapshotDigest } from './snapshot-digest.js';
import { readMeta, type SnapshotMeta } from './snapshot-meta.js';

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
