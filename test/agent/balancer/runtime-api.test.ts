import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { BACKEND, haproxyPaths, renderHaproxyConfig } from '../../../coordinator/balancer/haproxy-config.js';
import { runtimeCommand, setServerState, showServers, waitDrained, waitServerUp, type ServerStatus } from '../../../agent/balancer/runtime-api.js';
import { parseClusterSpec } from '../../../coordinator/cluster/spec.js';
import { createCa, issueCert } from '../../../coordinator/pki/ca.js';
import { OperatorError } from '../../../proto/common/errors.js';
import { eventually } from '../../harness/eventually.js';

/**
 * The runtime API client against a real haproxy 2.6 balancing three stand-in
 * apiservers: tiny HTTPS servers on their own loopback addresses answering
 * /readyz (switchable) and `GET /` with their name.
 */

const HAPROXY = '/usr/sbin/haproxy';
const CHECK_INTERVAL_MS = 500;
const FALL = 2;
const RISE = 2;
/** Requests in the restart scenario, at least. */
const LOAD_REQUESTS = 300;

/**
 * A stand-in apiserver in its own worker thread: its event loop must not
 * wait behind the test's load clients, or haproxy's 500 ms checks time out
 * on a busy machine and mark every server DOWN (seen on a loaded 2-core host).
 * Plain JS (eval): the worker does not go through tsx.
 */
const BACKEND_WORKER = `
const { parentPort, workerData: w } = require('node:worker_threads');
const https = require('node:https');
let ready = true;
let server;
const sockets = new Set();
parentPort.on('message', (m) => {
  if (m.op === 'ready') { ready = m.value; parentPort.postMessage({ op: 'ready' }); }
  if (m.op === 'start') {
    server = https.createServer({ cert: w.cert, key: w.key }, (req, res) => {
      const [status, body] = req.url === '/readyz' ? (ready ? [200, 'ok'] : [500, 'not ready']) : [200, w.name];
      res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) }).end(body);
    });
    // A held connection must outlive the test's steps, as a watch does.
    server.keepAliveTimeout = 60000;
    server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
    server.once('error', (e) => parentPort.postMessage({ op: 'start', error: String(e) }));
    server.listen(w.port, w.address, () => parentPort.postMessage({ op: 'start' }));
  }
  if (m.op === 'stop') {
    if (!server) { parentPort.postMessage({ op: 'stop' }); return; }
    server.close(() => parentPort.postMessage({ op: 'stop' }));
    server = undefined;
    for (const s of sockets) s.destroy();
  }
});
`;

class Backend {
  private readonly worker: Worker;

  constructor(
    readonly name: string,
    readonly address: string,
    readonly port: number,
    tlsFiles: { cert: string; key: string },
  ) {
    this.worker = new Worker(BACKEND_WORKER, { eval: true, workerData: { name, address, port, ...tlsFiles } });
  }

  async start(): Promise<void> {
    await this.call({ op: 'start' });
  }

  async stop(): Promise<void> {
    await this.call({ op: 'stop' });
  }

  /** /readyz answers 200 when true, 500 when false. */
  async setReady(value: boolean): Promise<void> {
    await this.call({ op: 'ready', value });
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  private async call(m: { op: string; value?: boolean }): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: no answer to ${m.op}`)), 5_000);
      this.worker.once('message', (r: { op: string; error?: string }) => {
        clearTimeout(timer);
        if (r.error) reject(new Error(`${this.name} ${m.op}: ${r.error}`));
        else resolve();
      });
      this.worker.postMessage(m);
    });
  }
}

interface World {
  dir: string;
  socket: string;
  frontend: { host: string; port: number };
  healthPort: number;
  ca: string;
  backends: Backend[];
  haproxy: ChildProcess;
  haproxyLog: string[];
}

let w: World | undefined;

function world(): World {
  assert.ok(w, 'setup did not finish');
  return w;
}

async function freePort(host: string): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, host, resolve);
  });
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** One request on its own connection (Connection: close): a new session on the frontend, so round robin picks a server for it. */
async function get(): Promise<string> {
  const { frontend, ca } = world();
  return await new Promise<string>((resolve, reject) => {
    const req = https.request({ host: frontend.host, port: frontend.port, path: '/', ca, agent: false, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`status ${res.statusCode ?? '?'}: ${body}`))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

async function spread(n: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const name = await get();
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

/** A TLS connection through the frontend that landed on `name`, kept open (keep-alive) like a watch. */
async function holdConnectionOn(name: string): Promise<tls.TLSSocket> {
  const { frontend, ca } = world();
  for (let attempt = 0; attempt < 12; attempt++) {
    const s = tls.connect({ host: frontend.host, port: frontend.port, ca });
    s.setTimeout(5_000, () => s.destroy(new Error('no answer within 5 s')));
    const served = await new Promise<string>((resolve, reject) => {
      let text = '';
      s.setEncoding('utf8');
      s.once('error', reject);
      s.once('close', () => reject(new Error(`closed before an answer: ${text}`)));
      s.on('data', (d: string) => {
        text += d;
        const head = text.indexOf('\r\n\r\n');
        const length = /content-length: (\d+)/i.exec(text);
        if (head >= 0 && length && text.length >= head + 4 + Number(length[1])) resolve(text.slice(head + 4));
      });
      s.once('secureConnect', () => s.write('GET / HTTP/1.1\r\nHost: kube\r\n\r\n'));
    });
    s.removeAllListeners('data');
    s.removeAllListeners('close');
    s.setTimeout(0);
    if (served === name) return s;
    s.destroy();
  }
  throw new Error(`no connection landed on ${name} in 12 tries`);
}

async function server(name: string): Promise<ServerStatus> {
  const s = (await showServers(world().socket, BACKEND)).find((x) => x.name === name);
  assert.ok(s, `no server ${name}`);
  return s;
}

function rejectsOperator(p: Promise<unknown>, code: string, mention: string): Promise<void> {
  return assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof OperatorError, String(e));
    assert.equal(e.code, code, e.message);
    assert.ok(e.message.includes(mention), e.message);
    assert.notEqual(e.hint, '');
    return true;
  });
}

// Under CI a missing haproxy fails (spawn in before), never skips.
const skip = !fs.existsSync(HAPROXY) && process.env.CI !== 'true' ? `${HAPROXY} missing: apt-get install haproxy` : false;

describe('haproxy runtime API against a real haproxy', { skip, timeout: 120_000 }, () => {
  before(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-haproxy-'));
    // Own loopback addresses (all of 127/8 answers on Linux), random enough that parallel runs do not meet.
    const prefix = `127.${20 + Math.floor(Math.random() * 200)}.${1 + Math.floor(Math.random() * 250)}`;
    const addresses = [1, 2, 3].map((i) => `${prefix}.${i}`);
    const [securePort, lbPort, healthPort] = [await freePort('127.0.0.1'), await freePort('127.0.0.1'), await freePort('127.0.0.1')];
    assert.ok(securePort && lbPort && healthPort && new Set([securePort, lbPort, healthPort]).size === 3, 'three distinct free ports');
    const ca = await createCa({ clusterName: 'test', days: 1 });
    const leaf = await issueCert(ca, { commonName: 'kube-apiserver', dnsNames: ['localhost'], ipAddresses: addresses, usages: ['server'], days: 1 });
    const spec = parseClusterSpec(
      JSON.stringify({
        apiVersion: 'belay.dev/v1alpha1',
        kind: 'Cluster',
        metadata: { name: 'test' },
        spec: {
          masters: addresses.map((address, i) => ({ name: `m${i + 1}`, address })),
          apiserver: { securePort },
          loadBalancer: { port: lbPort, checkIntervalMs: CHECK_INTERVAL_MS, fall: FALL, rise: RISE },
        },
      }),
    );
    const backends = addresses.map((a, i) => new Backend(`m${i + 1}`, a, securePort, { cert: leaf.certPem, key: leaf.keyPem }));
    const paths = haproxyPaths(dir);
    // Made here by the test; under kubelet the hostPath volumes (DirectoryOrCreate) make them.
    fs.mkdirSync(paths.configDir, { recursive: true });
    fs.mkdirSync(paths.socketDir, { recursive: true });
    fs.writeFileSync(paths.configFile, renderHaproxyConfig({ spec, master: 'm1', root: dir, healthPort }));
    const haproxyLog: string[] = [];
    const haproxy = spawn(HAPROXY, ['-f', paths.configFile, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
    for (const out of [haproxy.stdout, haproxy.stderr]) out.on('data', (d: Buffer) => haproxyLog.push(...d.toString().trim().split('\n')));
    w = { dir, socket: paths.socket, frontend: { host: addresses[0] ?? '', port: lbPort }, healthPort, ca: ca.certPem, backends, haproxy, haproxyLog };
    for (const b of backends) await b.start();
    await eventually(() => showServers(paths.socket, BACKEND), { timeoutMs: 10_000 }).catch((err: unknown) => {
      throw new Error(`haproxy did not open its runtime API: ${haproxyLog.join('\n')}`, { cause: err });
    });
  });

  after(async () => {
    if (!w) return;
    const { haproxy, backends, dir } = w;
    if (haproxy.exitCode === null && haproxy.signalCode === null) {
      const exited = new Promise<void>((resolve) => haproxy.once('exit', () => resolve()));
      haproxy.kill('SIGTERM');
      const timer = setTimeout(() => haproxy.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    }
    for (const b of backends) await b.terminate();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('all servers UP after start, READY, each with its address; traffic reaches all three; the liveness endpoint answers', async () => {
    const { socket, backends, frontend, healthPort } = world();
    for (const b of backends) await waitServerUp(socket, BACKEND, b.name, { timeoutMs: 5_000 });
    const servers = await showServers(socket, BACKEND);
    assert.deepEqual(
      servers.map((s) => [s.name, s.address, s.operationalState, s.adminState, s.checkStatus]),
      backends.map((b) => [b.name, `${b.address}:${b.port}`, 'UP', 'READY', 'L7OK']),
    );
    const counts = await spread(30);
    assert.deepEqual(Object.keys(counts).sort(), ['m1', 'm2', 'm3']);
    const status = await new Promise<number>((resolve, reject) => {
      http
        .get({ host: frontend.host, port: healthPort, path: '/healthz' }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on('error', reject);
    });
    assert.equal(status, 200);
  });

  test('a server whose /readyz fails goes DOWN within fall × inter (+ slack) and gets no new connection; UP again after rise', async (t) => {
    const { socket, backends } = world();
    const m2 = backends[1];
    assert.ok(m2);
    // given
    await waitServerUp(socket, BACKEND, 'm2', { timeoutMs: 5_000 });
    // when
    const t0 = performance.now();
    await m2.setReady(false);
    // then
    await eventually(async () => assert.equal((await server('m2')).operationalState, 'DOWN'), { timeoutMs: FALL * CHECK_INTERVAL_MS + 2_000, intervalMs: 20 });
    const downMs = performance.now() - t0;
    t.diagnostic(`/readyz 500 → DOWN in ${downMs.toFixed(0)} ms (inter ${CHECK_INTERVAL_MS} ms, fall ${FALL})`);
    assert.ok(downMs <= FALL * CHECK_INTERVAL_MS + 1_000, `DOWN after ${downMs} ms`);
    const counts = await spread(30);
    assert.equal(counts.m2, undefined, JSON.stringify(counts));

    const t1 = performance.now();
    await m2.setReady(true);
    const { durationMs } = await waitServerUp(socket, BACKEND, 'm2', { timeoutMs: RISE * CHECK_INTERVAL_MS + 2_000, pollMs: 20 });
    t.diagnostic(`/readyz 200 → UP in ${(performance.now() - t1).toFixed(0)} ms (waitServerUp: ${durationMs} ms; rise ${RISE})`);
    assert.ok((await spread(30)).m2, 'm2 gets traffic again');
  });

  test('drain: new connections go to the others; waitDrained resolves only once the held connection closes; ready brings traffic back', async (t) => {
    const { socket } = world();
    // given a long-lived connection on m1
    const held = await holdConnectionOn('m1');
    assert.equal((await server('m1')).currentSessions, 1);
    // when
    await setServerState(socket, BACKEND, 'm1', 'drain');
    // then
    const m1 = await server('m1');
    assert.equal(m1.adminState, 'DRAIN');
    assert.equal(m1.operationalState, 'UP');
    let resolvedAt: number | undefined;
    const drained = waitDrained(socket, BACKEND, 'm1', { timeoutMs: 15_000, pollMs: 20 }).then((r) => {
      resolvedAt = performance.now();
      return r;
    });
    const counts = await spread(30);
    assert.equal(counts.m1, undefined, JSON.stringify(counts));
    assert.equal(resolvedAt, undefined, 'waitDrained resolved while a session was open');
    assert.equal((await server('m1')).currentSessions, 1);

    const closedAt = performance.now();
    held.destroy();
    const { durationMs } = await drained;
    assert.ok(resolvedAt !== undefined && resolvedAt >= closedAt);
    t.diagnostic(`waitDrained: ${durationMs} ms in all, ${((resolvedAt ?? 0) - closedAt).toFixed(0)} ms after the held connection closed`);

    await setServerState(socket, BACKEND, 'm1', 'ready');
    assert.equal((await server('m1')).adminState, 'READY');
    assert.ok((await spread(30)).m1, 'm1 gets traffic again');
  });

  test('maint: no traffic and checks paused; ready → checked UP and traffic again', async (t) => {
    const { socket } = world();
    await setServerState(socket, BACKEND, 'm3', 'maint');
    const m3 = await server('m3');
    assert.equal(m3.adminState, 'MAINT');
    assert.equal(m3.status, 'MAINT');
    assert.equal((await spread(30)).m3, undefined);
    // A maint server holds no session either: waitDrained accepts it.
    await waitDrained(socket, BACKEND, 'm3', { timeoutMs: 2_000 });

    await setServerState(socket, BACKEND, 'm3', 'ready');
    const { durationMs } = await waitServerUp(socket, BACKEND, 'm3', { timeoutMs: RISE * CHECK_INTERVAL_MS + 3_000, pollMs: 20 });
    t.diagnostic(`maint → ready → UP in ${durationMs} ms`);
    assert.equal((await server('m3')).adminState, 'READY');
    assert.ok((await spread(30)).m3, 'm3 gets traffic again');
  });

  test('errors: unknown server, unknown backend, missing socket, wait timeouts, abort', async () => {
    const { socket, dir } = world();
    await rejectsOperator(setServerState(socket, BACKEND, 'm9', 'drain'), 'HAPROXY_UNKNOWN_SERVER', 'kube-apiserver/m9');
    await rejectsOperator(setServerState(socket, 'nope', 'm1', 'drain'), 'HAPROXY_UNKNOWN_SERVER', 'No such backend');
    await rejectsOperator(showServers(socket, 'nope'), 'HAPROXY_UNKNOWN_BACKEND', 'nope');
    const missing = path.join(dir, 'run', 'missing.sock');
    await rejectsOperator(showServers(missing, BACKEND), 'HAPROXY_SOCKET_MISSING', missing);
    await rejectsOperator(setServerState(missing, BACKEND, 'm1', 'ready'), 'HAPROXY_SOCKET_MISSING', missing);
    await rejectsOperator(waitDrained(socket, BACKEND, 'm1', { timeoutMs: 300, pollMs: 50 }), 'HAPROXY_DRAIN_TIMEOUT', 'it is READY');
    await rejectsOperator(waitServerUp(socket, BACKEND, 'm9', { timeoutMs: 300 }), 'HAPROXY_UNKNOWN_SERVER', 'm9');
    await rejectsOperator(waitServerUp(socket, BACKEND, 'm1', { timeoutMs: 300, stableMs: 5_000 }), 'HAPROXY_SERVER_NOT_UP', 'of the 5000 ms asked');
    const ac = new AbortController();
    const waiting = waitDrained(socket, BACKEND, 'm1', { timeoutMs: 10_000, pollMs: 50, signal: ac.signal });
    ac.abort(new Error('rollout paused'));
    await assert.rejects(waiting, /rollout paused/);
    await assert.rejects(runtimeCommand(socket, 'show info\nshutdown frontend apiserver'), /one command per call/);
    await assert.rejects(setServerState(socket, BACKEND, 'm1 state maint', 'ready'), /not an haproxy name/);
  });

  test(`a restart drained first fails none of ${LOAD_REQUESTS}+ requests under load`, async (t) => {
    const { socket, backends } = world();
    const m1 = backends[0];
    assert.ok(m1);
    for (const b of backends) await waitServerUp(socket, BACKEND, b.name, { timeoutMs: 5_000 });
    // given: three clients, one request per connection, until the restart is over and at least LOAD_REQUESTS were sent
    const served: { name: string; at: number }[] = [];
    const failures: string[] = [];
    const tStart = performance.now();
    const marks: string[] = [];
    const mark = (what: string) => marks.push(`${what} at ${(performance.now() - tStart).toFixed(0)} ms`);
    let done = false;
    const deadline = performance.now() + 60_000;
    const client = async () => {
      while ((!done || served.length + failures.length < LOAD_REQUESTS) && served.length + failures.length < 20_000 && performance.now() < deadline) {
        try {
          served.push({ name: await get(), at: performance.now() });
        } catch (err) {
          failures.push(`${(performance.now() - tStart).toFixed(0)} ms: ${String(err)}`);
        }
      }
    };
    const load = Promise.all([client(), client(), client()]);
    await eventually(() => assert.ok(served.length + failures.length >= 50), { timeoutMs: 10_000, intervalMs: 20 });

    // when: drain, wait for 0 sessions, restart, wait for UP, ready
    const t0 = performance.now();
    await setServerState(socket, BACKEND, 'm1', 'drain');
    const drain = await waitDrained(socket, BACKEND, 'm1', { timeoutMs: 10_000, pollMs: 20 });
    mark('drained');
    await m1.stop();
    mark('stopped');
    // As a real apiserver's restart, which outlasts a check interval: haproxy sees it DOWN while drained.
    await eventually(async () => assert.equal((await server('m1')).operationalState, 'DOWN'), { timeoutMs: 5_000, intervalMs: 20 });
    mark('DOWN');
    await m1.start();
    mark('started');
    const up = await waitServerUp(socket, BACKEND, 'm1', { timeoutMs: 10_000, pollMs: 20, stableMs: RISE * CHECK_INTERVAL_MS });
    mark('UP');
    await setServerState(socket, BACKEND, 'm1', 'ready');
    const readyAt = performance.now();
    await eventually(() => assert.ok(served.some((s) => s.name === 'm1' && s.at > readyAt)), { timeoutMs: 10_000, intervalMs: 20 });
    done = true;
    await load;

    // then
    const counts: Record<string, number> = {};
    for (const s of served) counts[s.name] = (counts[s.name] ?? 0) + 1;
    t.diagnostic(
      `${served.length + failures.length} requests, ${failures.length} failed; per server ${JSON.stringify(counts)}; ` +
        `drain → 0 sessions ${drain.durationMs} ms, started → UP and stable ${up.durationMs} ms, whole restart ${(readyAt - t0).toFixed(0)} ms (${marks.join(', ')})`,
    );
    assert.equal(failures.length, 0, `${failures.slice(0, 5).join('\n')}\n${marks.join(', ')}\nhaproxy:\n${world().haproxyLog.join('\n')}`);
    assert.ok(served.length >= LOAD_REQUESTS);
  });
});
