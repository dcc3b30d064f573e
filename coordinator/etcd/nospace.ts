import type { HostReport__Output } from '../../proto/gen/belay/v1/HostReport.js';

/**
 * etcd's NOSPACE alarm, read and answered. etcd raises it when a member's
 * db reaches --quota-backend-bytes; from then on it refuses every write
 * (reads and deletes still work) until the alarm is disarmed. A full
 * filesystem under the data dir is the other way to run out: etcd then
 * fails its WAL or db write and stops. This file says which it is, for
 * `belayctl status`, and whether `belayctl etcd defrag` may disarm the
 * alarm afterwards (docs/operator-guide.md, "Alarms").
 */

/** etcd cuts its WAL in 64 MB segments and preallocates the next: less free than one segment and etcd cannot go on writing. */
export const WAL_SEGMENT_BYTES = 64 * 1024 ** 2;

/** The filesystem that holds a member's data dir, from its master's host report. */
export interface DataFs {
  mount: string;
  availableBytes: number;
  sizeBytes: number;
}

export interface AlarmFacts {
  /** The member's name (its master's). */
  member: string;
  /** As etcd names it: NOSPACE, CORRUPT. */
  alarm: string;
  /** From the member's status; undefined when it did not answer. */
  dbSizeBytes: number | undefined;
  quotaBackendBytes: number;
  /** Undefined without a report from its master. */
  dataFs: DataFs | undefined;
}

export type NospaceCause = 'filesystem' | 'quota' | 'unknown';

const mib = (b: number): string => `${(b / 1024 ** 2).toFixed(1)} MiB`;

export function filesystemFull(fs: DataFs | undefined): boolean {
  return fs !== undefined && fs.availableBytes < WAL_SEGMENT_BYTES;
}

/** The filesystem first: with it full, nothing else helps until space is freed there. */
export function nospaceCause(f: AlarmFacts): NospaceCause {
  if (filesystemFull(f.dataFs)) return 'filesystem';
  if (f.dbSizeBytes !== undefined && f.dbSizeBytes >= f.quotaBackendBytes) return 'quota';
  return 'unknown';
}

function fsText(fs: DataFs): string {
  return `the filesystem under its etcd data dir (${fs.mount}) has ${mib(fs.availableBytes)} free of ${mib(fs.sizeBytes)}`;
}

/** One sentence for `belayctl status`: the member, the alarm, its cause and what to do. */
export function alarmLine(f: AlarmFacts): string {
  const head = `${f.member}: ${f.alarm}`;
  if (f.alarm === 'CORRUPT') {
    return `${head}: etcd found this member's data differs from the others': do not disarm it; remove the member and add it again (belayctl etcd remove ${f.member}, then belayctl etcd add ${f.member})`;
  }
  if (f.alarm !== 'NOSPACE') return head;
  const db = f.dbSizeBytes === undefined ? 'unknown' : mib(f.dbSizeBytes);
  switch (nospaceCause(f)) {
    case 'filesystem':
      return `${head}: ${fsText(f.dataFs as DataFs)}; etcd refuses writes: free space there first (etcd needs ${mib(WAL_SEGMENT_BYTES)} for its next WAL segment), then belayctl etcd defrag (it disarms the alarm)`;
    case 'quota':
      return `${head}: its db (${db}) has reached spec.etcd.quotaBackendBytes (${mib(f.quotaBackendBytes)}); etcd refuses writes: compact (kube-apiserver compacts every 5 min; or delete keys), then belayctl etcd defrag (it disarms the alarm), or raise the quota`;
    default:
      return `${head}: db ${db} of a ${mib(f.quotaBackendBytes)} quota${f.dataFs ? `, ${mib(f.dataFs.availableBytes)} free on ${f.dataFs.mount}` : ', no report of its filesystem'}; etcd refuses writes: belayctl etcd defrag disarms the alarm once every db fits`;
  }
}

/** A member whose data dir filesystem is full although no alarm names it (etcd stops on a failed write rather than raise one). */
export function fullFilesystemLine(member: string, fs: DataFs): string {
  return `${member}: ${fsText(fs)}; etcd cannot write its WAL there: free space there (etcd starts again by itself), then belayctl etcd defrag`;
}

/**
 * etcd's status lists the active alarms in its errors ("memberID:... alarm:NOSPACE"): such a member
 * still answers and serves reads, so defragmenting it is what is wanted, not a reason to stop.
 */
export function answersDespiteAlarms(s: { ok: boolean; memberId: string; leaderId: string; errors: string[] }): boolean {
  if (s.ok) return true;
  return s.memberId !== '' && s.leaderId !== '' && s.leaderId !== '0' && s.errors.length > 0 && s.errors.every((e) => /\balarm:/.test(e));
}

export interface DisarmFacts {
  /** Every member of etcd, with its db size after the defragmentation and its filesystem. */
  members: { name: string; dbSizeBytes: number | undefined; dataFs: DataFs | undefined }[];
  /** Every member was defragmented in this run. */
  allDefragmented: boolean;
  quotaBackendBytes: number;
  /** spec.etcd.preflight.maxDbQuotaFraction: the room a db must leave under the quota (the same a join asks for). */
  maxDbQuotaFraction: number;
}

export type DisarmDecision = { disarm: true; line: string } | { disarm: false; line: string };

/** Whether the NOSPACE alarms may be disarmed now, with the sentence that says why (not). */
export function disarmDecision(f: DisarmFacts): DisarmDecision {
  const full = f.members.filter((m) => filesystemFull(m.dataFs));
  if (full.length > 0) {
    const m = full[0];
    return {
      disarm: false,
      line: `NOSPACE not disarmed: on ${full.map((x) => x.name).join(', ')} ${fsText(m?.dataFs as DataFs)}; etcd would fail its next write there: free space first, then belayctl etcd defrag again`,
    };
  }
  if (!f.allDefragmented) {
    return {
      disarm: false,
      line: 'NOSPACE not disarmed: not every member was defragmented; run belayctl etcd defrag again once every member has a client URL and is healthy',
    };
  }
  const limit = f.maxDbQuotaFraction * f.quotaBackendBytes;
  const unknown = f.members.filter((m) => m.dbSizeBytes === undefined);
  if (unknown.length > 0) {
    return { disarm: false, line: `NOSPACE not disarmed: the db size of ${unknown.map((m) => m.name).join(', ')} is unknown (no status answer)` };
  }
  const big = f.members.filter((m) => (m.dbSizeBytes ?? 0) > limit);
  if (big.length > 0) {
    return {
      disarm: false,
      line: `NOSPACE not disarmed: ${big.map((m) => `${m.name}'s db is ${mib(m.dbSizeBytes ?? 0)}`).join(', ')}, over ${mib(limit)} (${Math.round(f.maxDbQuotaFraction * 100)} % of the ${mib(f.quotaBackendBytes)} quota): compact or delete keys, then defragment again, or raise spec.etcd.quotaBackendBytes`,
    };
  }
  const largest = Math.max(0, ...f.members.map((m) => m.dbSizeBytes ?? 0));
  return { disarm: true, line: `every db fits (largest ${mib(largest)}, under ${mib(limit)} of the ${mib(f.quotaBackendBytes)} quota)` };
}

/** The filesystem that holds the etcd data dir in a host report (the agent flags it). */
export function dataFsOf(report: HostReport__Output | undefined): DataFs | undefined {
  const fs = report?.filesystems.find((f) => f.holdsEtcdData);
  return fs ? { mount: fs.mount, availableBytes: Number(fs.availableBytes), sizeBytes: Number(fs.sizeBytes) } : undefined;
}

export interface ClusterAlarmFacts {
  alarms: { memberId: string; alarm: string }[];
  /** etcd's members, with the db size each answered (undefined: no answer). */
  members: { id: string; name: string; dbSizeBytes: number | undefined }[];
  /** The filesystem under each master's data dir, by master name, from its latest report. */
  dataFs: Map<string, DataFs | undefined>;
  quotaBackendBytes: number;
}

/** status's alarm lines: one per alarm (alarmLine), then one per master whose data dir filesystem is full without a NOSPACE alarm naming it. */
export function alarmLines(f: ClusterAlarmFacts): string[] {
  const named = new Set<string>();
  const lines = f.alarms.map((a) => {
    const m = f.members.find((x) => x.id === a.memberId);
    const member = m?.name || a.memberId;
    if (a.alarm === 'NOSPACE') named.add(member);
    return alarmLine({ member, alarm: a.alarm, dbSizeBytes: m?.dbSizeBytes, quotaBackendBytes: f.quotaBackendBytes, dataFs: f.dataFs.get(member) });
  });
  for (const [master, fs] of f.dataFs) if (fs && filesystemFull(fs) && !named.has(master)) lines.push(fullFilesystemLine(master, fs));
  return lines;
}
