import fc from 'fast-check';
import type { DigestEntry, MemberSnapshot, MemberState, SwimMessage, Tags } from '../../../coordinator/swim/messages.js';

/**
 * Any code point but half surrogates (which UTF-8 cannot carry), each UTF-8
 * length alike; 60 of them are at most 240 bytes, under every bound. (Not
 * fast-check's unit 'binary': it builds a map of all of Unicode, 1.3 s.)
 */
const codePoint = fc
  .oneof(
    fc.integer({ min: 0, max: 0x7f }),
    fc.integer({ min: 0x80, max: 0x7ff }),
    fc.integer({ min: 0x800, max: 0xd7ff }),
    fc.integer({ min: 0xe000, max: 0xffff }),
    fc.integer({ min: 0x1_0000, max: 0x10_ffff }),
  )
  .map((c) => String.fromCodePoint(c));
const text = (maxLength: number, minLength = 1): fc.Arbitrary<string> => fc.string({ unit: codePoint, minLength, maxLength });
const name = text(60);
const addr = fc.oneof(
  fc.tuple(fc.ipV4(), fc.nat({ max: 65535 })).map(([h, p]) => `${h}:${p}`),
  text(60),
);
const seq = fc.oneof(
  fc.constantFrom(0, 0xffff_ffff),
  fc.maxSafeNat().map((n) => n % 2 ** 32),
);
const incarnation = fc.oneof(fc.constantFrom(0, Number.MAX_SAFE_INTEGER), fc.maxSafeNat());
const tags: fc.Arbitrary<Tags> = fc
  .array(
    fc.tuple(
      text(60, 0).filter((k) => k !== '__proto__'),
      text(200, 0),
    ),
    { maxLength: 8 },
  )
  .map((entries) => Object.fromEntries(entries));
/** Plain objects, as the core makes (fast-check also tries null prototypes, which deepEqual tells apart). */
const rec = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> => fc.record(model, { noNullPrototype: true });
const state = fc.constantFrom<MemberState>('alive', 'suspect', 'dead', 'left');

export const memberArb: fc.Arbitrary<MemberSnapshot> = rec({ name, bootId: name, addr, incarnation, state, tags });
export const digestEntryArb: fc.Arbitrary<DigestEntry> = rec({ name, bootId: name, incarnation, state });

/** Every kind, every field within CODEC_LIMITS. */
export const swimMessageArb: fc.Arbitrary<SwimMessage> = fc.oneof(
  rec({ kind: fc.constant('ping' as const), seq, target: name, from: name, fromAddr: addr }),
  rec({ kind: fc.constant('indirect-ping' as const), seq, target: name, targetAddr: addr, from: name, fromAddr: addr, wantNack: fc.boolean() }),
  rec({ kind: fc.constant('ack' as const), seq, from: name }),
  rec({ kind: fc.constant('nack' as const), seq, from: name }),
  rec({ kind: fc.constant('deliver' as const), seq, from: name }),
  rec({ kind: fc.constant('alive' as const), name, bootId: name, addr, incarnation, tags }),
  rec({ kind: fc.constant('suspect' as const), name, bootId: name, incarnation, from: name }),
  rec({ kind: fc.constant('dead' as const), name, bootId: name, incarnation, from: name }),
  rec({ kind: fc.constant('push-pull' as const), from: name, join: fc.boolean(), reply: fc.boolean(), members: fc.array(memberArb, { maxLength: 5 }) }),
  rec({ kind: fc.constant('digest' as const), from: name, fromAddr: addr, members: fc.array(digestEntryArb, { maxLength: 8 }) }),
);

/** UDP-able messages: everything but push-pull. */
export const datagramMessageArb = swimMessageArb.filter((m) => m.kind !== 'push-pull');

/** One message of each kind, for example-based tests. */
export const EXAMPLES: readonly SwimMessage[] = [
  { kind: 'ping', seq: 1, target: 'm2', from: 'm1', fromAddr: '10.0.0.1:7946' },
  { kind: 'indirect-ping', seq: 2, target: 'm3', targetAddr: '10.0.0.3:7946', from: 'm1', fromAddr: '10.0.0.1:7946', wantNack: true },
  { kind: 'ack', seq: 0xffff_ffff, from: 'm2' },
  { kind: 'nack', seq: 0, from: 'm2' },
  { kind: 'deliver', seq: 7, from: 'm1' },
  { kind: 'alive', name: 'm1', bootId: 'lx3k2-a1b2', addr: '[fd00::11]:7946', incarnation: Number.MAX_SAFE_INTEGER, tags: { role: 'master', zone: 'é✓😀' } },
  { kind: 'suspect', name: 'm3', bootId: 'lx3k2-c3d4', incarnation: 4, from: 'm2' },
  { kind: 'dead', name: 'm3', bootId: 'lx3k2-c3d4', incarnation: 0, from: 'm3' },
  {
    kind: 'push-pull',
    from: 'm1',
    join: true,
    reply: false,
    members: [
      { name: 'm1', bootId: 'lx3k2-a1b2', addr: '10.0.0.1:7946', incarnation: 3, state: 'alive', tags: {} },
      { name: 'm2', bootId: 'lx3k2-e5f6', addr: '10.0.0.2:7946', incarnation: 9, state: 'left', tags: { a: '' } },
    ],
  },
  {
    kind: 'digest',
    from: 'm1',
    fromAddr: '10.0.0.1:7946',
    members: [
      { name: 'm1', bootId: 'lx3k2-a1b2', incarnation: 3, state: 'alive' },
      { name: 'm2', bootId: 'lx3k2-e5f6', incarnation: Number.MAX_SAFE_INTEGER, state: 'suspect' },
      { name: 'm3', bootId: 'lx3k2-c3d4', incarnation: 0, state: 'dead' },
      { name: 'm4', bootId: 'lx3k2-g7h8', incarnation: 9, state: 'left' },
    ],
  },
];
