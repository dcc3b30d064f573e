import crypto from 'node:crypto';
import fs from 'node:fs';
import type fsp from 'node:fs/promises';
import type { SnapshotStatus } from './etcdctl.js';

/** etcd appends the sha256 of the backend to the snapshot stream (etcdserver/api/v3rpc/maintenance.go); `snapshot restore` checks it. */
export const INTEGRITY_HASH_BYTES = 32;
export const WRITE_BATCH_BYTES = 1024 * 1024;

export interface SnapshotDigest {
  sha256: string;
  bytes: number;
  /** The last 32 bytes are the sha256 of the rest, as etcd appends it. */
  embeddedOk: boolean;
}

/** sha256 of all the bytes, and of all but the last 32 (what etcd's appended hash covers), in one pass. */
export class SnapshotHasher {
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

export async function hashFile(file: string): Promise<SnapshotDigest> {
  return (await hasherOfFile(file)).digest();
}

export async function hasherOfFile(file: string): Promise<SnapshotHasher> {
  const hasher = new SnapshotHasher();
  for await (const chunk of fs.createReadStream(file, { highWaterMark: WRITE_BATCH_BYTES })) hasher.update(chunk as Buffer);
  return hasher;
}

export async function writeAll(fh: fsp.FileHandle, buf: Buffer): Promise<void> {
  for (let off = 0; off < buf.length;) off += (await fh.write(buf, off)).bytesWritten;
}

export function sizeProblem(d: SnapshotDigest, s: SnapshotStatus): string {
  if (d.bytes === s.totalSize + INTEGRITY_HASH_BYTES) {
    return d.embeddedOk ? '' : `the last 32 bytes of the file are not the sha256 of the ${s.totalSize}-byte backend before them (etcd appends it): altered`;
  }
  if (d.bytes === s.totalSize)
    return `the file is exactly the ${s.totalSize}-byte backend, without the sha256 etcd appends to a snapshot (a copy of member/snap/db?): etcdctl snapshot restore refuses it without --skip-hash-check`;
  return `the file is ${d.bytes} bytes but its backend says ${s.totalSize} (+32 for the sha256 etcd appends): truncated or padded`;
}
