/**
 * Which snapshots to remove: beyond the newest `retain`, then the oldest
 * of those left while they take more than `maxBytes` (spec.backup.maxBytes:
 * backups must not fill the disk they share with etcd), never the newest
 * verified one, which is what a restore would use.
 */

export interface KeptSnapshot {
  name: string;
  /** The .db and its sidecars. */
  bytes: number;
  verified: boolean;
}

/** `snapshots` newest first; returns the names to remove, oldest first. */
export function snapshotsToPrune(snapshots: KeptSnapshot[], retain: number, maxBytes: number): string[] {
  const newestVerified = snapshots.find((s) => s.verified)?.name;
  const gone = new Set(
    snapshots
      .slice(retain)
      .filter((s) => s.name !== newestVerified)
      .map((s) => s.name),
  );
  let total = snapshots.filter((s) => !gone.has(s.name)).reduce((sum, s) => sum + s.bytes, 0);
  for (const s of [...snapshots].reverse()) {
    if (total <= maxBytes) break;
    if (gone.has(s.name) || s.name === newestVerified) continue;
    gone.add(s.name);
    total -= s.bytes;
  }
  return [...snapshots]
    .reverse()
    .filter((s) => gone.has(s.name))
    .map((s) => s.name);
}
