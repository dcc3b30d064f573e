import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { bootOrder, claimOfMessage, claimOfSnapshot, mergeClaim, type Claim, type Member } from '../../../coordinator/swim/membership.js';
import type { MemberState } from '../../../coordinator/swim/messages.js';

/**
 * The merge rules form a join semilattice wherever the rules say the outcome
 * must not depend on delivery: any order, any repetition, same state. Claims
 * are generated the way members make them: one alive per (boot, incarnation),
 * so its tags are a function of both; a snapshot's tags for a non-alive
 * record are of unknown age (here: a function of the boot only).
 */
const ADDR = '10.0.0.1:7946';
const BOOTS = ['a-x', 'b-x', 'c-x'] as const;
const tagsOf = (boot: string, incarnation: number): Record<string, string> => ({ boot, v: String(incarnation) });

const initial: Member = { name: 'm1', bootId: 'a-x', addr: ADDR, incarnation: 0, state: 'alive', tags: tagsOf('a-x', 0), tagsIncarnation: 0, stateSinceMs: 0 };

type Gen = { via: 'gossip' | 'snapshot'; boot: number; state: MemberState; incarnation: number; from: string };

function claimOf(g: Gen): Claim {
  const bootId = BOOTS[g.boot] as string;
  if (g.via === 'snapshot') {
    const tags = g.state === 'alive' ? tagsOf(bootId, g.incarnation) : tagsOf(bootId, -1);
    return claimOfSnapshot({ name: 'm1', bootId, addr: ADDR, incarnation: g.incarnation, state: g.state, tags }, g.from);
  }
  switch (g.state) {
    case 'alive':
      return claimOfMessage({ kind: 'alive', name: 'm1', bootId, addr: ADDR, incarnation: g.incarnation, tags: tagsOf(bootId, g.incarnation) });
    case 'suspect':
      return claimOfMessage({ kind: 'suspect', name: 'm1', bootId, incarnation: g.incarnation, from: g.from });
    case 'dead':
      return claimOfMessage({ kind: 'dead', name: 'm1', bootId, incarnation: g.incarnation, from: g.from });
    case 'left':
      return claimOfMessage({ kind: 'dead', name: 'm1', bootId, incarnation: g.incarnation, from: 'm1' });
  }
}

function fold(start: Member, claims: readonly Claim[]): Member {
  let m = start;
  for (const c of claims) {
    const out = mergeClaim(m, c, 1);
    if (out.kind === 'applied') m = out.member;
  }
  return m;
}

const essence = (m: Member): unknown => ({
  bootId: m.bootId,
  addr: m.addr,
  incarnation: m.incarnation,
  state: m.state,
  tags: m.tags,
  tagsIncarnation: m.tagsIncarnation,
});

const state = fc.constantFrom<MemberState>('alive', 'suspect', 'dead', 'left');
const incarnation = fc.integer({ min: 0, max: 5 });
const from = fc.constantFrom('m2', 'm3');

/** One boot, every kind of claim. */
const sameBoot = fc.record({ via: fc.constantFrom<'gossip' | 'snapshot'>('gossip', 'snapshot'), boot: fc.constant(0), state, incarnation, from });
/**
 * Several boots: claims that carry an address (alive, snapshots), plus gossip
 * suspect/dead about the boot known from the start. (Gossip suspect/dead about
 * a boot not yet seen is dropped, so it is order-dependent by design.)
 */
const acrossBoots = fc.oneof(
  fc.record({ via: fc.constant<'gossip' | 'snapshot'>('snapshot'), boot: fc.integer({ min: 0, max: 2 }), state, incarnation, from }),
  fc.record({
    via: fc.constant<'gossip' | 'snapshot'>('gossip'),
    boot: fc.integer({ min: 0, max: 2 }),
    state: fc.constant<MemberState>('alive'),
    incarnation,
    from,
  }),
  fc.record({
    via: fc.constant<'gossip' | 'snapshot'>('gossip'),
    boot: fc.constant(0),
    state: fc.constantFrom<MemberState>('suspect', 'dead', 'left'),
    incarnation,
    from,
  }),
);

const permuted = (gen: fc.Arbitrary<Gen>): fc.Arbitrary<[Gen[], Gen[]]> =>
  fc.array(gen, { maxLength: 25 }).chain((gs) => fc.tuple(fc.constant(gs), fc.shuffledSubarray(gs, { minLength: gs.length, maxLength: gs.length })));

const runs = { numRuns: 500, seed: process.env.SIM_SEED ? Number(process.env.SIM_SEED) : undefined };

/** Reference: within the newest boot, the highest (incarnation, alive < suspect < dead < left). */
function reference(gs: readonly Gen[]): { bootId: string; incarnation: number; state: MemberState } {
  const rank = { alive: 0, suspect: 1, dead: 2, left: 3 };
  let best = { bootId: initial.bootId, incarnation: 0, state: 'alive' as MemberState };
  for (const c of gs.map(claimOf)) {
    const b = bootOrder(c.bootId, best.bootId);
    if (b < 0) continue;
    if (b > 0 || c.incarnation > best.incarnation || (c.incarnation === best.incarnation && rank[c.state] > rank[best.state])) {
      best = { bootId: c.bootId, incarnation: c.incarnation, state: c.state };
    }
  }
  return best;
}

for (const [label, gen] of [
  ['one boot', sameBoot],
  ['across boots', acrossBoots],
] as const) {
  test(`membership merge is order-independent (${label})`, () => {
    fc.assert(
      fc.property(permuted(gen), ([a, b]) => {
        assert.deepEqual(essence(fold(initial, a.map(claimOf))), essence(fold(initial, b.map(claimOf))));
      }),
      runs,
    );
  });

  test(`membership merge is idempotent (${label})`, () => {
    fc.assert(
      fc.property(fc.array(gen, { maxLength: 25 }), (gs) => {
        const claims = gs.map(claimOf);
        const once = fold(initial, claims);
        assert.deepEqual(essence(fold(once, claims)), essence(once), 'the whole sequence again');
        assert.deepEqual(
          essence(
            fold(
              initial,
              claims.flatMap((c) => [c, c]),
            ),
          ),
          essence(once),
          'each claim twice',
        );
      }),
      runs,
    );
  });

  test(`membership merge agrees with the reference (${label})`, () => {
    fc.assert(
      fc.property(fc.array(gen, { maxLength: 25 }), (gs) => {
        const m = fold(initial, gs.map(claimOf));
        assert.deepEqual({ bootId: m.bootId, incarnation: m.incarnation, state: m.state }, reference(gs));
      }),
      runs,
    );
  });
}
