import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { decodePacket, encodeMessage, encodePacket, packMessages } from '../../../coordinator/transport/codec.js';
import { CODEC_LIMITS, DecodeError, type DecodeReason } from '../../../coordinator/transport/message-checks.js';
import { SEAL_OVERHEAD_BYTES } from '../../../coordinator/transport/seal.js';
import { estimateSize, type SwimMessage } from '../../../coordinator/swim/messages.js';
import { EXAMPLES, datagramMessageArb, swimMessageArb } from './arbitraries.js';
import { pb, rawPacket } from './helpers.js';

function refused(bytes: Uint8Array, reason: DecodeReason): void {
  assert.throws(
    () => decodePacket(bytes),
    (err: unknown) => err instanceof DecodeError && err.reason === reason,
    `expected DecodeError ${reason}`,
  );
}

const ping = { seq: 1, target: 'm2', from: 'm1', fromAddr: '10.0.0.1:7946' };
const alive = { name: 'm1', bootId: 'b1', addr: '10.0.0.1:7946', incarnation: 1, tags: {} };
const member = { name: 'm1', bootId: 'b1', addr: '10.0.0.1:7946', incarnation: 1, state: 'alive', tags: {} };
const entry = { name: 'm1', bootId: 'b1', incarnation: 1, state: 'alive' };
const digest = { from: 'm1', fromAddr: '10.0.0.1:7946' };

describe('round trip', () => {
  for (const msg of EXAMPLES) {
    test(msg.kind, () => {
      assert.deepEqual(decodePacket(encodePacket([msg])), [msg]);
    });
  }

  test('a compound packet keeps every message, in order', () => {
    assert.deepEqual(decodePacket(encodePacket(EXAMPLES)), EXAMPLES);
    assert.deepEqual(decodePacket(encodePacket([])), []);
  });

  test('property: any valid SwimMessage[] round-trips exactly', () => {
    fc.assert(
      fc.property(fc.array(swimMessageArb, { maxLength: 12 }), (msgs) => {
        assert.deepEqual(decodePacket(encodePacket(msgs)), msgs);
      }),
      { numRuns: 300 },
    );
  });
});

describe('decode refuses', () => {
  test('bytes that are not a GossipPacket', () => {
    refused(Buffer.from([0x0a, 0xff]), 'malformed');
    refused(Buffer.from([0x0f]), 'malformed');
    refused(Buffer.alloc(2_000, 0x0b), 'malformed'); // nested groups
  });

  test('a message without a body, or with a kind this version does not know', () => {
    refused(rawPacket([{}]), 'empty-message');
    const unknown = pb.message.encode({}).finish();
    const withField11 = Buffer.concat([unknown, Buffer.from([(11 << 3) | 2, 1, 0x08])]);
    refused(Buffer.concat([Buffer.from([0x0a, withField11.length]), withField11]), 'empty-message');
  });

  test('missing required strings', () => {
    refused(rawPacket([{ ping: { ...ping, from: '' } }]), 'missing-field');
    refused(rawPacket([{ ping: { seq: 1 } }]), 'missing-field');
    refused(rawPacket([{ alive: { ...alive, bootId: '' } }]), 'missing-field');
    refused(rawPacket([{ ack: { seq: 1 } }]), 'missing-field');
    refused(rawPacket([{ suspect: { name: 'm1', bootId: 'b', incarnation: 1 } }]), 'missing-field');
    refused(rawPacket([{ pushPull: { from: 'm1', members: [{ ...member, addr: '' }] } }]), 'missing-field');
    refused(rawPacket([{ pushPull: { from: 'm1', members: [{ ...member, state: '' }] } }]), 'missing-field');
    refused(rawPacket([{ digest: { from: 'm1', members: [entry] } }]), 'missing-field');
    refused(rawPacket([{ digest: { ...digest, members: [{ ...entry, bootId: '' }] } }]), 'missing-field');
    refused(rawPacket([{ digest: { ...digest, members: [{ ...entry, state: '' }] } }]), 'missing-field');
  });

  test('a member state other than alive, suspect, dead or left', () => {
    refused(rawPacket([{ pushPull: { from: 'm1', members: [{ ...member, state: 'zombie' }] } }]), 'bad-state');
    refused(rawPacket([{ pushPull: { from: 'm1', members: [{ ...member, state: 'Alive' }] } }]), 'bad-state');
    refused(rawPacket([{ digest: { ...digest, members: [{ ...entry, state: 'zombie' }] } }]), 'bad-state');
  });

  test('an incarnation over Number.MAX_SAFE_INTEGER', () => {
    const ok = decodePacket(rawPacket([{ alive: { ...alive, incarnation: Number.MAX_SAFE_INTEGER } }]));
    assert.equal((ok[0] as { incarnation: number }).incarnation, Number.MAX_SAFE_INTEGER);
    refused(rawPacket([{ alive: { ...alive, incarnation: 2 ** 53 } }]), 'bad-number');
    refused(rawPacket([{ dead: { name: 'm', bootId: 'b', from: 'm', incarnation: '18446744073709551615' } }]), 'bad-number');
    refused(rawPacket([{ digest: { ...digest, members: [{ ...entry, incarnation: 2 ** 53 }] } }]), 'bad-number');
  });

  test('strings over their bounds, and accepts them at the bound', () => {
    const cases: [object, object, DecodeReason][] = [
      [{ alive: { ...alive, name: 'n'.repeat(253) } }, { alive: { ...alive, name: 'n'.repeat(254) } }, 'too-long'],
      // Bytes, not characters: 127 two-byte characters are 254 bytes.
      [{ alive: { ...alive, name: 'é'.repeat(126) } }, { alive: { ...alive, name: 'é'.repeat(127) } }, 'too-long'],
      [{ alive: { ...alive, addr: 'a'.repeat(300) } }, { alive: { ...alive, addr: 'a'.repeat(301) } }, 'too-long'],
      [{ ping: { ...ping, fromAddr: 'a'.repeat(300) } }, { ping: { ...ping, fromAddr: 'a'.repeat(301) } }, 'too-long'],
      [{ alive: { ...alive, tags: { k: 'v'.repeat(1024) } } }, { alive: { ...alive, tags: { k: 'v'.repeat(1025) } } }, 'too-long'],
      [{ alive: { ...alive, tags: { ['k'.repeat(253)]: '' } } }, { alive: { ...alive, tags: { ['k'.repeat(254)]: '' } } }, 'too-long'],
      [{ alive: { ...alive, tags: tagsOf(64) } }, { alive: { ...alive, tags: tagsOf(65) } }, 'too-many-tags'],
      [
        { pushPull: { from: 'm1', members: [{ ...member, tags: tagsOf(64) }] } },
        { pushPull: { from: 'm1', members: [{ ...member, tags: tagsOf(65) }] } },
        'too-many-tags',
      ],
      [{ digest: { ...digest, fromAddr: 'a'.repeat(300) } }, { digest: { ...digest, fromAddr: 'a'.repeat(301) } }, 'too-long'],
      [
        { digest: { ...digest, members: [{ ...entry, name: 'n'.repeat(253) }] } },
        { digest: { ...digest, members: [{ ...entry, name: 'n'.repeat(254) }] } },
        'too-long',
      ],
    ];
    for (const [atBound, over, reason] of cases) {
      assert.equal(decodePacket(rawPacket([atBound])).length, 1);
      refused(rawPacket([over]), reason);
    }
  });

  test('more than 256 messages in a packet, or 1024 members in a push-pull or a digest', () => {
    assert.equal(decodePacket(rawPacket(Array.from({ length: 256 }, () => ({ ack: { seq: 1, from: 'm' } })))).length, 256);
    refused(rawPacket(Array.from({ length: 257 }, () => ({ ack: { seq: 1, from: 'm' } }))), 'too-many-messages');
    const members = (n: number): object[] => Array.from({ length: n }, (_, i) => ({ ...member, name: `m${i}` }));
    assert.equal(decodePacket(rawPacket([{ pushPull: { from: 'm1', members: members(1024) } }])).length, 1);
    refused(rawPacket([{ pushPull: { from: 'm1', members: members(1025) } }]), 'too-many-members');
    const entries = (n: number): object[] => Array.from({ length: n }, (_, i) => ({ ...entry, name: `m${i}` }));
    assert.equal(decodePacket(rawPacket([{ digest: { ...digest, members: entries(1024) } }])).length, 1);
    refused(rawPacket([{ digest: { ...digest, members: entries(1025) } }]), 'too-many-members');
  });

  test('one bad message spoils the whole packet', () => {
    refused(rawPacket([{ ping }, { ack: { seq: 1, from: '' } }]), 'missing-field');
  });
});

function tagsOf(n: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
}

describe('encode', () => {
  test('refuses what a peer would refuse: a bug in the caller', () => {
    const bad: SwimMessage[] = [
      { kind: 'alive', ...alive, incarnation: -1 },
      { kind: 'alive', ...alive, incarnation: 1.5 },
      { kind: 'alive', ...alive, incarnation: 2 ** 53 },
      { kind: 'ack', seq: 2 ** 32, from: 'm' },
      { kind: 'ack', seq: 1, from: '' },
      { kind: 'alive', ...alive, tags: Object.fromEntries([['__proto__', 'x']]) },
      { kind: 'digest', ...digest, members: [{ name: 'm1', bootId: 'b1', incarnation: 1, state: 'gone' as 'alive' }] },
      { kind: 'digest', ...digest, fromAddr: '', members: [] },
    ];
    for (const msg of bad) assert.throws(() => encodeMessage(msg), /invalid/, JSON.stringify(msg));
    assert.throws(() => encodePacket(Array.from({ length: 257 }, () => EXAMPLES[2] as SwimMessage)), /at most 256/);
  });
});

describe('packMessages', () => {
  const overhead = SEAL_OVERHEAD_BYTES;

  test('property: every packet fits, every message is sent once, order kept within a packet', () => {
    fc.assert(
      fc.property(fc.array(datagramMessageArb, { maxLength: 40 }), fc.integer({ min: 508, max: 2_000 }), (msgs, mtu) => {
        const { packets, dropped } = packMessages(msgs, mtu, overhead);
        const sent: SwimMessage[] = [];
        for (const p of packets) {
          assert.ok(p.length + overhead <= mtu, `${p.length} + ${overhead} > ${mtu}`);
          const got = decodePacket(p);
          assert.ok(got.length >= 1);
          assertSubsequence(got, msgs);
          sent.push(...got);
        }
        for (const d of dropped) {
          assert.equal(d.reason, 'too-big');
          assert.ok(encodeMessage(d.msg).length + 3 + overhead > mtu); // tag, length varint (1-2 bytes)
        }
        assert.equal(sent.length + dropped.length, msgs.length);
        assert.deepEqual(sortedJson(sent.concat(dropped.map((d) => d.msg))), sortedJson(msgs));
      }),
      { numRuns: 200 },
    );
  });

  test('property: messages the core budgeted with estimateSize go out in one packet', () => {
    fc.assert(
      fc.property(fc.array(datagramMessageArb, { minLength: 1, maxLength: 30 }), (msgs) => {
        const mtu = msgs.reduce((n, m) => n + estimateSize(m), 0) + overhead;
        if (mtu > 65_507) return;
        const { packets, dropped } = packMessages(msgs, mtu, overhead);
        assert.deepEqual(dropped, []);
        assert.equal(packets.length, 1);
      }),
      { numRuns: 200 },
    );
  });

  test('splits into as few packets as fit: 30 updates of ~180 bytes under 508 make 15 packets of two', () => {
    const msgs: SwimMessage[] = Array.from({ length: 30 }, (_, i) => ({
      kind: 'alive',
      name: `m${i}`,
      bootId: 'b',
      addr: '10.0.0.1:7946',
      incarnation: i,
      tags: { t: 'x'.repeat(150) },
    }));
    const { packets, dropped } = packMessages(msgs, 508, overhead);
    assert.deepEqual(dropped, []);
    assert.equal(packets.length, 15);
    assert.deepEqual(packets.flatMap(decodePacket), msgs, 'in order: each fills before the next starts');
  });

  test('the probe stays first in the first packet', () => {
    const probe: SwimMessage = { kind: 'ping', seq: 9, target: 'm2', from: 'm1', fromAddr: '10.0.0.1:7946' };
    const updates: SwimMessage[] = Array.from({ length: 10 }, (_, i) => ({
      kind: 'suspect',
      name: `m${i}`.padEnd(100, 'x'),
      bootId: 'b',
      incarnation: 1,
      from: 'm1',
    }));
    const { packets } = packMessages([probe, ...updates], 508, overhead);
    assert.ok(packets.length > 1);
    assert.deepEqual(decodePacket(packets[0] as Uint8Array)[0], probe);
  });

  test('drops a message too big for any packet, a push-pull, and an invalid message; packs the rest', () => {
    const huge: SwimMessage = { kind: 'alive', name: 'm1', bootId: 'b', addr: 'a:1', incarnation: 1, tags: { a: 'x'.repeat(1000) } };
    const pushPull = EXAMPLES.find((m) => m.kind === 'push-pull') as SwimMessage;
    const invalid: SwimMessage = { kind: 'ack', seq: -1, from: 'm1' };
    const ack: SwimMessage = { kind: 'ack', seq: 1, from: 'm1' };
    const { packets, dropped } = packMessages([huge, pushPull, invalid, ack], 508, overhead);
    assert.deepEqual(
      dropped.map((d) => [d.msg, d.reason, d.detail]),
      [
        [huge, 'too-big', undefined],
        [pushPull, 'reliable', undefined],
        [invalid, 'invalid', 'bad-number'],
      ],
    );
    assert.deepEqual(packets.map(decodePacket), [[ack]]);
  });

  test('at most 256 messages per packet, however small', () => {
    const acks: SwimMessage[] = Array.from({ length: 600 }, (_, i) => ({ kind: 'ack', seq: i, from: 'm' }));
    const { packets } = packMessages(acks, 65_507, overhead);
    assert.deepEqual(
      packets.map((p) => decodePacket(p).length),
      [256, 256, 88],
    );
    assert.equal(CODEC_LIMITS.maxMessagesPerPacket, 256);
  });

  test('nothing to send, no packet', () => {
    assert.deepEqual(packMessages([], 1400, overhead), { packets: [], dropped: [] });
  });
});

function assertSubsequence(sub: readonly SwimMessage[], all: readonly SwimMessage[]): void {
  let j = 0;
  for (const m of sub) {
    const want = JSON.stringify(m);
    while (j < all.length && JSON.stringify(all[j]) !== want) j++;
    assert.ok(j < all.length, `${want} out of order`);
    j++;
  }
}

function sortedJson(msgs: readonly SwimMessage[]): string[] {
  return msgs.map((m) => JSON.stringify(m)).sort();
}
