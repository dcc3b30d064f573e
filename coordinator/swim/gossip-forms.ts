// What a node says about a member over the wire: the gossip form of our view
// of it, and the accusation that tells a suspect or dead member so that it
// refutes (Lifeguard's buddy system). Pure.
import type { Update } from './broadcast-queue.js';
import type { Claim, Member } from './membership.js';
import type { Alive, SwimMessage } from './messages.js';

export function aliveOf(m: Member): Alive {
  return { kind: 'alive', name: m.name, bootId: m.bootId, addr: m.addr, incarnation: m.incarnation, tags: m.tags };
}

/** The gossip form of our current view of `m`; `from` says who suspected or declared it dead (default: us, `self`). */
export function updateOf(m: Member, from: string | undefined, self: string): Update {
  switch (m.state) {
    case 'alive':
      return aliveOf(m);
    case 'suspect':
      return { kind: 'suspect', name: m.name, bootId: m.bootId, incarnation: m.incarnation, from: from ?? self };
    case 'dead':
      return { kind: 'dead', name: m.name, bootId: m.bootId, incarnation: m.incarnation, from: from ?? self };
    case 'left':
      return { kind: 'dead', name: m.name, bootId: m.bootId, incarnation: m.incarnation, from: m.name };
  }
}

/**
 * What we believe about a suspect or dead member, to tell it so that it
 * refutes: a suspicion names whoever raised it first (`firstFrom`), a death us.
 */
export function accusationOf(m: Member, firstFrom: string | undefined, self: string): Update {
  return m.state === 'suspect'
    ? { kind: 'suspect', name: m.name, bootId: m.bootId, incarnation: m.incarnation, from: firstFrom ?? self }
    : { kind: 'dead', name: m.name, bootId: m.bootId, incarnation: m.incarnation, from: self };
}

export function isAccusation(claim: Claim): boolean {
  return claim.state === 'suspect' || claim.state === 'dead';
}

export function isAccusationMsg(m: SwimMessage): m is Update {
  return m.kind === 'suspect' || m.kind === 'dead';
}

/** The same news about the same member (the `from` aside). */
export function sameUpdate(a: Update, b: Update): boolean {
  return a.kind === b.kind && a.name === b.name && a.bootId === b.bootId && a.incarnation === b.incarnation;
}
