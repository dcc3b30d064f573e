import fsp from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../proto/common/atomic-file.js';
import { errorText } from '../../proto/common/errors.js';
import type { Logger } from '../../proto/common/log.js';
import type { EtcdDataStatus } from '../../proto/gen/belay/v1/EtcdDataStatus.js';
import type { RaisedEvent } from '../report/events.js';
import { inspectDataDir, type DataDirState } from './data-state.js';
import { judgeDataDir, type DataVerdict, type RecordedMember } from './member-guard.js';

/** The record file: this master's etcd membership, and the ones forgotten on purpose (newest first, a few kept). */
interface MemberFile {
  member?: RecordedMember | undefined;
  forgotten: (RecordedMember & { forgottenAtMs: number; reason: string })[];
}
const KEEP_FORGOTTEN = 10;

/**
 * The I/O shell of member-guard.ts: reads the data dir and the record kept
 * beside the agent's state (never inside the data dir), judges, records a
 * member seen for the first time, and says whether etcd may start. Every
 * start of etcd asks (`startBlocker`), and a check runs every `intervalMs`
 * so that a loss shows in the report before anything restarts. One check
 * at a time.
 */
export class EtcdDataGuard {
  private chain: Promise<unknown> = Promise.resolve();
  private last: { seen: DataDirState; verdict: DataVerdict; recorded: RecordedMember | undefined; atMs: number } | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly d: {
      /** The data dir as configured (host path), for messages. */
      dataDir: string;
      /** The same, as a real path (under --root). */
      realDataDir: string;
      /** /var/lib/belay/agent/etcd-member.json under --root. */
      recordFile: string;
      log: Logger;
      raise(e: RaisedEvent): void;
      nowMs?: () => number;
      intervalMs?: number;
    },
  ) {}

  start(): void {
    const tick = (): void => {
      void this.check()
        .catch((err: unknown) => this.d.log.warn('etcd data dir check failed', { err: errorText(err) }))
        .finally(() => {
          if (this.timer !== undefined) this.timer = setTimeout(tick, this.d.intervalMs ?? 2_000);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Why etcd must not start now, or undefined when it may. */
  async startBlocker(): Promise<string | undefined> {
    const v = await this.check();
    return v.start ? undefined : v.reason;
  }

  /** Looks at the data dir now. */
  check(): Promise<DataVerdict> {
    return this.serial(async () => {
      const now = (this.d.nowMs ?? Date.now)();
      const seen = await inspectDataDir(this.d.realDataDir);
      let file: MemberFile;
      try {
        file = await this.readRecord();
      } catch (err) {
        // Not knowing whether this master was a member is no licence to start one from nothing.
        const reason = `cannot read ${this.d.recordFile} (${errorText(err)}): etcd is held back; fix or move that file`;
        return this.judged(seen, { start: false, verdict: 'corrupt', reason }, undefined, now);
      }
      const verdict = judgeDataDir(this.d.dataDir, file.member, seen, now);
      const record = 'record' in verdict ? verdict.record : undefined;
      if (record) {
        await this.writeRecord({ ...file, member: record });
        this.d.log.info('etcd membership recorded', { dataDir: this.d.dataDir, ...record });
      }
      return this.judged(seen, verdict, record ?? file.member, now);
    });
  }

  /** Keeps the verdict for the report; raises an event when etcd is held back, or let go again. */
  private judged(seen: DataDirState, verdict: DataVerdict, recorded: RecordedMember | undefined, now: number): DataVerdict {
    const before = this.last?.verdict;
    this.last = { seen, verdict, recorded, atMs: now };
    if (!verdict.start && (before?.start !== false || before.reason !== verdict.reason)) {
      this.d.raise({
        kind: verdict.verdict === 'lost' ? 'EtcdDataLost' : verdict.verdict === 'foreign' ? 'EtcdDataForeign' : 'EtcdDataCorrupt',
        severity: 'alert',
        message: verdict.reason,
        fields: { dataDir: this.d.dataDir, verdict: verdict.verdict },
      });
    } else if (verdict.start && before?.start === false) {
      this.d.raise({ kind: 'EtcdDataOk', severity: 'info', message: `etcd data dir ${this.d.dataDir}: etcd may start again (${verdict.verdict})`, fields: {} });
    }
    return verdict;
  }

  /**
   * The data dir is being archived for a start as a new member or a
   * restore: the recorded membership is forgotten (kept in the file's
   * history), so that etcd may start fresh there.
   */
  forget(reason: string): Promise<void> {
    return this.serial(async () => {
      const now = (this.d.nowMs ?? Date.now)();
      const file = await this.readRecord().catch(async (err: unknown) => {
        // Unreadable: kept aside as it is, and a new record started.
        const aside = `${this.d.recordFile}.unreadable-${now}`;
        await fsp.rename(this.d.recordFile, aside);
        this.d.log.warn('unreadable etcd membership record kept aside', { file: aside, err: errorText(err) });
        const fresh: MemberFile = { forgotten: [] };
        return fresh;
      });
      if (!file.member) return;
      await this.writeRecord({ member: undefined, forgotten: [{ ...file.member, forgottenAtMs: now, reason }, ...file.forgotten].slice(0, KEEP_FORGOTTEN) });
      this.d.log.info('etcd membership forgotten', { dataDir: this.d.dataDir, memberId: file.member.memberId, reason });
      this.last = undefined;
    });
  }

  /** Is `hostDir` (a host path) the data dir this guard watches? */
  watches(hostDir: string): boolean {
    return path.posix.resolve(hostDir) === path.posix.resolve(this.d.dataDir);
  }

  /** For the host report. */
  status(): EtcdDataStatus {
    const l = this.last;
    if (!l) return { state: 'unknown', verdict: 'unknown' };
    return {
      state: l.seen.kind,
      memberId: l.seen.kind === 'member' ? l.seen.memberId : '',
      clusterId: l.seen.kind === 'member' ? l.seen.clusterId : '',
      recordedMemberId: l.recorded?.memberId ?? '',
      recordedClusterId: l.recorded?.clusterId ?? '',
      verdict: l.verdict.verdict,
      held: !l.verdict.start,
      reason: l.verdict.start ? '' : l.verdict.reason,
      checkedAtMs: l.atMs,
    };
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work, work);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async readRecord(): Promise<MemberFile> {
    let text: string;
    try {
      text = await fsp.readFile(this.d.recordFile, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { forgotten: [] };
      throw err;
    }
    // A record that does not parse is not trusted either way: refuse to guess (the operator fixes or removes it).
    const parsed = JSON.parse(text) as Partial<MemberFile>;
    return { member: parsed.member, forgotten: Array.isArray(parsed.forgotten) ? parsed.forgotten : [] };
  }

  private async writeRecord(f: MemberFile): Promise<void> {
    await fsp.mkdir(path.dirname(this.d.recordFile), { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.d.recordFile, `${JSON.stringify(f, null, 2)}\n`, 0o600);
  }
}
