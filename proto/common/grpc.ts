import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { HealthImplementation } from 'grpc-health-check';
import type { ProtoGrpcType as AgentProto } from '../gen/agent.js';
import type { ProtoGrpcType as CoordinatorProto } from '../gen/coordinator.js';
import { OperatorError } from './errors.js';
import type { Logger } from './log.js';

/** Where the .proto files are: beside this module's parent (copied into dist/ by the build). */
export const PROTO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The loader options the generated types in proto/gen assume (see `npm run gen`). */
const LOADER_OPTIONS: protoLoader.Options = { longs: Number, enums: String, defaults: true, oneofs: true, includeDirs: [PROTO_DIR] };

export type BelayProto = AgentProto & CoordinatorProto;

let loaded: BelayProto | undefined;

/** The belay.v1 package, loaded once from proto/belay/v1. */
export function belayProto(): BelayProto {
  loaded ??= grpc.loadPackageDefinition(protoLoader.loadSync(['belay/v1/agent.proto', 'belay/v1/coordinator.proto'], LOADER_OPTIONS)) as unknown as BelayProto;
  return loaded;
}

/** Default bound on a single gRPC message, both ways: a report is ~10 KiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

export interface TlsFiles {
  /** Cluster CA certificate (PEM) that peers' certificates must chain to. */
  ca: string;
  /** This process's certificate (PEM). */
  cert: string;
  /** This process's private key (PEM). */
  key: string;
}

export interface TlsMaterial {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

/** Reads the TLS files, failing with the field and path that could not be read. */
export function readTls(files: TlsFiles, field = 'tls'): TlsMaterial {
  const read = (k: keyof TlsFiles): Buffer => {
    const p = files[k];
    try {
      const b = fs.readFileSync(p);
      if (!b.toString('utf8').includes('-----BEGIN ')) throw new Error('not a PEM file');
      return b;
    } catch (cause) {
      const why = cause instanceof Error ? ((cause as NodeJS.ErrnoException).code ?? cause.message) : String(cause);
      throw new OperatorError({
        code: 'TLS_FILE_UNREADABLE',
        message: `${field}.${k}: cannot read ${p} (${why})`,
        hint: `create it with "belayctl pki init" or fix ${field}.${k}`,
        cause,
      });
    }
  };
  return { ca: read('ca'), cert: read('cert'), key: read('key') };
}

export function serverCredentials(tls: TlsMaterial | 'insecure'): grpc.ServerCredentials {
  if (tls === 'insecure') return grpc.ServerCredentials.createInsecure();
  // checkClientCertificate=true: a client without a certificate from our CA is refused in the handshake.
  return grpc.ServerCredentials.createSsl(tls.ca, [{ cert_chain: tls.cert, private_key: tls.key }], true);
}

export function clientCredentials(tls: TlsMaterial | 'insecure'): grpc.ChannelCredentials {
  if (tls === 'insecure') return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(tls.ca, tls.key, tls.cert);
}

export function channelOptions(maxMessageBytes: number, o: { keepalive?: boolean } = {}): grpc.ChannelOptions {
  const sizes = { 'grpc.max_receive_message_length': maxMessageBytes, 'grpc.max_send_message_length': maxMessageBytes };
  // Occasional unary calls (gossip push-pull, about once a minute) need no open connection:
  // one kept open is pinged by the server every 10 s, which costs more than the calls.
  // The channel disconnects after 2 s without calls and connects again on the next one.
  if (o.keepalive === false) return { ...sizes, 'grpc.client_idle_timeout_ms': 2_000 };
  return {
    ...sizes,
    // Notice a dead peer on an idle stream within ~20 s rather than at the next write.
    'grpc.keepalive_time_ms': 10_000,
    'grpc.keepalive_timeout_ms': 10_000,
    'grpc.keepalive_permit_without_calls': 1,
  };
}

/** Server options: size bounds, keepalive policy matching the clients above, and the call observer. */
export function serverOptions(maxMessageBytes: number, interceptors: grpc.ServerInterceptor[] = []): grpc.ServerOptions {
  return { ...channelOptions(maxMessageBytes), 'grpc.http2.min_ping_interval_without_data_ms': 5_000, interceptors };
}

/**
 * Counts every call that ends with an error status, in one place for all
 * methods, and logs calls that are cut. grpc-js refuses a message over the
 * size limit before any handler sees it: on a unary call with a
 * RESOURCE_EXHAUSTED status, on a stream by cancelling it. Either is the
 * only trace on this side, so both are logged with the limit (a peer that
 * went away mid-call looks the same). A unary call cancelled after its
 * status is only the peer closing its side, and is not logged.
 */
export function observeCalls(o: {
  grpcErrors: { inc(labels: { method: string; code: string }): void };
  log: Logger;
  maxMessageBytes: number;
}): grpc.ServerInterceptor {
  return (desc, call) => {
    // A unary call's peer closing its side after our status also fires onCancel: that is no cut. (A stream
    // cut for an oversized message ends with a status too, so streams keep every cancel.)
    let answered = false;
    return new grpc.ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onCancel: () => {
            if (answered) return;
            o.grpcErrors.inc({ method: desc.path, code: 'CANCELLED' });
            o.log.warn('call cut', {
              method: desc.path,
              code: 'CALL_CUT',
              hint: `the peer went away, or sent a message over maxMessageBytes (${o.maxMessageBytes})`,
            });
          },
        }),
      sendStatus: (status, next) => {
        if (!desc.requestStream && !desc.responseStream) answered = true;
        if (status.code !== grpc.status.OK) o.grpcErrors.inc({ method: desc.path, code: grpc.status[status.code] });
        // grpc-js refuses an oversized message itself, with this status, before any handler runs.
        if (status.code === grpc.status.RESOURCE_EXHAUSTED)
          o.log.warn('call cut', {
            method: desc.path,
            code: 'CALL_CUT',
            err: status.details,
            hint: `the peer sent a message over maxMessageBytes (${o.maxMessageBytes})`,
          });
        next(status);
      },
    });
  };
}

/**
 * The peer's identity: the common name of its client certificate, which the
 * CA issued for one master (or "admin"). Undefined without TLS.
 */
export function peerName(call: { getAuthContext(): { sslPeerCertificate?: { subject?: { CN?: string | string[] } } } | null }): string | undefined {
  const cn = call.getAuthContext()?.sslPeerCertificate?.subject?.CN;
  return Array.isArray(cn) ? cn[0] : cn;
}

/** Adds grpc.health.v1.Health, serving for the whole server and each named service. */
export function addHealth(server: grpc.Server, services: string[]): HealthImplementation {
  const health = new HealthImplementation(Object.fromEntries(['', ...services].map((s) => [s, 'SERVING' as const])));
  health.addToServer(server);
  return health;
}

export function bindServer(server: grpc.Server, listen: string, creds: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(listen, creds, (err, port) => {
      if (err)
        reject(
          new OperatorError({
            code: 'LISTEN_FAILED',
            message: `cannot listen on ${listen}: ${err.message}`,
            hint: 'check that the address is local and the port free (ss -ltnp)',
            cause: err,
          }),
        );
      else resolve(port);
    });
  });
}

/**
 * Turns anything thrown by a handler into a gRPC status. OperatorErrors keep
 * their code and hint; anything else is logged with its stack and becomes
 * INTERNAL "see log on <node>", so that foreign error text never reaches a peer.
 */
export function toServiceError(err: unknown, log: Logger, node: string, method: string): grpc.ServiceError {
  const metadata = new grpc.Metadata();
  if (err instanceof OperatorError) {
    metadata.set('belay-code', err.code);
    metadata.set('belay-hint', err.hint);
    if (err.unsafe) metadata.set('belay-unsafe', 'true');
    const code = GRPC_CODE_FOR[err.code] ?? (err.retryable ? grpc.status.UNAVAILABLE : grpc.status.FAILED_PRECONDITION);
    return Object.assign(new Error(err.message), { code, details: err.message, metadata });
  }
  log.error('request failed', { method, err: err instanceof Error ? err.stack : String(err), code: 'INTERNAL' });
  return Object.assign(new Error('internal error'), { code: grpc.status.INTERNAL, details: `internal error: see log on ${node}`, metadata });
}

/** OperatorError codes with a more precise gRPC status than retryable/not. */
const GRPC_CODE_FOR: Record<string, grpc.status> = {
  UNKNOWN_NODE: grpc.status.PERMISSION_DENIED,
  NODE_NAME_MISMATCH: grpc.status.PERMISSION_DENIED,
  NO_CLIENT_CERTIFICATE: grpc.status.UNAUTHENTICATED,
  NO_SUCH_NODE: grpc.status.NOT_FOUND,
  NO_SUCH_SERVICE: grpc.status.NOT_FOUND,
  NO_SUCH_MANIFEST: grpc.status.NOT_FOUND,
  MANIFEST_BAD_NAME: grpc.status.INVALID_ARGUMENT,
  MANIFEST_TOO_LARGE: grpc.status.INVALID_ARGUMENT,
  MANIFEST_INVALID: grpc.status.INVALID_ARGUMENT,
  SPEC_INVALID: grpc.status.INVALID_ARGUMENT,
  NOT_IN_SPEC: grpc.status.INVALID_ARGUMENT,
  NO_SUCH_MEMBER: grpc.status.NOT_FOUND,
  // A deposed leader's write (agent/rpc/fencing.ts): retrying cannot help.
  STALE_TERM: grpc.status.FAILED_PRECONDITION,
  TERM_INVALID: grpc.status.INVALID_ARGUMENT,
  PKI_TOO_MANY_FILES: grpc.status.INVALID_ARGUMENT,
  PKI_BAD_PATH: grpc.status.INVALID_ARGUMENT,
  PKI_BAD_DIR: grpc.status.INVALID_ARGUMENT,
  PKI_FILE_TOO_LARGE: grpc.status.INVALID_ARGUMENT,
  PKI_BAD_MODE: grpc.status.INVALID_ARGUMENT,
  ETCD_DATA_DIR_BAD: grpc.status.INVALID_ARGUMENT,
  ETCD_DATA_IN_USE: grpc.status.FAILED_PRECONDITION,
};
