import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { after, describe, test, type TestContext } from 'node:test';
import winston from 'winston';
import { readNotifyEnv, startWatchdog, type Watchdog, type WatchdogOptions } from '../../agent/watchdog.js';
import { eventually as poll } from '../harness/eventually.js';
import { findOnPath } from '../harness/runtimes.js';

/** These tests poll every 20 ms: their timings are tight. */
const eventually = <T>(check: () => T, o: { timeoutMs: number; intervalMs?: number }): Promise<T> => poll(check, { intervalMs: 20, ...o });

/**
 * The watchdog against a real AF_UNIX datagram socket: a small python3
 * receiver binds it the way PID 1 binds /run/systemd/notify (SO_PASSCRED, so
 * every datagram carries the sender's pid, which is what NotifyAccess=main
 * checks) and prints each datagram as a JSON line with its monotonic arrival
 * time. The receiver is another process on purpose: its clock keeps running
 * while the test blocks this event loop.
 */

/** WATCHDOG_USEC for the tests: pings every 100 ms. */
const WATCHDOG_USEC = 300_000;
const INTERVAL_MS = 100;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-watchdog-'));
const children: ChildProcess[] = [];
const watchdogs: Watchdog[] = [];
after(() => {
  for (const w of watchdogs) w.close();
  for (const c of children) c.kill('SIGKILL');
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** The path of `bin`, or undefined after skipping the test (failing it under CI). */
function need(t: TestContext, bin: string, pkg: string): string | undefined {
  const found = findOnPath(bin);
  if (found) return found;
  if (process.env.CI === 'true') assert.fail(`${bin} not on PATH (CI must have it): apt-get install ${pkg}`);
  t.skip(`${bin} not on PATH: apt-get install ${pkg}`);
  return undefined;
}

const RECEIVER = String.raw`
import json, socket, struct, sys, time
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind("\0" + path[1:] if path.startswith("@") else path)
print(json.dumps({"bound": True}), flush=True)
while True:
    msg, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12))
    pid = None
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
            pid = struct.unpack("iII", data[:12])[0]
    print(json.dumps({"t": time.monotonic() * 1000, "pid": pid, "msg": msg.decode()}), flush=True)
`;

interface Datagram {
  /** Arrival, ms on the receiver's monotonic clock. */
  t: number;
  /** The sender's pid from SCM_CREDENTIALS. */
  pid: number;
  msg: string;
}

interface Receiver {
  socket: string;
  got: Datagram[];
  pings(): Datagram[];
}

let receivers = 0;

/** Binds a datagram socket at a fresh temp path (or abstract name, '@...') in a python3 process. */
async function receiver(python: string, abstract = false): Promise<Receiver> {
  const n = ++receivers;
  return receiverAt(python, abstract ? `@belay-watchdog-test-${process.pid}-${n}` : path.join(tmp, `notify-${n}.sock`));
}

/** Binds `socket`, which does not exist yet; resolves once it is bound. */
async function receiverAt(python: string, socket: string): Promise<Receiver> {
  const child = spawn(python, ['-c', RECEIVER, socket], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const got: Datagram[] = [];
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`receiver for ${socket} exited with ${code}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const d = JSON.parse(line) as Datagram | { bound: true };
      if ('bound' in d) resolve();
      else got.push(d);
    });
  });
  return { socket, got, pings: () => got.filter((d) => d.msg === 'WATCHDOG=1') };
}

/** A logger that keeps every entry, to assert on transitions. */
function capture(): { log: winston.Logger; entries: { level: string; message: string; [k: string]: unknown }[] } {
  const entries: { level: string; message: string }[] = [];
  const stream = new Writable({
    objectMode: true,
    write(info: { level: string; message: string }, _enc, cb) {
      entries.push(info);
      cb();
    },
  });
  return { log: winston.createLogger({ level: 'debug', transports: [new winston.transports.Stream({ stream })] }), entries };
}

function envFor(r: Receiver, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { NOTIFY_SOCKET: r.socket, WATCHDOG_USEC: String(WATCHDOG_USEC), WATCHDOG_PID: String(process.pid), ...extra };
}

function start(o: WatchdogOptions): Watchdog {
  const w = startWatchdog(o);
  watchdogs.push(w);
  return w;
}

const gaps = (ds: Datagram[]): number[] => ds.slice(1).map((d, i) => d.t - ds[i]!.t);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** A busy loop: nothing else on this event loop runs meanwhile. */
function block(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // spinning
  }
}

describe('readNotifyEnv follows sd_watchdog_enabled', () => {
  const pid = 4242;
  test('not under systemd: nothing', () => {
    assert.equal(readNotifyEnv({}, pid).socket, undefined);
    assert.equal(readNotifyEnv({ NOTIFY_SOCKET: '' }, pid).socket, undefined);
  });
  test('a path or an abstract socket, watchdog at WATCHDOG_USEC', () => {
    assert.deepEqual(readNotifyEnv({ NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '10000000', WATCHDOG_PID: '4242' }, pid), {
      socket: '/run/systemd/notify',
      watchdogMs: 10_000,
    });
    assert.deepEqual(readNotifyEnv({ NOTIFY_SOCKET: '@/org/freedesktop/systemd1/notify', WATCHDOG_USEC: '10000000' }, pid), {
      socket: '@/org/freedesktop/systemd1/notify',
      watchdogMs: 10_000,
    });
  });
  test('notify without a watchdog (no WatchdogSec=, or a bad value)', () => {
    for (const usec of [undefined, '', '0', 'ten', '-5', '1e7']) {
      const s = readNotifyEnv({ NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: usec }, pid);
      assert.equal(s.socket, '/run/systemd/notify', `WATCHDOG_USEC=${usec}`);
      assert.equal(s.watchdogMs, 0, `WATCHDOG_USEC=${usec}`);
      assert.ok(s.reason);
    }
  });
  test("another process's environment (we are its child): nothing at all", () => {
    const s = readNotifyEnv({ NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '10000000', WATCHDOG_PID: '1' }, pid);
    assert.equal(s.socket, undefined);
    assert.match(s.reason ?? '', /WATCHDOG_PID=1 is another process/);
    assert.equal(readNotifyEnv({ NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_PID: 'x' }, pid).socket, undefined);
  });
  test('neither a path nor @: nothing', () => {
    assert.equal(readNotifyEnv({ NOTIFY_SOCKET: 'vsock:2:9999' }, pid).socket, undefined);
  });
});

describe('startWatchdog against a real notify socket', () => {
  test('READY=1 from this pid, then WATCHDOG=1 every WatchdogSec/3', async (t) => {
    const python = need(t, 'python3', 'python3');
    if (!python) return;
    // given
    const r = await receiver(python);
    const { log, entries } = capture();
    // when
    const w = start({ env: envFor(r), log });
    w.ready('supervising kubelet');
    w.status('2 units healthy');
    // then
    assert.equal(w.enabled, true);
    assert.equal(w.intervalMs, INTERVAL_MS);
    await eventually(() => assert.ok(r.pings().length >= 8, `${r.pings().length} pings`), { timeoutMs: 5_000 });
    assert.deepEqual(
      r.got.slice(0, 2).map((d) => d.msg),
      ['READY=1\nSTATUS=supervising kubelet', 'STATUS=2 units healthy'],
    );
    assert.ok(
      r.got.every((d) => d.pid === process.pid),
      'sent by the main pid, as NotifyAccess=main requires',
    );
    const m = median(gaps(r.pings()));
    assert.ok(m >= INTERVAL_MS * 0.8 && m <= INTERVAL_MS * 1.6, `median gap ${m} ms for an interval of ${INTERVAL_MS} ms`);
    assert.ok(
      entries.some((e) => e.message === 'systemd watchdog on' && e.transport === 'unix-dgram'),
      'unix-dgram is built and used',
    );
    // and stopping ends the pings
    w.stopping();
    await eventually(() => assert.ok(r.got.some((d) => d.msg === 'STOPPING=1')), { timeoutMs: 2_000 });
    const clock = await receiver(python);
    start({ env: envFor(clock), log: capture().log });
    await eventually(() => assert.ok(clock.pings().length >= 4), { timeoutMs: 5_000 });
    assert.equal(r.got.at(-1)?.msg, 'STOPPING=1', 'no ping after STOPPING=1');
    w.close();
  });

  test('no pings while healthy() is false, again once it is true', async (t) => {
    const python = need(t, 'python3', 'python3');
    if (!python) return;
    // given
    const r = await receiver(python);
    const { log, entries } = capture();
    let healthy = true;
    let consultedWhileUnhealthy = 0;
    start({
      env: envFor(r),
      log,
      healthy: () => {
        if (!healthy) consultedWhileUnhealthy++;
        return healthy;
      },
    });
    await eventually(() => assert.ok(r.pings().length >= 3), { timeoutMs: 5_000 });
    // when: five consultations in a row say unhealthy
    healthy = false;
    await eventually(() => assert.ok(consultedWhileUnhealthy >= 5), { timeoutMs: 5_000 });
    const before = r.pings().length;
    healthy = true;
    await eventually(() => assert.ok(r.pings().length >= before + 3), { timeoutMs: 5_000 });
    // then
    const longest = Math.max(...gaps(r.pings()));
    assert.ok(longest >= 5 * INTERVAL_MS * 0.9, `longest gap ${longest} ms: pings went on while unhealthy`);
    assert.ok(longest <= 10 * INTERVAL_MS, `longest gap ${longest} ms: pings did not resume promptly`);
    assert.equal(entries.filter((e) => e.message === 'watchdog pings withheld: agent unhealthy').length, 1, 'logged once, not per tick');
    assert.equal(entries.filter((e) => e.message === 'watchdog pings resumed').length, 1);
  });

  test('a healthy() that throws withholds pings too', async (t) => {
    const python = need(t, 'python3', 'python3');
    if (!python) return;
    const r = await receiver(python);
    const { log, entries } = capture();
    let calls = 0;
    start({
      env: envFor(r),
      log,
      healthy: () => {
        calls++;
        throw new Error('supervisor state unreadable');
      },
    });
    await eventually(() => assert.ok(calls >= 4), { timeoutMs: 5_000 });
    assert.deepEqual(r.pings(), []);
    assert.ok(entries.some((e) => e.message === 'watchdog health check threw'));
  });

  test('a blocked event loop sends nothing meanwhile', async (t) => {
    const python = need(t, 'python3', 'python3');
    if (!python) return;
    // given
    const r = await receiver(python);
    const { log, entries } = capture();
    start({ env: envFor(r), log });
    await eventually(() => assert.ok(r.pings().length >= 4), { timeoutMs: 5_000 });
    const normal = median(gaps(r.pings()));
    // when
    block(1.5 * INTERVAL_MS);
    const afterShort = r.pings().length;
    await eventually(() => assert.ok(r.pings().length >= afterShort + 3), { timeoutMs: 5_000 });
    block(3 * INTERVAL_MS);
    const afterLong = r.pings().length;
    await eventually(() => assert.ok(r.pings().length >= afterLong + 2), { timeoutMs: 5_000 });
    // then
    const g = gaps(r.pings());
    const longest = Math.max(...g);
    assert.ok(longest >= 3 * INTERVAL_MS, `longest gap ${longest} ms, normal ${normal} ms`);
    const shortBlock = Math.max(...g.slice(0, afterShort + 2));
    assert.ok(shortBlock >= 1.4 * INTERVAL_MS, `gap around the 1.5-interval block: ${shortBlock} ms, normal ${normal} ms`);
    assert.ok(entries.some((e) => e.message === 'event loop stalled' && typeof e.durationMs === 'number' && e.durationMs >= 3 * INTERVAL_MS));
  });

  test('nothing is sent without NOTIFY_SOCKET, or with WATCHDOG_PID of another process', async (t) => {
    const python = need(t, 'python3', 'python3');
    if (!python) return;
    // given
    const r = await receiver(python);
    const clock = await receiver(python);
    const unset = start({ env: { WATCHDOG_USEC: String(WATCHDOG_USEC), WATCHDOG_PID: String(process.pid) }, log: capture().log });
    const foreign = start({ env: envFor(r, { WATCHDOG_PID: String(process.ppid) }), log: capture().log });
    // when
    for (const w of [unset, foreign]) {
      w.ready('up');
      w.status('fine');
    }
    // An enabled watchdog at the same interval is the clock: 4 of its pings
    // would have been 4 of theirs.
    start({ env: envFor(clock), log: capture().log });
    await eventually(() => assert.ok(clock.pings().length >= 4), { timeoutMs: 5_000 });
    foreign.stopping();
    // then
    for (const w of [unset, foreign]) {
      assert.equal(w.enabled, false);
      assert.equal(w.intervalMs, 0);
    }
    assert.deepEqual(r.got, []);
  });

  test('unsetEnvironment keeps children from notifying in our name', (t) => {
    const env: NodeJS.ProcessEnv = { NOTIFY_SOCKET: path.join(tmp, 'nobody.sock'), WATCHDOG_USEC: '0', WATCHDOG_PID: String(process.pid), PATH: '/usr/bin' };
    const w = start({ env, log: capture().log, unsetEnvironment: true });
    t.after(() => w.close());
    assert.deepEqual(env, { PATH: '/usr/bin' });
  });

  test('a socket that is gone: one warning, then one recovery line', async (t) => {
    const python = need(t, 'python3', 'python3');
    if (!python) return;
    const socket = path.join(tmp, 'later.sock');
    const { log, entries } = capture();
    start({ env: { NOTIFY_SOCKET: socket, WATCHDOG_USEC: String(WATCHDOG_USEC), WATCHDOG_PID: String(process.pid) }, log });
    await eventually(() => assert.ok(entries.some((e) => e.message === 'systemd notification failed')), { timeoutMs: 5_000 });
    const failed = entries.find((e) => e.message === 'systemd notification failed');
    assert.match(String(failed?.err), /ENOENT/);
    // when PID 1 binds it again (daemon-reexec)
    const r = await receiverAt(python, socket);
    await eventually(() => assert.ok(r.pings().length >= 2), { timeoutMs: 5_000 });
    assert.equal(entries.filter((e) => e.message === 'systemd notification failed').length, 1);
    assert.ok(entries.some((e) => e.message === 'systemd notification delivered again' && Number(e.failures) >= 1));
  });
});

describe('the systemd-notify fallback', () => {
  test('abstract sockets, which unix-dgram cannot address, go through systemd-notify', async (t) => {
    const python = need(t, 'python3', 'python3');
    const notify = need(t, 'systemd-notify', 'systemd');
    if (!python || !notify) return;
    // given
    const r = await receiver(python, true);
    const { log, entries } = capture();
    // when
    const w = start({ env: envFor(r), log });
    w.ready('up');
    // then
    await eventually(() => assert.ok(r.pings().length >= 3), { timeoutMs: 5_000 });
    assert.ok(
      entries.some((e) => e.message === 'notifying systemd through systemd-notify' && /abstract/.test(String(e.err))),
      'says why, once',
    );
    const ready = r.got.find((d) => d.msg.startsWith('READY=1'));
    assert.equal(ready?.msg, 'READY=1\nSTATUS=up');
    // Run as root, systemd-notify sends with its parent's pid: NotifyAccess=main accepts it.
    if (process.getuid?.() === 0)
      assert.ok(
        r.got.every((d) => d.pid === process.pid),
        `sender pids ${r.got.map((d) => d.pid).join(',')}`,
      );
  });

  test('forced: pings at the interval through a process per message', async (t) => {
    const python = need(t, 'python3', 'python3');
    const notify = need(t, 'systemd-notify', 'systemd');
    if (!python || !notify) return;
    const r = await receiver(python);
    const w = start({ env: envFor(r), log: capture().log, transport: 'systemd-notify' });
    w.status('multi\nline');
    await eventually(() => assert.ok(r.pings().length >= 5), { timeoutMs: 5_000 });
    assert.ok(
      r.got.some((d) => d.msg === 'STATUS=multi line'),
      'a newline cannot start another field',
    );
    const m = median(gaps(r.pings()));
    assert.ok(m >= INTERVAL_MS * 0.8 && m <= INTERVAL_MS * 2, `median gap ${m} ms`);
  });

  test('a missing systemd-notify: one warning', async () => {
    const { log, entries } = capture();
    start({
      env: { NOTIFY_SOCKET: path.join(tmp, 'x.sock'), WATCHDOG_USEC: String(WATCHDOG_USEC) },
      log,
      transport: 'systemd-notify',
      systemdNotify: path.join(tmp, 'no-such-systemd-notify'),
    });
    await eventually(() => assert.ok(entries.some((e) => e.message === 'systemd notification failed')), { timeoutMs: 5_000 });
    const failed = entries.filter((e) => e.message === 'systemd notification failed');
    assert.equal(failed.length, 1);
    assert.equal(failed[0]?.transport, 'systemd-notify');
  });
});
