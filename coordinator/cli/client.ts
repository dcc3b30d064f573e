import * as grpc from '@grpc/grpc-js';
import { belayProto, channelOptions, clientCredentials, DEFAULT_MAX_MESSAGE_BYTES, readTls } from '../../proto/common/grpc.js';
import { OperatorError } from '../../proto/common/errors.js';
import type { CoordinatorClient } from '../../proto/gen/belay/v1/Coordinator.js';
import type { Progress__Output } from '../../proto/gen/belay/v1/Progress.js';
import { CliError, EXIT } from './exit-codes.js';

export interface ConnectionFlags {
  endpoint?: string;
  ca?: string;
  cert?: string;
  key?: string;
  insecure?: boolean;
  timeout: string;
}

/** Where belayctl connects, from flags first, then BELAY_* variables. */
export function resolveConnection(
  f: ConnectionFlags,
  env: NodeJS.ProcessEnv = process.env,
): { endpoint: string; tls: { ca: string; cert: string; key: string } | 'insecure'; timeoutMs: number } {
  const endpoint = f.endpoint ?? env.BELAY_ENDPOINT;
  if (!endpoint) {
    throw new CliError('no coordinator to talk to', EXIT.usage, 'pass --endpoint HOST:PORT or set BELAY_ENDPOINT (belayctl dev up prints it)');
  }
  const timeoutMs = parseDuration(f.timeout);
  if (f.insecure) return { endpoint, tls: 'insecure', timeoutMs };
  const ca = f.ca ?? env.BELAY_CA;
  const cert = f.cert ?? env.BELAY_CERT;
  const key = f.key ?? env.BELAY_KEY;
  const missing = [!ca && '--ca/BELAY_CA', !cert && '--cert/BELAY_CERT', !key && '--key/BELAY_KEY'].filter(Boolean);
  if (!ca || !cert || !key) {
    throw new CliError(
      `missing TLS files: ${missing.join(', ')}`,
      EXIT.usage,
      'every call is mutual TLS: give the cluster CA and an admin certificate and key (belayctl pki init makes them)',
    );
  }
  return { endpoint, tls: { ca, cert, key }, timeoutMs };
}

export function parseDuration(v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(v.trim());
  if (!m) throw new CliError(`--timeout ${v}: not a duration`, EXIT.usage, 'write it like 10s, 500ms or 2m');
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
}

export interface Connection {
  coordinator: CoordinatorClient;
  endpoint: string;
  deadline(): Date;
  close(): void;
}

export function connect(f: ConnectionFlags): Connection {
  const c = resolveConnection(f);
  let tls;
  try {
    tls = c.tls === 'insecure' ? ('insecure' as const) : readTls(c.tls, 'belayctl');
  } catch (err) {
    if (err instanceof OperatorError) throw new CliError(err.message.replace('belayctl.', '--'), EXIT.failed, err.hint);
    throw err;
  }
  const Client = belayProto().belay.v1.Coordinator;
  const coordinator = new Client(c.endpoint, clientCredentials(tls), channelOptions(DEFAULT_MAX_MESSAGE_BYTES));
  return { coordinator, endpoint: c.endpoint, deadline: () => new Date(Date.now() + c.timeoutMs), close: () => coordinator.close() };
}

/** Calls a unary method, turning gRPC failures into CliErrors that say what to check. */
export function unary<Req, Res>(
  conn: Connection,
  method: string,
  fn: (req: Req, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: Res) => void) => unknown,
  req: Req,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    fn(req, { deadline: conn.deadline() }, (err, res) => {
      if (err) reject(cliErrorFromGrpc(err, conn.endpoint, method));
      else if (res === undefined) reject(new CliError(`${method}: empty answer from ${conn.endpoint}`, EXIT.failed));
      else resolve(res);
    });
  });
}

export function cliErrorFromGrpc(err: grpc.ServiceError, endpoint: string, method: string): CliError {
  const hint = err.metadata?.get('belay-hint')[0]?.toString();
  const unsafe = err.metadata?.get('belay-unsafe')[0]?.toString() === 'true';
  // A reason the coordinator gave (its belay-code) is shown as it is, whatever the status: NO_LEADER is UNAVAILABLE too.
  if (err.metadata?.get('belay-code')[0]) return new CliError(`${method} failed: ${err.details}`, unsafe ? EXIT.unsafe : EXIT.failed, hint);
  switch (err.code) {
    case grpc.status.UNAVAILABLE:
      return new CliError(
        `cannot reach the coordinator at ${endpoint}: ${err.details}`,
        EXIT.failed,
        hint ??
          'is belay-coordinator running there? (belayctl dev ps, or systemctl status belay-coordinator); a TLS failure also shows as this: check --ca matches the cluster CA',
      );
    case grpc.status.DEADLINE_EXCEEDED:
      return new CliError(
        `${method} on ${endpoint} took longer than --timeout`,
        EXIT.failed,
        hint ?? "retry with a longer --timeout, or check the coordinator's log",
      );
    default:
      return new CliError(`${method} failed: ${err.details}`, unsafe ? EXIT.unsafe : EXIT.failed, hint);
  }
}

/**
 * Runs a long operation that streams Progress: each line to stderr as it
 * happens (plan lines marked), or every message as JSON lines with -o json.
 * Resolves with the final message.
 */
export function streamProgress<Req>(
  conn: Connection,
  method: string,
  fn: (req: Req, opts: grpc.CallOptions) => grpc.ClientReadableStream<Progress__Output>,
  req: Req,
  o: { json: boolean; timeoutMs?: number },
): Promise<Progress__Output> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const stream = fn(req, { deadline: new Date(Date.now() + (o.timeoutMs ?? 15 * 60_000)) });
    let last: Progress__Output | undefined;
    stream.on('data', (p: Progress__Output) => {
      last = p;
      if (o.json) process.stdout.write(JSON.stringify(p) + '\n');
      else if (!p.done)
        process.stderr.write(p.planned ? `plan: ${p.message}\n` : `[${((Number(p.atMs) - started) / 1000).toFixed(1).padStart(5)}s] ${p.step}: ${p.message}\n`);
    });
    stream.on('error', (err: grpc.ServiceError) => reject(cliErrorFromGrpc(err, conn.endpoint, method)));
    stream.on('end', () =>
      last?.done
        ? resolve(last)
        : reject(
            new CliError(
              `${method}: the stream ended before the operation finished`,
              EXIT.failed,
              "see the coordinator's log; the operation may still be running (belayctl status)",
            ),
          ),
    );
  });
}
