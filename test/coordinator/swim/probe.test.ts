import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProbeOrder, handledLate, pickRandom } from '../../../coordinator/swim/probe.js';
import { seededRng } from '../../../proto/common/rng.js';

test('probe order visits every member once per pass, in the same shuffled order until the membership changes', () => {
  const rng = seededRng(4);
  let names = ['a', 'b', 'c', 'd', 'e'];
  const order = new ProbeOrder();
  const pass = (): string[] =>
    names.map(
      () =>
        order.next(
          rng,
          () => [...names],
          () => true,
        ) as string,
    );
  const first = pass();
  assert.deepEqual([...first].sort(), names);
  assert.deepEqual(pass(), first, 'each member exactly every n − 1 rounds');
  assert.deepEqual(pass(), first);
  names = [...names, 'f'];
  pass(); // a new member: reshuffled
  const orders = new Set<string>();
  for (let i = 0; i < 5; i++) {
    names = [...names.slice(1), names[0] as string].reverse(); // same set, other array order
    const p = pass();
    assert.deepEqual([...p].sort(), [...names].sort());
    orders.add(p.join());
  }
  assert.equal(orders.size, 1, 'the set did not change: no reshuffle');
  const seen = new Set<string>();
  for (let seed = 0; seed < 10; seed++) {
    const o = new ProbeOrder();
    const r = seededRng(seed);
    seen.add(
      ['a', 'b', 'c', 'd']
        .map(() =>
          o.next(
            r,
            () => ['a', 'b', 'c', 'd'],
            () => true,
          ),
        )
        .join(),
    );
  }
  assert.ok(seen.size > 1, 'shuffled');
});

test('probe order skips members no longer eligible and returns undefined when none is', () => {
  const rng = seededRng(1);
  const order = new ProbeOrder();
  const seen = new Set<string>();
  for (let i = 0; i < 6; i++)
    seen.add(
      order.next(
        rng,
        () => ['a', 'b', 'c'],
        (n) => n !== 'b',
      ) as string,
    );
  assert.deepEqual([...seen].sort(), ['a', 'c']);
  assert.equal(
    order.next(
      rng,
      () => ['a'],
      () => false,
    ),
    undefined,
  );
  assert.equal(
    order.next(
      rng,
      () => [],
      () => true,
    ),
    undefined,
  );
});

test('a deadline handled more than half a probe timeout late means we stalled', () => {
  assert.equal(handledLate(1_000, 1_250, 500), false);
  assert.equal(handledLate(1_000, 1_251, 500), true);
});

test('pickRandom returns k distinct items, or all when there are fewer', () => {
  const rng = seededRng(9);
  const many = Array.from({ length: 100 }, (_, i) => i);
  for (let i = 0; i < 50; i++) {
    const k = pickRandom(rng, many, 3);
    assert.equal(new Set(k).size, 3);
  }
  assert.deepEqual(pickRandom(rng, [1, 2], 3).sort(), [1, 2]);
  assert.deepEqual(pickRandom(rng, [], 3), []);
  assert.equal(new Set(pickRandom(rng, [1, 2, 3, 4, 5], 4)).size, 4);
});
