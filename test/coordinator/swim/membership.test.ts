import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  bootOrder,
  claimOfMessage,
  claimOfSnapshot,
  mergeClaim,
  newBootId,
  transitionOf,
  type Claim,
  type Member,
} from '../../../coordinator/swim/membership.js';
import { seededRng } from '../../../proto/common/rng.js';

const BOOT = 'a-x';
/** An alive record's tags are of its incarnation. */
const member = (o: Partial<Member> = {}): Member => ({
  name: 'm1',
  bootId: BOOT,
  addr: '10.0.0.1:7946',
  incarnation: 5,
  state: 'alive',
  tags: { role: 'master' },
  tagsIncarnation: o.incarnation ?? 5,
  stateSinceMs: 0,
  ...o,
});
const alive = (incarnation: number, o: Partial<Claim> = {}): Claim => ({
  ...claimOfMessage({ kind: 'alive', name: 'm1', bootId: BOOT, addr: '10.0.0.1:7946', incarnation, tags: { role: 'master' } }),
  ...o,
});
const suspect = (incarnation: number, o: Partial<Claim> = {}): Claim => ({
  ...claimOfMessage({ kind: 'suspect', name: 'm1', bootId: BOOT, incarnation, from: 'm2' }),
  ...o,
});
const dead = (incarnation: number, from = 'm2', o: Partial<Claim> = {}): Claim => ({
  ...claimOfMessage({ kind: 'dead', name: 'm1', bootId: BOOT, incarnation, from }),
  ...o,
});

function applied(current: Member | undefined, claim: Claim): Member {
  const out = mergeClaim(current, claim, 100);
  assert.equal(out.kind, 'applied', `expected ${claim.state}@${claim.incarnation} to apply, got ${JSON.stringify(out)}`);
  return out.kind === 'applied' ? out.member : (undefined as never);
}

function ignored(current: Member | undefined, claim: Claim): string {
  const out = mergeClaim(current, claim, 100);
  assert.equal(out.kind, 'ignored', `expected ${claim.state}@${claim.incarnation} to be ignored, got ${JSON.stringify(out)}`);
  return out.kind === 'ignored' ? out.reason : '';
}

test('bootOrder compares the start time numerically, then the whole id', () => {
  // 'z' (35) sorts after '10' (36) as a string, not as a number.
  assert.ok(bootOrder('z-aaaa', '10-aaaa') < 0);
  assert.ok(bootOrder('10-aaaa', 'z-aaaa') > 0);
  assert.ok(bootOrder('10-aaaa', '10-aaab') < 0);
  assert.equal(bootOrder('10-aaaa', '10-aaaa'), 0);
});

test('newBootId is `${startMs base36}-${random}` and orders by start time', () => {
  const rng = seededRng(1);
  const a = newBootId(1_700_000_000_000, rng);
  const b = newBootId(1_700_000_000_001, rng);
  assert.match(a, /^[0-9a-z]+-[0-9a-z]{8}$/);
  assert.equal(a.split('-')[0], (1_700_000_000_000).toString(36));
  assert.ok(bootOrder(a, b) < 0);
});

test('an unknown member is learnt from an alive, not from suspect or dead gossip', () => {
  const m = applied(undefined, alive(0));
  assert.equal(m.state, 'alive');
  assert.equal(ignored(undefined, suspect(0)), 'unknown');
  assert.equal(ignored(undefined, dead(0)), 'unknown');
});

test('alive overrides only with a higher incarnation', () => {
  assert.equal(ignored(member({ state: 'suspect' }), alive(5)), 'stale');
  assert.equal(applied(member({ state: 'suspect' }), alive(6)).state, 'alive');
  assert.equal(applied(member({ state: 'dead' }), alive(6)).state, 'alive');
  assert.equal(ignored(member({ state: 'dead' }), alive(5)), 'stale');
});

test('suspect overrides alive at the same or a higher incarnation, never at a lower one', () => {
  assert.equal(applied(member(), suspect(5)).state, 'suspect');
  assert.deepEqual([applied(member(), suspect(7)).state, applied(member(), suspect(7)).incarnation], ['suspect', 7]);
  assert.equal(ignored(member(), suspect(4)), 'stale');
  assert.equal(ignored(member({ state: 'dead' }), suspect(5)), 'stale');
});

test('dead overrides alive and suspect at the same or a higher incarnation', () => {
  assert.equal(applied(member(), dead(5)).state, 'dead');
  assert.equal(applied(member({ state: 'suspect' }), dead(5)).state, 'dead');
  assert.equal(ignored(member(), dead(4)), 'stale');
});

test('a dead from the member itself is a graceful leave, which a dead of the same incarnation does not undo', () => {
  const left = applied(member(), dead(5, 'm1'));
  assert.equal(left.state, 'left');
  assert.equal(ignored(left, dead(5)), 'stale');
  assert.equal(ignored(left, suspect(5)), 'stale');
  assert.equal(applied(left, alive(6)).state, 'alive'); // rejoined
});

test('bad input: the same boot with a lower incarnation never takes over', () => {
  const m = member({ incarnation: 9 });
  for (const claim of [alive(3), suspect(8), dead(8), dead(8, 'm1'), alive(9, { addr: '6.6.6.6:1', tags: { evil: 'yes' } })]) {
    const out = mergeClaim(m, claim, 100);
    assert.ok(out.kind === 'ignored', `${claim.state}@${claim.incarnation} took over: ${JSON.stringify(out)}`);
  }
});

test('a newer boot replaces the old one at once, whatever the incarnations and state', () => {
  const newer = 'b-x';
  for (const state of ['alive', 'suspect', 'dead', 'left'] as const) {
    const m = applied(member({ state, incarnation: 40 }), alive(0, { bootId: newer }));
    assert.deepEqual([m.bootId, m.incarnation, m.state], [newer, 0, 'alive'], state);
  }
  const out = mergeClaim(member(), alive(0, { bootId: newer }), 100);
  assert.ok(out.kind === 'applied' && out.newBoot);
  assert.equal(transitionOf(member(), applied(member(), alive(0, { bootId: newer })), true, false), 'restarted');
});

test('an older boot is ignored, whatever its incarnation', () => {
  const m = member({ bootId: 'b-x', incarnation: 0 });
  assert.equal(ignored(m, alive(99)), 'older-boot');
  assert.equal(ignored(m, dead(99)), 'older-boot');
});

test('gossip suspect or dead about a boot not yet seen is ignored: it brings no address', () => {
  assert.equal(ignored(member(), suspect(0, { bootId: 'b-x' })), 'no-addr');
  assert.equal(ignored(member(), dead(0, 'm2', { bootId: 'b-x' })), 'no-addr');
});

test('name conflict: a newer boot at another address is refused while ours is alive there', () => {
  const out = mergeClaim(member(), alive(0, { bootId: 'b-x', addr: '10.0.0.99:7946' }), 100);
  assert.equal(out.kind, 'conflict');
  // Once the one we know is dead, the newer boot may have moved.
  assert.equal(applied(member({ state: 'dead' }), alive(0, { bootId: 'b-x', addr: '10.0.0.99:7946' })).addr, '10.0.0.99:7946');
  // Same address: an ordinary restart.
  assert.equal(applied(member(), alive(0, { bootId: 'b-x' })).bootId, 'b-x');
});

test('a push-pull dead merges as suspect, so that the member can refute', () => {
  const claim = claimOfSnapshot({ name: 'm1', bootId: BOOT, addr: '10.0.0.1:7946', incarnation: 5, state: 'dead', tags: {} }, 'm3');
  assert.equal(claim.state, 'suspect');
  assert.equal(applied(member(), claim).state, 'suspect');
  const left = claimOfSnapshot({ name: 'm1', bootId: BOOT, addr: '10.0.0.1:7946', incarnation: 5, state: 'left', tags: {} }, 'm3');
  assert.equal(applied(member(), left).state, 'left');
});

test('tags and address follow the highest alive incarnation, even when the state does not change', () => {
  const s = member({ state: 'suspect', incarnation: 6, tagsIncarnation: 5 });
  const out = mergeClaim(s, alive(6, { tags: { role: 'master', zone: 'b' }, tagsIncarnation: 6 }), 100);
  assert.ok(out.kind === 'applied' && !out.advanced && out.infoChanged);
  assert.equal(out.member.state, 'suspect');
  assert.deepEqual(out.member.tags, { role: 'master', zone: 'b' });
  const moved = mergeClaim(member(), alive(6, { addr: '10.0.0.2:7946' }), 100);
  assert.ok(moved.kind === 'applied');
  assert.equal(transitionOf(member(), moved.member, false, moved.infoChanged), 'updated');
});

test('transitions are named once; repeats are not events', () => {
  const m = member();
  assert.equal(transitionOf(undefined, m, true, true), 'joined');
  assert.equal(transitionOf(m, { ...m, state: 'suspect' }, false, false), 'suspected');
  assert.equal(transitionOf({ ...m, state: 'suspect' }, m, false, false), 'refuted');
  assert.equal(transitionOf(m, { ...m, state: 'dead' }, false, false), 'died');
  assert.equal(transitionOf({ ...m, state: 'dead' }, m, false, false), 'recovered');
  assert.equal(transitionOf(m, { ...m, state: 'left' }, false, false), 'left');
  assert.equal(transitionOf({ ...m, state: 'suspect' }, { ...m, state: 'suspect', incarnation: 7 }, false, false), undefined);
  assert.equal(transitionOf(m, { ...m, incarnation: 7 }, false, false), undefined);
});
