import fsp from 'node:fs/promises';
import path from 'node:path';
import { lstatOrUndefined, syncDir } from '../../proto/common/atomic-file.js';
import { OperatorError } from '../../proto/common/errors.js';
import type { Logger } from '../../proto/common/log.js';
import type { HostPaths } from '../../proto/common/paths.js';
import { findEtcdUsing } from './etcd-process.js';

export interface ArchivedDataDir {
  /** The data dir as a host path, normalized. */
  dataDir: string;
  /** false: absent or empty, nothing moved. */
  existed: boolean;
  /** Host path the data went to; '' when nothing moved. */
  archivedTo: string;
}

/**
 * Moves an etcd data dir aside so that etcd starts empty there (a master
 * rejoining as a new member must not bring its old member's WAL). Nothing is
 * deleted: the old data stays beside it, `DIR.belay-archived-TIME`, for
 * recovery. A data dir under a running etcd is never moved: etcd would keep
 * writing into the moved files and lose them at its next start. Callers run
 * one archive at a time (the free name is looked for, then taken).
 */
export async function archiveDataDir(
  d: { paths: HostPaths; log: Logger; nowMs: () => number; procDir?: string },
  req: { dataDir: string; reason: string; by: string },
): Promise<ArchivedDataDir> {
  const { by, reason } = req;
  const hostDir = checkDataDir(req.dataDir);
  const real = d.paths.host(hostDir);
  const st = await lstatOrUndefined(real);
  if (!st || (st.isDirectory() && (await dataEntries(real)).length === 0)) {
    d.log.info('etcd data dir absent or empty: nothing archived', { path: hostDir, by, reason });
    return { dataDir: hostDir, existed: false, archivedTo: '' };
  }
  if (!st.isDirectory()) {
    throw new OperatorError({
      code: 'ETCD_DATA_DIR_NOT_A_DIR',
      message: `not archiving etcd data dir ${hostDir}: it is ${st.isSymbolicLink() ? `a symlink to ${await fsp.readlink(real)}` : 'not a directory'}`,
      hint: st.isSymbolicLink() ? 'give the directory it points to' : `look at ${hostDir} (ls -la); nothing was moved`,
    });
  }
  const parent = await lstatOrUndefined(path.dirname(real));
  const isMount = parent !== undefined && parent.dev !== st.dev;
  const user = await findEtcdUsing(real, d.procDir);
  if (user) {
    const uses = typeof user.dataDir === 'string' ? `runs with it (--data-dir ${user.dataDir})` : `may run with it (${user.dataDir.unknown})`;
    throw new OperatorError({
      code: 'ETCD_DATA_IN_USE',
      message: `not archiving etcd data dir ${hostDir}: etcd pid ${user.pid} ${uses}: ${user.command.slice(0, 200)}`,
      hint: 'stop etcd first (remove etcd.yaml from the manifests dir: belayctl manifests remove), then retry; nothing was moved',
      unsafe: true,
    });
  }
  const suffix = await freeSuffix(real, d.nowMs());
  let archivedTo = hostDir + suffix;
  try {
    if (isMount) archivedTo = await archiveInside(real, hostDir, suffix);
    else await fsp.rename(real, real + suffix);
    await syncDir(path.dirname(real));
  } catch (cause) {
    // A bind mount of the same filesystem has the parent's dev: rename(2) tells with EBUSY.
    if ((cause as NodeJS.ErrnoException).code === 'EBUSY') archivedTo = await archiveInside(real, hostDir, suffix);
    else throw new Error(`renaming ${real} to ${real + suffix}`, { cause });
  }
  return { dataDir: hostDir, existed: true, archivedTo };
}

/** Entries of a data dir that are data: a filesystem's lost+found and earlier archives are not. */
export async function dataEntries(real: string): Promise<string[]> {
  return (await fsp.readdir(real)).filter((n) => n !== 'lost+found' && !n.startsWith('.belay-archived-'));
}

/**
 * A data dir that is a mount point (a dedicated disk, as etcd's guide
 * advises) cannot be renamed: its contents are moved into a
 * `.belay-archived-TIME` directory inside it instead, on the same disk,
 * kept, and invisible to etcd, which only reads `member/`.
 */
async function archiveInside(real: string, hostDir: string, suffix: string): Promise<string> {
  const inside = path.join(real, suffix);
  await fsp.mkdir(inside, { mode: 0o700 });
  for (const n of await dataEntries(real)) {
    if (path.join(real, n) === inside) continue;
    await fsp.rename(path.join(real, n), path.join(inside, n));
  }
  await syncDir(inside);
  await syncDir(real);
  return path.posix.join(hostDir, suffix);
}

/** The host path, normalized; refuses relative paths and / itself. */
export function checkDataDir(dataDir: string): string {
  if (!path.posix.isAbsolute(dataDir)) {
    throw new OperatorError({
      code: 'ETCD_DATA_DIR_BAD',
      message: `etcd data dir ${JSON.stringify(dataDir)} is not an absolute path`,
      hint: "give the host path, as in etcd.yaml's --data-dir (e.g. /var/lib/etcd)",
    });
  }
  const hostDir = path.posix.resolve(dataDir);
  if (hostDir === '/') {
    throw new OperatorError({
      code: 'ETCD_DATA_DIR_BAD',
      message: 'refusing to archive / as an etcd data dir',
      hint: "give the host path, as in etcd.yaml's --data-dir (e.g. /var/lib/etcd)",
    });
  }
  return hostDir;
}

/** `.belay-archived-YYYYMMDDTHHMMSSZ`, with -1, -2, ... when that name is taken. */
async function freeSuffix(real: string, nowMs: number): Promise<string> {
  const stamp = new Date(nowMs).toISOString().slice(0, 19).replace(/[-:]/g, '') + 'Z';
  for (let n = 0; ; n++) {
    const suffix = `.belay-archived-${stamp}${n === 0 ? '' : `-${n}`}`;
    // rename(2) would replace an empty directory of that name: check first (calls are one at a time).
    // Free both beside the dir (a rename) and inside it (a mount point's archive).
    if (!(await lstatOrUndefined(real + suffix)) && !(await lstatOrUndefined(path.join(real, suffix)))) return suffix;
  }
}
