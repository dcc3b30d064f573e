// When and with whom a node syncs in full (push-pull) or compares digests,
// and joining, which is a push-pull with a seed retried until one answers.
// anti-entropy.ts holds the pure comparisons; node.ts merges what comes back.
import type { Rng } from '../../proto/common/rng.js';
import { compareDigest, digestOf, pushPullOf, pushPullPeriodMs, type DigestComparison } from './anti-entropy.js';
import type { SwimConfig } from './config.js';
import type { MemberTable } from './member-table.js';
import type { Member } from './membership.js';
import { estimateSize, type Addr, type Digest, type PushPull } from './messages.js';
import type { SwimStats } from './node-io.js';
import type { Outbox } from './outbox.js';

/** What the syncer takes from its node. */
export interface SyncDeps {
  readonly cfg: Pick<SwimConfig, 'smallClusterMax' | 'smallClusterPushPullMs' | 'pushPullIntervalMs' | 'reconnectIntervalMs' | 'joinRetryMs' | 'mtu'>;
  readonly rng: Rng;
  readonly members: MemberTable;
  readonly out: Outbox;
  readonly counters: Pick<SwimStats, 'pushPulls' | 'digests' | 'digestPulls'>;
  /** Our own record as it is now. */
  self(): Member;
  leaving(): boolean;
  /** Live members including ourselves. */
  liveCount(): number;
  /** Who first raised our suspicion of a member, if we hold one. */
  firstFrom(name: string): string | undefined;
}

export class Syncer {
  private nextPushPullMs: number;
  private nextDigestMs: number;
  private nextReconnectMs: number;
  /** A digest is due: it rides on the next regular probe's ping, saving a datagram's headers and seal. */
  private digestDue = false;
  /** Per digest sender, when we last pulled from it: at most one pull per sender per smallClusterPushPullMs. */
  private readonly lastDigestPullMs = new Map<string, number>();
  private seeds: Addr[] | undefined;
  private nextJoinMs = 0;

  constructor(
    private readonly d: SyncDeps,
    nowMs: number,
  ) {
    const { cfg, rng } = d;
    // A first full sync early (a joiner's seed answer may be partial), then every pushPullPeriodMs.
    this.nextPushPullMs = nowMs + cfg.smallClusterPushPullMs / 2 + rng.int(cfg.smallClusterPushPullMs);
    this.nextDigestMs = nowMs + cfg.smallClusterPushPullMs / 2 + rng.int(cfg.smallClusterPushPullMs);
    this.nextReconnectMs = nowMs + cfg.reconnectIntervalMs / 2 + rng.int(cfg.reconnectIntervalMs);
  }

  /** As in a cluster that has run for a while: syncs spread over the period for this size. */
  bootstrap(nowMs: number): void {
    this.nextPushPullMs = nowMs + this.d.rng.int(this.periodMs());
    this.nextDigestMs = nowMs + this.d.rng.int(this.d.cfg.smallClusterPushPullMs);
  }

  /** Join through `seeds` from now until a seed answers (joined) or we leave. */
  join(nowMs: number, seeds: Addr[]): void {
    this.seeds = seeds;
    this.nextJoinMs = nowMs;
  }

  /** A seed answered, or we leave: no more join retries. */
  joined(): void {
    this.seeds = undefined;
  }

  get joining(): boolean {
    return this.seeds !== undefined;
  }

  /** Answers a push-pull request with our whole view (after merging its own). */
  reply(to: Addr, join: boolean): void {
    this.d.out.send({ to, msgs: [this.pushPullOf(join, true)] });
  }

  /** Our side of a digest's comparison; node.ts merges its selfClaim before answer(). */
  compare(digest: Digest): DigestComparison {
    return compareDigest({ self: this.d.self(), known: this.d.members, leaving: this.d.leaving(), firstFrom: (name) => this.d.firstFrom(name) }, digest);
  }

  /** Pulls from the digest's sender when it knows more (rate limited), else sends it what it lacks. */
  answer(nowMs: number, from: Addr, digest: Digest, c: DigestComparison): void {
    if (c.sync && !this.d.leaving() && this.mayPull(digest.from, nowMs)) {
      this.d.counters.digestPulls++;
      this.startPushPull(digest.fromAddr);
      return;
    }
    if (c.updates.length > 0) this.d.out.udp(from, ...c.updates);
  }

  /** A regular probe went to `to`: a due digest rides along. */
  probed(to: Addr): void {
    if (!this.digestDue) return;
    this.digestDue = false;
    const digest = digestOf(this.d.self(), this.d.members);
    // One UDP packet or nothing: a view too large for it is synced in full instead.
    if (estimateSize(digest) <= this.d.cfg.mtu) {
      this.d.counters.digests++;
      this.d.out.udp(to, digest);
    } else {
      this.startPushPull(to);
    }
  }

  runDue(nowMs: number): void {
    const { cfg, rng, members } = this.d;
    if (this.seeds !== undefined && this.nextJoinMs <= nowMs) {
      this.nextJoinMs = nowMs + cfg.joinRetryMs;
      for (const seed of this.seeds) this.d.out.send({ to: seed, msgs: [this.pushPullOf(true, false)] });
    }
    if (this.nextPushPullMs <= nowMs) {
      this.nextPushPullMs = nowMs + this.periodMs();
      const target = members.randomAlive(rng);
      if (target !== undefined && !this.d.leaving()) this.startPushPull(target.addr);
    }
    if (this.nextDigestMs <= nowMs) {
      this.nextDigestMs = nowMs + cfg.smallClusterPushPullMs;
      // Sent with the next regular probe (within one probe interval), to its target: a shuffled round-robin.
      this.digestDue = this.d.liveCount() <= cfg.smallClusterMax && !this.d.leaving();
    }
    if (this.nextReconnectMs <= nowMs) {
      this.nextReconnectMs = nowMs + cfg.reconnectIntervalMs;
      // A dead member may be alive behind a healed partition; left ones asked not to be bothered.
      const m = members.randomDead(rng);
      if (m !== undefined && !this.d.leaving()) this.startPushPull(m.addr);
    }
  }

  /** The earliest of the timers above. */
  nextWakeMs(): number {
    const at = Math.min(this.nextPushPullMs, this.nextDigestMs, this.nextReconnectMs);
    return this.seeds === undefined ? at : Math.min(at, this.nextJoinMs);
  }

  private mayPull(from: string, nowMs: number): boolean {
    const last = this.lastDigestPullMs.get(from);
    if (last !== undefined && nowMs - last < this.d.cfg.smallClusterPushPullMs) return false;
    this.lastDigestPullMs.set(from, nowMs);
    return true;
  }

  private startPushPull(to: Addr): void {
    this.d.counters.pushPulls++;
    this.d.out.send({ to, msgs: [this.pushPullOf(false, false)] });
  }

  private periodMs(): number {
    return pushPullPeriodMs(this.d.cfg.pushPullIntervalMs, this.d.liveCount());
  }

  private pushPullOf(join: boolean, reply: boolean): PushPull {
    return pushPullOf(this.d.self(), this.d.members, join, reply);
  }
}
