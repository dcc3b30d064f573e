import * as grpc from '@grpc/grpc-js';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

/**
 * One way of asking a supervised service whether it works, beyond "its
 * process exists": the same questions kubelet's probes and systemd-less
 * setups ask (HTTP status, TCP connect, a gRPC call, a command's exit code).
 */
export type HealthCheck =
  /** GET over http:// or https://; healthy if the status is in expectStatus (default: 200-399, as kubelet's httpGet probe). */
  | { type: 'http'; url: string; expectStatus?: number[]; insecureSkipVerify?: boolean }
  /** GET over a unix socket (dockerd: /_ping). */
  | { type: 'unix-http'; socket: string; path: string; expectStatus?: number[] }
  /** Healthy if a TCP connect succeeds. */
  | { type: 'tcp'; host: string; port: number }
  /** A unary call with an empty request message on a unix socket; status OK is healthy, the response bytes are ignored. */
  | { type: 'grpc-unix'; socket: string; method: string }
  /** Healthy if the command exits 0; env is added to the agent's environment. */
  | { type: 'exec'; command: string[]; env?: Record<string, string> };

export interface CheckResult {
  ok: boolean;
  /** One line for people: 'ok: 200', 'GET http://127.0.0.1:10248/healthz: 500', '...: timeout after 750 ms'. */
  reason: string;
  durationMs: number;
}

/** containerd answers its Version service as soon as its gRPC server is up; a hung containerd does not. */
export const CONTAINERD_CHECK = {
  type: 'grpc-unix',
  socket: '/run/containerd/containerd.sock',
  method: '/containerd.services.version.v1.Version/Version',
} as const satisfies HealthCheck;

/** What `docker info` and the systemd unit's readiness both rely on: dockerd's API answers "OK". */
export const DOCKER_CHECK = { type: 'unix-http', socket: '/var/run/docker.sock', path: '/_ping' } as const satisfies HealthCheck;

/** kubelet's own health endpoint (--healthz-port 10248, --healthz-bind-address 127.0.0.1 by default). */
export const KUBELET_CHECK = { type: 'http', url: 'http://127.0.0.1:10248/healthz' } as const satisfies HealthCheck;

export function describeCheck(c: HealthCheck): string {
  switch (c.type) {
    case 'http':
      return `GET ${c.url}`;
    case 'unix-http':
      return `GET ${c.path} on ${c.socket}`;
    case 'tcp':
      return `connect ${net.isIPv6(c.host) ? `[${c.host}]` : c.host}:${c.port}`;
    case 'grpc-unix':
      return `gRPC ${c.method} on ${c.socket}`;
    case 'exec':
      return ['exec', ...c.command.map((a) => (/^[\w./:=@%+,-]+$/.test(a) ? a : JSON.stringify(a)))].join(' ');
  }
}

/** What a running check reports when it finishes, and how to abandon it (close its socket, kill its process group). */
interface Attempt {
  done: Promise<{ ok: boolean; detail: string }>;
  cancel(): void;
}

/**
 * Runs one check. Never rejects, and settles within timeoutMs (plus the
 * event loop's lag) whatever the peer does: at the timeout the attempt is
 * cancelled, which releases everything it holds, and the result is a
 * failure 'timeout after N ms'.
 */
export async function runCheck(c: HealthCheck, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  const what = describeCheck(c);
  const finish = (ok: boolean, detail: string): CheckResult => ({
    ok,
    reason: ok ? `ok: ${detail}` : `${what}: ${detail}`,
    durationMs: Math.round(performance.now() - started),
  });
  let attempt: Attempt;
  try {
    attempt = start(c, timeoutMs);
  } catch (err) {
    return finish(false, oneLine(err));
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const r = await Promise.race([attempt.done.catch((err: unknown) => ({ ok: false, detail: oneLine(err) })), timedOut]);
    if (r === 'timeout') return finish(false, `timeout after ${timeoutMs} ms`);
    return finish(r.ok, r.detail);
  } finally {
    clearTimeout(timer);
    attempt.cancel();
  }
}

function start(c: HealthCheck, timeoutMs: number): Attempt {
  switch (c.type) {
    case 'http': {
      const url = new URL(c.url);
      if (url.protocol === 'https:') {
        // agent: false gives every check its own connection: a hung keep-alive
        // socket from the previous check can never queue this one.
        return httpGet((cb) => https.get(url, { agent: false, rejectUnauthorized: c.insecureSkipVerify !== true }, cb), c.expectStatus);
      }
      if (url.protocol !== 'http:') throw new Error(`unsupported scheme ${url.protocol} (use http: or https:)`);
      return httpGet((cb) => http.get(url, { agent: false }, cb), c.expectStatus);
    }
    case 'unix-http':
      return httpGet((cb) => http.get({ socketPath: c.socket, path: c.path, host: 'localhost', agent: false }, cb), c.expectStatus);
    case 'tcp':
      return tcpConnect(c.host, c.port);
    case 'grpc-unix':
      return grpcCall(c.socket, c.method, timeoutMs);
    case 'exec':
      return execCommand(c.command, c.env);
  }
}

function statusOk(status: number, expect: number[] | undefined): boolean {
  return expect === undefined ? status >= 200 && status < 400 : expect.includes(status);
}

function httpGet(get: (onResponse: (res: http.IncomingMessage) => void) => http.ClientRequest, expect: number[] | undefined): Attempt {
  let req: http.ClientRequest | undefined;
  const done = new Promise<{ ok: boolean; detail: string }>((resolve) => {
    // The status line is the answer: the body is neither awaited nor read, so
    // a server that sends headers and then stalls cannot hold the check.
    req = get((res) => {
      const status = res.statusCode ?? 0;
      res.on('error', () => undefined);
      res.destroy();
      resolve({ ok: statusOk(status, expect), detail: String(status) });
    });
    req.on('error', (err) => resolve({ ok: false, detail: oneLine(err) }));
  });
  return { done, cancel: () => req?.destroy() };
}

function tcpConnect(host: string, port: number): Attempt {
  const socket = net.connect({ host, port });
  const done = new Promise<{ ok: boolean; detail: string }>((resolve) => {
    socket.once('connect', () => resolve({ ok: true, detail: 'connected' }));
    socket.once('error', (err) => resolve({ ok: false, detail: oneLine(err) }));
  });
  return { done, cancel: () => socket.destroy() };
}

/**
 * One client per socket, kept between checks, replaced when the socket file
 * is (a restarted daemon binds a new one).
 *
 * Not a fresh client per check: grpc-js never closes a connection whose
 * HTTP/2 handshake is still pending when its client is closed, so against a
 * peer that accepts and never answers (a SIGSTOPped containerd) every check
 * would leave one more open socket until that peer answered or died. A kept
 * client holds at most one connection per daemon instance.
 *
 * A hung call cannot hold the next: each call is its own HTTP/2 stream with
 * its own deadline, cancelled (RST_STREAM) at the check's timeout; while the
 * connection is still being made, calls wait in the channel's queue and each
 * fails at its own deadline. Replacing the client on a new socket file means
 * reconnect backoff never delays seeing a restarted daemon; the short
 * backoff only matters if a daemon comes back on the very same file.
 */
const grpcClients = new Map<string, { identity: string; client: grpc.Client }>();

const GRPC_CHANNEL_OPTIONS: grpc.ChannelOptions = {
  // our own subchannel: the process-wide pool could share a connection with other clients of the same socket
  'grpc.use_local_subchannel_pool': 1,
  'grpc.enable_retries': 0,
  'grpc.enable_channelz': 0,
  'grpc.initial_reconnect_backoff_ms': 200,
  'grpc.max_reconnect_backoff_ms': 1_000,
};

function grpcCall(socket: string, method: string, timeoutMs: number): Attempt {
  let identity: string;
  try {
    // dev, inode and change time: a file unlinked and bound again may reuse the inode number
    const st = fs.statSync(socket, { bigint: true });
    identity = `${st.dev}:${st.ino}:${st.ctimeNs}`;
  } catch (err) {
    grpcClients.get(socket)?.client.close();
    grpcClients.delete(socket);
    return { done: Promise.resolve({ ok: false, detail: oneLine(err) }), cancel: () => undefined };
  }
  let cached = grpcClients.get(socket);
  if (cached?.identity !== identity) {
    cached?.client.close();
    const target = socket.startsWith('/') ? `unix://${socket}` : `unix:${socket}`;
    cached = { identity, client: new grpc.Client(target, grpc.credentials.createInsecure(), GRPC_CHANNEL_OPTIONS) };
    grpcClients.set(socket, cached);
  }
  const { client } = cached;
  let call: grpc.ClientUnaryCall | undefined;
  const done = new Promise<{ ok: boolean; detail: string }>((resolve) => {
    call = client.makeUnaryRequest(
      method,
      () => Buffer.alloc(0),
      (b: Buffer) => b,
      {},
      new grpc.Metadata(),
      { deadline: Date.now() + timeoutMs },
      (err) => {
        if (!err) resolve({ ok: true, detail: 'OK' });
        else if (err.code === grpc.status.DEADLINE_EXCEEDED) resolve({ ok: false, detail: `timeout after ${timeoutMs} ms` });
        // grpc-js appends an empty "Resolution note:" to connection errors
        else resolve({ ok: false, detail: `${grpc.status[err.code] ?? err.code}: ${oneLine(err.details.replace(/\s*Resolution note:\s*$/, ''))}` });
      },
    );
  });
  return { done, cancel: () => call?.cancel() };
}

/** Bytes of output kept to explain a failure: its last line goes into the reason. */
const EXEC_OUTPUT_KEEP_BYTES = 4096;

/**
 * The command runs in its own process group, which is SIGKILLed when the
 * check ends for whatever reason: a hung command and anything it started
 * in the background die with it, so checks never pile up processes.
 */
function execCommand(command: string[], env: Record<string, string> | undefined): Attempt {
  const [file, ...args] = command;
  if (file === undefined) throw new Error('empty command');
  const child = spawn(file, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let output = '';
  const keep = (b: Buffer): void => {
    output = (output + b.toString()).slice(-EXEC_OUTPUT_KEEP_BYTES);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const lastLine = (): string => {
    const line = output.trim().split('\n').pop()?.trim() ?? '';
    return line === '' ? '' : `: ${oneLine(line)}`;
  };
  const done = new Promise<{ ok: boolean; detail: string }>((resolve) => {
    child.on('error', (err) => resolve({ ok: false, detail: oneLine(err) }));
    child.once('exit', (code, signal) => {
      if (code === 0) resolve({ ok: true, detail: 'exit 0' });
      else if (signal !== null) resolve({ ok: false, detail: `killed by ${signal}${lastLine()}` });
      else resolve({ ok: false, detail: `exit ${code}${lastLine()}` });
    });
  });
  return {
    done,
    cancel: () => {
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // ESRCH: the group is already gone
        }
      }
      child.stdout.destroy();
      child.stderr.destroy();
    },
  };
}

const MAX_REASON_CHARS = 200;

/** Socket and spawn errors people meet in checks, in words; the code stays for searching. */
const ERRNO_TEXT: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found (DNS not answering)',
};

function oneLine(err: unknown): string {
  let text: string;
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    const words = code === undefined ? undefined : ERRNO_TEXT[code];
    if (words !== undefined) text = `${words} (${code})`;
    else text = code !== undefined && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
  } else {
    text = String(err);
  }
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > MAX_REASON_CHARS ? `${text.slice(0, MAX_REASON_CHARS - 1)}…` : text;
}
