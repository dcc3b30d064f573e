import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import {
  CONTAINERD_CHECK,
  DOCKER_CHECK,
  KUBELET_CHECK,
  describeCheck,
  runCheck,
  type CheckResult,
  type HealthCheck,
} from '../../../agent/supervisor/probes.js';
import { createCa, issueCert } from '../../../coordinator/pki/ca.js';
import { readProcStat } from '../../../proto/common/proc.js';
import { eventually } from '../../harness/cluster.js';
import { defer, requireBinary, startContainerd, startDockerd, tempDir } from '../../harness/runtimes.js';

/** How late a check may settle after its timeout: timer and event-loop lag, never a peer's behaviour. */
const SETTLE_SLACK_MS = 200;

const tmpDir = (t: TestContext): string => tempDir(t, 'belay-probe-');

async function listen(t: TestContext, server: net.Server, where: number | string = 0): Promise<number> {
  await new Promise<void>((resolve) => (typeof where === 'string' ? server.listen(where, resolve) : server.listen(where, '127.0.0.1', resolve)));
  defer(t, () => {
    if ('closeAllConnections' in server && typeof server.closeAllConnections === 'function') (server as http.Server).closeAllConnections();
    server.close();
  });
  const a = server.address();
  return typeof a === 'object' && a !== null ? a.port : 0;
}

/** An HTTP server answering every request with `status` after `delayMs`, or never. */
async function httpServer(t: TestContext, status: number, delayMs: number | 'never' = 0): Promise<string> {
  const server = http.createServer((_req, res) => {
    if (delayMs === 'never') return;
    const timer = setTimeout(() => res.writeHead(status).end('body'), delayMs);
    res.on('close', () => clearTimeout(timer));
  });
  const port = await listen(t, server);
  return `http://127.0.0.1:${port}/healthz`;
}

/** A server that accepts and never sends a byte; it reads (so it sees the client close) and counts connections. */
async function silentServer(
  t: TestContext,
  where: number | string = 0,
): Promise<{ port: number; connections(): number; open(): number; shut(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let total = 0;
  const server = net.createServer((s) => {
    total++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    s.resume();
  });
  const port = await listen(t, server, where);
  const shut = async (): Promise<void> => {
    const closed = new Promise((r) => server.close(r));
    sockets.forEach((s) => s.destroy());
    await closed;
  };
  defer(t, () => sockets.forEach((s) => s.destroy()));
  return { port, connections: () => total, open: () => sockets.size, shut };
}

/** Settled within timeoutMs + slack, by the clock and by its own account. */
async function timed(c: HealthCheck, timeoutMs: number): Promise<CheckResult & { wallMs: number }> {
  const t0 = performance.now();
  const r = await runCheck(c, timeoutMs);
  const wallMs = performance.now() - t0;
  assert.ok(wallMs <= timeoutMs + SETTLE_SLACK_MS, `${describeCheck(c)} settled after ${Math.round(wallMs)} ms (timeout ${timeoutMs} ms)`);
  assert.ok(r.durationMs <= timeoutMs + SETTLE_SLACK_MS);
  return { ...r, wallMs };
}

/** Alive and not a zombie (PID 1 here reaps orphans late). */
function alive(pid: number): boolean {
  const st = readProcStat(pid);
  return st !== undefined && st.state !== 'Z' && st.state !== 'X';
}

/** A child node process running `script`, killed after the test; resolves with its first line of output. */
async function nodeChild(t: TestContext, script: string, ...args: string[]): Promise<{ child: ChildProcess; firstLine: string }> {
  const child = spawn(process.execPath, ['-e', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  defer(t, () => {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  });
  const firstLine = await new Promise<string>((resolve, reject) => {
    child.stdout?.once('data', (b: Buffer) => resolve(b.toString().trim()));
    child.once('exit', (code) => reject(new Error(`helper exited ${code}`)));
  });
  return { child, firstLine };
}

/**
 * A TCP port whose connects hang: a stopped process listening with
 * backlog 1, its accept queue filled, so the kernel drops further SYNs.
 */
async function hungTcpPort(t: TestContext): Promise<number> {
  const { child, firstLine } = await nodeChild(
    t,
    "const s=require('net').createServer();s.listen({port:0,host:'127.0.0.1',backlog:1},()=>console.log(s.address().port))",
  );
  const port = Number(firstLine);
  process.kill(child.pid ?? 0, 'SIGSTOP');
  const fillers: net.Socket[] = [];
  defer(t, () => fillers.forEach((s) => s.destroy()));
  for (let i = 0; i < 10; i++) {
    const s = net.connect(port, '127.0.0.1');
    fillers.push(s);
    const connected = await new Promise<boolean>((resolve) => {
      s.once('connect', () => resolve(true));
      s.once('error', () => resolve(false));
      setTimeout(() => resolve(false), 300);
    });
    if (!connected) return port;
  }
  throw new Error(`could not fill the accept queue of 127.0.0.1:${port}`);
}

/** A unix socket file nobody listens on any more: its server was SIGKILLed, as a crashed daemon leaves it. */
async function staleSocket(t: TestContext, dir: string): Promise<string> {
  const sock = path.join(dir, 'stale.sock');
  const { child } = await nodeChild(t, "require('net').createServer().listen(process.argv[1],()=>console.log('ready'))", sock);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  assert.ok(fs.existsSync(sock));
  return sock;
}

test('describeCheck names what is asked, and where', () => {
  assert.equal(describeCheck(KUBELET_CHECK), 'GET http://127.0.0.1:10248/healthz');
  assert.equal(describeCheck(DOCKER_CHECK), 'GET /_ping on /var/run/docker.sock');
  assert.equal(describeCheck(CONTAINERD_CHECK), 'gRPC /containerd.services.version.v1.Version/Version on /run/containerd/containerd.sock');
  assert.equal(describeCheck({ type: 'tcp', host: '::1', port: 6443 }), 'connect [::1]:6443');
  assert.equal(describeCheck({ type: 'tcp', host: '10.0.0.1', port: 2379 }), 'connect 10.0.0.1:2379');
  assert.equal(describeCheck({ type: 'exec', command: ['sh', '-c', 'crictl info >/dev/null'] }), 'exec sh -c "crictl info >/dev/null"');
});

test('http: 2xx and 3xx are healthy by default, others are not; expectStatus overrides', async (t) => {
  const ok = await runCheck({ type: 'http', url: await httpServer(t, 200) }, 1_000);
  assert.deepEqual([ok.ok, ok.reason], [true, 'ok: 200']);
  assert.equal((await runCheck({ type: 'http', url: await httpServer(t, 302) }, 1_000)).ok, true);
  const url500 = await httpServer(t, 500);
  const bad = await runCheck({ type: 'http', url: url500 }, 1_000);
  assert.deepEqual([bad.ok, bad.reason], [false, `GET ${url500}: 500`]);
  assert.equal((await runCheck({ type: 'http', url: url500, expectStatus: [500] }, 1_000)).ok, true);
  assert.equal((await runCheck({ type: 'http', url: await httpServer(t, 200), expectStatus: [204] }, 1_000)).ok, false);
});

test('http: a server that never answers, or answers late, is a timeout; one that answers in time is not', async (t) => {
  const never = await httpServer(t, 200, 'never');
  const r = await timed({ type: 'http', url: never }, 300);
  assert.deepEqual([r.ok, r.reason], [false, `GET ${never}: timeout after 300 ms`]);
  assert.ok(r.wallMs >= 290);
  const late = await httpServer(t, 200, 800);
  assert.equal((await timed({ type: 'http', url: late }, 300)).reason, `GET ${late}: timeout after 300 ms`);
  const slow = await httpServer(t, 200, 150);
  assert.equal((await timed({ type: 'http', url: slow }, 1_000)).ok, true);
});

test('http: the status decides, a body that never ends does not hold the check', async (t) => {
  const server = http.createServer((_req, res) => {
    res.writeHead(200);
    res.write('partial');
  });
  const port = await listen(t, server);
  const r = await timed({ type: 'http', url: `http://127.0.0.1:${port}/` }, 1_000);
  assert.equal(r.ok, true);
  assert.ok(r.wallMs < 500, `took ${r.wallMs} ms`);
});

test('http: a refused connection fails at once, in words', async (t) => {
  const server = net.createServer();
  const port = await listen(t, server);
  await new Promise((r) => server.close(r));
  const r = await timed({ type: 'http', url: `http://127.0.0.1:${port}/healthz` }, 1_000);
  assert.equal(r.reason, `GET http://127.0.0.1:${port}/healthz: connection refused (ECONNREFUSED)`);
  assert.ok(r.wallMs < 500);
  const ftp = await runCheck({ type: 'http', url: 'ftp://127.0.0.1/' }, 1_000);
  assert.equal(ftp.ok, false);
  assert.match(ftp.reason, /unsupported scheme ftp:/);
});

test('https: a self-signed certificate fails verification unless insecureSkipVerify, as kubelet probes do', async (t) => {
  const ca = await createCa({ clusterName: 'probe-test', days: 1 });
  const leaf = await issueCert(ca, { commonName: 'kubelet', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usages: ['server'], days: 1 });
  const server = https.createServer({ cert: leaf.certPem, key: leaf.keyPem }, (_req, res) => res.writeHead(200).end('ok'));
  const port = await listen(t, server);
  const url = `https://127.0.0.1:${port}/healthz`;
  const strict = await runCheck({ type: 'http', url }, 2_000);
  assert.equal(strict.ok, false);
  assert.match(strict.reason, new RegExp(`^GET ${url}: .*(certificate|UNABLE_TO_VERIFY)`));
  const lax = await runCheck({ type: 'http', url, insecureSkipVerify: true }, 2_000);
  assert.deepEqual([lax.ok, lax.reason], [true, 'ok: 200']);
});

test('tcp: an open port is healthy, a closed one is not', async (t) => {
  const open = net.createServer((s) => s.destroy());
  const port = await listen(t, open);
  assert.deepEqual(await runCheck({ type: 'tcp', host: '127.0.0.1', port }, 1_000).then((r) => [r.ok, r.reason]), [true, 'ok: connected']);
  const closed = net.createServer();
  const closedPort = await listen(t, closed);
  await new Promise((r) => closed.close(r));
  const r = await runCheck({ type: 'tcp', host: '127.0.0.1', port: closedPort }, 1_000);
  assert.deepEqual([r.ok, r.reason], [false, `connect 127.0.0.1:${closedPort}: connection refused (ECONNREFUSED)`]);
});

test('unix-http: status over a unix socket; a missing socket fails at once', async (t) => {
  const dir = tmpDir(t);
  const sock = path.join(dir, 'api.sock');
  await listen(
    t,
    http.createServer((req, res) => res.writeHead(req.url === '/_ping' ? 200 : 404).end('OK')),
    sock,
  );
  assert.deepEqual(await runCheck({ type: 'unix-http', socket: sock, path: '/_ping' }, 1_000).then((r) => [r.ok, r.reason]), [true, 'ok: 200']);
  assert.equal((await runCheck({ type: 'unix-http', socket: sock, path: '/other' }, 1_000)).reason, `GET /other on ${sock}: 404`);
  const missing = await timed({ type: 'unix-http', socket: path.join(dir, 'nope.sock'), path: '/_ping' }, 1_000);
  assert.equal(missing.reason, `GET /_ping on ${path.join(dir, 'nope.sock')}: no such file (ENOENT)`);
});

test('unix-http: a real dockerd answers /_ping', async (t) => {
  if (!requireBinary(t, 'dockerd', 'docker.io')) return;
  const docker = await startDockerd(path.join(tmpDir(t), 'docker'));
  defer(t, () => docker.stop());
  const r = await runCheck({ ...DOCKER_CHECK, socket: docker.socket }, 1_000);
  assert.deepEqual([r.ok, r.reason], [true, 'ok: 200']);
});

test('grpc-unix: a real containerd answers Version; a stopped one times out and recovers when continued; a restarted one is seen at once', async (t) => {
  if (!requireBinary(t, 'containerd', 'containerd')) return;
  const dir = path.join(tmpDir(t), 'containerd');
  const containerd = await startContainerd(dir);
  defer(t, () => containerd.stop());
  const check = { ...CONTAINERD_CHECK, socket: containerd.socket };
  const r = await runCheck(check, 1_000);
  assert.deepEqual([r.ok, r.reason], [true, 'ok: OK']);
  const wrong = await runCheck({ ...check, method: '/containerd.services.version.v1.Version/Nope' }, 1_000);
  assert.equal(wrong.ok, false);
  assert.match(wrong.reason, /^gRPC \/containerd.services.version.v1.Version\/Nope on .*: UNIMPLEMENTED: /);
  // when: containerd hangs (SIGSTOP: the kernel still accepts connections, nobody answers)
  process.kill(containerd.pid, 'SIGSTOP');
  defer(t, () => {
    try {
      process.kill(containerd.pid, 'SIGCONT');
    } catch {
      // already gone
    }
  });
  const hung = await timed(check, 500);
  assert.deepEqual([hung.ok, hung.reason], [false, `gRPC ${check.method} on ${containerd.socket}: timeout after 500 ms`]);
  // then: the next check is not held by the previous, hung one
  const again = await timed(check, 500);
  assert.equal(again.reason, hung.reason);
  process.kill(containerd.pid, 'SIGCONT');
  const back = await timed(check, 1_000);
  assert.equal(back.ok, true, back.reason);
  // when: containerd dies, and another starts on the same socket path
  process.kill(containerd.pid, 'SIGKILL');
  await eventually(() => assert.ok(!alive(containerd.pid)), { timeoutMs: 5_000 });
  const dead = await timed(check, 1_000);
  // the kept connection sees a reset, a drop or a refused reconnect, depending on timing: UNAVAILABLE all the same
  assert.match(dead.reason, new RegExp(`^gRPC ${check.method} on ${containerd.socket}: UNAVAILABLE: `));
  const restarted = await startContainerd(dir);
  defer(t, () => restarted.stop());
  // then: no reconnect backoff stands between the new daemon and the next check
  const t0 = performance.now();
  assert.equal((await runCheck(check, 1_000)).ok, true);
  assert.ok(performance.now() - t0 < 100, `took ${performance.now() - t0} ms`);
});

test('grpc-unix: a socket nobody listens on, or no socket at all, fails at once', async (t) => {
  const dir = tmpDir(t);
  const stale = await staleSocket(t, dir);
  const r = await timed({ ...CONTAINERD_CHECK, socket: stale }, 2_000);
  assert.equal(r.ok, false);
  assert.match(r.reason, new RegExp(`^gRPC ${CONTAINERD_CHECK.method} on ${stale}: UNAVAILABLE: .*ECONNREFUSED`));
  assert.ok(r.wallMs < 1_000, `took ${r.wallMs} ms`);
  const nope = path.join(dir, 'nope.sock');
  const missing = await timed({ ...CONTAINERD_CHECK, socket: nope }, 2_000);
  assert.equal(missing.reason, `gRPC ${CONTAINERD_CHECK.method} on ${nope}: no such file (ENOENT)`);
});

test('exec: exit 0 is healthy; otherwise the code and the last line of output say why', async () => {
  assert.deepEqual(await runCheck({ type: 'exec', command: ['true'] }, 1_000).then((r) => [r.ok, r.reason]), [true, 'ok: exit 0']);
  assert.deepEqual(await runCheck({ type: 'exec', command: ['false'] }, 1_000).then((r) => [r.ok, r.reason]), [false, 'exec false: exit 1']);
  const why = await runCheck({ type: 'exec', command: ['sh', '-c', 'echo starting; echo "no runtime endpoint" >&2; exit 3'] }, 1_000);
  assert.equal(why.reason, 'exec sh -c "echo starting; echo \\"no runtime endpoint\\" >&2; exit 3": exit 3: no runtime endpoint');
  const env = await runCheck({ type: 'exec', command: ['sh', '-c', 'test "$PROBE_VALUE" = yes && test -n "$PATH"'], env: { PROBE_VALUE: 'yes' } }, 1_000);
  assert.equal(env.ok, true, env.reason);
  const missing = await runCheck({ type: 'exec', command: ['belay-no-such-command'] }, 1_000);
  assert.deepEqual([missing.ok, missing.reason], [false, 'exec belay-no-such-command: no such file (ENOENT)']);
  assert.equal((await runCheck({ type: 'exec', command: [] }, 1_000)).reason, 'exec: empty command');
});

test('exec: a hung command is killed at the timeout with everything it started', async (t) => {
  const pids = path.join(tmpDir(t), 'pids');
  const r = await timed({ type: 'exec', command: ['sh', '-c', `sleep 10 & echo "$$ $!" > ${pids}; wait`] }, 500);
  assert.deepEqual([r.ok, r.reason], [false, `exec sh -c "sleep 10 & echo \\"$$ $!\\" > ${pids}; wait": timeout after 500 ms`]);
  const [sh, sleep] = fs.readFileSync(pids, 'utf8').trim().split(' ').map(Number);
  assert.ok(sh !== undefined && sleep !== undefined);
  await eventually(() => assert.ok(!alive(sh) && !alive(sleep), `left running: ${[sh, sleep].filter(alive).join(' ')}`), { timeoutMs: 1_000 });
});

test('exec: the exit decides, a background child holding the output neither delays the check nor outlives it', async (t) => {
  const pidFile = path.join(tmpDir(t), 'pid');
  const r = await timed({ type: 'exec', command: ['sh', '-c', `sleep 10 & echo $! > ${pidFile}; exit 0`] }, 2_000);
  assert.equal(r.ok, true, r.reason);
  assert.ok(r.wallMs < 1_000, `took ${r.wallMs} ms`);
  const pid = Number(fs.readFileSync(pidFile, 'utf8'));
  await eventually(() => assert.ok(!alive(pid), `sleep ${pid} left running`), { timeoutMs: 1_000 });
});

test('grpc-unix: checks against a peer that never answers share one connection', async (t) => {
  const sock = path.join(tmpDir(t), 'hung.sock');
  const peer = await silentServer(t, sock);
  const check = { ...CONTAINERD_CHECK, socket: sock };
  // given: a check already waiting on the handshake
  const first = runCheck(check, 600);
  // when: more checks run meanwhile and after it
  const concurrent = await Promise.all([timed(check, 300), timed(check, 300)]);
  for (let i = 0; i < 3; i++) concurrent.push(await timed(check, 200));
  // then: each fails at its own deadline, and the peer saw one connection
  assert.ok(concurrent.every((r) => r.reason.endsWith('timeout after 300 ms') || r.reason.endsWith('timeout after 200 ms')));
  assert.equal((await first).reason, `gRPC ${check.method} on ${sock}: timeout after 600 ms`);
  assert.equal(peer.connections(), 1);
});

test('every check settles within its timeout when the peer hangs, and leaves no socket, timer or child behind', async (t) => {
  const dir = tmpDir(t);
  const kinds = ['TCPSocketWrap', 'PipeWrap', 'ProcessWrap', 'Timeout', 'TLSWrap'];
  const count = (): Record<string, number> => {
    const c: Record<string, number> = Object.fromEntries(kinds.map((k) => [k, 0]));
    for (const r of process.getActiveResourcesInfo()) if (r in c) c[r] = (c[r] ?? 0) + 1;
    return c;
  };
  // given: peers that accept and never answer
  const httpPort = await listen(
    t,
    http.createServer(() => undefined),
  );
  const tls = await silentServer(t); // never starts the TLS handshake
  const unixHttp = path.join(dir, 'http.sock');
  await silentServer(t, unixHttp);
  const unixGrpc = path.join(dir, 'grpc.sock');
  const grpcPeer = await silentServer(t, unixGrpc); // no HTTP/2 SETTINGS ever
  const tcpPort = await hungTcpPort(t);
  const before = count();
  const timeoutMs = 400;
  const checks: HealthCheck[] = [
    { type: 'http', url: `http://127.0.0.1:${httpPort}/healthz` },
    { type: 'http', url: `https://127.0.0.1:${tls.port}/healthz`, insecureSkipVerify: true },
    { type: 'unix-http', socket: unixHttp, path: '/_ping' },
    { type: 'grpc-unix', socket: unixGrpc, method: CONTAINERD_CHECK.method },
    { type: 'tcp', host: '127.0.0.1', port: tcpPort },
    { type: 'exec', command: ['sleep', '10'] },
  ];
  // when: all run at once, three rounds in a row (a hung round must not hold the next)
  for (let round = 0; round < 3; round++) {
    const results = await Promise.all(checks.map((c) => timed(c, timeoutMs)));
    // then
    for (const [i, r] of results.entries()) {
      assert.equal(r.reason, `${describeCheck(checks[i] as HealthCheck)}: timeout after ${timeoutMs} ms`);
      assert.ok(r.wallMs >= timeoutMs - 10, `${r.reason} after ${r.wallMs} ms`);
    }
  }
  // the gRPC client is kept per socket: one connection, held until the peer goes away
  assert.equal(grpcPeer.connections(), 1);
  await grpcPeer.shut();
  await eventually(
    () => {
      const after = count();
      for (const k of kinds) assert.ok((after[k] ?? 0) <= (before[k] ?? 0), `${k}: ${before[k]} before, ${after[k]} after`);
    },
    { timeoutMs: 2_000 },
  );
});
