// Anti-entropy: full-state push-pull (memberlist) and, in small clusters, the
// digest of versions that finds what gossip missed (see Digest in
// messages.ts). Pure: sync.ts acts on what compareDigest returns.
import { accusationOf, aliveOf, updateOf } from './gossip-forms.js';
import { bootOrder, isLive, overrides, snapshotOf, type Claim, type Member } from './membership.js';
import type { Digest, DigestEntry, PushPull, SwimMessage } from './messages.js';

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
