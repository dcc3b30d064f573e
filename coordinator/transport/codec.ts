// SwimMessage[] ↔ belay.v1.GossipPacket (proto/belay/v1/gossip.proto), with
// the strict validation a datagram from the network needs before the pure
// core sees it (its rules in message-checks.ts), and the packing of messages into datagrams under the MTU.
import path from 'node:path';
import protobuf from 'protobufjs';
import { PROTO_DIR } from '../../proto/common/grpc.js';
import type { MemberState, SwimMessage, Tags } from '../swim/messages.js';
import { CODEC_LIMITS, DecodeError, checkMessage, type DecodeReason } from './message-checks.js';

interface GossipTypes {
  packet: protobuf.Type;
  message: protobuf.Type;
  sealedPayload: protobuf.Type;
}

let types: GossipTypes | undefined;

/** gossip.proto, loaded once from PROTO_DIR (proto/ under tsx, dist/proto after `npm run build`). */
function gossipTypes(): GossipTypes {
  if (types === undefined) {
    const root = new protobuf.Root().loadSync(path.join(PROTO_DIR, 'belay/v1/gossip.proto'));
    types = {
      packet: root.lookupType('belay.v1.GossipPacket'),
      message: root.lookupType('belay.v1.GossipMessage'),
      sealedPayload: root.lookupType('belay.v1.SealedPayload'),
    };
  }
  return types;
}

// The shapes protobufjs decodes into (field names camelCased by the loader).
// uint64 arrives as a Long (protobufjs depends on `long`), or a number without it.
interface LongLike {
  low: number;
  high: number;
}
type U64 = number | LongLike;
interface PbPing {
  seq: number;
  target: string;
  from: string;
  fromAddr: string;
}
interface PbIndirectPing {
  seq: number;
  target: string;
  targetAddr: string;
  from: string;
  fromAddr: string;
  wantNack: boolean;
}
interface PbSeqFrom {
  seq: number;
  from: string;
}
interface PbAlive {
  name: string;
  bootId: string;
  addr: string;
  incarnation: U64;
  tags: Record<string, string>;
}
interface PbSuspect {
  name: string;
  bootId: string;
  incarnation: U64;
  from: string;
}
interface PbMember {
  name: string;
  bootId: string;
  addr: string;
  incarnation: U64;
  state: string;
  tags: Record<string, string>;
}
interface PbPushPull {
  from: string;
  join: boolean;
  reply: boolean;
  members: PbMember[];
}
interface PbDigestEntry {
  name: string;
  bootId: string;
  incarnation: U64;
  state: string;
}
interface PbDigest {
  from: string;
  fromAddr: string;
  members: PbDigestEntry[];
}
interface PbMessage {
  ping?: PbPing | null;
  indirectPing?: PbIndirectPing | null;
  ack?: PbSeqFrom | null;
  nack?: PbSeqFrom | null;
  alive?: PbAlive | null;
  suspect?: PbSuspect | null;
  dead?: PbSuspect | null;
  deliver?: PbSeqFrom | null;
  pushPull?: PbPushPull | null;
  digest?: PbDigest | null;
}
interface PbPacket {
  messages: PbMessage[];
}
interface PbSealedPayload {
  sentAtMs: U64;
  packetId: Uint8Array;
  packet?: PbPacket | null;
}
/** The GossipMessage for `msg`, as protobufjs encodes it (no validation). */
function toProto(msg: SwimMessage): PbMessage {
  switch (msg.kind) {
    case 'ping':
      return { ping: { seq: msg.seq, target: msg.target, from: msg.from, fromAddr: msg.fromAddr } };
    case 'indirect-ping':
      return { indirectPing: { seq: msg.seq, target: msg.target, targetAddr: msg.targetAddr, from: msg.from, fromAddr: msg.fromAddr, wantNack: msg.wantNack } };
    case 'ack':
      return { ack: { seq: msg.seq, from: msg.from } };
    case 'nack':
      return { nack: { seq: msg.seq, from: msg.from } };
    case 'deliver':
      return { deliver: { seq: msg.seq, from: msg.from } };
    case 'alive':
      return { alive: { name: msg.name, bootId: msg.bootId, addr: msg.addr, incarnation: msg.incarnation, tags: { ...msg.tags } } };
    case 'suspect':
      return { suspect: { name: msg.name, bootId: msg.bootId, incarnation: msg.incarnation, from: msg.from } };
    case 'dead':
      return { dead: { name: msg.name, bootId: msg.bootId, incarnation: msg.incarnation, from: msg.from } };
    case 'push-pull':
      return {
        pushPull: {
          from: msg.from,
          join: msg.join,
          reply: msg.reply,
          members: msg.members.map((m) => ({ name: m.name, bootId: m.bootId, addr: m.addr, incarnation: m.incarnation, state: m.state, tags: { ...m.tags } })),
        },
      };
    case 'digest':
      return {
        digest: {
          from: msg.from,
          fromAddr: msg.fromAddr,
          members: msg.members.map((m) => ({ name: m.name, bootId: m.bootId, incarnation: m.incarnation, state: m.state })),
        },
      };
  }
}

/** Encodes one message as a GossipMessage. Throws on a message checkMessage refuses: a bug in the caller. */
export function encodeMessage(msg: SwimMessage): Uint8Array {
  const bad = checkMessage(msg);
  if (bad) throw new Error(`encoding gossip message ${msg.kind}: invalid (${bad})`);
  return gossipTypes().message.encode(toProto(msg)).finish();
}

/** Encodes messages as one GossipPacket, with no size bound (push-pull over gRPC; use packMessages for UDP). */
export function encodePacket(msgs: readonly SwimMessage[]): Uint8Array {
  if (msgs.length > CODEC_LIMITS.maxMessagesPerPacket) {
    throw new Error(`encoding gossip packet: ${msgs.length} messages, at most ${CODEC_LIMITS.maxMessagesPerPacket}`);
  }
  return joinEncoded(msgs.map(encodeMessage));
}

/** A GossipPacket from encoded GossipMessages: `repeated GossipMessage messages = 1` is their concatenation, each tagged and length-prefixed. */
function joinEncoded(encoded: readonly Uint8Array[]): Uint8Array {
  const w = protobuf.Writer.create();
  for (const e of encoded) w.uint32((1 << 3) | 2).bytes(e);
  return w.finish();
}

/** Decodes a GossipPacket, refusing anything outside the schema's rules: throws DecodeError. */
export function decodePacket(bytes: Uint8Array): SwimMessage[] {
  return fromPacket(decodeWire<PbPacket>(gossipTypes().packet, bytes));
}

function decodeWire<T>(type: protobuf.Type, bytes: Uint8Array): T {
  try {
    return type.decode(bytes) as unknown as T;
  } catch (err) {
    throw new DecodeError('malformed', err instanceof Error ? err.message : String(err));
  }
}

function fromPacket(pb: PbPacket): SwimMessage[] {
  if (pb.messages.length > CODEC_LIMITS.maxMessagesPerPacket) {
    throw new DecodeError('too-many-messages', `${pb.messages.length} messages, at most ${CODEC_LIMITS.maxMessagesPerPacket}`);
  }
  return pb.messages.map((m, i) => {
    const msg = fromProto(m, i);
    const bad = checkMessage(msg);
    if (bad) throw new DecodeError(bad, `message ${i} (${msg.kind})`);
    return msg;
  });
}

function fromProto(m: PbMessage, i: number): SwimMessage {
  if (m.ping) {
    const p = m.ping;
    return { kind: 'ping', seq: p.seq, target: p.target, from: p.from, fromAddr: p.fromAddr };
  }
  if (m.indirectPing) {
    const p = m.indirectPing;
    return { kind: 'indirect-ping', seq: p.seq, target: p.target, targetAddr: p.targetAddr, from: p.from, fromAddr: p.fromAddr, wantNack: p.wantNack };
  }
  if (m.ack) return { kind: 'ack', seq: m.ack.seq, from: m.ack.from };
  if (m.nack) return { kind: 'nack', seq: m.nack.seq, from: m.nack.from };
  if (m.deliver) return { kind: 'deliver', seq: m.deliver.seq, from: m.deliver.from };
  if (m.alive) {
    const a = m.alive;
    return { kind: 'alive', name: a.name, bootId: a.bootId, addr: a.addr, incarnation: toNumber(a.incarnation, 'incarnation'), tags: copyTags(a.tags) };
  }
  if (m.suspect) {
    const s = m.suspect;
    return { kind: 'suspect', name: s.name, bootId: s.bootId, incarnation: toNumber(s.incarnation, 'incarnation'), from: s.from };
  }
  if (m.dead) {
    const d = m.dead;
    return { kind: 'dead', name: d.name, bootId: d.bootId, incarnation: toNumber(d.incarnation, 'incarnation'), from: d.from };
  }
  if (m.pushPull) {
    const p = m.pushPull;
    if (p.members.length > CODEC_LIMITS.maxMembersPerPushPull) {
      throw new DecodeError('too-many-members', `${p.members.length} members, at most ${CODEC_LIMITS.maxMembersPerPushPull}`);
    }
    return {
      kind: 'push-pull',
      from: p.from,
      join: p.join,
      reply: p.reply,
      members: p.members.map((s) => ({
        name: s.name,
        bootId: s.bootId,
        addr: s.addr,
        incarnation: toNumber(s.incarnation, 'incarnation'),
        // checkMessage refuses anything but the four states.
        state: s.state as MemberState,
        tags: copyTags(s.tags),
      })),
    };
  }
  if (m.digest) {
    const d = m.digest;
    if (d.members.length > CODEC_LIMITS.maxMembersPerPushPull) {
      throw new DecodeError('too-many-members', `${d.members.length} members, at most ${CODEC_LIMITS.maxMembersPerPushPull}`);
    }
    return {
      kind: 'digest',
      from: d.from,
      fromAddr: d.fromAddr,
      members: d.members.map((e) => ({
        name: e.name,
        bootId: e.bootId,
        incarnation: toNumber(e.incarnation, 'incarnation'),
        // checkMessage refuses anything but the four states.
        state: e.state as MemberState,
      })),
    };
  }
  throw new DecodeError('empty-message', `message ${i} has no body (unset, or a kind this version does not know)`);
}

/** A plain own-property copy: protobufjs's map object is not ours to hand out. */
function copyTags(tags: Record<string, string>): Tags {
  if (Object.keys(tags).length > CODEC_LIMITS.maxTags)
    throw new DecodeError('too-many-tags', `${Object.keys(tags).length} tags, at most ${CODEC_LIMITS.maxTags}`);
  return Object.fromEntries(Object.entries(tags));
}

/** A uint64 as a number, refusing what a double cannot hold exactly. */
function toNumber(v: U64, field: string): number {
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v) && v >= 0) return v;
    throw new DecodeError('bad-number', `${field} ${v} is not a safe integer`);
  }
  const high = v.high >>> 0;
  const low = v.low >>> 0;
  // 2^53 = 2^21 · 2^32: a high word of 2^21 or more is over Number.MAX_SAFE_INTEGER.
  if (high >= 0x20_0000) throw new DecodeError('bad-number', `${field} is over Number.MAX_SAFE_INTEGER`);
  return high * 0x1_0000_0000 + low;
}

/** SealedPayload as the seal needs it: the GossipPacket stays encoded bytes. */
export interface SealedPayload {
  sentAtMs: number;
  packetId: Uint8Array;
  /** An encoded GossipPacket (encodePacket or packMessages). */
  packet: Uint8Array;
}

/**
 * Encodes a SealedPayload around an already encoded GossipPacket: fields 1-2
 * by protobufjs, then field 3 as length-prefixed bytes, which on the wire is
 * exactly an embedded message (so the packet is not encoded twice).
 */
export function encodeSealedPayload(p: SealedPayload): Uint8Array {
  if (!Number.isSafeInteger(p.sentAtMs) || p.sentAtMs < 0) throw new Error(`encoding sealed payload: sentAtMs ${p.sentAtMs} is not a safe uint`);
  const w = protobuf.Writer.create();
  gossipTypes().sealedPayload.encode({ sentAtMs: p.sentAtMs, packetId: p.packetId }, w);
  w.uint32((3 << 3) | 2).bytes(p.packet);
  return w.finish();
}

/** Worst-case bytes encodeSealedPayload adds to the packet (for SEAL_OVERHEAD_BYTES), for a packet under 2 MiB. */
export const SEALED_PAYLOAD_OVERHEAD_BYTES =
  1 +
  8 + // sent_at_ms: tag, varint of a safe integer (≤ 2^53: 8 × 7 bits)
  1 +
  1 +
  CODEC_LIMITS.packetIdBytes + // packet_id: tag, length, bytes
  1 +
  3; // packet: tag, length varint (< 2^21)

export interface OpenedPayload {
  sentAtMs: number;
  packetId: Uint8Array;
  messages: SwimMessage[];
}

/** Decodes a SealedPayload and its packet: throws DecodeError. */
export function decodeSealedPayload(bytes: Uint8Array): OpenedPayload {
  const pb = decodeWire<PbSealedPayload>(gossipTypes().sealedPayload, bytes);
  // A missing bytes field decodes to protobufjs's shared empty default (an empty array).
  if (!(pb.packetId instanceof Uint8Array) || pb.packetId.length !== CODEC_LIMITS.packetIdBytes) {
    throw new DecodeError('bad-packet-id', `packet_id of ${pb.packetId.length} bytes, need ${CODEC_LIMITS.packetIdBytes}`);
  }
  if (!pb.packet) throw new DecodeError('missing-field', 'sealed payload without a packet');
  return { sentAtMs: toNumber(pb.sentAtMs, 'sent_at_ms'), packetId: pb.packetId, messages: fromPacket(pb.packet) };
}

export interface PackResult {
  /** Encoded GossipPackets, each at most mtu − overhead bytes; within one, messages keep their input order. */
  packets: Uint8Array[];
  /**
   * Messages left out: 'too-big' alone exceeds the MTU; 'invalid' breaks
   * checkMessage (a peer would drop the whole packet); 'reliable' is a
   * push-pull, which goes over gRPC (isReliable), never UDP.
   */
  dropped: { msg: SwimMessage; reason: 'too-big' | 'invalid' | 'reliable'; detail?: DecodeReason }[];
}

/**
 * Packs messages into as few GossipPackets as first-fit finds (within 17/10 of
 * the optimum; exact is NP-hard) such that each, once sealed with `overhead`
 * bytes, fits in `mtu`. First-fit keeps the first message (the probe, by the
 * core's convention) in the first packet. The core budgets with the generous
 * estimateSize, so splitting is the exception.
 */
export function packMessages(msgs: readonly SwimMessage[], mtu: number, overhead: number): PackResult {
  const room = mtu - overhead;
  const dropped: PackResult['dropped'] = [];
  const bins: { parts: Uint8Array[]; bytes: number }[] = [];
  for (const msg of msgs) {
    if (msg.kind === 'push-pull') {
      dropped.push({ msg, reason: 'reliable' });
      continue;
    }
    const bad = checkMessage(msg);
    if (bad) {
      dropped.push({ msg, reason: 'invalid', detail: bad });
      continue;
    }
    const enc = gossipTypes().message.encode(toProto(msg)).finish();
    const size = 1 + varintBytes(enc.length) + enc.length;
    if (size > room) {
      dropped.push({ msg, reason: 'too-big' });
      continue;
    }
    const bin = bins.find((b) => b.bytes + size <= room && b.parts.length < CODEC_LIMITS.maxMessagesPerPacket);
    if (bin) {
      bin.parts.push(enc);
      bin.bytes += size;
    } else {
      bins.push({ parts: [enc], bytes: size });
    }
  }
  return { packets: bins.map((b) => joinEncoded(b.parts)), dropped };
}

function varintBytes(n: number): number {
  let bytes = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    bytes++;
  }
  return bytes;
}
