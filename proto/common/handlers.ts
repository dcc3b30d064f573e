import type * as grpc from '@grpc/grpc-js';
import type { Logger } from './log.js';
import { toServiceError } from './grpc.js';

/**
 * The one way both daemons turn an async handler into a grpc-js one: the
 * handler returns its answer (or throws), the adapter answers the call and
 * maps a throw to a status (an OperatorError keeps its code, hint and
 * unsafe flag in metadata; anything else is INTERNAL, logged here with its
 * stack). Handlers are then plain async functions, testable without a
 * server.
 */

export interface HandlerContext {
  /** This daemon's master, named in an internal error's details. */
  node: string;
  log: Logger;
}

/** A unary method: `fn` resolves to the response. */
export function unary<Req, Res>(
  ctx: HandlerContext,
  method: string,
  fn: (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res> | Res,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    // An async wrapper: a handler that throws before its first await is answered like one that rejects.
    const answer = (async () => fn(call.request, call))();
    answer.then(
      (res) => callback(null, res),
      (err: unknown) => callback(toServiceError(err, ctx.log, ctx.node, method)),
    );
  };
}

/** A server-streaming method: `fn` writes to the call and resolves when done; the adapter ends the stream or sends the error. */
export function serverStream<Req, Res>(
  ctx: HandlerContext,
  method: string,
  fn: (request: Req, call: grpc.ServerWritableStream<Req, Res>) => Promise<void>,
): grpc.handleServerStreamingCall<Req, Res> {
  return (call) => {
    const done = (async () => fn(call.request, call))();
    done.then(
      () => call.end(),
      (err: unknown) => call.emit('error', toServiceError(err, ctx.log, ctx.node, method)),
    );
  };
}
