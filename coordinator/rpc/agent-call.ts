import type * as grpc from '@grpc/grpc-js';

/** One unary call to an agent as a promise, with a deadline. */
export function agentCall<Res>(fn: (opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: Res) => void) => unknown, timeoutMs = 30_000): Promise<Res> {
  return new Promise((resolve, reject) => {
    fn({ deadline: new Date(Date.now() + timeoutMs) }, (err, res) => {
      if (err) reject(err);
      else if (res === undefined) reject(new Error('empty answer'));
      else resolve(res);
    });
  });
}

/** The belay-code an agent refused with, if it refused (rather than could not be reached). */
export function refusalCode(err: unknown): string | undefined {
  const md = (err as { metadata?: grpc.Metadata } | undefined)?.metadata;
  return md?.get('belay-code')[0]?.toString();
}
