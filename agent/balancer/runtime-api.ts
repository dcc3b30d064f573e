import net from 'node:net';
import { OperatorError } from '../../proto/common/errors.js';
import type { AdminState, OperationalState, ServerSync } from '../../proto/common/balancer.js';

/**
 * A client for haproxy's runtime API (the `stats socket ... level admin`
 * unix socket): one command per connection, the answer read until haproxy
 * closes it. haproxy's answers become our codes here and nowhere else.
 * Server states come from two commands: `show servers state` separates
 * admin state (ready/drain/maint) from operational state (UP/DOWN), which
 * `show stat`'s status column mixes ("DRAIN" hides DOWN); `show stat` gives
 * current sessions and the last check's status. Columns are found by the
 * header line's names, never by position.
 */

export const RUNTIME_API_DEFAULTS = {
  /** One command's deadline: haproxy answers from memory within milliseconds. */
  timeoutMs: 5_000,
  /** Largest answer read; `show stat` is about 2 KiB per server. */
  maxResponseBytes: 4 * 1024 ** 2,
  /** waitDrained/waitServerUp poll period: below haproxy's check interval, cheap for haproxy. */
  pollMs: 100,
} as const;

export interface ServerStatus {
  name: string;
  /** address:port (IPv6 in brackets), as `show stat` gives it. */
  address: string;
  operationalState: OperationalState;
  adminState: AdminState;
  /** The last health check's result (L7OK, L7STS, L4CON, L4TOUT, INI…), '' when checks are paused (maint). */
  checkStatus: string;
  /** Sessions (TCP connections, in TCP mode) open on the server now. */
  currentSessions: number;
  /** `show stat`'s status column as haproxy gives it (UP, DOWN, DRAIN, MAINT, "UP 1/2"…): for messages. */
  status: string;
}

export interface CommandOptions {
  timeoutMs?: number;
  maxResponseBytes?: number;
}

/** Runs one runtime API command and returns haproxy's whole answer. */
export async function runtimeCommand(socket: string, command: string, o: CommandOptions = {}): Promise<string> {
  if (/[\r\n;]/.test(command)) throw new Error(`runtime API command ${JSON.stringify(command)} holds a newline or ';': one command per call`);
  const timeoutMs = o.timeoutMs ?? RUNTIME_API_DEFAULTS.timeoutMs;
  const maxBytes = o.maxResponseBytes ?? RUNTIME_API_DEFAULTS.maxResponseBytes;
  const verb = command.split(' ').slice(0, 2).join(' ');
  return await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let settled = false;
    const conn = net.createConnection(socket);
    const done = (err: Error | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      conn.destroy();
      if (err) reject(err);
      else resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const timer = setTimeout(() => {
      done(
        new OperatorError({
          code: 'HAPROXY_RUNTIME_API_TIMEOUT',
          message: `haproxy's runtime API at ${socket} did not answer "${verb}" within ${timeoutMs} ms`,
          hint: 'is haproxy stuck? look at its log and `ps` on the master',
          retryable: true,
        }),
      );
    }, timeoutMs);
    conn.on('connect', () => conn.write(`${command}\n`));
    conn.on('data', (d: Buffer) => {
      bytes += d.length;
      if (bytes > maxBytes) {
        done(
          new OperatorError({
            code: 'HAPROXY_RUNTIME_API_TOO_LARGE',
            message: `haproxy's answer to "${verb}" at ${socket} passed ${maxBytes} bytes`,
            hint: 'ask about one backend, or raise maxResponseBytes',
          }),
        );
        return;
      }
      chunks.push(d);
    });
    conn.on('end', () => done(undefined));
    conn.on('close', () => done(undefined));
    conn.on('error', (err: NodeJS.ErrnoException) => done(socketError(socket, err)));
  });
}

function socketError(socket: string, err: NodeJS.ErrnoException): OperatorError {
  switch (err.code) {
    case 'ENOENT':
      return new OperatorError({
        code: 'HAPROXY_SOCKET_MISSING',
        message: `haproxy's runtime API socket ${socket} does not exist`,
        hint: 'is haproxy running on that master (belayctl manifests list; its log)? does haproxy.cfg name this socket in `stats socket`?',
        retryable: true,
        cause: err,
      });
    case 'ECONNREFUSED':
      return new OperatorError({
        code: 'HAPROXY_NOT_LISTENING',
        message: `nothing listens on haproxy's runtime API socket ${socket}: haproxy has stopped and left the file`,
        hint: 'look at the haproxy pod on that master (belayctl manifests list; its log)',
        retryable: true,
        cause: err,
      });
    case 'EACCES':
      return new OperatorError({
        code: 'HAPROXY_SOCKET_DENIED',
        message: `no permission to open haproxy's runtime API socket ${socket}`,
        hint: 'the socket is mode 600 and owned by the user haproxy runs as: run the coordinator as that user (root)',
        cause: err,
      });
    default:
      return new OperatorError({
        code: 'HAPROXY_RUNTIME_API_FAILED',
        message: `haproxy's runtime API socket ${socket}: ${err.code ?? err.message}`,
        hint: 'check the socket path and that haproxy runs',
        retryable: true,
        cause: err,
      });
  }
}

/** Every server of `backend` with its admin and operational state, check status and sessions. */
export async function showServers(socket: string, backend: string, o: CommandOptions = {}): Promise<ServerStatus[]> {
  checkName('backend', backend);
  const state = parseServersState(socket, backend, await runtimeCommand(socket, `show servers state ${backend}`, o));
  // `-1 4 -1`: servers of every proxy; `show stat <name>` would match a frontend of the same name first.
  const stat = parseCsv(socket, await runtimeCommand(socket, 'show stat -1 4 -1', o)).filter((r) => r.pxname === backend);
  const byName = new Map(stat.map((r) => [r.svname ?? '', r]));
  return state.map((s) => {
    const r = byName.get(s.name);
    return {
      ...s,
      address: r?.addr || s.address,
      // "* L7OK": a check is running; the result shown is the last one.
      checkStatus: (r?.check_status ?? '').replace(/^\* /, ''),
      currentSessions: Number(r?.scur ?? 0) || 0,
      status: r?.status ?? '',
    };
  });
}

/** `set server <backend>/<server> state ready|drain|maint`; haproxy's own message on refusal. */
export async function setServerState(
  socket: string,
  backend: string,
  server: string,
  state: 'ready' | 'drain' | 'maint',
  o: CommandOptions = {},
): Promise<void> {
  checkName('backend', backend);
  checkName('server', server);
  if (!['ready', 'drain', 'maint'].includes(state)) throw new Error(`server state ${String(state)} is not ready, drain or maint`);
  const answer = (await runtimeCommand(socket, `set server ${backend}/${server} state ${state}`, o)).trim();
  // Success is an empty answer; anything else is haproxy saying no.
  if (answer !== '') {
    const unknown = /^No such (server|backend)/i.test(answer);
    throw new OperatorError({
      code: unknown ? 'HAPROXY_UNKNOWN_SERVER' : 'HAPROXY_SET_STATE_REFUSED',
      message: `haproxy at ${socket} refused to set ${backend}/${server} to ${state}: ${answer}`,
      hint: unknown
        ? `haproxy.cfg on that master has no server ${backend}/${server}: is its config older than the spec (belayctl manifests get <master> haproxy.yaml)?`
        : "see haproxy's message; the socket needs `level admin`",
    });
  }
}

/**
 * `add server <backend>/<name> <addr> <options>`, then `enable health` (a
 * dynamic server's checks start off) and `set server ... state ready` (it
 * starts in maintenance): from then on haproxy's checks decide whether it
 * gets traffic, as for a server from haproxy.cfg. A dynamic server does not
 * take the backend's default-server line: `options` carries what it says.
 */
export async function addServer(socket: string, backend: string, name: string, address: string, options: string, o: CommandOptions = {}): Promise<void> {
  checkName('backend', backend);
  checkName('server', name);
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(address)) throw new Error(`server address ${JSON.stringify(address)} is not host:port`);
  if (!/^[A-Za-z0-9 ._:-]*$/.test(options)) throw new Error(`server options ${JSON.stringify(options)} hold characters a server line does not`);
  const added = (await runtimeCommand(socket, `add server ${backend}/${name} ${address} ${options}`.trim(), o)).trim();
  if (!/New server registered/i.test(added)) {
    throw new OperatorError({
      code: 'HAPROXY_ADD_SERVER_REFUSED',
      message: `haproxy at ${socket} refused to add ${backend}/${name} (${address}): ${added}`,
      hint: "see haproxy's message; dynamic servers need haproxy 2.4 or later and a socket with `level admin`",
    });
  }
  if (/\bcheck\b/.test(options)) await expectEmpty(socket, `enable health ${backend}/${name}`, o);
  await setServerState(socket, backend, name, 'ready', o);
}

/** `set server ... state maint` then `del server`: haproxy refuses the delete while the server has sessions (false: try again later). */
export async function removeServer(socket: string, backend: string, name: string, o: CommandOptions = {}): Promise<boolean> {
  await setServerState(socket, backend, name, 'maint', o);
  const answer = (await runtimeCommand(socket, `del server ${backend}/${name}`, o)).trim();
  if (/Server deleted/i.test(answer)) return true;
  if (/still has connections|still in use|has active/i.test(answer)) return false;
  throw new OperatorError({
    code: 'HAPROXY_DEL_SERVER_REFUSED',
    message: `haproxy at ${socket} refused to delete ${backend}/${name}: ${answer}`,
    hint: "see haproxy's message; the server is in maintenance meanwhile",
  });
}

async function expectEmpty(socket: string, command: string, o: CommandOptions): Promise<void> {
  const answer = (await runtimeCommand(socket, command, o)).trim();
  if (answer !== '')
    throw new OperatorError({
      code: 'HAPROXY_COMMAND_REFUSED',
      message: `haproxy at ${socket} refused "${command}": ${answer}`,
      hint: "see haproxy's message",
    });
}

/**
 * Makes `backend`'s servers the wanted ones (name → host:port) without a
 * reload: missing ones added (checked, READY), unwanted ones put in
 * maintenance and deleted once their sessions are gone (not with `addOnly`:
 * an haproxy belay does not own may serve more than the masters). A server
 * whose address differs is left alone: a master never moves (the spec refuses it).
 */
export async function syncServers(
  socket: string,
  backend: string,
  wanted: Record<string, string>,
  options: string,
  o: CommandOptions & { addOnly?: boolean } = {},
): Promise<ServerSync> {
  const have = await showServers(socket, backend, o);
  const names = new Set(have.map((s) => s.name));
  const r: ServerSync = { added: [], removed: [], pending: [] };
  for (const [name, address] of Object.entries(wanted)) {
    if (names.has(name)) continue;
    await addServer(socket, backend, name, address, options, o);
    r.added.push(name);
  }
  for (const s of have) {
    if (s.name in wanted || o.addOnly) continue;
    if (await removeServer(socket, backend, s.name, o)) r.removed.push(s.name);
    else r.pending.push(s.name);
  }
  return r;
}

export interface WaitOptions {
  /** The whole wait's deadline; the last poll may end up to RUNTIME_API_DEFAULTS.timeoutMs after it. */
  timeoutMs: number;
  pollMs?: number;
  signal?: AbortSignal;
  /**
   * The condition must hold this long without a break (default 0). For
   * waitServerUp after a restart give at least rise × checkIntervalMs: a
   * restart quicker than one check interval leaves the old process's passing
   * check in place, and only checks made after it say the new one is ready.
   */
  stableMs?: number;
}

/**
 * Resolves once `server` is drained or in maintenance and holds no session:
 * stopping its apiserver then costs no client a connection. Does not drain
 * it: call setServerState first. Rejects when `timeoutMs` passes (long
 * watches hold sessions until they end or the apiserver closes them).
 */
export async function waitDrained(socket: string, backend: string, server: string, o: WaitOptions): Promise<{ durationMs: number }> {
  return await pollServer(
    socket,
    backend,
    server,
    o,
    (s) => (s.adminState !== 'READY' && s.currentSessions === 0 ? undefined : `it is ${s.adminState} with ${s.currentSessions} session(s) open`),
    {
      code: 'HAPROXY_DRAIN_TIMEOUT',
      what: 'to drain',
      hint: 'set it to drain first (setServerState); a long watch holds a session until it ends, so wait longer or accept cutting it',
    },
  );
}

/**
 * Resolves once haproxy's health checks hold `server` UP (its last check
 * passed), for `stableMs` without a break. Restart a server in drain, not
 * maint: leaving maint, haproxy counts a server UP at once and only then
 * checks it, while in drain the checks go on and follow it DOWN and UP.
 */
export async function waitServerUp(socket: string, backend: string, server: string, o: WaitOptions): Promise<{ durationMs: number }> {
  return await pollServer(
    socket,
    backend,
    server,
    o,
    (s) =>
      s.operationalState === 'UP' && /^L\dOK/.test(s.checkStatus)
        ? undefined
        : `it is ${s.operationalState} (${s.status}), last check ${s.checkStatus || 'none'}`,
    {
      code: 'HAPROXY_SERVER_NOT_UP',
      what: 'to be UP',
      hint: "check the apiserver's /readyz on that master (curl -k https://ADDRESS:PORT/readyz); a server in maint is not checked",
    },
  );
}

async function pollServer(
  socket: string,
  backend: string,
  server: string,
  o: WaitOptions,
  notYet: (s: ServerStatus) => string | undefined,
  fail: { code: string; what: string; hint: string },
): Promise<{ durationMs: number }> {
  const started = performance.now();
  const deadline = started + o.timeoutMs;
  const pollMs = o.pollMs ?? RUNTIME_API_DEFAULTS.pollMs;
  const stableMs = o.stableMs ?? 0;
  let holdingSince: number | undefined;
  for (;;) {
    o.signal?.throwIfAborted();
    // Each command keeps its own deadline: a wait near its end must not turn a slow answer into a runtime API error.
    const s = (await showServers(socket, backend)).find((x) => x.name === server);
    if (!s)
      throw new OperatorError({
        code: 'HAPROXY_UNKNOWN_SERVER',
        message: `haproxy at ${socket} has no server ${backend}/${server}`,
        hint: `is haproxy.cfg on that master older than the spec?`,
      });
    const why = notYet(s);
    const now = performance.now();
    holdingSince = why === undefined ? (holdingSince ?? now) : undefined;
    if (holdingSince !== undefined && now - holdingSince >= stableMs) return { durationMs: Math.round(now - started) };
    const left = deadline - now;
    if (left <= 0) {
      const reason = why ?? `it has been so for ${Math.round(now - (holdingSince ?? now))} of the ${stableMs} ms asked`;
      throw new OperatorError({
        code: fail.code,
        message: `waited ${o.timeoutMs} ms for ${backend}/${server} ${fail.what}: ${reason}`,
        hint: fail.hint,
        retryable: true,
      });
    }
    await sleep(Math.min(pollMs, left), o.signal);
  }
}

async function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Names go into a command line: no spaces, no separators. */
function checkName(what: string, name: string): void {
  if (!/^[A-Za-z0-9_.:-]+$/.test(name)) throw new Error(`${what} name ${JSON.stringify(name)} is not an haproxy name (letters, digits, - _ . : only)`);
}

function parseServersState(socket: string, backend: string, text: string): Omit<ServerStatus, 'checkStatus' | 'currentSessions' | 'status'>[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  // "1" (the format version), then "# be_id be_name …", then one line per server.
  const header = lines[1]?.startsWith('# ') ? lines[1].slice(2).split(' ') : undefined;
  if (lines[0] !== '1' || !header) throw unexpected(socket, `show servers state ${backend}`, text);
  const col = (row: string[], name: string) => row[header.indexOf(name)] ?? '';
  return lines.slice(2).map((l) => {
    const row = l.split(' ');
    const admin = Number(col(row, 'srv_admin_state'));
    return {
      name: col(row, 'srv_name'),
      address: col(row, 'srv_addr'),
      operationalState: OP_STATES[Number(col(row, 'srv_op_state'))] ?? 'DOWN',
      // Forced, inherited, configured (`disabled`) or DNS maintenance; forced or inherited drain. 0x40 is only "FQDN set by the CLI".
      adminState: admin & 0x27 ? 'MAINT' : admin & 0x18 ? 'DRAIN' : 'READY',
    };
  });
}

const OP_STATES: OperationalState[] = ['DOWN', 'STARTING', 'UP', 'STOPPING'];

/** `show stat` CSV: "# pxname,svname,…" then rows; no field holds a comma in the columns read here. */
function parseCsv(socket: string, text: string): Record<string, string>[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const first = lines[0];
  if (!first?.startsWith('# ')) throw unexpected(socket, 'show stat', text);
  const header = first.slice(2).split(',');
  return lines.slice(1).map((l) => {
    const row = l.split(',');
    return Object.fromEntries(header.map((h, i) => [h, row[i] ?? '']));
  });
}

function unexpected(socket: string, command: string, answer: string): OperatorError {
  const text = answer.trim().slice(0, 200);
  if (/^(Can't find backend|No such (proxy|backend))/i.test(text)) {
    return new OperatorError({
      code: 'HAPROXY_UNKNOWN_BACKEND',
      message: `haproxy at ${socket} has no backend named in "${command}": ${text}`,
      hint: "is this the socket of belay's haproxy (backend kube-apiserver)?",
    });
  }
  return new OperatorError({
    code: 'HAPROXY_UNEXPECTED_ANSWER',
    message: `haproxy at ${socket} answered "${command}" with: ${text || '(nothing)'}`,
    hint: 'the socket needs `level admin`; is this haproxy 2.x?',
  });
}
