import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

/**
 * The one way belay replaces a file: `.NAME.tmp` beside it, created with its
 * final mode (so a key is never readable by others, even for a moment),
 * written, fsynced, renamed over the target, and the directory fsynced so
 * the rename itself survives a crash. A reader sees the old file or the
 * whole new one. Writes of one target in this process go one at a time: two
 * at once would share the temp file, one removing or renaming the other's.
 *
 * With `syncDir: false` the directory is left for the caller to fsync: one
 * that writes several files there syncs once, and one that must act on a
 * rename that happened (the manifest store records what it wrote) is not
 * told of a failed fsync as if the write had not happened.
 */
export function writeFileAtomic(target: string, data: string | Buffer, mode: number, o: { syncDir?: boolean } = {}): Promise<void> {
  const key = path.resolve(target);
  const before = writing.get(key) ?? Promise.resolve();
  const mine = before.then(
    () => writeNow(target, data, mode, o.syncDir !== false),
    () => writeNow(target, data, mode, o.syncDir !== false),
  );
  const tail = mine.catch(() => undefined);
  writing.set(key, tail);
  void tail.then(() => {
    if (writing.get(key) === tail) writing.delete(key);
  });
  return mine;
}

/** Target path → the last write queued for it. */
const writing = new Map<string, Promise<unknown>>();

async function writeNow(target: string, data: string | Buffer, mode: number, durable: boolean): Promise<void> {
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.tmp`);
  await fsp.rm(tmp, { force: true });
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(tmp, 'wx', mode);
    // open's mode passes through the umask; set exactly what was asked.
    await fh.chmod(mode);
    await fh.writeFile(data);
    await fh.sync();
    await fh.close();
    fh = undefined;
    await fsp.rename(tmp, target);
  } catch (err) {
    await fh?.close().catch(() => undefined);
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  if (durable) await syncDir(dir);
}

/** Makes renames and creations in `dir` durable: they live in its entries. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function lstatOrUndefined(p: string): Promise<fs.Stats | undefined> {
  try {
    return await fsp.lstat(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
