import fsp from 'node:fs/promises';
import path from 'node:path';
import { lstatOrUndefined, syncDir, writeFileAtomic } from '../../proto/common/atomic-file.js';
import { OperatorError } from '../../proto/common/errors.js';
import type { Logger } from '../../proto/common/log.js';
import type { HostPaths } from '../../proto/common/paths.js';
import type { PkiFile__Output } from '../../proto/gen/belay/v1/PkiFile.js';
import { WRITE_DIRS, planPkiWrite, type PlannedFile } from './write-plan.js';

/** Directories as kubeadm makes them. */
const DIR_MODE = 0o755;

/**
 * Certificates and keys into /etc/kubernetes/pki (or kubeconfigs and
 * haproxy's config, by `dir`: write-plan.ts). The whole request is checked
 * before anything is written, so a bad path among good ones writes nothing.
 * Each file is replaced atomically with its final mode (a reader such as the
 * apiserver never sees half a key, nor a key readable by others for a
 * moment). Contents never reach the log; paths and the requester do.
 * Returns the write function; its requests go one at a time: two writers
 * of the same file would race on its temp file.
 */
export function pkiWriter(d: {
  paths: HostPaths;
  log: Logger;
}): (req: { dir: string; files: readonly PkiFile__Output[]; by: string }) => Promise<{ written: string[]; planned: string[] }> {
  let chain: Promise<unknown> = Promise.resolve();
  const serialize = <T>(work: () => Promise<T>): Promise<T> => {
    const run = chain.then(work);
    chain = run.catch(() => undefined);
    return run;
  };
  return async ({ dir, files, by }) => {
    const where = WRITE_DIRS[dir];
    if (!where)
      throw new OperatorError({
        code: 'PKI_BAD_DIR',
        message: `not writing files: dir ${JSON.stringify(dir)} is none of ${Object.keys(WRITE_DIRS).filter(Boolean).join(', ')}`,
        hint: 'nothing was written',
      });
    const baseDir = d.paths.host(where.dir);
    const planned = planPkiWrite(baseDir, files, where);
    const written = await serialize(async () => {
      await checkOnDisk(baseDir, planned, where.dir);
      return writeFiles(baseDir, planned, d.log, by);
    });
    return { written, planned: planned.map((f) => f.hostPath) };
  };
}

/**
 * Refuses before writing when what is on disk would take a write elsewhere
 * or fail half-way: a symlink below the pki dir (it could point anywhere),
 * a file where a directory must be, a directory where a file must be.
 */
async function checkOnDisk(pkiDir: string, files: readonly PlannedFile[], base: string): Promise<void> {
  for (const f of files) {
    const segs = f.rel.split('/');
    let cur = pkiDir;
    for (const [i, seg] of segs.entries()) {
      cur = path.join(cur, seg);
      const st = await lstatOrUndefined(cur);
      if (!st) break;
      const last = i === segs.length - 1;
      if (st.isSymbolicLink() || (last ? !st.isFile() : !st.isDirectory())) {
        const is = st.isSymbolicLink() ? 'a symlink' : st.isDirectory() ? 'a directory' : 'not a regular file';
        throw new OperatorError({
          code: 'PKI_PATH_NOT_PLAIN',
          message: `not writing PKI files: ${path.posix.join(base, ...segs.slice(0, i + 1))} is ${is}`,
          hint: `move it away by hand if it is not needed (ls -la ${path.posix.join(base, ...segs.slice(0, i))}); nothing was written`,
        });
      }
    }
  }
}

/** Writes the files that differ; returns their host paths. */
async function writeFiles(pkiDir: string, files: readonly PlannedFile[], log: Logger, by: string): Promise<string[]> {
  const written: string[] = [];
  for (const f of files) {
    if (await unchanged(f)) continue;
    try {
      await ensureDir(pkiDir, path.dirname(f.target));
      await writeFileAtomic(f.target, f.data, f.mode);
    } catch (cause) {
      log.error('pki write failed', { path: f.hostPath, written, by, code: 'PKI_WRITE_FAILED' });
      throw new Error(`writing ${f.target}`, { cause });
    }
    written.push(f.hostPath);
  }
  return written;
}

async function unchanged(f: PlannedFile): Promise<boolean> {
  const st = await lstatOrUndefined(f.target);
  if (!st?.isFile() || (st.mode & 0o7777) !== f.mode || st.size !== f.data.length) return false;
  return (await fsp.readFile(f.target)).equals(f.data);
}

/** Makes `dir` and its missing parents down from the nearest existing one with mode 0755 whatever the umask, each durably. */
async function ensureDir(pkiDir: string, dir: string): Promise<void> {
  const missing: string[] = [];
  for (let cur = dir; !(await lstatOrUndefined(cur)); cur = path.dirname(cur)) {
    missing.unshift(cur);
    if (cur === path.dirname(cur)) break;
  }
  for (const d of missing) {
    await fsp.mkdir(d, { mode: DIR_MODE });
    // Above the pki dir (/etc/kubernetes on a fresh host) the umask's mode stands, as with mkdir -p.
    if (d === pkiDir || d.startsWith(pkiDir + path.sep)) await fsp.chmod(d, DIR_MODE);
    await syncDir(path.dirname(d));
  }
}
