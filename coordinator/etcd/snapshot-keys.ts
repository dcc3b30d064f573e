import crypto from 'node:crypto';
import { GRPCOutOfRangeError, type Etcd3 } from 'etcd3';
import { shortError } from './client.js';
import { SNAPSHOT_DEFAULTS, type SnapshotMeta } from './snapshot-meta.js';

const ALL_KEYS = Buffer.from([0]);

/** keyCount and sample at `revision` (see SnapshotMeta.keysRevision for when it was compacted). Never throws: a failure is the error. */
export async function readKeys(
  client: Etcd3,
  revision: number,
): Promise<{ keyCount: number; keysRevision: number; sample: SnapshotMeta['sample']; error: string }> {
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
