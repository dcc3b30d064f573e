import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { encodePacket } from '../../../coordinator/transport/codec.js';
import { Keyring, generateKey } from '../../../coordinator/transport/keyring.js';
import { MAX_DATAGRAM_BYTES, ReplayCache, SEAL_OVERHEAD_BYTES, open, seal, type DropReason, type OpenResult } from '../../../coordinator/transport/seal.js';
import type { SwimMessage } from '../../../coordinator/swim/messages.js';
import { EXAMPLES, swimMessageArb } from './arbitraries.js';
import { rawPayload, rawSeal } from './helpers.js';

/**
 * open() is the first code a datagram from the network meets. Whatever the
 * bytes, it must answer (never throw) with the messages or a drop reason.
 * About 8,000 cases in all, well under 3 s.
 */
const NOW = 1_760_000_000_000;
const WINDOW = 60_000;
const key = generateKey();
const ring = new Keyring(key);
const ack: SwimMessage = { kind: 'ack', seq: 1, from: 'm1' };
const packet = encodePacket([ack]);

const cache = (): ReplayCache => new ReplayCache({ windowMs: WINDOW });

/** open() that fails the test if it throws, and checks the shape of a drop. */
function openSafely(datagram: Uint8Array, o: { keyring?: Keyring; nowMs?: number; replay?: ReplayCache; maxBytes?: number } = {}): OpenResult {
  let r: OpenResult;
  try {
    r = open(o.keyring ?? ring, datagram, o.nowMs ?? NOW, o.replay ?? cache(), o.maxBytes === undefined ? {} : { maxBytes: o.maxBytes });
  } catch (err) {
    assert.fail(`open threw on ${Buffer.from(datagram).toString('hex').slice(0, 80)}…: ${String(err)}`);
  }
  if (!r.ok) assert.ok(['short', 'version', 'auth', 'decode', 'stale', 'replay', 'oversize'].includes(r.reason), r.reason);
  return r;
}

function dropped(r: OpenResult): DropReason | 'ok' {
  return r.ok ? 'ok' : r.reason;
}

describe('seal and open', () => {
  test('the layout: version 1, 12-byte nonce, ciphertext, 16-byte tag; open gives back the messages', () => {
    const d = seal(ring, packet, NOW);
    assert.equal(d[0], 1);
    assert.ok(d.length <= packet.length + SEAL_OVERHEAD_BYTES);
    const r = openSafely(d);
    assert.ok(r.ok);
    assert.deepEqual(r.messages, [ack]);
    assert.equal(r.sentAtMs, NOW);
    assert.equal(r.primary, true);
  });

  test('a datagram sealed by this spec, not by seal(), opens: the layout is the documented one', () => {
    const r = openSafely(rawSeal(key, rawPayload({ sentAtMs: NOW, packetId: crypto.randomBytes(8), packet: { messages: [{ ack: { seq: 1, from: 'm1' } }] } })));
    assert.ok(r.ok);
    assert.deepEqual(r.messages, [ack]);
  });

  test('property: any valid packet round-trips; the overhead bound holds', () => {
    fc.assert(
      fc.property(fc.array(swimMessageArb, { maxLength: 8 }), fc.integer({ min: 0, max: 2 ** 40 }), (msgs, nowMs) => {
        const p = encodePacket(msgs);
        const d = seal(ring, p, nowMs);
        assert.ok(d.length <= p.length + SEAL_OVERHEAD_BYTES, `${d.length} > ${p.length} + ${SEAL_OVERHEAD_BYTES}`);
        const r = openSafely(d, { nowMs, maxBytes: 1 << 20 });
        assert.ok(r.ok, dropped(r));
        assert.deepEqual(r.messages, msgs);
      }),
      { numRuns: 300 },
    );
  });

  test('a packet that just fits 64 KiB opens; the overhead bound holds for it too', () => {
    const big: SwimMessage = { ...(EXAMPLES[8] as SwimMessage & { kind: 'push-pull' }) };
    const members = Array.from({ length: 600 }, (_, i) => ({
      name: `m${i}`,
      bootId: 'b',
      addr: '10.0.0.1:7946',
      incarnation: i,
      state: 'alive' as const,
      tags: { zone: 'z'.repeat(60) },
    }));
    const p = encodePacket([{ ...big, members }]);
    const d = seal(ring, p, NOW);
    assert.ok(d.length > 50_000 && d.length <= MAX_DATAGRAM_BYTES, String(d.length));
    assert.ok(d.length <= p.length + SEAL_OVERHEAD_BYTES);
    assert.ok(openSafely(d).ok);
  });
});

describe('open drops, never throws', () => {
  test('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1_500 }), fc.boolean(), (bytes, v1) => {
        if (v1 && bytes.length > 0) bytes[0] = 1;
        const r = openSafely(bytes);
        assert.equal(r.ok, false);
        if (bytes.length < 29) assert.equal(dropped(r), 'short');
        else if (bytes[0] !== 1) assert.equal(dropped(r), 'version');
        else assert.equal(dropped(r), 'auth');
      }),
      { numRuns: 2_000 },
    );
  });

  test('truncated: every prefix of a valid datagram', () => {
    const d = seal(ring, encodePacket(EXAMPLES.slice(0, 8)), NOW);
    for (let n = 0; n < d.length; n++) {
      assert.equal(dropped(openSafely(d.subarray(0, n))), n < 29 ? 'short' : 'auth', `length ${n}`);
    }
  });

  test('bit-flipped: every single bit of a valid datagram', () => {
    const d = seal(ring, encodePacket([ack, EXAMPLES[0] as SwimMessage]), NOW);
    for (let bit = 0; bit < d.length * 8; bit++) {
      const flipped = Buffer.from(d);
      flipped[bit >> 3] = (flipped[bit >> 3] as number) ^ (1 << (bit & 7));
      assert.equal(dropped(openSafely(flipped)), bit < 8 ? 'version' : 'auth', `bit ${bit}`);
    }
  });

  test('oversized: over 64 KiB unless the caller allows more (push-pull over gRPC)', () => {
    assert.equal(dropped(openSafely(Buffer.alloc(MAX_DATAGRAM_BYTES + 1, 1))), 'oversize');
    assert.equal(dropped(openSafely(Buffer.alloc(MAX_DATAGRAM_BYTES, 1))), 'auth');
    const huge = seal(
      ring,
      encodePacket([
        {
          kind: 'push-pull',
          from: 'm1',
          join: false,
          reply: true,
          members: Array.from({ length: 1_000 }, (_, i) => ({
            name: `m${i}`.padEnd(100, 'x'),
            bootId: 'b',
            addr: 'a:1',
            incarnation: 1,
            state: 'alive' as const,
            tags: {},
          })),
        },
      ]),
      NOW,
    );
    assert.equal(dropped(openSafely(huge)), 'oversize');
    assert.equal(dropped(openSafely(huge, { maxBytes: 4 << 20 })), 'ok');
  });

  test('replayed: the same datagram twice, the second is a replay, also much later inside the window', () => {
    const replay = cache();
    const d = seal(ring, packet, NOW);
    assert.equal(dropped(openSafely(d, { replay })), 'ok');
    assert.equal(dropped(openSafely(d, { replay })), 'replay');
    assert.equal(dropped(openSafely(d, { replay, nowMs: NOW + WINDOW })), 'replay');
    assert.equal(dropped(openSafely(d, { replay, nowMs: NOW + WINDOW + 1 })), 'stale');
  });

  test('stale: sent outside the window, either way (a clock ahead or behind)', () => {
    for (const [sentAt, want] of [
      [NOW - WINDOW - 1, 'stale'],
      [NOW + WINDOW + 1, 'stale'],
      [0, 'stale'],
      [NOW - WINDOW, 'ok'],
      [NOW + WINDOW, 'ok'],
    ] as const) {
      assert.equal(dropped(openSafely(seal(ring, packet, sentAt))), want, `sent at now${sentAt - NOW >= 0 ? '+' : ''}${sentAt - NOW}`);
    }
  });

  test('reordered: an older datagram after a newer one, inside the window, is accepted (UDP reorders)', () => {
    const replay = cache();
    const older = seal(ring, packet, NOW - 5_000);
    const newer = seal(ring, packet, NOW - 10);
    assert.equal(dropped(openSafely(newer, { replay })), 'ok');
    assert.equal(dropped(openSafely(older, { replay })), 'ok');
    assert.equal(dropped(openSafely(older, { replay })), 'replay');
  });

  test('property: any interleaving of fresh datagrams and their duplicates: each opens once, every duplicate is a replay', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -WINDOW, max: WINDOW }), fc.nat({ max: 3 })), { minLength: 1, maxLength: 30 }),
        fc.infiniteStream(fc.nat()),
        (sends, order) => {
          const replay = cache();
          // Copies of one seal are the same bytes: shuffle them all and count.
          const originals = sends.map(([offset, copies]) => ({ d: seal(ring, packet, NOW + offset), copies }));
          const all = originals.flatMap((o) => Array.from({ length: o.copies + 1 }, () => o.d));
          const it = order[Symbol.iterator]();
          for (let i = all.length - 1; i > 0; i--) {
            const j = (it.next().value as number) % (i + 1);
            [all[i], all[j]] = [all[j] as Buffer, all[i] as Buffer];
          }
          const results = all.map((d) => dropped(openSafely(d, { replay })));
          assert.equal(results.filter((r) => r === 'ok').length, originals.length);
          assert.equal(results.filter((r) => r === 'replay').length, all.length - originals.length);
        },
      ),
      { numRuns: 100 },
    );
  });

  test('forged: sealed with a key this keyring does not hold', () => {
    const other = new Keyring(generateKey());
    for (let i = 0; i < 200; i++) assert.equal(dropped(openSafely(seal(other, packet, NOW))), 'auth');
    assert.equal(dropped(openSafely(rawSeal(key, rawPayload({ sentAtMs: NOW, packetId: crypto.randomBytes(8), packet: {} }), 2))), 'version');
  });

  test('a valid seal around garbage: decode', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const r = openSafely(rawSeal(key, bytes));
        assert.equal(r.ok, false);
        // Random bytes that happen to parse as a SealedPayload carry a random sent_at.
        assert.ok(dropped(r) === 'decode' || dropped(r) === 'stale', dropped(r));
      }),
      { numRuns: 1_000 },
    );
  });

  test('a valid seal around valid protobuf with invalid fields: decode, with the decoder reason', () => {
    const id = (): Buffer => crypto.randomBytes(8);
    const cases: [Uint8Array, string][] = [
      [rawPayload({ sentAtMs: NOW, packetId: id(), packet: { messages: [{ ping: { seq: 1, target: 'm2', from: '', fromAddr: 'a:1' } }] } }), 'missing-field'],
      [rawPayload({ sentAtMs: NOW, packetId: id(), packet: { messages: [{}] } }), 'empty-message'],
      [
        rawPayload({
          sentAtMs: NOW,
          packetId: id(),
          packet: { messages: [{ pushPull: { from: 'm1', members: [{ name: 'm', bootId: 'b', addr: 'a:1', state: 'gone' }] } }] },
        }),
        'bad-state',
      ],
      [rawPayload({ sentAtMs: NOW, packetId: id() }), 'missing-field'],
      [rawPayload({ sentAtMs: NOW, packetId: crypto.randomBytes(7), packet: {} }), 'bad-packet-id'],
      [rawPayload({ sentAtMs: NOW, packet: {} }), 'bad-packet-id'],
      [rawPayload({ sentAtMs: 2 ** 60, packetId: id(), packet: {} }), 'bad-number'],
    ];
    for (const [plain, detail] of cases) {
      const r = openSafely(rawSeal(key, plain));
      assert.deepEqual(r, { ok: false, reason: 'decode', detail });
    }
    // A SealedPayload with no sent_at is one from 1970.
    assert.equal(dropped(openSafely(rawSeal(key, rawPayload({ packetId: id(), packet: {} })))), 'stale');
  });

  test('fuzzed plaintext: valid payloads with random bytes spliced in, under a valid seal', () => {
    const base = Buffer.from(
      rawPayload({
        sentAtMs: NOW,
        packetId: crypto.randomBytes(8),
        packet: { messages: [{ alive: { name: 'm1', bootId: 'b', addr: 'a:1', incarnation: 3, tags: { k: 'v' } } }] },
      }),
    );
    fc.assert(
      fc.property(fc.nat({ max: base.length }), fc.nat({ max: base.length }), fc.uint8Array({ maxLength: 16 }), (at, cut, insert) => {
        const plain = Buffer.concat([base.subarray(0, at), insert, base.subarray(Math.max(at, cut))]);
        const r = openSafely(rawSeal(key, plain));
        if (r.ok) assert.ok(r.messages.length <= 256);
      }),
      { numRuns: 1_500 },
    );
  });
});

describe('ReplayCache', () => {
  test('stays bounded under pressure, and then refuses what it forgot as stale rather than accept a replay', () => {
    const replay = new ReplayCache({ windowMs: WINDOW, maxEntries: 100 });
    const first = seal(ring, packet, NOW - 30_000);
    assert.equal(dropped(openSafely(first, { replay })), 'ok');
    for (let i = 0; i < 1_000; i++) {
      assert.equal(dropped(openSafely(seal(ring, packet, NOW - 29_000 + i * 10), { replay })), 'ok');
      assert.ok(replay.size <= 100);
    }
    assert.equal(dropped(openSafely(first, { replay })), 'stale');
    assert.equal(dropped(openSafely(seal(ring, packet, NOW), { replay })), 'ok');
  });

  test('forgets ids once their packets would be stale anyway', () => {
    const replay = new ReplayCache({ windowMs: WINDOW });
    for (let i = 0; i < 50; i++) replay.admit(crypto.randomBytes(8), NOW + i, NOW);
    assert.equal(replay.size, 50);
    replay.admit(crypto.randomBytes(8), NOW + WINDOW + 5_000, NOW + 2 * WINDOW + 2_000);
    assert.equal(replay.size, 1);
  });
});
