import type * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import type { AgentClient, AgentDefinition } from '../../proto/gen/belay/v1/Agent.js';
import type { RestoreEtcdSnapshotChunk } from '../../proto/gen/belay/v1/RestoreEtcdSnapshotChunk.js';
import type { RestoreEtcdSnapshotResponse__Output } from '../../proto/gen/belay/v1/RestoreEtcdSnapshotResponse.js';
import { AGENT_DEADLINES_MS, type AgentMethod } from './deadlines.js';
import { agentError } from './errors.js';

/** What a call to `method` sends, and what comes back (decoded, defaults filled in). */
export type AgentRequest<M extends AgentMethod> = AgentDefinition[M] extends MethodDefinition<infer Req, infer _R, infer _Q, infer _S> ? Req : never;
export type AgentResponse<M extends AgentMethod> = AgentDefinition[M] extends MethodDefinition<infer _Q, infer _R, infer _S, infer Res> ? Res : never;

export interface AgentCallOptions {
  /** Instead of the method's deadline in AGENT_DEADLINES_MS, for the rare call that needs its own (say why where it is made). */
  timeoutMs?: number;
}

type UnaryMethod = Exclude<AgentMethod, 'RestoreEtcdSnapshot'>;
type UnaryCalls = { readonly [M in UnaryMethod]: (request: AgentRequest<M>, o?: AgentCallOptions) => Promise<AgentResponse<M>> };

/**
 * One master's agent as promises: `agent.ApplyManifest(request)` resolves
 * to the answer or rejects with agentError's OperatorError (the agent's
 * refusal kept, or AGENT_UNREACHABLE), each call with its method's
 * deadline from deadlines.ts.
 */
export type AgentApi = UnaryCalls & {
  /** The master whose agent this is, named in every error. */
  readonly master: string;
  /** The client stream of a snapshot: `send` writes the header and the chunks and ends the stream; resolves to the agent's answer. */
  RestoreEtcdSnapshot(
    send: (up: grpc.ClientWritableStream<RestoreEtcdSnapshotChunk>) => void,
    o?: AgentCallOptions,
  ): Promise<RestoreEtcdSnapshotResponse__Output>;
};

const UNARY_METHODS = (Object.keys(AGENT_DEADLINES_MS) as AgentMethod[]).filter((m): m is UnaryMethod => m !== 'RestoreEtcdSnapshot');

export function agentApi(client: AgentClient, master: string): AgentApi {
  const options = (method: AgentMethod, o: AgentCallOptions | undefined): grpc.CallOptions => ({
    deadline: new Date(Date.now() + (o?.timeoutMs ?? AGENT_DEADLINES_MS[method])),
  });
  const answer =
    <T>(resolve: (res: T) => void, reject: (err: unknown) => void) =>
    (err: grpc.ServiceError | null, res?: T): void => {
      if (err) reject(agentError(err, master));
      else if (res === undefined) reject(new Error('empty answer'));
      else resolve(res);
    };
  const unary = <M extends UnaryMethod>(method: M) => {
    // The generated client's methods are overloaded; this is the (request, options, callback) one.
    const call = client[method] as unknown as (request: AgentRequest<M>, opts: grpc.CallOptions, cb: grpc.requestCallback<AgentResponse<M>>) => unknown;
    return (request: AgentRequest<M>, o?: AgentCallOptions): Promise<AgentResponse<M>> =>
      new Promise((resolve, reject) => {
        call.call(client, request, options(method, o), answer(resolve, reject));
      });
  };
  return {
    ...(Object.fromEntries(UNARY_METHODS.map((m) => [m, unary(m)])) as UnaryCalls),
    master,
    RestoreEtcdSnapshot: (send, o) =>
      new Promise((resolve, reject) => {
        send(client.RestoreEtcdSnapshot(options('RestoreEtcdSnapshot', o), answer(resolve, reject)));
      }),
  };
}
