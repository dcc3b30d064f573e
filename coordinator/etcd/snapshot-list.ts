import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { syncDir } from '../../proto/common/atomic-file.js';
import { OperatorError } from '../../proto/common/errors.js';
import { SNAPSHOT_DEFAULTS, readMeta, type SnapshotMeta } from './snapshot-meta.js';
import { LEFTOVER, SNAPSHOT_FILE, newestNameFirst } from './snapshot-names.js';
import { snapshotsToPrune, type KeptSnapshot } from './snapshot-prune.js';

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
 * Removes the oldest of our snapshots in `dir` beyond the newest `retain`,
 * then the oldest while those left take more than `maxBytes` (the .db and
 * its sidecars; ordered by the time and revision in the name; the choice is
 * snapshot-prune.ts's), never the newest verified one, and crash leftovers (`.partial`, `.tmp`)
 * older than SNAPSHOT_DEFAULTS.stalePartialMs. Files not named like ours
 * are never touched. Returns the paths removed.
 */
export async function pruneSnapshots(dir: string, retain: number, maxBytes = Number.POSITIVE_INFINITY): Promise<string[]> {
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
  const kept: KeptSnapshot[] = [];
  for (const n of order) {
    const files = groups.get(n) ?? [];
    let bytes = 0;
    for (const f of files) bytes += (await fsp.lstat(path.join(dir, f)).catch(() => undefined))?.size ?? 0;
    kept.push({ name: n, bytes, verified: files.includes(n) && readMeta(path.join(dir, `${n}.json`))?.verified === true });
  }
  for (const n of snapshotsToPrune(kept, retain, maxBytes)) {
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
