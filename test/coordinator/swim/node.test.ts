import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SWIM_LAN } from '../../../coordinator/swim/config.js';
import type { SwimMessage } from '../../../coordinator/swim/messages.js';
import { SwimNode } from '../../../coordinator/swim/node.js';
import { OperatorError } from '../../../proto/common/errors.js';
import { seededRng } from '../../../proto/common/rng.js';
import { BOOT, addrOf, snapshot, setup, sent, nextPing, recv, answer } from './node-fixtures.js';

test('answers a ping for its own name with an ack; ignores pings for another name', () => {
  const node = setup();
  const out = recv(node, 5, addrOf(1), { kind: 'ping', seq: 7, target: 'm0', from: 'm1', fromAddr: addrOf(1) });
  assert.deepEqual(sent(out, 'ack', addrOf(1)), [{ kind: 'ack', seq: 7, from: 'm0' }]);
  const other = recv(node, 6, addrOf(1), { kind: 'ping', seq: 8, target: 'm9', from: 'm1', fromAddr: addrOf(1) });
  assert.deepEqual(sent(other, 'ack'), []);
});

test('probe: ping, indirect pings with wantNack after the probe timeout, suspect at the end of the probe interval', () => {
  const node = setup(3);
  const p = nextPing(node, 0);
  assert.equal(p.to, addrOf(Number(p.target.slice(1))));
  const early = node.step({ kind: 'tick', nowMs: p.at + SWIM_LAN.probeTimeoutMs - 1 });
  assert.deepEqual(sent(early, 'indirect-ping'), []);
  const mid = node.step({ kind: 'tick', nowMs: p.at + SWIM_LAN.probeTimeoutMs });
  const indirect = sent(mid, 'indirect-ping');
  assert.equal(indirect.length, 2, 'k = 3, but only 2 others besides the target');
  for (const r of indirect) assert.deepEqual([r.seq, r.target, r.wantNack], [p.seq, p.target, true]);
  assert.equal(node.member(p.target)?.state, 'alive');
  const end = node.step({ kind: 'tick', nowMs: p.at + SWIM_LAN.probeIntervalMs });
  assert.equal(node.member(p.target)?.state, 'suspect');
  assert.deepEqual(
    end.events.map((e) => [e.kind, e.member.name, e.from]),
    [['suspected', p.target, 'm0']],
  );
  // Small cluster: the suspicion goes to every live member directly, the suspect included (so it can refute).
  const delivered = end.send.filter((s) => s.msgs[0]?.kind === 'deliver').map((s) => s.to);
  assert.deepEqual(delivered.sort(), [addrOf(1), addrOf(2), addrOf(3)]);
  assert.equal(node.localHealth(), 1, 'no ack and no nack either: our fault as likely as theirs');
});

test('probe: nacks from the helpers keep local health; an ack in time clears the probe and lowers it', () => {
  const node = setup(3);
  const p = nextPing(node, 0);
  const mid = node.step({ kind: 'tick', nowMs: p.at + 500 });
  for (const r of mid.send.filter((s) => s.msgs.some((m) => m.kind === 'indirect-ping')))
    recv(node, p.at + 900, r.to, { kind: 'nack', seq: p.seq, from: 'mx' });
  node.step({ kind: 'tick', nowMs: p.at + 1_000 });
  assert.equal(node.member(p.target)?.state, 'suspect');
  assert.equal(node.localHealth(), 0);

  const healthy = setup(3);
  healthy.step({ kind: 'local-stall', nowMs: 0, lagMs: 400 });
  assert.equal(healthy.localHealth(), 1);
  const q = nextPing(healthy, 0);
  recv(healthy, q.at + 700, addrOf(2), { kind: 'ack', seq: q.seq, from: q.target }); // relayed, during the indirect stage
  const end = healthy.step({ kind: 'tick', nowMs: q.at + 3_000 });
  assert.equal(healthy.member(q.target)?.state, 'alive');
  assert.deepEqual(end.events, []);
  assert.equal(healthy.localHealth(), 0);
});

test('a probe deadline handled late means we stalled: inconclusive, no suspicion, local health up', () => {
  const node = setup(3);
  const p = nextPing(node, 0);
  // Stalled 1.5 s: both deadlines are long past when the timer finally runs.
  const out = node.step({ kind: 'tick', nowMs: p.at + 1_500 });
  assert.deepEqual(sent(out, 'indirect-ping'), []);
  assert.equal(node.member(p.target)?.state, 'alive');
  assert.deepEqual(out.events, []);
  assert.equal(node.stats().probesInconclusive, 1);
  assert.equal(node.localHealth(), 1);
});

test('local health stretches the probe interval and timeout by (awareness + 1)', () => {
  const node = setup(3);
  for (let i = 0; i < 3; i++) node.step({ kind: 'local-stall', nowMs: 0, lagMs: 251 });
  node.step({ kind: 'local-stall', nowMs: 0, lagMs: 250 }); // not above half the probe timeout
  assert.equal(node.localHealth(), 3);
  const p = nextPing(node, 0);
  assert.deepEqual(sent(node.step({ kind: 'tick', nowMs: p.at + 1_999 }), 'indirect-ping'), []);
  assert.equal(sent(node.step({ kind: 'tick', nowMs: p.at + 2_000 }), 'indirect-ping').length, 2, 'timeout 4 × 500 ms');
  node.step({ kind: 'tick', nowMs: p.at + 3_999 });
  assert.equal(node.member(p.target)?.state, 'alive');
  node.step({ kind: 'tick', nowMs: p.at + 4_000 });
  assert.equal(node.member(p.target)?.state, 'suspect', 'interval 4 × 1 s');
});

test('indirect probe for another member: pings the target, relays its ack, or nacks at 80 % of the probe timeout', () => {
  const node = setup(3);
  const req = { kind: 'indirect-ping', seq: 41, target: 'm2', targetAddr: addrOf(2), from: 'm1', fromAddr: addrOf(1), wantNack: true } as const;
  const out = recv(node, 100, addrOf(1), req);
  const [ping] = sent(out, 'ping', addrOf(2));
  assert.ok(ping !== undefined);
  const relayed = recv(node, 150, addrOf(2), { kind: 'ack', seq: ping.seq, from: 'm2' });
  assert.deepEqual(sent(relayed, 'ack', addrOf(1)), [{ kind: 'ack', seq: 41, from: 'm2' }]);
  assert.deepEqual(sent(node.step({ kind: 'tick', nowMs: 600 }), 'nack'), [], 'acked: no nack');

  const silent = recv(node, 1_000, addrOf(1), { ...req, seq: 42 });
  assert.equal(silent.wakeAtMs <= 1_400, true);
  assert.deepEqual(sent(node.step({ kind: 'tick', nowMs: 1_399 }), 'nack'), []);
  assert.deepEqual(sent(node.step({ kind: 'tick', nowMs: 1_400 }), 'nack', addrOf(1)), [{ kind: 'nack', seq: 42, from: 'm0' }]);
});

test('refutes a suspicion of itself with incarnation max(seen) + 1 and raises its local health', () => {
  const node = setup(3);
  const out = recv(node, 10, addrOf(1), { kind: 'suspect', name: 'm0', bootId: BOOT, incarnation: 4, from: 'm1' });
  assert.equal(node.incarnation, 5);
  const refutations = sent(out, 'alive').filter((a) => a.name === 'm0');
  assert.ok(refutations.length >= 3 && refutations.every((a) => a.incarnation === 5), 'sent to every member directly');
  assert.equal(node.localHealth(), 1);
  // An older accusation is already refuted; a dead at our incarnation is refuted again.
  recv(node, 20, addrOf(1), { kind: 'dead', name: 'm0', bootId: BOOT, incarnation: 4, from: 'm1' });
  assert.equal(node.incarnation, 5);
  recv(node, 30, addrOf(1), { kind: 'dead', name: 'm0', bootId: BOOT, incarnation: 5, from: 'm1' });
  assert.equal(node.incarnation, 6);
});

test('an accusation of an earlier boot of its name is answered with its alive; a newer boot is a conflict, reported once', () => {
  const node = setup(3);
  const old = recv(node, 10, addrOf(1), { kind: 'dead', name: 'm0', bootId: '0-zzzzzzzz', incarnation: 9, from: 'm1' });
  assert.equal(node.incarnation, 0);
  assert.ok(sent(old, 'alive', addrOf(1)).some((a) => a.name === 'm0' && a.bootId === BOOT));
  const claim = { kind: 'alive', name: 'm0', bootId: '2-bbbbbbbb', addr: '10.9.9.9:7946', incarnation: 0, tags: {} } as const;
  const first = recv(node, 20, addrOf(1), claim);
  const again = recv(node, 30, addrOf(2), claim);
  assert.deepEqual(
    first.events.map((e) => [e.kind, e.member.name, e.otherBootId, e.otherAddr]),
    [['conflict', 'm0', '2-bbbbbbbb', '10.9.9.9:7946']],
  );
  assert.deepEqual(again.events, []);
});

test('name conflict between two other members: the newer boot at another address is refused while the known one is alive', () => {
  const node = setup(3);
  const out = recv(node, 10, addrOf(2), { kind: 'alive', name: 'm1', bootId: '2-bbbbbbbb', addr: '10.9.9.9:7946', incarnation: 0, tags: {} });
  assert.deepEqual(
    out.events.map((e) => e.kind),
    ['conflict'],
  );
  assert.equal(node.member('m1')?.bootId, BOOT);
});

test('buddy system: a ping to a suspect carries the suspicion; an ack to a pinger we think dead carries our view', () => {
  const node = setup(1);
  recv(node, 0, addrOf(1), { kind: 'suspect', name: 'm1', bootId: BOOT, incarnation: 0, from: 'mx' });
  const p = nextPing(node, 10);
  const packet = p.out.send.find((s) => s.to === addrOf(1) && s.msgs[0]?.kind === 'ping');
  assert.deepEqual(
    packet?.msgs.slice(0, 2).map((m) => m.kind),
    ['ping', 'suspect'],
  );

  const other = setup(2);
  recv(other, 0, addrOf(2), { kind: 'dead', name: 'm1', bootId: BOOT, incarnation: 0, from: 'm2' });
  const ack = recv(other, 10, addrOf(1), { kind: 'ping', seq: 3, target: 'm0', from: 'm1', fromAddr: addrOf(1) });
  const reply = ack.send.find((s) => s.to === addrOf(1));
  assert.deepEqual(
    reply?.msgs.slice(0, 2).map((m) => m.kind),
    ['ack', 'dead'],
  );
});

test('suspicion without confirmations: dead after the max timeout, reported once, delivered to the live members only', () => {
  const node = setup(3); // n = 4: min 1 s, max 6 s, K = 2
  const first = recv(node, 10, addrOf(2), { kind: 'suspect', name: 'm1', bootId: BOOT, incarnation: 0, from: 'm2' });
  assert.deepEqual(
    first.events.map((e) => [e.kind, e.from]),
    [['suspected', 'm2']],
  );
  // Small cluster: we check for ourselves at once; m1 answers, so we do not confirm.
  assert.equal(sent(first, 'ping', addrOf(1)).length, 1, 'confirmation probe');
  answer(node, first, 15, []);
  const repeat = recv(node, 20, addrOf(3), { kind: 'suspect', name: 'm1', bootId: BOOT, incarnation: 0, from: 'm2' });
  assert.deepEqual(repeat.events, [], 'a repeat is no event');
  for (let t = 20; t < 6_010; t += 10) {
    const out = node.step({ kind: 'tick', nowMs: t });
    answer(node, out, t, []);
    assert.equal(node.member('m1')?.state, 'suspect', `at ${t}`);
    assert.deepEqual(out.events, []);
  }
  const end = node.step({ kind: 'tick', nowMs: 6_010 });
  assert.deepEqual(
    end.events.map((e) => [e.kind, e.member.name, e.from]),
    [['died', 'm1', 'm0']],
  );
  const deliveredTo = end.send.filter((s) => s.msgs[0]?.kind === 'deliver' && s.msgs.some((m) => m.kind === 'dead')).map((s) => s.to);
  assert.deepEqual(deliveredTo.sort(), [addrOf(2), addrOf(3)]);
});

test('suspicion with K independent confirmations: dead after the min timeout', () => {
  const node = setup(3);
  const first = recv(node, 0, addrOf(2), { kind: 'suspect', name: 'm1', bootId: BOOT, incarnation: 0, from: 'm2' });
  assert.equal(sent(first, 'ping', addrOf(1)).length, 1, 'confirmation probe');
  recv(node, 50, addrOf(3), { kind: 'suspect', name: 'm1', bootId: BOOT, incarnation: 0, from: 'm3' }); // C = 1
  assert.equal(node.member('m1')?.state, 'suspect');
  // Our own confirmation probe fails at the end of its interval (the helpers nack: our network is fine):
  // C = 2 = K, timeout = min = 1 s, already over.
  answer(node, node.step({ kind: 'tick', nowMs: 500 }), 900, [addrOf(1)]);
  const out = node.step({ kind: 'tick', nowMs: 1_000 });
  assert.equal(node.localHealth(), 0);
  assert.equal(node.member('m1')?.state, 'dead');
  assert.deepEqual(
    out.events.map((e) => e.kind),
    ['died'],
  );
});

test('set-tags bumps the incarnation and sends the alive to every member directly; oversized tags are refused', () => {
  const node = setup(3);
  const out = node.step({ kind: 'set-tags', nowMs: 5, tags: { role: 'master', zone: 'b' } });
  assert.equal(node.incarnation, 1);
  const direct = out.send.filter((s) => s.msgs[0]?.kind === 'deliver');
  assert.deepEqual(direct.map((s) => s.to).sort(), [addrOf(1), addrOf(2), addrOf(3)]);
  assert.ok(direct.every((s) => s.msgs.some((m) => m.kind === 'alive' && m.incarnation === 1 && m.tags.zone === 'b')));
  assert.throws(
    () => node.step({ kind: 'set-tags', nowMs: 6, tags: { blob: 'x'.repeat(600) } }),
    (err: unknown) => err instanceof OperatorError && err.code === 'SWIM_TAGS_TOO_LARGE',
  );
  assert.equal(node.incarnation, 1, 'refused before any change');
});

test('direct delivery is retried every gossip interval until acked, at most deliverMaxTries times', () => {
  const node = setup(2);
  const out = node.step({ kind: 'set-tags', nowMs: 0, tags: { v: '1' } });
  const toM1 = out.send.find((s) => s.to === addrOf(1) && s.msgs[0]?.kind === 'deliver');
  const deliver = toM1?.msgs[0];
  assert.ok(deliver?.kind === 'deliver');
  // m1 acks; m2 never does.
  recv(node, 3, addrOf(1), { kind: 'ack', seq: deliver.seq, from: 'm1' });
  let toM2 = 1;
  for (let t = 0; t <= 5_000; t += 50) {
    const o = node.step({ kind: 'tick', nowMs: t });
    answer(node, o, t, []);
    for (const s of o.send) {
      if (s.msgs[0]?.kind !== 'deliver') continue;
      assert.equal(s.to, addrOf(2), 'acked: not resent');
      toM2++;
    }
  }
  assert.equal(toM2, SWIM_LAN.deliverMaxTries);
  assert.equal(node.stats().deliveriesGivenUp, 1);
  assert.equal(node.pendingDeliveries(), 0);
});

test('a delivery is acked after the rest of its packet has been applied', () => {
  const node = setup(2);
  const out = recv(
    node,
    5,
    addrOf(1),
    { kind: 'deliver', seq: 77, from: 'm1' },
    { kind: 'alive', name: 'm1', bootId: BOOT, addr: addrOf(1), incarnation: 3, tags: { v: '2' } },
  );
  assert.equal(node.member('m1')?.incarnation, 3);
  assert.deepEqual(sent(out, 'ack', addrOf(1)), [{ kind: 'ack', seq: 77, from: 'm0' }]);
  assert.deepEqual(
    out.events.map((e) => e.kind),
    ['updated'],
  );
});

test('a graceful leave sends a dead from itself to every member and stops probing', () => {
  const node = setup(3);
  const out = node.step({ kind: 'leave', nowMs: 5 });
  const direct = out.send.filter((s) => s.msgs[0]?.kind === 'deliver');
  assert.equal(direct.length, 3);
  for (const s of direct) assert.ok(s.msgs.some((m) => m.kind === 'dead' && m.name === 'm0' && m.from === 'm0'));
  assert.equal(node.member('m0')?.state, 'left');
  for (let t = 5; t < 5_000; t += 10) assert.deepEqual(sent(node.step({ kind: 'tick', nowMs: t }), 'ping'), []);
  // An accusation after leaving is not refuted.
  recv(node, 5_000, addrOf(1), { kind: 'suspect', name: 'm0', bootId: BOOT, incarnation: 0, from: 'm1' });
  assert.equal(node.incarnation, 0);
});

test('others see a leave as left, never as dead', () => {
  const node = setup(3);
  const out = recv(node, 5, addrOf(1), { kind: 'dead', name: 'm1', bootId: BOOT, incarnation: 0, from: 'm1' });
  assert.deepEqual(
    out.events.map((e) => e.kind),
    ['left'],
  );
  recv(node, 6, addrOf(2), { kind: 'dead', name: 'm1', bootId: BOOT, incarnation: 0, from: 'm2' });
  assert.equal(node.member('m1')?.state, 'left');
  for (let t = 10; t < 20_000; t += 100) assert.deepEqual(sent(node.step({ kind: 'tick', nowMs: t }), 'ping', addrOf(1)), [], 'a left member is never probed');
});

test('join: push-pull (join=true) to the seeds, retried until a reply is merged; send-failed is harmless', () => {
  const node = new SwimNode(SWIM_LAN, { name: 'm0', bootId: BOOT, addr: addrOf(0), tags: {} }, seededRng(2), 0);
  const first = node.step({ kind: 'join', nowMs: 0, seeds: [addrOf(0), addrOf(1)] });
  const pp = sent(first, 'push-pull', addrOf(1));
  assert.equal(pp.length, 1);
  assert.deepEqual([pp[0]?.join, pp[0]?.reply], [true, false]);
  assert.ok(pp[0]?.members.some((m) => m.name === 'm0' && m.state === 'alive'));
  assert.deepEqual(sent(first, 'push-pull', addrOf(0)), [], 'never to itself');
  node.step({ kind: 'send-failed', nowMs: 10, to: addrOf(1), msg: pp[0] as SwimMessage });
  assert.equal(sent(node.step({ kind: 'tick', nowMs: 999 }), 'push-pull').length, 0);
  assert.equal(sent(node.step({ kind: 'tick', nowMs: 1_000 }), 'push-pull', addrOf(1)).length, 1, 'retried after joinRetryMs');
  const reply = recv(node, 1_010, addrOf(1), { kind: 'push-pull', from: 'm1', join: true, reply: true, members: [snapshot(1), snapshot(2)] });
  assert.deepEqual(
    reply.events.map((e) => [e.kind, e.member.name]),
    [
      ['joined', 'm1'],
      ['joined', 'm2'],
    ],
  );
  // Joined: our alive goes to each member directly; no more join retries.
  assert.deepEqual(
    reply.send
      .filter((s) => s.msgs[0]?.kind === 'deliver')
      .map((s) => s.to)
      .sort(),
    [addrOf(1), addrOf(2)],
  );
  for (let t = 1_010; t < 2_500; t += 100) assert.ok(sent(node.step({ kind: 'tick', nowMs: t }), 'push-pull').every((p) => !p.join));
});

test('push-pull: merges the remote state (a remote dead as suspect), then answers with its own', () => {
  const node = setup(2);
  const out = recv(node, 10, addrOf(1), {
    kind: 'push-pull',
    from: 'm1',
    join: false,
    reply: false,
    members: [snapshot(1), snapshot(2, { state: 'dead' }), snapshot(3)],
  });
  assert.equal(node.member('m2')?.state, 'suspect');
  assert.equal(node.member('m3')?.state, 'alive');
  const [reply] = sent(out, 'push-pull', addrOf(1));
  assert.equal(reply?.reply, true);
  assert.deepEqual(reply?.members.map((m) => [m.name, m.state]).sort(), [
    ['m0', 'alive'],
    ['m1', 'alive'],
    ['m2', 'suspect'],
    ['m3', 'alive'],
  ]);
});

test('a stale accusation is answered with the refutation it missed', () => {
  const node = setup(3);
  recv(node, 0, addrOf(1), { kind: 'alive', name: 'm1', bootId: BOOT, addr: addrOf(1), incarnation: 4, tags: {} });
  const out = recv(node, 10, addrOf(3), { kind: 'suspect', name: 'm1', bootId: BOOT, incarnation: 3, from: 'm3' });
  assert.equal(node.member('m1')?.state, 'alive');
  assert.ok(sent(out, 'alive', addrOf(3)).some((a) => a.name === 'm1' && a.incarnation === 4));
});

test('a new boot of a member replaces it at once, even while it is suspect or dead', () => {
  const node = setup(3);
  recv(node, 0, addrOf(2), { kind: 'dead', name: 'm1', bootId: BOOT, incarnation: 7, from: 'm2' });
  const out = recv(node, 10, addrOf(1), { kind: 'alive', name: 'm1', bootId: '2-cccccccc', addr: addrOf(1), incarnation: 0, tags: {} });
  assert.deepEqual(
    out.events.map((e) => [e.kind, e.member.state, e.otherBootId]),
    [['restarted', 'alive', BOOT]],
  );
  // Leftovers of the old boot change nothing.
  const late = recv(node, 20, addrOf(2), { kind: 'dead', name: 'm1', bootId: BOOT, incarnation: 99, from: 'm2' });
  assert.deepEqual(late.events, []);
  assert.equal(node.member('m1')?.bootId, '2-cccccccc');
});

test('a tick before wakeAtMs is harmless', () => {
  const node = setup(3);
  const out = node.step({ kind: 'tick', nowMs: 0 });
  const wake = out.wakeAtMs;
  assert.ok(wake > 0);
  for (let t = 0; t < wake; t += Math.max(1, Math.floor(wake / 7))) {
    const o = node.step({ kind: 'tick', nowMs: t });
    assert.deepEqual([o.send, o.events, o.wakeAtMs], [[], [], wake]);
  }
});

test('a suspicion deadline handled late waits one probe timeout more, for a refutation queued behind the timer', () => {
  const node = setup(3);
  answer(node, recv(node, 0, addrOf(2), { kind: 'suspect', name: 'm1', bootId: BOOT, incarnation: 0, from: 'm2' }), 5, []);
  // Stalled from 10 ms until 7 s (the deadline was 6 s): the timer runs first...
  const late = node.step({ kind: 'tick', nowMs: 7_000 });
  assert.equal(node.member('m1')?.state, 'suspect');
  assert.deepEqual(late.events, []);
  // ...then the refutation that had been waiting in the socket.
  const refuted = recv(node, 7_000, addrOf(1), { kind: 'alive', name: 'm1', bootId: BOOT, addr: addrOf(1), incarnation: 1, tags: {} });
  assert.deepEqual(
    refuted.events.map((e) => e.kind),
    ['refuted'],
  );

  const other = setup(3);
  answer(other, recv(other, 0, addrOf(2), { kind: 'suspect', name: 'm1', bootId: BOOT, incarnation: 0, from: 'm2' }), 5, []);
  other.step({ kind: 'tick', nowMs: 7_000 });
  other.step({ kind: 'tick', nowMs: 7_499 });
  assert.equal(other.member('m1')?.state, 'suspect');
  assert.deepEqual(
    other.step({ kind: 'tick', nowMs: 7_500 }).events.map((e) => e.kind),
    ['died'],
  );
});
