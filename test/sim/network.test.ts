import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MemberView } from '../../coordinator/swim/membership.js';
import type { Addr, SwimMessage } from '../../coordinator/swim/messages.js';
import type { Input, Output } from '../../coordinator/swim/node-io.js';
import { SimNetwork, type SimNode } from './network.js';

/** A stand-in node: records what it is fed, sends what it is told to, wakes when told to. */
class Probe implements SimNode {
  readonly seen: { atMs: number; input: Input }[] = [];
  outbox: { to: Addr; msgs: SwimMessage[] }[] = [];
  wakeAtMs = Infinity;
  constructor(readonly name: string) {}
  step(input: Input): Output {
    this.seen.push({ atMs: input.nowMs, input });
    const send = this.outbox;
    this.outbox = [];
    return { send, events: [], wakeAtMs: this.wakeAtMs };
  }
  member(): MemberView | undefined {
    return undefined;
  }
  members(): MemberView[] {
    return [];
  }
  bootstrap(): void {}
}

const ping = (seq: number): SwimMessage => ({ kind: 'ping', seq, target: 'x', from: 'y', fromAddr: 'y' });
const pushPull: SwimMessage = { kind: 'push-pull', from: 'y', join: false, reply: false, members: [] };

function world(o: { seed?: number; lossRate?: number; latencyMs?: [number, number] } = {}): { net: SimNetwork<Probe>; a: Probe; b: Probe; ids: Addr[] } {
  const net = new SimNetwork<Probe>({ seed: o.seed ?? 1, lossRate: o.lossRate ?? 0, latencyMs: o.latencyMs ?? [10, 20] });
  const ids = net.spawn(2, (_addr, _rng, _now, i) => new Probe(`p${i}`));
  return { net, a: net.node(ids[0] as Addr), b: net.node(ids[1] as Addr), ids };
}

/** Makes `from` send `msgs` to `to` now (through a local-stall input, which the stand-in ignores). */
function send(net: SimNetwork<Probe>, from: Addr, to: Addr, ...msgs: SwimMessage[]): void {
  net.node(from).outbox.push({ to, msgs });
  net.input(from, { kind: 'local-stall', lagMs: 0 });
}

const recvs = (p: Probe): { atMs: number; input: Input }[] => p.seen.filter((s) => s.input.kind === 'recv');

test('packets arrive after a latency within the configured range', () => {
  const { net, b, ids } = world();
  for (let i = 0; i < 50; i++) send(net, ids[0] as Addr, ids[1] as Addr, ping(i));
  net.runFor(100);
  const got = recvs(b);
  assert.equal(got.length, 50);
  for (const g of got) assert.ok(g.atMs >= 10 && g.atMs <= 20, `${g.atMs}`);
});

test('the same seed replays the same run; UDP loss is near lossRate; push-pull is never lost at random', () => {
  const run = (seed: number): number[] => {
    const { net, b, ids } = world({ seed, lossRate: 0.3 });
    for (let i = 0; i < 1_000; i++) send(net, ids[0] as Addr, ids[1] as Addr, ping(i));
    for (let i = 0; i < 100; i++) send(net, ids[0] as Addr, ids[1] as Addr, pushPull);
    net.runFor(100);
    return recvs(b).map((r) => (r.input.kind === 'recv' && r.input.msgs[0]?.kind === 'ping' ? r.input.msgs[0].seq : -1));
  };
  const one = run(5);
  assert.deepEqual(run(5), one);
  assert.notDeepEqual(run(6), one);
  const pings = one.filter((s) => s >= 0).length;
  assert.ok(pings > 640 && pings < 760, `${pings} of 1000 pings arrived at 30 % loss`);
  assert.equal(one.filter((s) => s < 0).length, 100);
});

test('a partition cuts both ways until heal; a push-pull across it fails back after the connect timeout', () => {
  const { net, a, b, ids } = world();
  const [x, y] = ids as [Addr, Addr];
  net.partition([x], [y]);
  send(net, x, y, ping(1));
  send(net, y, x, ping(2));
  send(net, x, y, pushPull);
  net.runFor(999);
  assert.equal(recvs(a).length + recvs(b).length, 0);
  assert.equal(a.seen.filter((s) => s.input.kind === 'send-failed').length, 0);
  net.runFor(1);
  const failed = a.seen.filter((s) => s.input.kind === 'send-failed');
  assert.equal(failed.length, 1);
  assert.equal(failed[0]?.atMs, 1_000);
  net.heal();
  send(net, x, y, ping(3));
  net.runFor(50);
  assert.equal(recvs(b).length, 1);
});

test('a killed node processes nothing; packets to it are lost, push-pulls to it fail; restart builds a new node', () => {
  const { net, a, b, ids } = world();
  const [x, y] = ids as [Addr, Addr];
  b.wakeAtMs = 50;
  net.runFor(1); // b has not been stepped since spawn: arm its timer now
  net.input(y, { kind: 'local-stall', lagMs: 0 });
  net.kill(y);
  send(net, x, y, ping(1), pushPull);
  const before = b.seen.length;
  net.runFor(2_000);
  assert.equal(b.seen.length, before, 'no timer, no packet');
  assert.equal(a.seen.filter((s) => s.input.kind === 'send-failed').length, 2);
  net.restart(y, [x]);
  const fresh = net.node(y);
  assert.notEqual(fresh, b);
  assert.deepEqual(
    fresh.seen.map((s) => s.input.kind),
    ['tick', 'join'],
  );
  assert.ok(net.isUp(y));
});

test('a slow node takes a turn every delay: expired timer first, then queued packets, then its lag report', () => {
  const { net, b, ids } = world({ latencyMs: [1, 1] });
  const [x, y] = ids as [Addr, Addr];
  b.wakeAtMs = 300;
  net.input(y, { kind: 'local-stall', lagMs: 0 }); // arms b's timer for 300
  net.setSlow(y, 700);
  net.runFor(100);
  send(net, x, y, ping(1));
  net.runFor(1_000);
  const kinds = b.seen.filter((s) => s.atMs > 0).map((s) => [s.atMs, s.input.kind]);
  // The packet arrived at 101 and the timer expired at 300, yet the turn at 700 runs the timer first.
  assert.deepEqual(kinds.slice(0, 3), [
    [700, 'tick'],
    [700, 'recv'],
    [700, 'local-stall'],
  ]);
  const stall = b.seen.find((s) => s.input.kind === 'local-stall' && s.input.lagMs === 700);
  assert.ok(stall !== undefined, 'lag reported');
});
