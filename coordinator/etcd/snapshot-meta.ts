import fs from 'node:fs';
import { z } from 'zod';

/** What a snapshot records about itself in its `NAME.json` sidecar, and the tunables of taking one. */

export const SNAPSHOT_DEFAULTS = {
  /** Keys whose value hashes a snapshot records for drills to compare; spread evenly over the keyspace. More catch more, cost one range each. */
  sampleKeys: 20,
  /** Keys per keys-only page while picking the sample: bounds memory on a large keyspace. */
  keysPageSize: 5_000,
  /** The whole stream from the member, ms. etcd's backend is at most 8 GiB. */
  streamTimeoutMs: 600_000,
  /** `etcdctl snapshot status` reads and hashes every key of the file, ms. */
  statusTimeoutMs: 300_000,
  /** A `.partial` or `.tmp` of ours older than this is a crash leftover that prune removes, ms; a running snapshot writes to its partial continuously. */
  stalePartialMs: 3_600_000,
} as const;

export interface SnapshotMeta {
  /** File name, e.g. etcd-belay-dev-20261126T002800Z-rev1234.db. */
  name: string;
  /** Real path of the .db where it was taken; listSnapshots and checkSnapshotFile report where they found it. */
  file: string;
  /** Hex sha256 of the whole .db file (etcd's appended integrity hash included). */
  sha256: string;
  sizeBytes: number;
  /** From `etcdctl snapshot status`; for an unverified snapshot, the revision of the stream's first header. */
  revision: number;
  /** `snapshot status` hash (crc32 over the backend's keys and values). */
  hash: number;
  /** `snapshot status` totalKey: every key of every bucket, history included; not the live key count. */
  totalKeys: number;
  /** Live keys at `keysRevision`, counted from the cluster right after the snapshot. */
  keyCount: number;
  /**
   * The revision keyCount and sample were read at: `revision`, unless it was
   * compacted before they could be read; then keyCount is from the head
   * revision, the sample is empty, `error` says so and a drill does not
   * compare them. 0 when they could not be read at all.
   */
  keysRevision: number;
  /** Up to SNAPSHOT_DEFAULTS.sampleKeys keys spread over the keyspace at `revision`, with sha256 of their values. */
  sample: { key: string; valueSha256: string }[];
  takenAtMs: number;
  /** Stream + fsync + verify (status, key count, sample), ms. */
  durationMs: number;
  /** The spec's metadata.name. */
  cluster: string;
  /** Hex. */
  clusterId: string;
  /** Member name it was streamed from. */
  takenFrom: string;
  /** `snapshot status` succeeded and matched the file (size, etcd's integrity hash); the sha256 sidecar was written. */
  verified: boolean;
  /** Why not verified, or what else went wrong (key count, copies); '' when all went well. */
  error: string;
  /** Real paths of the copies of the .db in the secondary dir. */
  copies: string[];
}

const metaSchema: z.ZodType<SnapshotMeta> = z.object({
  name: z.string(),
  file: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  sizeBytes: z.number().int().nonnegative(),
  revision: z.number().int().nonnegative(),
  hash: z.number().int().nonnegative(),
  totalKeys: z.number().int().nonnegative(),
  keyCount: z.number().int().nonnegative(),
  keysRevision: z.number().int().nonnegative(),
  sample: z.array(z.object({ key: z.string(), valueSha256: z.string().regex(/^[0-9a-f]{64}$/) })),
  takenAtMs: z.number(),
  durationMs: z.number().nonnegative(),
  cluster: z.string(),
  clusterId: z.string(),
  takenFrom: z.string(),
  verified: z.boolean(),
  error: z.string(),
  copies: z.array(z.string()),
});

export function readMeta(file: string): SnapshotMeta | undefined {
  try {
    const parsed = metaSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function metaJson(meta: SnapshotMeta): string {
  return `${JSON.stringify(meta, null, 2)}\n`;
}

export function sha256sumLine(sha256: string, name: string): string {
  return `${sha256}  ${name}\n`;
}
