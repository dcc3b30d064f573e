import type * as grpc from '@grpc/grpc-js';
import { ConfigError } from '../../proto/common/config-file.js';
import { OperatorError } from '../../proto/common/errors.js';
import { unary } from '../../proto/common/handlers.js';
import type { ClusterHandlerDeps } from './deps.js';

/** The shared adapter, a spec that does not parse (ConfigError) answered as SPEC_INVALID. */
export function specUnaryOf(d: Pick<ClusterHandlerDeps, 'node' | 'log'>) {
  return <Req, Res>(method: string, fn: (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res> | Res): grpc.handleUnaryCall<Req, Res> =>
    unary({ node: d.node, log: d.log }, method, async (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => {
      try {
        return await fn(request, call);
      } catch (err) {
        throw asSpecInvalid(err);
      }
    });
}

/** A ConfigError (the spec does not parse) as the operator sees it; anything else as it is. */
export function asSpecInvalid(err: unknown): unknown {
  return err instanceof ConfigError ? specInvalid(err) : err;
}

export function specInvalid(err: ConfigError): OperatorError {
  return new OperatorError({
    code: 'SPEC_INVALID',
    message: `the Cluster spec is not valid:\n  ${err.problems.join('\n  ')}`,
    hint: 'fix the fields named above; docs/config.md lists every field of the Cluster spec',
  });
}
