import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SWIM_LAN, type SwimConfig } from '../../../coordinator/swim/config.js';
import type { Addr, Digest, DigestEntry, SwimMessage } from '../../../coordinator/swim/messages.js';
import type { Output } from '../../../coordinator/swim/node-io.js';
import { SwimNode } from '../../../coordinator/swim/node.js';
import { seededRng } from '../../../proto/common/rng.js';
import { BOOT, addrOf, snapshot, setup, sent, recv, answer } from './node-fixtures.js';

// Digest anti-entropy (small clusters). Full push-pulls pushed far out, so that only digests run.
const DIGEST_CFG: Partial<SwimConfig> = { pushPullIntervalMs: 1e9 };
const entry = (i: number, o: Partial<DigestEntry> = {}): DigestEntry => ({ name: `m${i}`, bootId: BOOT, incarnation: 0, state: 'alive', ...o });
const digestFrom = (i: number, members: DigestEntry[]): Digest => ({ kind: 'digest', from: `m${i}`, fromAddr: addrOf(i), members });
/** Updates and syncs in an output: what a digest may cause. */
const repairs = (out: Output, to?: Addr): SwimMessage[] => [
  ...sent(out, 'alive', to),
  ...sent(out, 'suspect', to),
  ...sent(out, 'dead', to),
  ...sent(out, 'push-pull', to),
];

/** Ticks every 10 ms to `untilMs`, every ping acked, so that the broadcast queue drains. */
function settle(node: SwimNode, fromMs: number, untilMs: number): Output[] {
  const outs: Output[] = [];
  for (let t = fromMs; t < untilMs; t += 10) {
    const out = node.step({ kind: 'tick', nowMs: t });
    answer(node, out, t, []);
    outs.push(out);
  }
  return outs;
}

test('digest: equal views cause nothing, nor do dead members only the sender ever knew', () => {
  const node = setup(3, DIGEST_CFG);
  settle(node, 0, 3_000);
  const out = recv(node, 3_000, addrOf(1), digestFrom(1, [entry(0), entry(1), entry(2), entry(3), entry(9, { state: 'dead' }), entry(8, { state: 'left' })]));
  assert.deepEqual(repairs(out), []);
  assert.equal(node.stats().digestPulls, 0);
});

test('digest: what the receiver knows newer goes back to the sender over UDP, without a push-pull', () => {
  const node = setup(3, DIGEST_CFG);
  recv(node, 0, addrOf(2), { kind: 'alive', name: 'm2', bootId: BOOT, addr: addrOf(2), incarnation: 3, tags: { v: '3' } });
  recv(node, 0, addrOf(2), { kind: 'dead', name: 'm3', bootId: BOOT, incarnation: 0, from: 'm2' });
  settle(node, 0, 3_000);
  // m1 still has m3 alive, and never heard of m2.
  const out = recv(node, 3_000, addrOf(1), digestFrom(1, [entry(0), entry(1), entry(3)]));
  assert.deepEqual(sent(out, 'push-pull'), []);
  assert.deepEqual(sent(out, 'alive', addrOf(1)), [{ kind: 'alive', name: 'm2', bootId: BOOT, addr: addrOf(2), incarnation: 3, tags: { v: '3' } }]);
  assert.deepEqual(sent(out, 'dead', addrOf(1)), [{ kind: 'dead', name: 'm3', bootId: BOOT, incarnation: 0, from: 'm0' }]);
  // A suspicion the sender missed goes back as the suspect message, naming the first suspecter.
  recv(node, 3_010, addrOf(2), { kind: 'suspect', name: 'm1', bootId: BOOT, incarnation: 0, from: 'm2' });
  const again = recv(node, 3_020, addrOf(1), digestFrom(1, [entry(0), entry(1), entry(2, { incarnation: 3 }), entry(3, { state: 'dead' })]));
  assert.deepEqual(sent(again, 'suspect', addrOf(1)), [{ kind: 'suspect', name: 'm1', bootId: BOOT, incarnation: 0, from: 'm2' }]);
  assert.deepEqual(sent(again, 'push-pull'), []);
});

test('digest: an accusation of the receiver in it is refuted; a stale view of the receiver gets its alive', () => {
  const node = setup(3, DIGEST_CFG);
  settle(node, 0, 3_000);
  const out = recv(node, 3_000, addrOf(1), digestFrom(1, [entry(0, { state: 'suspect' }), entry(1), entry(2), entry(3)]));
  assert.equal(node.incarnation, 1);
  assert.ok(sent(out, 'alive', addrOf(1)).some((a) => a.name === 'm0' && a.incarnation === 1));
  const stale = recv(node, 3_010, addrOf(2), digestFrom(2, [entry(0), entry(1), entry(2), entry(3)]));
  assert.ok(sent(stale, 'alive', addrOf(2)).some((a) => a.name === 'm0' && a.incarnation === 1));
  assert.deepEqual(sent(stale, 'push-pull'), []);
});

test('digest: what the sender knows newer, or a member the receiver lacks, is pulled with a push-pull, at most once per sender per period', () => {
  const node = setup(3, DIGEST_CFG);
  settle(node, 0, 3_000);
  const newer = [entry(0), entry(1), entry(2, { state: 'suspect' }), entry(3)];
  const out = recv(node, 3_000, addrOf(1), digestFrom(1, newer));
  const [pp] = sent(out, 'push-pull', addrOf(1));
  assert.deepEqual([pp?.join, pp?.reply, pp?.members.length], [false, false, 4]);
  assert.equal(node.member('m2')?.state, 'alive', 'pulled, not taken from the digest');
  assert.deepEqual(repairs(recv(node, 3_010, addrOf(1), digestFrom(1, newer))), [], 'rate-limited');
  assert.equal(sent(recv(node, 3_000 + SWIM_LAN.smallClusterPushPullMs, addrOf(1), digestFrom(1, newer)), 'push-pull', addrOf(1)).length, 1);
  // Another sender is not rate-limited by the first; an unknown alive member and a newer boot are pulled too.
  const unknown = recv(node, 3_020, addrOf(2), digestFrom(2, [entry(0), entry(1), entry(2), entry(3), entry(7)]));
  assert.equal(sent(unknown, 'push-pull', addrOf(2)).length, 1);
  const reboot = recv(node, 3_030, addrOf(3), digestFrom(3, [entry(0), entry(1), entry(2), entry(3, { bootId: '2-bbbbbbbb' })]));
  assert.equal(sent(reboot, 'push-pull', addrOf(3)).length, 1);
  assert.equal(node.stats().digestPulls, 4);
});

test('digest: two nodes repair a lost update through one digest and the push-pull it starts, then fall quiet', () => {
  const make = (i: number): SwimNode => {
    const node = new SwimNode({ ...SWIM_LAN, ...DIGEST_CFG }, { name: `m${i}`, bootId: BOOT, addr: addrOf(i), tags: {} }, seededRng(10 + i), 0);
    node.bootstrap([snapshot(0), snapshot(1), snapshot(2)], 0);
    return node;
  };
  const [a, b] = [make(0), make(1)];
  // a heard m2's tags change; b missed it.
  recv(a, 0, addrOf(2), { kind: 'alive', name: 'm2', bootId: BOOT, addr: addrOf(2), incarnation: 1, tags: { v: '1' } });
  const digestOf = (node: SwimNode): Digest =>
    digestFrom(
      Number(node.name.slice(1)),
      node.members().map((m) => ({ name: m.name, bootId: m.bootId, incarnation: m.incarnation, state: m.state })),
    );
  // a's digest to b: b pulls from a; a answers; b merges.
  const pull = sent(recv(b, 10, addrOf(0), digestOf(a)), 'push-pull', addrOf(0));
  assert.equal(pull.length, 1);
  const [reply] = sent(recv(a, 11, addrOf(1), ...pull), 'push-pull', addrOf(1));
  assert.equal(reply?.reply, true);
  recv(b, 12, addrOf(0), reply);
  assert.deepEqual([b.member('m2')?.incarnation, b.member('m2')?.tags], [1, { v: '1' }]);
  // One view: digests either way cause nothing.
  assert.deepEqual(repairs(recv(a, 20, addrOf(1), digestOf(b))), []);
  assert.deepEqual(repairs(recv(b, 20, addrOf(0), digestOf(a))), []);
});

test('digest: small clusters send one every smallClusterPushPullMs with a probe and sync in full every pushPullIntervalMs', () => {
  const node = setup(3);
  // Two full-sync periods and a bit: the first full sync comes early after start, then one per period.
  const span = 2 * SWIM_LAN.pushPullIntervalMs + 5_000;
  const outs = settle(node, 0, span);
  const digests = outs.flatMap((o) => sent(o, 'digest'));
  const pushPulls = outs.flatMap((o) => sent(o, 'push-pull'));
  const expected = Math.floor(span / SWIM_LAN.smallClusterPushPullMs);
  assert.ok(digests.length >= expected - 1 && digests.length <= expected + 1, `${digests.length} digests, expected about ${expected}`);
  assert.ok(pushPulls.length >= 2 && pushPulls.length <= 3, `${pushPulls.length} push-pulls`);
  assert.deepEqual(digests[0]?.members.map((m) => m.name).sort(), ['m0', 'm1', 'm2', 'm3']);
  assert.deepEqual(digests[0]?.fromAddr, addrOf(0));
  // Each rides on a regular probe: after the ping, in one packet.
  for (const o of outs) for (const x of o.send) if (x.msgs.some((m) => m.kind === 'digest')) assert.equal(x.msgs[0]?.kind, 'ping');
  assert.equal(node.stats().digests, digests.length);
});

test('digest: a view too large for one packet (mtu by estimateSize) is synced with a full push-pull instead', () => {
  // 4 members' entries take 44 bytes each by estimateSize: 150 bytes holds the rest of the traffic but no digest.
  const node = setup(3, { ...DIGEST_CFG, mtu: 150 });
  const outs = settle(node, 0, 12_000);
  assert.deepEqual(
    outs.flatMap((o) => sent(o, 'digest')),
    [],
  );
  assert.ok(outs.flatMap((o) => sent(o, 'push-pull')).length >= 2);
  assert.equal(node.stats().digests, 0);
});

test('digest: none above smallClusterMax, where push-pull keeps its period', () => {
  const node = setup(3, { smallClusterMax: 2 });
  const outs = settle(node, 0, 12_000);
  assert.deepEqual(
    outs.flatMap((o) => sent(o, 'digest')),
    [],
  );
});
