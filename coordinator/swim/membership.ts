// Member records and the merge rules (SWIM §4.2, with boot ids). Pure
// functions: node.ts decides what to do with a merge's outcome.
import type { Rng } from '../../proto/common/rng.js';
import type { Addr, Alive, Dead, MemberSnapshot, MemberState, Suspect, Tags } from './messages.js';

/** What callers outside the core see of a member. */
export interface MemberView {
  readonly name: string;
  readonly bootId: string;
  readonly addr: Addr;
  readonly incarnation: number;
  readonly state: MemberState;
  readonly tags: Tags;
  readonly stateSinceMs: number;
}

/** A member as one node sees it. Records are never mutated: a merge returns a new one. */
export interface Member extends MemberView {
  /**
   * The incarnation `addr` and `tags` come from; −1 when they came from a
   * non-alive snapshot and so are of unknown age. An alive claim of a higher
   * incarnation replaces them even when it does not change the state.
   */
  readonly tagsIncarnation: number;
}

/** Something a message or a snapshot says about a member. */
export interface Claim {
  readonly name: string;
  readonly bootId: string;
  readonly incarnation: number;
  readonly state: MemberState;
  /** Present for alive messages and snapshots; gossip suspect/dead carry no address. */
  readonly addr?: Addr;
  readonly tags?: Tags;
  readonly tagsIncarnation?: number;
  /** Who said suspect or dead. */
  readonly from?: string;
}

export type MergeOutcome =
  | { readonly kind: 'ignored'; readonly reason: 'unknown' | 'older-boot' | 'no-addr' | 'stale' }
  /** A newer boot at another address while the one we know is alive: two processes claim one name. */
  | { readonly kind: 'conflict'; readonly current: Member; readonly claim: Claim }
  | {
      readonly kind: 'applied';
      readonly before: Member | undefined;
      readonly member: Member;
      readonly newBoot: boolean;
      /** State, incarnation or boot changed: worth gossiping. */
      readonly advanced: boolean;
      /** addr or tags changed. */
      readonly infoChanged: boolean;
    };

/** Boot ids are `${bootStartMs base36}-${random}`. */
export function newBootId(startMs: number, rng: Rng): string {
  let random = '';
  for (let i = 0; i < 8; i++) random += rng.int(36).toString(36);
  return `${Math.max(0, Math.floor(startMs)).toString(36)}-${random}`;
}

function bootTimeMs(bootId: string): number {
  const dash = bootId.indexOf('-');
  const t = parseInt(dash < 0 ? bootId : bootId.slice(0, dash), 36);
  return Number.isFinite(t) ? t : -1;
}

/**
 * Orders boots of one name: by start time, then by the whole string (two
 * boots in one millisecond are arbitrary but agreed on). Negative: a is older.
 */
export function bootOrder(a: string, b: string): number {
  const ta = bootTimeMs(a);
  const tb = bootTimeMs(b);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Within one boot, at equal incarnation: alive < suspect < dead < left. */
const RANK: Readonly<Record<MemberState, number>> = { alive: 0, suspect: 1, dead: 2, left: 3 };

/** Whether `claim` overrides state `(incarnation, state)` of the same boot. */
export function overrides(claim: { incarnation: number; state: MemberState }, current: { incarnation: number; state: MemberState }): boolean {
  if (claim.incarnation !== current.incarnation) return claim.incarnation > current.incarnation;
  return RANK[claim.state] > RANK[current.state];
}

export function claimOfMessage(msg: Alive | Suspect | Dead): Claim {
  switch (msg.kind) {
    case 'alive':
      return {
        name: msg.name,
        bootId: msg.bootId,
        incarnation: msg.incarnation,
        state: 'alive',
        addr: msg.addr,
        tags: msg.tags,
        tagsIncarnation: msg.incarnation,
      };
    case 'suspect':
      return { name: msg.name, bootId: msg.bootId, incarnation: msg.incarnation, state: 'suspect', from: msg.from };
    case 'dead':
      // A member declaring itself dead is leaving gracefully.
      return { name: msg.name, bootId: msg.bootId, incarnation: msg.incarnation, state: msg.from === msg.name ? 'left' : 'dead', from: msg.from };
  }
}

/**
 * A push-pull entry. A remote `dead` is merged as `suspect` so that the member,
 * if it is in fact alive, gets the chance to refute (memberlist does the same).
 */
export function claimOfSnapshot(s: MemberSnapshot, from: string): Claim {
  const state = s.state === 'dead' ? 'suspect' : s.state;
  return {
    name: s.name,
    bootId: s.bootId,
    incarnation: s.incarnation,
    state,
    addr: s.addr,
    tags: s.tags,
    // Only an alive record's tags are known to be of its incarnation.
    tagsIncarnation: s.state === 'alive' ? s.incarnation : -1,
    from,
  };
}

export function snapshotOf(m: Member): MemberSnapshot {
  return { name: m.name, bootId: m.bootId, addr: m.addr, incarnation: m.incarnation, state: m.state, tags: m.tags };
}

export function viewOf(m: Member): MemberView {
  return { name: m.name, bootId: m.bootId, addr: m.addr, incarnation: m.incarnation, state: m.state, tags: m.tags, stateSinceMs: m.stateSinceMs };
}

function memberOf(claim: Claim, addr: Addr, tags: Tags, nowMs: number): Member {
  return {
    name: claim.name,
    bootId: claim.bootId,
    addr,
    incarnation: claim.incarnation,
    state: claim.state,
    tags,
    tagsIncarnation: claim.tagsIncarnation ?? -1,
    stateSinceMs: nowMs,
  };
}

export function sameTags(a: Tags, b: Tags): boolean {
  if (a === b) return true;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}

/**
 * Merges what a message or snapshot claims into what we know, per SWIM with
 * boot ids:
 * - an unknown member is learnt only from a claim with an address and tags
 *   (alive, or a snapshot that is not suspect/left: those we wait for);
 * - an older boot is ignored; a newer one replaces the record at once, whatever
 *   its incarnation or state, unless ours is alive at another address and the
 *   newer one claims yet another (a name conflict); a newer boot must bring its
 *   address, so gossip suspect/dead about a boot we have not seen is ignored;
 * - within a boot, (incarnation, alive < suspect < dead < left) wins if higher;
 *   a same-boot alive of a higher incarnation brings its addr and tags even
 *   when it loses on state.
 * For claims that carry their own address this is a join semilattice: the
 * outcome does not depend on the order or repetition of claims.
 */
export function mergeClaim(current: Member | undefined, claim: Claim, nowMs: number): MergeOutcome {
  if (current === undefined) {
    if (claim.addr === undefined || claim.tags === undefined || claim.state !== 'alive') return { kind: 'ignored', reason: 'unknown' };
    const member = memberOf(claim, claim.addr, claim.tags, nowMs);
    return { kind: 'applied', before: undefined, member, newBoot: true, advanced: true, infoChanged: true };
  }
  const boot = bootOrder(claim.bootId, current.bootId);
  if (boot < 0) return { kind: 'ignored', reason: 'older-boot' };
  if (boot > 0) {
    if (claim.addr === undefined || claim.tags === undefined) return { kind: 'ignored', reason: 'no-addr' };
    if (current.state === 'alive' && current.addr !== claim.addr) return { kind: 'conflict', current, claim };
    const member = memberOf(claim, claim.addr, claim.tags, nowMs);
    return {
      kind: 'applied',
      before: current,
      member,
      newBoot: true,
      advanced: true,
      infoChanged: member.addr !== current.addr || !sameTags(member.tags, current.tags),
    };
  }
  const advanced = overrides(claim, current);
  const newInfo = claim.addr !== undefined && claim.tags !== undefined && (claim.tagsIncarnation ?? -1) > current.tagsIncarnation;
  if (!advanced && !newInfo) return { kind: 'ignored', reason: 'stale' };
  let member: Member = current;
  if (advanced) {
    member = { ...member, incarnation: claim.incarnation, state: claim.state, stateSinceMs: claim.state === current.state ? current.stateSinceMs : nowMs };
  }
  let infoChanged = false;
  if (newInfo && claim.addr !== undefined && claim.tags !== undefined) {
    infoChanged = claim.addr !== current.addr || !sameTags(claim.tags, current.tags);
    member = { ...member, addr: claim.addr, tags: claim.tags, tagsIncarnation: claim.tagsIncarnation ?? -1 };
  }
  return { kind: 'applied', before: current, member, newBoot: false, advanced, infoChanged };
}

export type TransitionKind = 'joined' | 'updated' | 'suspected' | 'refuted' | 'died' | 'left' | 'recovered' | 'restarted';

/** The event a merge is, if any: only transitions, never repeats. */
export function transitionOf(before: Member | undefined, after: Member, newBoot: boolean, infoChanged: boolean): TransitionKind | undefined {
  if (before === undefined) return 'joined';
  if (newBoot) return 'restarted';
  if (before.state === after.state) return after.state === 'alive' && infoChanged ? 'updated' : undefined;
  switch (after.state) {
    case 'alive':
      return before.state === 'suspect' ? 'refuted' : before.state === 'dead' ? 'recovered' : 'joined';
    case 'suspect':
      return 'suspected';
    case 'dead':
      return 'died';
    case 'left':
      return 'left';
  }
}

/** Live members are probed, gossiped to and counted in n; dead and left ones are not. */
export function isLive(state: MemberState): boolean {
  return state === 'alive' || state === 'suspect';
}
