import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { after, test } from 'node:test';
import type * as grpc from '@grpc/grpc-js';
import { OperatorError } from '../../../proto/common/errors.js';
import { serverStream, unary } from '../../../proto/common/handlers.js';
import { silentLogger } from '../../../proto/common/log.js';
import type { HostReport__Output } from '../../../proto/gen/belay/v1/HostReport.js';
import { agentRpcServers } from '../../harness/agent-rpc-server.js';

const ctx = { node: 'm1', log: silentLogger() };
const servers = agentRpcServers();
after(() => servers.close());

function getReport(client: Awaited<ReturnType<typeof servers.serve>>): Promise<HostReport__Output> {
  return new Promise((resolve, reject) => client.GetReport({}, (err, res) => (err ? reject(err) : resolve(res!))));
}

test('unary: the resolved value is the answer, over the wire', async () => {
  const client = await servers.serve({ GetReport: unary(ctx, 'GetReport', () => Promise.resolve({ node: 'm1', root: '/r' })) });
  const r = await getReport(client);
  assert.equal(r.node, 'm1');
  assert.equal(r.root, '/r');
});

test('unary: an OperatorError keeps its code, hint and unsafe flag; a thrown Error is INTERNAL naming the node', async () => {
  const refused = await servers.serve({
    GetReport: unary(ctx, 'GetReport', () => {
      throw new OperatorError({ code: 'STALE_TERM', message: 'term 3 is older', hint: 'retry on the leader', unsafe: true });
    }),
  });
  const err = (await getReport(refused).catch((e: unknown) => e)) as grpc.ServiceError;
  assert.equal(err.details, 'term 3 is older');
  assert.equal(err.metadata.get('belay-code')[0], 'STALE_TERM');
  assert.equal(err.metadata.get('belay-hint')[0], 'retry on the leader');
  assert.equal(err.metadata.get('belay-unsafe')[0], 'true');

  const broken = await servers.serve({ GetReport: unary(ctx, 'GetReport', () => Promise.reject(new Error('disk on fire'))) });
  const err2 = (await getReport(broken).catch((e: unknown) => e)) as grpc.ServiceError;
  assert.equal(err2.code, 13);
  assert.match(err2.details, /internal error: see log on m1/);
  assert.doesNotMatch(err2.details, /disk on fire/);
});

test('serverStream: ends the stream when the work resolves, emits the mapped error when it throws', async () => {
  const fake = () => {
    const e = new EventEmitter() as EventEmitter & { request: object; ended: boolean; end(): void };
    e.request = {};
    e.ended = false;
    e.end = () => {
      e.ended = true;
    };
    return e;
  };
  const ok = fake();
  serverStream(ctx, 'Stream', () => Promise.resolve())(ok as unknown as grpc.ServerWritableStream<object, object>);
  await new Promise((r) => setImmediate(r));
  assert.equal(ok.ended, true);

  const bad = fake();
  const errors: grpc.ServiceError[] = [];
  bad.on('error', (e: grpc.ServiceError) => errors.push(e));
  serverStream(ctx, 'Stream', () => {
    throw new OperatorError({ code: 'NO_SPEC', message: 'no spec', hint: 'apply one' });
  })(bad as unknown as grpc.ServerWritableStream<object, object>);
  await new Promise((r) => setImmediate(r));
  assert.equal(bad.ended, false);
  assert.equal(errors[0]?.metadata.get('belay-code')[0], 'NO_SPEC');
});
