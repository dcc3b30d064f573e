import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type * as grpc from '@grpc/grpc-js';
import winston from 'winston';
import { balancerHandlers } from '../../../agent/rpc/balancer.js';
import { TermFence } from '../../../agent/rpc/fencing.js';
import type { RaisedEvent } from '../../../agent/report/events.js';
import { HostPaths } from '../../../proto/common/paths.js';
import type { AgentClient } from '../../../proto/gen/belay/v1/Agent.js';
import type { BalancerServersResponse__Output } from '../../../proto/gen/belay/v1/BalancerServersResponse.js';
import type { SyncBalancerServersResponse__Output } from '../../../proto/gen/belay/v1/SyncBalancerServersResponse.js';
import { agentRpcServers } from '../../harness/agent-rpc-server.js';
import { eventually } from '../../harness/eventually.js';

/**
 * BalancerServers / SetBalancerServer over a real gRPC server, against a real
 * haproxy whose runtime API socket is under the agent's --root: which socket
 * paths the agent speaks to (spec.loadBalancer.runtimeApi.socket in external
 * mode) and where it looks for them.
 */

const HAPROXY = '/usr/sbin/haproxy';
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-balancer-rpc-'));
const rpc = agentRpcServers();
const root = path.join(tmpRoot, 'm1');
/** As an operator would write it in the spec: a host path under /run. */
const SPEC_SOCKET = '/run/haproxy-external/admin.sock';
const events: RaisedEvent[] = [];
let haproxy: ChildProcess | undefined;
let client: AgentClient;

before(async () => {
  const socket = path.join(root, SPEC_SOCKET);
  fs.mkdirSync(path.dirname(socket), { recursive: true });
  const cfg = path.join(tmpRoot, 'haproxy.cfg');
  // Servers on a port nothing listens on, checks off: their states are runtime state only, which is all this needs.
  fs.writeFileSync(
    cfg,
    [
      'global',
      `  stats socket ${socket} mode 600 level admin`,
      'defaults',
      '  mode tcp',
      '  timeout connect 1s',
      '  timeout client 5s',
      '  timeout server 5s',
      'backend kube-apiserver',
      '  server m1 127.0.0.1:9',
      '  server m2 127.0.0.1:9',
      '',
    ].join('\n'),
  );
  haproxy = spawn(HAPROXY, ['-f', cfg, '-db'], { stdio: 'ignore' });
  await eventually(() => assert.ok(fs.existsSync(socket), 'haproxy made its socket'), { timeoutMs: 10_000 });
  const log = winston.createLogger({ level: 'error', transports: [new winston.transports.Console({ silent: true })] });
  const fence = new TermFence({ node: 'm1', file: path.join(root, 'var/lib/belay/agent/fencing.json'), log });
  client = await rpc.serve(balancerHandlers({ node: 'm1', paths: new HostPaths(root), fence, log, raise: (e) => events.push(e) }));
});

after(() => {
  haproxy?.kill('SIGKILL');
  rpc.close();
  fs.rmSync(tmpRoot, { recursive: true, force: true });
});

const servers = (socket: string): Promise<BalancerServersResponse__Output> =>
  new Promise((resolve, reject) =>
    client.BalancerServers({ socket, backend: 'kube-apiserver' }, { deadline: Date.now() + 10_000 }, (err, res) =>
      err || !res ? reject(err ?? new Error('empty')) : resolve(res),
    ),
  );

const setState = (socket: string, server: string, state: string): Promise<BalancerServersResponse__Output> =>
  new Promise((resolve, reject) =>
    client.SetBalancerServer(
      { socket, backend: 'kube-apiserver', server, state, requestedBy: 'test', term: 0 },
      { deadline: Date.now() + 10_000 },
      (err, res) => (err || !res ? reject(err ?? new Error('empty')) : resolve(res)),
    ),
  );

/** The OperatorError code the agent sent back in the gRPC metadata. */
function belayCode(code: string): (err: unknown) => boolean {
  return (err) => {
    const e = err as grpc.ServiceError;
    assert.equal(e.metadata?.get('belay-code')[0], code, e.details);
    return true;
  };
}

describe('balancer RPCs: the runtime API socket', () => {
  test("a /run path is taken under the agent's --root, as the spec names it", async () => {
    const res = await servers(SPEC_SOCKET);
    assert.deepEqual(
      res.servers.map((s) => `${s.name} ${s.adminState}`),
      ['m1 READY', 'm2 READY'],
    );
  });

  test('SetBalancerServer drains through the same socket and says so in an event', async () => {
    const res = await setState(SPEC_SOCKET, 'm2', 'drain');
    assert.equal(res.servers.find((s) => s.name === 'm2')?.adminState, 'DRAIN');
    assert.match(events.at(-1)?.message ?? '', /kube-apiserver\/m2 to drain/);
    await setState(SPEC_SOCKET, 'm2', 'ready');
  });

  test("a path outside /run, even the real socket's own absolute path, is refused before any connection", async () => {
    for (const p of ['/tmp/haproxy.sock', path.join(root, SPEC_SOCKET), '/run', '/runner/admin.sock']) {
      await assert.rejects(servers(p), belayCode('BALANCER_BAD_SOCKET'), p);
    }
  });

  test('.. cannot climb out of /run, nor out of the root', async () => {
    for (const p of ['/run/../etc/shadow', '/run/haproxy-external/../../tmp/x.sock']) {
      await assert.rejects(servers(p), belayCode('BALANCER_BAD_SOCKET'), p);
      await assert.rejects(setState(p, 'm1', 'drain'), belayCode('BALANCER_BAD_SOCKET'), p);
    }
  });

  test('a /run path where no haproxy listens is a missing socket, not a bad one', async () => {
    await assert.rejects(servers('/run/haproxy/admin.sock'), belayCode('HAPROXY_SOCKET_MISSING'));
  });
});

const sync = (wanted: Record<string, string>, serverOptions: string, term = 0, addOnly = false): Promise<SyncBalancerServersResponse__Output> =>
  new Promise((resolve, reject) =>
    client.SyncBalancerServers(
      { socket: SPEC_SOCKET, backend: 'kube-apiserver', servers: wanted, serverOptions, requestedBy: 'test', term, addOnly },
      { deadline: Date.now() + 10_000 },
      (err, res) => (err || !res ? reject(err ?? new Error('empty')) : resolve(res)),
    ),
  );

describe('SyncBalancerServers: a master joins or leaves, haproxy keeps running', () => {
  test('a missing server is added with its checks and READY; an unwanted one deleted; a second sync changes nothing', async () => {
    // given haproxy.cfg's m1 and m2, when m3 joins the spec
    const added = await sync({ m1: '127.0.0.1:9', m2: '127.0.0.1:9', m3: '127.0.0.1:9' }, 'check inter 500ms fall 2 rise 2');
    // then m3 is a server, READY (haproxy adds it in maintenance), with a health check running (nothing listens: DOWN)
    assert.deepEqual(added.added, ['m3']);
    const m3 = added.servers.find((s) => s.name === 'm3');
    assert.equal(m3?.adminState, 'READY');
    assert.equal(m3?.address, '127.0.0.1:9');
    await eventually(async () => assert.match((await servers(SPEC_SOCKET)).servers.find((s) => s.name === 'm3')?.checkStatus ?? '', /^L4/), {
      timeoutMs: 5_000,
    });
    assert.match(events.at(-1)?.message ?? '', /kube-apiserver: added m3 for test/);
    // when m2 leaves the spec: deleted (it has no sessions)
    const removed = await sync({ m1: '127.0.0.1:9', m3: '127.0.0.1:9' }, 'check inter 500ms fall 2 rise 2');
    assert.deepEqual([removed.added, removed.removed, removed.pending], [[], ['m2'], []]);
    assert.deepEqual(
      removed.servers.map((s) => s.name),
      ['m1', 'm3'],
    );
    // and the same again: nothing to do
    const again = await sync({ m1: '127.0.0.1:9', m3: '127.0.0.1:9' }, 'check inter 500ms fall 2 rise 2');
    assert.deepEqual([again.added, again.removed, again.pending], [[], [], []]);
  });

  test('add only (an haproxy belay does not run): a missing master is added, a server that is no master is left as it is', async () => {
    const r = await sync({ m1: '127.0.0.1:9', m4: '127.0.0.1:9' }, 'check inter 500ms fall 2 rise 2', 0, true);
    assert.deepEqual([r.added, r.removed, r.pending], [['m4'], [], []]);
    assert.deepEqual(
      r.servers.map((s) => `${s.name} ${s.adminState}`),
      ['m1 READY', 'm3 READY', 'm4 READY'],
    );
    // back to m1 and m3 for the tests after this one
    const back = await sync({ m1: '127.0.0.1:9', m3: '127.0.0.1:9' }, 'check');
    assert.deepEqual(back.removed, ['m4']);
  });

  test('options or names that would smuggle a second runtime API command are refused, nothing added', async () => {
    await assert.rejects(sync({ m1: '127.0.0.1:9', m3: '127.0.0.1:9', m4: '127.0.0.1:9' }, 'check; shutdown sessions server kube-apiserver/m1'));
    await assert.rejects(sync({ m1: '127.0.0.1:9', m3: '127.0.0.1:9', 'm4 check;disable server kube-apiserver/m1': '127.0.0.1:9' }, 'check'));
    assert.deepEqual(
      (await servers(SPEC_SOCKET)).servers.map((s) => `${s.name} ${s.adminState}`),
      ['m1 READY', 'm3 READY'],
    );
  });

  test("fenced: a deposed leader's term is refused", async () => {
    await sync({ m1: '127.0.0.1:9', m3: '127.0.0.1:9' }, 'check', 7);
    await assert.rejects(sync({ m1: '127.0.0.1:9' }, 'check', 6), belayCode('STALE_TERM'));
    assert.deepEqual(
      (await servers(SPEC_SOCKET)).servers.map((s) => s.name),
      ['m1', 'm3'],
    );
  });
});
