import type * as grpc from '@grpc/grpc-js';
import { OperatorError } from '../../proto/common/errors.js';

/**
 * One unary call to an agent as a promise, with a deadline. A refusal by
 * the agent comes back as an OperatorError with its code, hint and unsafe
 * flag (so that the operator sees the agent's reason); anything else as
 * AGENT_UNREACHABLE naming the master.
 */
export function agentCall<Res>(
  fn: (opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: Res) => void) => unknown,
  timeoutMs = 30_000,
  master = 'a master',
): Promise<Res> {
  return new Promise((resolve, reject) => {
    fn({ deadline: new Date(Date.now() + timeoutMs) }, (err, res) => {
      if (err) reject(agentError(err, master));
      else if (res === undefined) reject(new Error('empty answer'));
      else resolve(res);
    });
  });
}

export function agentError(err: grpc.ServiceError, master: string): OperatorError {
  const md = err.metadata;
  const code = md?.get('belay-code')[0]?.toString();
  if (code) {
    return new OperatorError({
      code,
      message: `${master}: ${err.details}`,
      hint: md.get('belay-hint')[0]?.toString() ?? '',
      unsafe: md.get('belay-unsafe')[0]?.toString() === 'true',
      cause: err,
    });
  }
  return new OperatorError({
    code: 'AGENT_UNREACHABLE',
    message: `cannot reach the agent of ${master}: ${err.details}`,
    hint: `is belay-agent running on ${master}? (journalctl -u belay-agent there)`,
    retryable: true,
    cause: err,
  });
}

/** The belay-code an agent refused with, if it refused (rather than could not be reached). */
export function refusalCode(err: unknown): string | undefined {
  if (err instanceof OperatorError) return err.code === 'AGENT_UNREACHABLE' ? undefined : err.code;
  const md = (err as { metadata?: grpc.Metadata } | undefined)?.metadata;
  return md?.get('belay-code')[0]?.toString();
}
