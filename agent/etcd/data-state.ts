import fsp from 'node:fs/promises';
import path from 'node:path';
import { errorText } from '../../proto/common/errors.js';
import { parseWalMetadata, WAL_HEADER_BYTES } from './wal-metadata.js';

/** What an etcd data dir holds, as read from its files (etcd need not run). */
export type DataDirState =
  | { kind: 'absent' }
  /** No member/wal, or no WAL file in it: etcd would start a member from nothing here. */
  | { kind: 'empty' }
  | { kind: 'member'; memberId: string; clusterId: string }
  /** WAL files that do not say whose they are, or a member dir without a WAL. */
  | { kind: 'unreadable'; reason: string };

/** etcd's WAL file names: sequence-index, both 16 hex digits. */
const WAL_FILE = /^[0-9a-f]{16}-[0-9a-f]{16}\.wal$/;

/** Reads the data dir at `real` (a real path): a readdir and the head of one WAL file. */
export async function inspectDataDir(real: string): Promise<DataDirState> {
  const st = await fsp.stat(real).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : Promise.reject(err)));
  if (!st) return { kind: 'absent' };
  if (!st.isDirectory()) return { kind: 'unreadable', reason: `${real} is not a directory` };
  const memberDir = path.join(real, 'member');
  const walDir = path.join(memberDir, 'wal');
  let names: string[];
  try {
    names = (await fsp.readdir(walDir)).filter((n) => WAL_FILE.test(n)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return { kind: 'unreadable', reason: `reading ${walDir}: ${errorText(err)}` };
    names = [];
  }
  const first = names[0];
  if (first === undefined) {
    // A snap dir with a backend but no WAL is a member whose log is gone: not a fresh dir.
    const db = await fsp.stat(path.join(memberDir, 'snap', 'db')).catch(() => undefined);
    return db ? { kind: 'unreadable', reason: `${memberDir} has a backend (snap/db) but no WAL` } : { kind: 'empty' };
  }
  const file = path.join(walDir, first);
  let head: Buffer;
  try {
    const fh = await fsp.open(file, 'r');
    try {
      const buf = Buffer.alloc(WAL_HEADER_BYTES);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      head = buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (err) {
    return { kind: 'unreadable', reason: `reading ${file}: ${errorText(err)}` };
  }
  const id = parseWalMetadata(head);
  if ('error' in id) return { kind: 'unreadable', reason: `${file}: ${id.error}` };
  return { kind: 'member', ...id };
}
