// Anti-entropy: full-state push-pull (memberlist) and, in small clusters, the
// digest of versions that finds what gossip missed (see Digest in
// messages.ts); joining is a push-pull with a seed. Pure: node.ts acts on
// what compareDigest and SyncSchedule.due return.
import type { Rng } from '../../proto/common/rng.js';
import type { SwimConfig } from './config.js';
import { accusationOf, aliveOf, updateOf } from './gossip-forms.js';
import { bootOrder, isLive, overrides, snapshotOf, type Claim, type Member } from './membership.js';
import type { Addr, Digest, DigestEntry, PushPull, SwimMessage } from './messages.js';

/** The members a node knows besides itself (MemberTable, or a Map in tests). */
export interface KnownMembers {
  values(): Iterable<Member>;
  has(name: string): boolean;
}

/** Every member we know, ourselves and dead and left ones included, as versions only. */
export function digestOf(self: Member, known: KnownMembers): Digest {
  const members: DigestEntry[] = [entryOf(self)];
  for (const m of known.values()) members.push(entryOf(m));
  return { kind: 'digest', from: self.name, fromAddr: self.addr, members };
}

export function pushPullOf(self: Member, known: KnownMembers, join: boolean, reply: boolean): PushPull {
  const members = [snapshotOf(self)];
  for (const m of known.values()) members.push(snapshotOf(m));
  return { kind: 'push-pull', from: self.name, join, reply, members };
}

function entryOf(m: Member): DigestEntry {
  return { name: m.name, bootId: m.bootId, incarnation: m.incarnation, state: m.state };
}

/** Positive: `a` is the newer version of the member (a newer boot, or the same boot and overrides()); 0: the same. */
export function compareVersions(a: DigestEntry | Member, b: DigestEntry | Member): number {
  const boot = bootOrder(a.bootId, b.bootId);
  if (boot !== 0) return boot;
  if (overrides(a, b)) return 1;
  return overrides(b, a) ? -1 : 0;
}

/**
 * Full-state sync period. Small clusters sync in full as often as memberlist
 * does (pushPullIntervalMs) and compare digests every smallClusterPushPullMs
 * in between; above 32 members memberlist's pushPullScale stretches it so
 * that the cluster-wide sync rate stays about flat.
 */
export function pushPullPeriodMs(pushPullIntervalMs: number, liveCount: number): number {
  if (liveCount <= 32) return pushPullIntervalMs;
  return pushPullIntervalMs * (Math.ceil(Math.log2(liveCount) - Math.log2(32)) + 1);
}

/** Our side of a digest comparison. */
export interface DigestView {
  readonly self: Member;
  readonly known: KnownMembers;
  readonly leaving: boolean;
  /** Who first raised our suspicion of a member, if we hold one (accusationOf). */
  firstFrom(name: string): string | undefined;
}

export interface DigestComparison {
  /** The sender knows us newer: merged as gossip would be (we refute it). */
  readonly selfClaim: Claim | undefined;
  /** What goes back over UDP to the sender. */
  readonly updates: SwimMessage[];
  /** The sender knows something newer, or a newer boot needs its address: a push-pull instead of `updates`. */
  readonly sync: boolean;
}

/**
 * Small clusters' anti-entropy. Each member of either view is compared by
 * version: boot (bootOrder), then within a boot by overrides() (incarnation,
 * then alive < suspect < dead < left).
 * - We know it newer: our view goes back over UDP (alive, or the suspect or
 *   dead/leave message). A newer boot that is not alive needs its address,
 *   which only a push-pull carries: sync.
 * - The sender lacks a member we think live: its alive (then our suspicion).
 * - The sender knows it newer, or knows an alive member we lack: sync (a
 *   push-pull with the sender carries everything, so no separate updates then).
 * - Equal, or a dead or left member one side never knew (no message could
 *   teach it: mergeClaim learns unknown members only from alive claims):
 *   nothing, so a converged cluster pays one packet per member per period.
 * A newer claim about ourselves comes back as selfClaim.
 */
export function compareDigest(view: DigestView, d: Digest): DigestComparison {
  const { self, known } = view;
  const theirs = new Map<string, DigestEntry>();
  for (const e of d.members) theirs.set(e.name, e);
  const updates: SwimMessage[] = [];
  let sync = false;
  let selfClaim: Claim | undefined;
  const accuse = (m: Member): SwimMessage => accusationOf(m, view.firstFrom(m.name), self.name);
  const mine = theirs.get(self.name);
  if (mine === undefined) {
    if (!view.leaving) updates.push(aliveOf(self));
  } else {
    const order = compareVersions(self, mine);
    if (order > 0) updates.push(updateOf(self, undefined, self.name));
    else if (order < 0) selfClaim = { name: mine.name, bootId: mine.bootId, incarnation: mine.incarnation, state: mine.state, from: d.from };
  }
  for (const m of known.values()) {
    const e = theirs.get(m.name);
    if (e === undefined) {
      if (isLive(m.state)) updates.push(aliveOf(m), ...(m.state === 'suspect' ? [accuse(m)] : []));
      continue;
    }
    const order = compareVersions(m, e);
    if (order < 0) sync = true;
    else if (order > 0 && m.state !== 'alive' && m.bootId !== e.bootId) sync = true;
    else if (order > 0) updates.push(m.state === 'suspect' ? accuse(m) : updateOf(m, undefined, self.name));
  }
  for (const e of d.members) if (e.state === 'alive' && e.name !== self.name && !known.has(e.name)) sync = true;
  return { selfClaim, updates, sync };
}

/** What SyncSchedule.due says to do now. */
export interface SyncDue {
  /** Seeds to send a join push-pull to (again, every joinRetryMs until one answers). */
  readonly joinSeeds: readonly Addr[];
  /** The periodic full sync with a random alive member. */
  readonly pushPull: boolean;
  /** A push-pull with a random dead member: it may be alive behind a healed partition. */
  readonly reconnect: boolean;
}

/** When to join, sync in full, send a digest or reconnect; and the digest pulls' rate limit. */
export class SyncSchedule {
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
    private readonly cfg: Pick<SwimConfig, 'smallClusterPushPullMs' | 'reconnectIntervalMs' | 'joinRetryMs'>,
    rng: Rng,
    nowMs: number,
  ) {
    // A first full sync early (a joiner's seed answer may be partial), then every pushPullPeriodMs.
    this.nextPushPullMs = nowMs + cfg.smallClusterPushPullMs / 2 + rng.int(cfg.smallClusterPushPullMs);
    this.nextDigestMs = nowMs + cfg.smallClusterPushPullMs / 2 + rng.int(cfg.smallClusterPushPullMs);
    this.nextReconnectMs = nowMs + cfg.reconnectIntervalMs / 2 + rng.int(cfg.reconnectIntervalMs);
  }

  /** As in a cluster that has run for a while: syncs spread over the period for this size. */
  bootstrap(nowMs: number, rng: Rng, periodMs: number): void {
    this.nextPushPullMs = nowMs + rng.int(periodMs);
    this.nextDigestMs = nowMs + rng.int(this.cfg.smallClusterPushPullMs);
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

  /** Whether a digest should ride on this regular probe; clears it. */
  takeDigest(): boolean {
    const due = this.digestDue;
    this.digestDue = false;
    return due;
  }

  /** Whether we may pull from digest sender `from` now; records the pull if so. */
  mayPull(from: string, nowMs: number): boolean {
    const last = this.lastDigestPullMs.get(from);
    if (last !== undefined && nowMs - last < this.cfg.smallClusterPushPullMs) return false;
    this.lastDigestPullMs.set(from, nowMs);
    return true;
  }

  /** `periodMs`: pushPullPeriodMs for our size; `digests`: whether we compare digests (a small cluster, not leaving). */
  due(nowMs: number, periodMs: number, digests: boolean): SyncDue {
    let joinSeeds: readonly Addr[] = [];
    if (this.seeds !== undefined && this.nextJoinMs <= nowMs) {
      this.nextJoinMs = nowMs + this.cfg.joinRetryMs;
      joinSeeds = this.seeds;
    }
    const pushPull = this.nextPushPullMs <= nowMs;
    if (pushPull) this.nextPushPullMs = nowMs + periodMs;
    if (this.nextDigestMs <= nowMs) {
      this.nextDigestMs = nowMs + this.cfg.smallClusterPushPullMs;
      // Sent with the next regular probe (within one probe interval), to its target: a shuffled round-robin.
      this.digestDue = digests;
    }
    const reconnect = this.nextReconnectMs <= nowMs;
    if (reconnect) this.nextReconnectMs = nowMs + this.cfg.reconnectIntervalMs;
    return { joinSeeds, pushPull, reconnect };
  }

  /** The earliest of the timers above. */
  nextWakeMs(): number {
    const at = Math.min(this.nextPushPullMs, this.nextDigestMs, this.nextReconnectMs);
    return this.seeds === undefined ? at : Math.min(at, this.nextJoinMs);
  }
}
