import assert from 'node:assert/strict';
import net from 'node:net';
import { after, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { OperatorError } from '../../../proto/common/errors.js';
import { belayProto, toServiceError } from '../../../proto/common/grpc.js';
import { silentLogger } from '../../../proto/common/log.js';
import type { RestoreEtcdSnapshotChunk__Output } from '../../../proto/gen/belay/v1/RestoreEtcdSnapshotChunk.js';
import { agentApi } from '../../../coordinator/agents/client.js';
import { AgentClients } from '../../../coordinator/agents/clients.js';
import { AGENT_DEADLINES_MS } from '../../../coordinator/agents/deadlines.js';
import { refusalCode } from '../../../coordinator/agents/errors.js';
import { agentRpcServers } from '../../harness/agent-rpc-server.js';

const servers = agentRpcServers();
after(() => servers.close());

/** Milliseconds from now to the deadline the agent's side of the call sees. */
function msLeft(call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerReadableStream<unknown, unknown>): number {
  const d = call.getDeadline();
  return (d instanceof Date ? d.getTime() : d) - Date.now();
}

const refusal = new OperatorError({ code: 'MANIFEST_DRIFTED', message: 'etcd.yaml was changed by hand', hint: 'belayctl manifests diff', unsafe: true });
const refuse = (_call: unknown, cb: grpc.sendUnaryData<never>): void => cb(toServiceError(refusal, silentLogger(), 'm1', 'x'));

test("a call carries its method's deadline from the table", async () => {
  let left = 0;
  const agent = agentApi(
    await servers.serve({
      ReadPki(call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) {
        left = msLeft(call);
        cb(null, { files: [] });
      },
    }),
    'm1',
  );
  const res = await agent.ReadPki({});
  assert.deepEqual(res.files, []);
  assert.equal(AGENT_DEADLINES_MS.ReadPki, 5_000);
  assert.ok(left > AGENT_DEADLINES_MS.ReadPki - 1_000 && left <= AGENT_DEADLINES_MS.ReadPki, `${left} ms left`);
});

test('timeoutMs overrides the table for one call', async () => {
  let left = 0;
  const agent = agentApi(
    await servers.serve({
      RemoveManifest(call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) {
        left = msLeft(call);
        cb(null, { changed: true });
      },
    }),
    'm1',
  );
  await agent.RemoveManifest({ file: 'etcd.yaml' }, { timeoutMs: 2_000 });
  assert.ok(left > 1_000 && left <= 2_000, `${left} ms left`);
});

test("an agent's refusal keeps its code, hint and unsafe flag, with the master named", async () => {
  const agent = agentApi(await servers.serve({ ApplyManifest: refuse }), 'm2');
  const err = await agent.ApplyManifest({ file: 'etcd.yaml', content: '' }).catch((e: unknown) => e);
  assert.ok(err instanceof OperatorError);
  assert.equal(err.code, 'MANIFEST_DRIFTED');
  assert.equal(err.message, 'm2: etcd.yaml was changed by hand');
  assert.equal(err.hint, 'belayctl manifests diff');
  assert.equal(err.unsafe, true);
  assert.equal(err.retryable, false);
  assert.equal(refusalCode(err), 'MANIFEST_DRIFTED');
});

test('an error without a belay code is AGENT_UNREACHABLE naming the master, and no refusal', async () => {
  const agent = agentApi(
    await servers.serve({
      GetReport: (_call: unknown, cb: grpc.sendUnaryData<unknown>) => cb({ code: grpc.status.INTERNAL, details: 'boom' }),
    }),
    'm3',
  );
  const err = await agent.GetReport({ refresh: true }).catch((e: unknown) => e);
  assert.ok(err instanceof OperatorError);
  assert.equal(err.code, 'AGENT_UNREACHABLE');
  assert.equal(err.message, 'cannot reach the agent of m3: boom');
  assert.equal(err.hint, 'is belay-agent running on m3? (journalctl -u belay-agent there)');
  assert.equal(err.retryable, true);
  assert.equal(refusalCode(err), undefined);
});

test('an agent that does not listen is AGENT_UNREACHABLE', async () => {
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const client = new (belayProto().belay.v1.Agent)(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  try {
    const err = await agentApi(client, 'm4')
      .GetManifest({ name: 'etcd.yaml' }, { timeoutMs: 2_000 })
      .catch((e: unknown) => e);
    assert.ok(err instanceof OperatorError);
    assert.equal(err.code, 'AGENT_UNREACHABLE');
    assert.match(err.message, /^cannot reach the agent of m4: /);
  } finally {
    client.close();
  }
});

test('a deadline that passes is AGENT_UNREACHABLE', async () => {
  const agent = agentApi(await servers.serve({ BalancerServers: () => undefined }), 'm5');
  const err = await agent.BalancerServers({ socket: '', backend: 'b' }, { timeoutMs: 50 }).catch((e: unknown) => e);
  assert.ok(err instanceof OperatorError);
  assert.equal(err.code, 'AGENT_UNREACHABLE');
  assert.match(err.message, /^cannot reach the agent of m5: Deadline exceeded/);
});

test('refusalCode reads a raw gRPC error too, and nothing from an ordinary one', () => {
  const md = new grpc.Metadata();
  md.set('belay-code', 'STALE_TERM');
  assert.equal(refusalCode(Object.assign(new Error('x'), { metadata: md })), 'STALE_TERM');
  assert.equal(refusalCode(new Error('x')), undefined);
  assert.equal(refusalCode(undefined), undefined);
});

test('RestoreEtcdSnapshot: the chunks sent reach the agent, with the 10-minute deadline; its answer resolves', async () => {
  const got: RestoreEtcdSnapshotChunk__Output[] = [];
  let left = 0;
  const agent = agentApi(
    await servers.serve({
      RestoreEtcdSnapshot(call: grpc.ServerReadableStream<RestoreEtcdSnapshotChunk__Output, unknown>, cb: grpc.sendUnaryData<unknown>) {
        left = msLeft(call);
        call.on('data', (c: RestoreEtcdSnapshotChunk__Output) => got.push(c));
        call.on('end', () => cb(null, { durationMs: 7, dataDir: '/var/lib/etcd' }));
      },
    }),
    'm1',
  );
  const res = await agent.RestoreEtcdSnapshot((up) => {
    up.write({ header: { name: 'm1', sha256: 'abc' } });
    up.write({ data: Buffer.from('bytes') });
    up.end();
  });
  assert.equal(res.durationMs, 7);
  assert.equal(got.length, 2);
  assert.equal(got[0]?.header?.name, 'm1');
  assert.equal(got[1]?.data?.toString(), 'bytes');
  assert.ok(left > AGENT_DEADLINES_MS.RestoreEtcdSnapshot - 1_000 && left <= AGENT_DEADLINES_MS.RestoreEtcdSnapshot, `${left} ms left`);
});

test("RestoreEtcdSnapshot: the agent's refusal is mapped like any call's", async () => {
  const agent = agentApi(
    await servers.serve({
      RestoreEtcdSnapshot(call: grpc.ServerReadableStream<unknown, unknown>, cb: grpc.sendUnaryData<never>) {
        call.on('data', () => undefined);
        call.on('end', () => refuse(call, cb));
      },
    }),
    'm6',
  );
  const err = await agent
    .RestoreEtcdSnapshot((up) => {
      up.write({ header: { name: 'm6' } });
      up.end();
    })
    .catch((e: unknown) => e);
  assert.ok(err instanceof OperatorError);
  assert.equal(err.code, 'MANIFEST_DRIFTED');
  assert.equal(err.message, 'm6: etcd.yaml was changed by hand');
});

test('AgentClients: a known master, or one the spec places, has one client; an unknown one has none', () => {
  const agents = new AgentClients([{ name: 'm1', address: '127.0.0.1' }], 1, 'insecure', 1024);
  try {
    const m1 = agents.of('m1');
    assert.equal(m1?.master, 'm1');
    assert.equal(agents.of('m1'), m1);
    assert.equal(agents.of('m9'), undefined);
    assert.equal(agents.of('m9', 'fd00::9')?.master, 'm9');
  } finally {
    agents.close();
  }
});
