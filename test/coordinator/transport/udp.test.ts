import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { afterEach, describe, test } from 'node:test';
import { Registry } from 'prom-client';
import { Keyring, generateKey } from '../../../coordinator/transport/keyring.js';
import { ReplayCache, open } from '../../../coordinator/transport/seal.js';
import { GossipSocket, type GossipSocketOptions } from '../../../coordinator/transport/udp.js';
import type { Addr, SwimMessage } from '../../../coordinator/swim/messages.js';
import { OperatorError } from '../../../proto/common/errors.js';
import { silentLogger } from '../../../proto/common/log.js';
import { eventually } from '../../harness/eventually.js';
import { EXAMPLES } from './arbitraries.js';
import { capture, counterValue } from './helpers.js';

const sockets: GossipSocket[] = [];
const raws: dgram.Socket[] = [];
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.close()));
  for (const r of raws.splice(0)) r.close();
});

async function bind(o: Partial<GossipSocketOptions> & { keyring: Keyring }): Promise<GossipSocket> {
  const s = await GossipSocket.bind({ host: '127.0.0.1', port: 0, log: silentLogger(), ...o });
  sockets.push(s);
  return s;
}

/** Collects what a socket hands over. */
function inbox(s: GossipSocket): { from: Addr; msgs: SwimMessage[] }[] {
  const got: { from: Addr; msgs: SwimMessage[] }[] = [];
  s.onPackets((from, msgs) => got.push({ from, msgs }));
  return got;
}

/** A plain UDP listener that keeps every datagram. */
async function rawListener(): Promise<{ addr: Addr; datagrams: Buffer[] }> {
  const socket = dgram.createSocket('udp4');
  raws.push(socket);
  const datagrams: Buffer[] = [];
  socket.on('message', (d) => datagrams.push(d));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { addr: `127.0.0.1:${socket.address().port}`, datagrams };
}

const wait = { timeoutMs: 2_000, intervalMs: 10 };
const udpMessages = EXAMPLES.filter((m) => m.kind !== 'push-pull');

describe('GossipSocket', () => {
  test('two sockets exchange a compound packet: one datagram, every message, in order', async () => {
    // given two coordinators with the same key
    const key = generateKey();
    const registry = new Registry();
    const a = await bind({ keyring: new Keyring(key), metrics: registry });
    const b = await bind({ keyring: new Keyring(key), metrics: registry });
    const got = inbox(b);
    // when a sends a probe with piggybacked updates
    a.send(b.addr, udpMessages);
    // then b gets them all from a's address, in one datagram
    await eventually(() => assert.equal(got.length, 1), wait);
    assert.deepEqual(got[0], { from: a.addr, msgs: udpMessages });
    assert.equal(await counterValue(registry, 'belay_gossip_packets_total', { direction: 'out' }), 1);
    assert.equal(await counterValue(registry, 'belay_gossip_packets_total', { direction: 'in' }), 1);
    const bytesOut = await counterValue(registry, 'belay_gossip_bytes_total', { direction: 'out' });
    assert.ok(bytesOut > 100 && bytesOut <= 1_400, String(bytesOut));
    assert.equal(await counterValue(registry, 'belay_gossip_bytes_total', { direction: 'in' }), bytesOut);
    assert.equal(await counterValue(registry, 'belay_gossip_packets_dropped_total'), 0);

    // and back: the answer
    const gotA = inbox(a);
    b.send(a.addr, [{ kind: 'ack', seq: 1, from: 'm2' }]);
    await eventually(() => assert.deepEqual(gotA, [{ from: b.addr, msgs: [{ kind: 'ack', seq: 1, from: 'm2' }] }]), wait);
  });

  test('a packet sealed with a key not in the keyring is dropped, counted, and warned about once a minute per sender', async () => {
    const registry = new Registry();
    const { log, entries } = capture();
    const b = await bind({ keyring: new Keyring(generateKey()), metrics: registry, log });
    const got = inbox(b);
    const intruder = await bind({ keyring: new Keyring(generateKey()) });
    for (let i = 0; i < 3; i++) intruder.send(b.addr, [{ kind: 'ack', seq: i, from: 'x' }]);
    await eventually(async () => assert.equal(await counterValue(registry, 'belay_gossip_packets_dropped_total', { reason: 'auth' }), 3), wait);
    assert.deepEqual(got, []);
    const warns = entries.filter((e) => e.level === 'warn');
    assert.deepEqual(
      warns.map((e) => [e.message, e.from, e.hint]),
      [['gossip packet failed authentication', intruder.addr, "the sender's gossip key is not in this keyring"]],
    );
    assert.equal(entries.filter((e) => e.level === 'debug' && e.message === 'gossip packet dropped' && e.reason === 'auth').length, 2);
  });

  test('installing the sender key lets its packets in, at once', async () => {
    const [k1, k2] = [generateKey(), generateKey()];
    const ringB = new Keyring(k1);
    const b = await bind({ keyring: ringB });
    const got = inbox(b);
    const a = await bind({ keyring: new Keyring(k2) });
    ringB.install(k2);
    a.send(b.addr, [{ kind: 'ack', seq: 5, from: 'm1' }]);
    await eventually(() => assert.equal(got.length, 1), wait);
  });

  test('MTU: more than fits in one datagram is split, every datagram at most mtu bytes', async () => {
    const key = generateKey();
    const a = await bind({ keyring: new Keyring(key), mtu: 508 });
    const raw = await rawListener();
    const msgs: SwimMessage[] = [
      { kind: 'ping', seq: 1, target: 'm2', from: 'm1', fromAddr: '127.0.0.1:7946' },
      ...Array.from({ length: 40 }, (_, i): SwimMessage => ({
        kind: 'alive',
        name: `master-${i}.example.internal`,
        bootId: `lx3k2-${i}`,
        addr: `10.0.0.${i}:7946`,
        incarnation: i,
        tags: { role: 'master', zone: `zone-${i % 3}` },
      })),
    ];
    a.send(raw.addr, msgs);
    const ring = new Keyring(key);
    const replay = new ReplayCache();
    const received: SwimMessage[] = [];
    await eventually(() => {
      for (const d of raw.datagrams.splice(0)) {
        assert.ok(d.length <= 508, `datagram of ${d.length} bytes`);
        const r = open(ring, d, Date.now(), replay);
        assert.ok(r.ok, r.ok ? '' : r.reason);
        received.push(...r.messages);
      }
      assert.equal(received.length, msgs.length);
    }, wait);
    assert.deepEqual(received[0], msgs[0], 'the probe goes first');
    assert.deepEqual(new Set(received.map((m) => JSON.stringify(m))), new Set(msgs.map((m) => JSON.stringify(m))));
  });

  test('a replayed datagram is dropped as a replay; a stale one as stale, with a clock-sync warning', async () => {
    const key = generateKey();
    const registry = new Registry();
    const { log, entries } = capture();
    let now = 1_760_000_000_000;
    const b = await bind({ keyring: new Keyring(key), metrics: registry, log, nowMs: () => now });
    const got = inbox(b);
    const raw = await rawListener();
    const a = await bind({ keyring: new Keyring(key), nowMs: () => 1_760_000_000_000 });
    a.send(raw.addr, [{ kind: 'ack', seq: 1, from: 'm1' }]);
    await eventually(() => assert.equal(raw.datagrams.length, 1), wait);
    const datagram = raw.datagrams[0] as Buffer;
    const replayer = dgram.createSocket('udp4');
    raws.push(replayer);
    const port = Number(b.addr.split(':')[1]);
    for (let i = 0; i < 2; i++) replayer.send(datagram, port, '127.0.0.1');
    await eventually(async () => assert.equal(await counterValue(registry, 'belay_gossip_packets_dropped_total', { reason: 'replay' }), 1), wait);
    assert.equal(got.length, 1);
    now += 120_000;
    a.send(b.addr, [{ kind: 'ack', seq: 2, from: 'm1' }]);
    await eventually(async () => assert.equal(await counterValue(registry, 'belay_gossip_packets_dropped_total', { reason: 'stale' }), 1), wait);
    assert.ok(entries.some((e) => e.level === 'warn' && e.message === 'gossip packet outside the replay window'));
  });

  test('garbage from the network is dropped and counted by reason, never thrown', async () => {
    const registry = new Registry();
    const b = await bind({ keyring: new Keyring(generateKey()), metrics: registry });
    const raw = dgram.createSocket('udp4');
    raws.push(raw);
    const port = Number(b.addr.split(':')[1]);
    raw.send(Buffer.from('hi'), port, '127.0.0.1');
    raw.send(Buffer.alloc(100, 7), port, '127.0.0.1');
    raw.send(Buffer.alloc(100, 1), port, '127.0.0.1');
    await eventually(async () => {
      assert.equal(await counterValue(registry, 'belay_gossip_packets_dropped_total', { reason: 'short' }), 1);
      assert.equal(await counterValue(registry, 'belay_gossip_packets_dropped_total', { reason: 'version' }), 1);
      assert.equal(await counterValue(registry, 'belay_gossip_packets_dropped_total', { reason: 'auth' }), 1);
    }, wait);
    assert.equal(await counterValue(registry, 'belay_gossip_packets_total', { direction: 'in' }), 3);
  });

  test('send never throws: a push-pull, a message too big, a bad address, a closed socket are counted', async () => {
    const registry = new Registry();
    const a = await bind({ keyring: new Keyring(generateKey()), metrics: registry, mtu: 508 });
    const pushPull = EXAMPLES.find((m) => m.kind === 'push-pull') as SwimMessage;
    a.send('127.0.0.1:9', [pushPull, { kind: 'alive', name: 'm1', bootId: 'b', addr: 'a:1', incarnation: 1, tags: { big: 'x'.repeat(600) } }]);
    a.send('no port here', [{ kind: 'ack', seq: 1, from: 'm1' }]);
    await a.close();
    a.send('127.0.0.1:9', [{ kind: 'ack', seq: 1, from: 'm1' }]);
    await eventually(async () => {
      assert.equal(await counterValue(registry, 'belay_gossip_packets_dropped_total', { reason: 'reliable' }), 1);
      assert.equal(await counterValue(registry, 'belay_gossip_packets_dropped_total', { reason: 'too-big' }), 1);
      assert.equal(await counterValue(registry, 'belay_gossip_packets_dropped_total', { reason: 'send-failed' }), 2);
    }, wait);
  });

  test('a handler that throws is logged; the socket keeps serving', async () => {
    const key = generateKey();
    const { log, entries } = capture();
    const b = await bind({ keyring: new Keyring(key), log });
    b.onPackets(() => {
      throw new Error('boom');
    });
    const got = inbox(b);
    const a = await bind({ keyring: new Keyring(key) });
    a.send(b.addr, [{ kind: 'ack', seq: 1, from: 'm1' }]);
    a.send(b.addr, [{ kind: 'ack', seq: 2, from: 'm1' }]);
    await eventually(() => assert.equal(got.length, 2), wait);
    assert.equal(entries.filter((e) => e.level === 'error' && e.message === 'gossip packet handler failed').length, 2);
  });

  test('bind refuses a port in use and an impossible MTU, with what to do', async () => {
    const a = await bind({ keyring: new Keyring(generateKey()) });
    const port = Number(a.addr.split(':')[1]);
    await assert.rejects(
      () => bind({ keyring: new Keyring(generateKey()), port }),
      (err: unknown) => err instanceof OperatorError && err.code === 'LISTEN_FAILED' && err.hint.includes('ss -lunp'),
    );
    await assert.rejects(
      () => bind({ keyring: new Keyring(generateKey()), mtu: 100 }),
      (err: unknown) => err instanceof OperatorError && err.code === 'GOSSIP_MTU_INVALID',
    );
  });

  test('IPv6: addresses are bracketed', async (t) => {
    const key = generateKey();
    let b: GossipSocket;
    try {
      b = await bind({ keyring: new Keyring(key), host: '::1' });
    } catch {
      t.skip('no IPv6 loopback here');
      return;
    }
    const got = inbox(b);
    const a = await bind({ keyring: new Keyring(key), host: '::1' });
    assert.match(b.addr, /^\[::1\]:\d+$/);
    a.send(b.addr, [{ kind: 'ack', seq: 1, from: 'm1' }]);
    await eventually(() => assert.deepEqual(got[0]?.from, a.addr), wait);
  });
});
