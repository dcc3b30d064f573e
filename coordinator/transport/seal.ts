// The seal around every gossip datagram (and every push-pull over gRPC):
// AES-256-GCM under the keyring's primary key, so that only holders of the
// cluster's gossip key can join, probe or spread membership changes.
//
//   | version (1 byte) = 1 | nonce (12 bytes, random) | ciphertext of SealedPayload | tag (16 bytes) |
//
// The AAD is the version byte plus SEAL_LABEL, binding the ciphertext to this
// layout: a future version 2 cannot be fed a version 1 body. SealedPayload
// carries the sender's clock and a random packet id: a packet outside the
// replay window, or seen before inside it, is dropped. Random 96-bit nonces
// are safe for about 2^32 packets per key (NIST SP 800-38D, 8.3): rotate the
// key well before that (a 7-master cluster sends ~10^2 packets/s).
import crypto from 'node:crypto';
import type { SwimMessage } from '../swim/messages.js';
import { SEALED_PAYLOAD_OVERHEAD_BYTES, decodeSealedPayload, encodeSealedPayload } from './codec.js';
import { CODEC_LIMITS, DecodeError, type DecodeReason } from './message-checks.js';
import type { Keyring } from './keyring.js';

export const SEAL_VERSION = 1;
const SEAL_LABEL = 'belay-gossip-v1';
const AAD = Buffer.concat([Buffer.of(SEAL_VERSION), Buffer.from(SEAL_LABEL, 'utf8')]);
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + NONCE_BYTES;

/** Bytes seal() adds to an encoded GossipPacket, at most: what packMessages must leave free under the MTU. */
export const SEAL_OVERHEAD_BYTES = HEADER_BYTES + SEALED_PAYLOAD_OVERHEAD_BYTES + TAG_BYTES;

/** Largest datagram open() accepts by default; UDP itself carries at most 65,507 bytes. */
export const MAX_DATAGRAM_BYTES = 64 * 1024;

/** How far a packet's sent_at may be from our clock, either way; also how long packet ids are remembered. */
export const DEFAULT_REPLAY_WINDOW_MS = 60_000;

/** Packet ids remembered: ~1,000 packets/s for a whole 60 s window, ~5 MiB. Past it the oldest are forgotten (see ReplayCache). */
export const DEFAULT_REPLAY_CACHE_ENTRIES = 65_536;

export type DropReason = 'short' | 'version' | 'auth' | 'decode' | 'stale' | 'replay' | 'oversize';

export type OpenResult =
  | {
      ok: true;
      messages: SwimMessage[];
      sentAtMs: number;
      /** Opened with the primary key; false means the sender still seals with an older (or newer) installed key. */
      primary: boolean;
    }
  | { ok: false; reason: DropReason; detail?: DecodeReason };

/** Packet ids are grouped by the second of their sent_at: a replay is byte-identical, so it lands in its original's bucket. */
const BUCKET_MS = 1_000;

/**
 * The packet ids seen inside the replay window, bounded. Under pressure (more
 * than maxEntries packets in one window) the ids sent earliest are forgotten
 * and every packet sent before them is then refused as stale: without their
 * ids we can no longer tell a reordered packet from a replayed one.
 */
export class ReplayCache {
  readonly windowMs: number;
  readonly maxEntries: number;
  private readonly buckets = new Map<number, Set<string>>();
  private entries = 0;
  private floorMs = -Infinity;
  private sweptAtMs = -Infinity;

  constructor(o: { windowMs?: number; maxEntries?: number } = {}) {
    this.windowMs = o.windowMs ?? DEFAULT_REPLAY_WINDOW_MS;
    this.maxEntries = o.maxEntries ?? DEFAULT_REPLAY_CACHE_ENTRIES;
  }

  get size(): number {
    return this.entries;
  }

  /** Records a packet id: 'ok' the first time inside the window, 'replay' after, 'stale' outside it. */
  admit(packetId: Uint8Array, sentAtMs: number, nowMs: number): 'ok' | 'stale' | 'replay' {
    if (Math.abs(nowMs - sentAtMs) > this.windowMs || sentAtMs < this.floorMs) return 'stale';
    this.sweep(nowMs);
    const bucket = Math.floor(sentAtMs / BUCKET_MS);
    const id = Buffer.from(packetId.buffer, packetId.byteOffset, packetId.byteLength).toString('latin1');
    let ids = this.buckets.get(bucket);
    if (ids?.has(id)) return 'replay';
    if (ids === undefined) {
      ids = new Set();
      this.buckets.set(bucket, ids);
    }
    ids.add(id);
    this.entries++;
    while (this.entries > this.maxEntries) this.forgetEarliest();
    return 'ok';
  }

  /** Drops the buckets whose every packet is now stale, at most once per bucket width. */
  private sweep(nowMs: number): void {
    if (nowMs - this.sweptAtMs < BUCKET_MS) return;
    this.sweptAtMs = nowMs;
    for (const [bucket, ids] of this.buckets) {
      if ((bucket + 1) * BUCKET_MS <= nowMs - this.windowMs) {
        this.entries -= ids.size;
        this.buckets.delete(bucket);
      }
    }
  }

  private forgetEarliest(): void {
    let earliest = Infinity;
    for (const bucket of this.buckets.keys()) earliest = Math.min(earliest, bucket);
    const ids = this.buckets.get(earliest);
    if (ids === undefined) return;
    this.entries -= ids.size;
    this.buckets.delete(earliest);
    this.floorMs = Math.max(this.floorMs, (earliest + 1) * BUCKET_MS);
  }
}

/** Seals an encoded GossipPacket (packMessages, encodePacket) with the keyring's primary key. */
export function seal(keyring: Keyring, packet: Uint8Array, nowMs: number): Buffer {
  const random = crypto.randomBytes(NONCE_BYTES + CODEC_LIMITS.packetIdBytes);
  const nonce = random.subarray(0, NONCE_BYTES);
  const payload = encodeSealedPayload({ sentAtMs: Math.floor(nowMs), packetId: random.subarray(NONCE_BYTES), packet });
  const cipher = crypto.createCipheriv('aes-256-gcm', keyring.primary, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(AAD);
  const body = Buffer.concat([cipher.update(payload), cipher.final()]);
  return Buffer.concat([Buffer.of(SEAL_VERSION), nonce, body, cipher.getAuthTag()]);
}

/**
 * Opens a sealed datagram: tries every installed key (primary first), then
 * checks the replay window and cache, then decodes and validates the packet.
 * Never throws: whatever the bytes, the answer is the messages or why not.
 * `maxBytes` raises the size bound for push-pull over gRPC.
 */
export function open(keyring: Keyring, datagram: Uint8Array, nowMs: number, replay: ReplayCache, o: { maxBytes?: number } = {}): OpenResult {
  if (datagram.length > (o.maxBytes ?? MAX_DATAGRAM_BYTES)) return { ok: false, reason: 'oversize' };
  if (datagram.length < HEADER_BYTES + TAG_BYTES) return { ok: false, reason: 'short' };
  if (datagram[0] !== SEAL_VERSION) return { ok: false, reason: 'version' };
  const bytes = Buffer.from(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  const nonce = bytes.subarray(1, HEADER_BYTES);
  const body = bytes.subarray(HEADER_BYTES, bytes.length - TAG_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  const keys = keyring.keys();
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const plain = key && decrypt(key, nonce, body, tag);
    if (!plain) continue;
    let opened;
    try {
      opened = decodeSealedPayload(plain);
    } catch (err) {
      return { ok: false, reason: 'decode', detail: err instanceof DecodeError ? err.reason : 'malformed' };
    }
    const admitted = replay.admit(opened.packetId, opened.sentAtMs, nowMs);
    if (admitted !== 'ok') return { ok: false, reason: admitted };
    return { ok: true, messages: opened.messages, sentAtMs: opened.sentAtMs, primary: i === 0 };
  }
  return { ok: false, reason: 'auth' };
}

function decrypt(key: Buffer, nonce: Buffer, body: Buffer, tag: Buffer): Buffer | undefined {
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(AAD);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    return undefined;
  }
}
