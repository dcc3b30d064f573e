import { execFile } from 'node:child_process';
import type { Hash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { lstatOrUndefined, syncDir } from '../../proto/common/atomic-file.js';
import { OperatorError, errorText } from '../../proto/common/errors.js';
import type { HostPaths } from '../../proto/common/paths.js';
import type { RestoreEtcdSnapshotHeader__Output } from '../../proto/gen/belay/v1/RestoreEtcdSnapshotHeader.js';
import { checkDataDir, dataEntries } from './data-dir.js';

/**
 * Restores an etcd snapshot into this master's data dir, for `belayctl
 * etcd restore`. The bytes are staged in a dot-file beside the data dir,
 * checked against the announced sha256 and size, and only then handed to
 * `etcdctl snapshot restore` (which also checks the snapshot's own
 * integrity hash). The data dir must be absent or empty: the caller
 * archives the old one first (data-dir.ts), so nothing is overwritten.
 */

/** etcd's own limit on a backend is 8 GiB; a snapshot cannot be bigger. */
const MAX_SNAPSHOT_BYTES = 8 * 1024 ** 3;
export const MAX_CHUNK_BYTES = 1024 * 1024;
const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Refuses a data dir holding data, then opens the staging file beside it. */
export async function stageSnapshot(paths: HostPaths, h: RestoreEtcdSnapshotHeader__Output): Promise<{ tmp: string; fh: fs.WriteStream }> {
  const real = paths.host(checkDataDir(h.dataDir));
  const st = await lstatOrUndefined(real);
  if (st && (!st.isDirectory() || (await dataEntries(real)).length > 0)) {
    throw new OperatorError({
      code: 'ETCD_DATA_EXISTS',
      message: `not restoring into ${h.dataDir}: it exists and is not empty`,
      hint: 'archive it first (the coordinator does: ArchiveEtcdData); nothing was changed',
      unsafe: true,
    });
  }
  await fsp.mkdir(path.dirname(real), { recursive: true, mode: 0o700 });
  const tmp = path.join(path.dirname(real), `.belay-restore-${process.pid}-${Date.now()}.db`);
  return { tmp, fh: fs.createWriteStream(tmp, { flags: 'wx', mode: 0o600 }) };
}

/**
 * The staged snapshot (`file`, closed; or the header's local file, copied
 * there) checked against the header's size and sha256, restored into the
 * data dir, and the staging file removed. Answers the size and sha256.
 */
export async function restoreStaged(
  d: { paths: HostPaths; etcdctl?: string },
  h: RestoreEtcdSnapshotHeader__Output,
  file: string,
  hash: Hash,
  received: number,
): Promise<{ received: number; sha256: string }> {
  if (h.localFile) received = await copyLocal(d.paths.host(checkLocalFile(h.localFile)), file, hash, received);
  const sum = hash.digest('hex');
  if (received !== Number(h.sizeBytes) || sum !== h.sha256.toLowerCase()) {
    throw new OperatorError({
      code: 'SNAPSHOT_CORRUPT',
      message: `the snapshot arrived as ${received} bytes with sha256 ${sum}, announced ${h.sizeBytes} bytes with ${h.sha256}`,
      hint: 'send it again; nothing was restored',
    });
  }
  const real = d.paths.host(checkDataDir(h.dataDir));
  await restore(d.etcdctl ?? 'etcdctl', file, real, h);
  await syncDir(path.dirname(real));
  fs.rmSync(file, { force: true });
  return { received, sha256: sum };
}

/** A snapshot lying on this master: absolute, no `..`, a regular file (not a link to something else). */
function checkLocalFile(p: string): string {
  if (!path.isAbsolute(p) || p.split('/').includes('..')) throw bad(`local snapshot file ${JSON.stringify(p)} is not an absolute path`);
  return p;
}

/**
 * Copies the local snapshot into the staging file (so that it cannot change under etcdctl) and
 * hashes the copy; bytes sent on the stream as well are refused.
 */
async function copyLocal(src: string, dest: string, hash: Hash, alreadyReceived: number): Promise<number> {
  if (alreadyReceived > 0) throw bad('both a local file and bytes were sent');
  const st = await lstatOrUndefined(src);
  if (!st?.isFile())
    throw new OperatorError({ code: 'SNAPSHOT_BAD_PATH', message: `${src} is not a regular file on this master`, hint: 'nothing was restored' });
  if (st.size > MAX_SNAPSHOT_BYTES) throw bad(`snapshot size ${st.size} is over 8 GiB`);
  await fsp.copyFile(src, dest);
  let n = 0;
  for await (const chunk of fs.createReadStream(dest)) {
    const b = chunk as Buffer;
    hash.update(b);
    n += b.length;
  }
  return n;
}

export function bad(message: string): OperatorError {
  return new OperatorError({ code: 'RESTORE_BAD_REQUEST', message, hint: "this is the coordinator's request: see its log" });
}

export function checkSnapshotHeader(h: RestoreEtcdSnapshotHeader__Output): void {
  if (!NAME.test(h.name)) throw bad(`member name ${JSON.stringify(h.name)} is not a DNS label`);
  if (!/^[0-9a-f]{64}$/i.test(h.sha256)) throw bad('the header has no sha256');
  if (Number(h.sizeBytes) <= 0 || Number(h.sizeBytes) > MAX_SNAPSHOT_BYTES) throw bad(`snapshot size ${h.sizeBytes} is not between 1 byte and 8 GiB`);
  for (const u of [h.initialAdvertisePeerUrl, ...h.initialCluster.split(',').map((x) => x.slice(x.indexOf('=') + 1))]) {
    if (!/^https?:\/\/[^\s,]+$/.test(u)) throw bad(`peer URL ${JSON.stringify(u)} is not a URL`);
  }
  if (!/^[-\w.]{1,64}$/.test(h.initialClusterToken)) throw bad('the cluster token is missing or not a name');
}

/**
 * etcdctl refuses a data dir that exists. An absent one is restored into
 * directly; an existing one without data (a mount point holding only
 * lost+found and earlier archives) gets the restore in a dot-dir inside it,
 * on the same disk, and its member/ moved up.
 */
async function restore(etcdctl: string, file: string, dataDir: string, h: RestoreEtcdSnapshotHeader__Output): Promise<void> {
  if (!(await lstatOrUndefined(dataDir))) return runRestore(etcdctl, file, dataDir, h);
  const inside = path.join(dataDir, `.belay-restore-${process.pid}`);
  await fsp.rm(inside, { recursive: true, force: true });
  try {
    await runRestore(etcdctl, file, inside, h);
    await fsp.rename(path.join(inside, 'member'), path.join(dataDir, 'member'));
    await syncDir(dataDir);
  } finally {
    await fsp.rm(inside, { recursive: true, force: true });
  }
}

function runRestore(etcdctl: string, file: string, dataDir: string, h: RestoreEtcdSnapshotHeader__Output): Promise<void> {
  const args = [
    'snapshot',
    'restore',
    file,
    `--data-dir=${dataDir}`,
    `--name=${h.name}`,
    `--initial-advertise-peer-urls=${h.initialAdvertisePeerUrl}`,
    `--initial-cluster=${h.initialCluster}`,
    `--initial-cluster-token=${h.initialClusterToken}`,
  ];
  return new Promise((resolve, reject) => {
    // Only our flags: etcdctl also reads ETCDCTL_* from the environment, and a stray one would change the restore.
    const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ETCDCTL_') && !k.startsWith('ETCD_'))), ETCDCTL_API: '3' };
    execFile(etcdctl, args, { env, timeout: 300_000, maxBuffer: 4 * 1024 * 1024 }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      // A half-restored dir must not look like data: move nothing, remove what etcdctl made (it was empty before).
      fs.rmSync(dataDir, { recursive: true, force: true });
      reject(
        new OperatorError({
          code: 'SNAPSHOT_RESTORE_FAILED',
          message: `etcdctl snapshot restore failed: ${(stderr || errorText(err)).trim().split('\n').slice(-3).join(' ')}`,
          hint: 'is the snapshot complete? (etcdctl snapshot status FILE); nothing was restored',
        }),
      );
    });
  });
}
