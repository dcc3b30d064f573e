import type * as grpc from '@grpc/grpc-js';
import { OperatorError } from '../../proto/common/errors.js';

/**
 * An agent's error as the coordinator sees it. A refusal by the agent (it
 * carries belay-code) keeps its code, hint and unsafe flag, so that the
 * operator sees the agent's reason, with the master named; anything else
 * (no answer, deadline, TLS) is AGENT_UNREACHABLE naming the master. The
 * gRPC error stays the cause.
 */
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
