/** How our snapshot files are named, and how the names order: newest first by the time, then the revision, in the name. */

export const SNAPSHOT_NAME = /^etcd-(.+)-(\d{8}T\d{6}Z)-rev(\d+)\.db$/;
export const SNAPSHOT_FILE = /^(etcd-.+-\d{8}T\d{6}Z-rev\d+\.db)(\.sha256|\.json)?$/;
export const LEFTOVER = /^\.etcd-.+\.(partial|tmp)$/;
/** Becomes part of a file name. */
export const CLUSTER_NAME = /^[A-Za-z0-9][-A-Za-z0-9_.]*$/;

/** 20261126T002800Z */
export function utcStamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

export function newestNameFirst(a: string, b: string): number {
  const ma = SNAPSHOT_NAME.exec(a);
  const mb = SNAPSHOT_NAME.exec(b);
  const sa = ma?.[2] ?? '';
  const sb = mb?.[2] ?? '';
  if (sa !== sb) return sa < sb ? 1 : -1;
  const d = Number(mb?.[3] ?? 0) - Number(ma?.[3] ?? 0);
  return d !== 0 ? d : a < b ? 1 : a > b ? -1 : 0;
}
