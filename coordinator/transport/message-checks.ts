// The rules a gossip message must keep, on the wire both ways: the decoder
// refuses a packet that breaks one (DecodeError), and the sender checks its
// own messages so it never sends what a peer would drop. Pure.
import type { DigestEntry, MemberSnapshot, MemberState, SwimMessage, Tags } from '../swim/messages.js';

/**
 * Bounds on what a peer may send. A packet that breaks one is dropped whole:
 * it came from a buggy or hostile sender, and the core must never hold an
 * unbounded string or list from the network.
 */
export const CODEC_LIMITS = {
  /** name, from, target, boot id, tag keys, in UTF-8 bytes: a DNS name's bound. */
  maxNameBytes: 253,
  /** addr, fromAddr, targetAddr: "host:port", a DNS name or bracketed IPv6 plus port. */
  maxAddrBytes: 300,
  /** Entries of one member's tags. */
  maxTags: 64,
  /** One tag value, in UTF-8 bytes. */
  maxTagValueBytes: 1024,
  /** Messages in one GossipPacket. */
  maxMessagesPerPacket: 256,
  /** Members in one push-pull or digest: far above the 3-7 masters belay runs on. */
  maxMembersPerPushPull: 1024,
  /** SealedPayload.packet_id length. */
  packetIdBytes: 8,
} as const;

/** Why a packet was refused; a fixed set, used as a metrics label. */
export type DecodeReason =
  | 'malformed' // not protobuf, or not this schema's wire types
  | 'empty-message' // GossipMessage with no (or an unknown) body
  | 'missing-field' // a required string is empty, or SealedPayload has no packet
  | 'too-long' // a string over its CODEC_LIMITS bound
  | 'too-many-messages'
  | 'too-many-members'
  | 'too-many-tags'
  | 'bad-tag-key' // "__proto__": protobufjs would drop it, so it cannot round-trip
  | 'bad-state' // MemberSnapshot.state or DigestEntry.state not alive|suspect|dead|left
  | 'bad-number' // incarnation or sent_at over Number.MAX_SAFE_INTEGER; seq not a uint32 (encode)
  | 'bad-packet-id';

export class DecodeError extends Error {
  readonly reason: DecodeReason;
  constructor(reason: DecodeReason, detail: string) {
    super(`gossip packet refused (${reason}): ${detail}`);
    this.name = 'DecodeError';
    this.reason = reason;
  }
}
const MEMBER_STATES: ReadonlySet<string> = new Set<MemberState>(['alive', 'suspect', 'dead', 'left']);

/**
 * Checks a message against the schema's rules and CODEC_LIMITS: the same rules
 * the decoder applies, so that we never send what a peer would drop.
 */
export function checkMessage(msg: SwimMessage): DecodeReason | undefined {
  switch (msg.kind) {
    case 'ping':
      return checkSeq(msg.seq) ?? checkNames(msg.target, msg.from) ?? checkAddrs(msg.fromAddr);
    case 'indirect-ping':
      return checkSeq(msg.seq) ?? checkNames(msg.target, msg.from) ?? checkAddrs(msg.targetAddr, msg.fromAddr);
    case 'ack':
    case 'nack':
    case 'deliver':
      return checkSeq(msg.seq) ?? checkNames(msg.from);
    case 'alive':
      return checkNames(msg.name, msg.bootId) ?? checkAddrs(msg.addr) ?? checkIncarnation(msg.incarnation) ?? checkTags(msg.tags);
    case 'suspect':
    case 'dead':
      return checkNames(msg.name, msg.bootId, msg.from) ?? checkIncarnation(msg.incarnation);
    case 'push-pull':
      if (msg.members.length > CODEC_LIMITS.maxMembersPerPushPull) return 'too-many-members';
      for (const m of msg.members) {
        const bad = checkMember(m);
        if (bad) return bad;
      }
      return checkNames(msg.from);
    case 'digest':
      if (msg.members.length > CODEC_LIMITS.maxMembersPerPushPull) return 'too-many-members';
      for (const m of msg.members) {
        const bad = checkDigestEntry(m);
        if (bad) return bad;
      }
      return checkNames(msg.from) ?? checkAddrs(msg.fromAddr);
  }
}

function checkDigestEntry(m: DigestEntry): DecodeReason | undefined {
  if (!MEMBER_STATES.has(m.state)) return (m.state as string) === '' ? 'missing-field' : 'bad-state';
  return checkNames(m.name, m.bootId) ?? checkIncarnation(m.incarnation);
}

function checkMember(m: MemberSnapshot): DecodeReason | undefined {
  if (!MEMBER_STATES.has(m.state)) return (m.state as string) === '' ? 'missing-field' : 'bad-state';
  return checkNames(m.name, m.bootId) ?? checkAddrs(m.addr) ?? checkIncarnation(m.incarnation) ?? checkTags(m.tags);
}

function checkString(s: string, maxBytes: number): DecodeReason | undefined {
  if (typeof s !== 'string' || s === '') return 'missing-field';
  // UTF-8 takes 1 to 3 bytes per UTF-16 unit: count bytes only when the length cannot decide.
  if (s.length > maxBytes || (s.length * 3 > maxBytes && Buffer.byteLength(s) > maxBytes)) return 'too-long';
  return undefined;
}

function checkNames(...names: string[]): DecodeReason | undefined {
  for (const n of names) {
    const bad = checkString(n, CODEC_LIMITS.maxNameBytes);
    if (bad) return bad;
  }
  return undefined;
}

function checkAddrs(...addrs: string[]): DecodeReason | undefined {
  for (const a of addrs) {
    const bad = checkString(a, CODEC_LIMITS.maxAddrBytes);
    if (bad) return bad;
  }
  return undefined;
}

function checkSeq(seq: number): DecodeReason | undefined {
  return Number.isInteger(seq) && seq >= 0 && seq <= 0xffff_ffff ? undefined : 'bad-number';
}

function checkIncarnation(n: number): DecodeReason | undefined {
  return Number.isSafeInteger(n) && n >= 0 ? undefined : 'bad-number';
}

function checkTags(tags: Tags): DecodeReason | undefined {
  const entries = Object.entries(tags);
  if (entries.length > CODEC_LIMITS.maxTags) return 'too-many-tags';
  for (const [k, v] of entries) {
    if (k === '__proto__') return 'bad-tag-key';
    if (Buffer.byteLength(k) > CODEC_LIMITS.maxNameBytes) return 'too-long';
    if (typeof v !== 'string') return 'missing-field';
    if (Buffer.byteLength(v) > CODEC_LIMITS.maxTagValueBytes) return 'too-long';
  }
  return undefined;
}
