import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { getSystemErrorName } from 'node:util';
import { errorText } from '../proto/common/errors.js';
import type { Logger } from '../proto/common/log.js';

/**
 * The agent's side of systemd's service watchdog (systemd.service(5)
 * WatchdogSec=, sd_notify(3), sd_watchdog_enabled(3)). The agent restarts
 * kubelet and the runtime; if it hangs, nothing would, so systemd restarts
 * the agent when its WATCHDOG=1 pings stop.
 *
 * The pings come from a timer on the agent's own event loop: a blocked loop
 * sends none, which is the point. A live loop whose supervision has wedged
 * (a promise that never settles, a loop that stopped rescheduling) would
 * still ping, so `healthy` gates every ping: the agent passes a check that
 * its supervisors ticked recently, and systemd restarts it when they have not.
 *
 * Transport: sd_notify is a datagram to the AF_UNIX socket in $NOTIFY_SOCKET,
 * and Node has no unix datagram sockets. We use, in order:
 *  1. unix-dgram, a small native addon (sendto(2) on a non-blocking socket):
 *     one syscall per ping, from the agent's own pid, so systemd attributes
 *     it to the unit without races and NotifyAccess=main suffices. It builds
 *     with node-gyp at install (approved in package.json's allowScripts) and
 *     is loaded lazily: a missing or broken build only costs the fallback.
 *     It cannot address abstract sockets ('@...'): it copies the path with
 *     strncpy and passes the full sockaddr length, so those go to 2.
 *  2. systemd-notify(1), spawned per message with --no-block. Run as root it
 *     sends with its parent's (the agent's) pid as the credentials
 *     (systemd-notify(1) of 252, Debian 12's; the test checks the sender's
 *     pid), so NotifyAccess=main still holds and the
 *     "sender already exited" attribution race of older systemd-notify does
 *     not apply. It costs a fork+exec per ping and fails first when the host
 *     is short of memory or pids, hence second.
 * Without $NOTIFY_SOCKET (tests, `belayctl dev up`, not under systemd)
 * everything here is a no-op.
 */
export interface Watchdog {
  /** READY=1 (and STATUS=): start-up is complete; a Type=notify unit is "active" from here on. */
  ready(status?: string): void;
  /** STATUS=: free text shown by `systemctl status belay-agent`. */
  status(text: string): void;
  /** STOPPING=1, and no more pings (systemd stops watching once the unit is stopping). */
  stopping(): void;
  /** Stops the pings and releases the socket. The socket keeps the process alive until then. */
  close(): void;
  /** Whether WATCHDOG=1 pings are being sent (systemd asked for them, for this pid). */
  readonly enabled: boolean;
  /** Between pings: WatchdogSec / 3; 0 when not enabled. */
  readonly intervalMs: number;
}

export type NotifyTransportName = 'unix-dgram' | 'systemd-notify';

export interface WatchdogOptions {
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** Monotonic milliseconds, for gap and outage durations in logs. Default performance.now. */
  now?: () => number;
  /**
   * Consulted before every ping, from the first one on (so it must say true
   * while the agent is still starting): a ping is sent only while it returns
   * true. Throwing counts as false. Default: always healthy.
   */
  healthy?: () => boolean;
  /** Force a transport (tests); default unix-dgram, falling back to systemd-notify. */
  transport?: NotifyTransportName;
  /** systemd-notify's path for the fallback. Default found on PATH. */
  systemdNotify?: string;
  /**
   * Delete NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID from `env` once read
   * (sd_notify's unset_environment): children spawned with it, etcd in the
   * host runtime for one, then cannot notify in the agent's name.
   */
  unsetEnvironment?: boolean;
}

/** What the environment asks for; a pure reading of sd_watchdog_enabled's rules. */
export interface NotifySetup {
  /** The socket as given ('/path' or '@abstract'); undefined: do not notify at all. */
  socket: string | undefined;
  /** WATCHDOG_USEC in ms; 0 when the watchdog is off. */
  watchdogMs: number;
  /** Why notification or the watchdog is off, for a debug log. */
  reason?: string;
}

export function readNotifyEnv(env: NodeJS.ProcessEnv, pid: number): NotifySetup {
  const socket = env.NOTIFY_SOCKET;
  if (!socket) return { socket: undefined, watchdogMs: 0, reason: 'NOTIFY_SOCKET is not set: not run by systemd as Type=notify' };
  if (!socket.startsWith('/') && !socket.startsWith('@')) {
    return { socket: undefined, watchdogMs: 0, reason: `NOTIFY_SOCKET=${socket} is neither a path nor an abstract (@) socket` };
  }
  // The variables are inherited: if they name another process, that process is
  // the unit's main one and we are its child. Anything we sent would be
  // rejected (NotifyAccess=main) or, worse, speak for it.
  const watchdogPid = env.WATCHDOG_PID;
  if (watchdogPid !== undefined && watchdogPid !== '') {
    if (!/^\d+$/.test(watchdogPid)) return { socket: undefined, watchdogMs: 0, reason: `WATCHDOG_PID=${watchdogPid} is not a pid` };
    if (Number(watchdogPid) !== pid) return { socket: undefined, watchdogMs: 0, reason: `WATCHDOG_PID=${watchdogPid} is another process (this is ${pid})` };
  }
  const usec = env.WATCHDOG_USEC;
  if (usec === undefined || usec === '') return { socket, watchdogMs: 0, reason: 'WATCHDOG_USEC is not set: the unit has no WatchdogSec=' };
  if (!/^\d+$/.test(usec) || Number(usec) <= 0 || !Number.isSafeInteger(Number(usec))) {
    return { socket, watchdogMs: 0, reason: `WATCHDOG_USEC=${usec} is not a positive number of microseconds` };
  }
  return { socket, watchdogMs: Number(usec) / 1000 };
}

interface NotifyTransport {
  readonly name: NotifyTransportName;
  /** Sends one datagram; `done` runs once, with the error if it was not sent. */
  send(message: string, done: (err?: Error) => void): void;
  close(): void;
}

/** The parts of unix-dgram we use (it ships no types). */
interface UnixDgramSocket {
  send(buf: Buffer, offset: number, length: number, path: string, callback: (err?: Error) => void): void;
  close(): void;
  on(event: 'error', listener: (err: Error) => void): unknown;
}
interface UnixDgram {
  createSocket(type: 'unix_dgram'): UnixDgramSocket;
}

let unixDgramLoad: { mod: UnixDgram } | { err: unknown } | undefined;

/** Loads the addon once per process; a failure is remembered, not retried. */
function loadUnixDgram(): UnixDgram {
  if (!unixDgramLoad) {
    try {
      unixDgramLoad = { mod: createRequire(import.meta.url)('unix-dgram') as UnixDgram };
    } catch (err) {
      unixDgramLoad = { err };
    }
  }
  if ('err' in unixDgramLoad) throw unixDgramLoad.err;
  return unixDgramLoad.mod;
}

/** unix-dgram's errors carry a negative errno as code: ENOENT reads better than -2. */
function errnoName(err: Error): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' && code < 0 ? getSystemErrorName(code) : err.message;
}

/** sun_path holds 108 bytes with the terminating NUL. */
const MAX_SOCKET_PATH_BYTES = 107;

function unixDgramTransport(socketPath: string, log: Logger): NotifyTransport {
  if (socketPath.startsWith('@')) throw new Error(`unix-dgram cannot address the abstract socket ${socketPath}`);
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) throw new Error(`socket path ${socketPath} is longer than ${MAX_SOCKET_PATH_BYTES} bytes`);
  const sock = loadUnixDgram().createSocket('unix_dgram');
  // send() reports through its callback; this only catches what the addon emits otherwise.
  sock.on('error', (err) => log.warn('notify socket error', { err: errorText(err) }));
  let open = true;
  return {
    name: 'unix-dgram',
    send(message, done) {
      if (!open) return done(new Error('notify socket closed'));
      const buf = Buffer.from(message);
      // Unconnected sendto each time: after `systemctl daemon-reexec` the path
      // is bound anew, which a connected socket would not follow.
      sock.send(buf, 0, buf.length, socketPath, (err) => done(err && new Error(`sendto ${socketPath}: ${errnoName(err)}`)));
    },
    close() {
      if (!open) return;
      open = false;
      sock.close();
    },
  };
}

/** Kills a systemd-notify that has not exited by then; --no-block makes it take milliseconds. */
const SYSTEMD_NOTIFY_TIMEOUT_MS = 2_000;

function systemdNotifyTransport(socket: string, env: NodeJS.ProcessEnv, command: string): NotifyTransport {
  const childEnv = { ...env, NOTIFY_SOCKET: socket };
  return {
    name: 'systemd-notify',
    send(message, done) {
      let settled = false;
      const finish = (err?: Error): void => {
        if (settled) return;
        settled = true;
        done(err);
      };
      let stderr = '';
      const child = spawn(command, ['--no-block', ...message.split('\n')], {
        env: childEnv,
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: SYSTEMD_NOTIFY_TIMEOUT_MS,
        killSignal: 'SIGKILL',
      });
      child.stderr.setEncoding('utf8').on('data', (s: string) => {
        if (stderr.length < 1_000) stderr += s;
      });
      child.on('error', (err) => finish(new Error(`running ${command}`, { cause: err })));
      child.on('close', (code, signal) => {
        if (code === 0) return finish();
        finish(new Error(`${command} exited with ${code ?? signal}${stderr.trim() ? `: ${stderr.trim()}` : ''}`));
      });
    },
    close() {},
  };
}

/** A field value cannot hold a newline: it would start another field. */
const oneLine = (text: string): string => text.replace(/[\r\n]+/g, ' ');

export function startWatchdog(o: WatchdogOptions): Watchdog {
  const now = o.now ?? (() => performance.now());
  const log = o.log;
  const setup = readNotifyEnv(o.env, process.pid);
  if (o.unsetEnvironment) {
    delete o.env.NOTIFY_SOCKET;
    delete o.env.WATCHDOG_USEC;
    delete o.env.WATCHDOG_PID;
  }
  if (setup.socket === undefined) {
    log.debug('systemd notification off', { reason: setup.reason });
    return { ready() {}, status() {}, stopping() {}, close() {}, enabled: false, intervalMs: 0 };
  }
  const socket = setup.socket;

  let transport: NotifyTransport | undefined;
  if (o.transport !== 'systemd-notify') {
    try {
      transport = unixDgramTransport(socket, log);
    } catch (err) {
      // Once per start: the fallback works, but costs a process per message.
      log.warn('notifying systemd through systemd-notify', {
        reason: 'unix-dgram unusable',
        err: errorText(err),
        hint: 'npm ci with g++, make and python3 present builds it',
      });
    }
  }
  transport ??= systemdNotifyTransport(socket, o.env, o.systemdNotify ?? 'systemd-notify');
  const via = transport;

  // Log transitions only: the first failure and the recovery.
  let failing: { sinceMs: number; count: number } | undefined;
  const send = (message: string, done?: () => void): void => {
    via.send(message, (err) => {
      done?.();
      if (err) {
        if (failing) failing.count++;
        else {
          failing = { sinceMs: now(), count: 1 };
          log.warn('systemd notification failed', { socket, transport: via.name, notification: message.split('\n')[0], err: errorText(err) });
        }
      } else if (failing) {
        log.info('systemd notification delivered again', {
          socket,
          transport: via.name,
          failures: failing.count,
          durationMs: Math.round(now() - failing.sinceMs),
        });
        failing = undefined;
      }
    });
  };

  const watchdogMs = setup.watchdogMs;
  const intervalMs = watchdogMs > 0 ? Math.max(1, Math.floor(watchdogMs / 3)) : 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  if (intervalMs > 0) {
    let lastTickMs = now();
    let lastPingMs = lastTickMs;
    let pingInFlight = false;
    let withheldSinceMs: number | undefined;
    const isHealthy = (): boolean => {
      try {
        return o.healthy ? o.healthy() : true;
      } catch (err) {
        log.warn('watchdog health check threw', { err: errorText(err) });
        return false;
      }
    };
    const tick = (): void => {
      const t = now();
      const gapMs = t - lastTickMs;
      lastTickMs = t;
      // A late timer means the loop was blocked: near-misses are worth seeing.
      if (gapMs > 2 * intervalMs) log.warn('event loop stalled', { durationMs: Math.round(gapMs), intervalMs, watchdogMs });
      if (!isHealthy()) {
        if (withheldSinceMs === undefined) {
          withheldSinceMs = t;
          log.warn('watchdog pings withheld: agent unhealthy', {
            restartInMs: Math.max(0, Math.round(watchdogMs - (t - lastPingMs))),
            hint: 'systemd restarts the agent unless supervision recovers; journalctl -u belay-agent',
          });
        }
        return;
      }
      if (withheldSinceMs !== undefined) {
        log.info('watchdog pings resumed', { durationMs: Math.round(t - withheldSinceMs) });
        withheldSinceMs = undefined;
      }
      // A systemd-notify still running: do not pile up processes.
      if (pingInFlight) return;
      pingInFlight = true;
      lastPingMs = t;
      send('WATCHDOG=1', () => {
        pingInFlight = false;
      });
    };
    timer = setInterval(tick, intervalMs);
    // The pings alone must not keep the process running (unix-dgram's socket
    // does, until close()).
    timer.unref();
    log.info('systemd watchdog on', { watchdogMs, intervalMs, transport: via.name });
  } else {
    log.debug('systemd watchdog off', { reason: setup.reason, transport: via.name });
  }

  const stopPings = (): void => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };

  return {
    ready(status) {
      if (closed) return;
      send(status === undefined ? 'READY=1' : `READY=1\nSTATUS=${oneLine(status)}`);
    },
    status(text) {
      if (closed) return;
      send(`STATUS=${oneLine(text)}`);
    },
    stopping() {
      if (closed) return;
      stopPings();
      send('STOPPING=1');
    },
    close() {
      if (closed) return;
      closed = true;
      stopPings();
      via.close();
    },
    enabled: intervalMs > 0,
    intervalMs,
  };
}
