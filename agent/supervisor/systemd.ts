import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { OperatorError } from '../../proto/common/errors.js';

/**
 * The supervisor's hands on systemd-run services (kubelet, containerd,
 * docker): read a unit's state and start, stop, restart or signal it, by
 * running systemctl. A thin shell: what to do with a state is policy.ts's.
 *
 * Every call has a deadline. systemctl talks to PID 1 over D-Bus, and a busy
 * or wedged PID 1 (a reload storm, a stuck mount) can leave it waiting for
 * ever; the supervisor must keep supervising the rest. At the deadline the
 * whole process group is SIGKILLed (systemctl may have spawned a helper) and
 * the call rejects at once, without waiting for the process to go.
 */

export interface UnitState {
  /** active | reloading | inactive | failed | activating | deactivating | maintenance */
  activeState: string;
  /** The unit type's finer state: running, dead, failed, auto-restart, start-pre, ... */
  subState: string;
  /** 0 when the unit has no main process (stopped, or between restarts). */
  mainPid: number;
  /** 'loaded' | 'not-found' | 'masked' | 'bad-setting' | 'error' | 'stub' | 'merged' */
  loadState: string;
}

export type UnitAction = 'start' | 'stop' | 'restart' | 'kill';

const SHOW_PROPERTIES = 'ActiveState,SubState,MainPID,LoadState';

/**
 * `systemctl show -p ActiveState,SubState,MainPID,LoadState` output: Key=Value
 * lines in systemd's property order (not the order asked), the first of a
 * key winning.
 */
export function parseShow(text: string): UnitState {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    if (!fields.has(key)) fields.set(key, line.slice(eq + 1).trim());
  }
  const field = (key: string): string => {
    const v = fields.get(key);
    if (!v) throw new Error(`systemctl show printed no ${key}= (got ${JSON.stringify(text.slice(0, 200))})`);
    return v;
  };
  const pid = field('MainPID');
  if (!/^\d+$/.test(pid)) throw new Error(`systemctl show printed MainPID=${pid}, not a pid`);
  return { activeState: field('ActiveState'), subState: field('SubState'), mainPid: Number(pid), loadState: field('LoadState') };
}

/** systemd.unit(5): ASCII letters, digits, ":-_.\" and "@"; a leading '-' would read as an option. */
const UNIT_NAME = /^[A-Za-z0-9:_.\\@][A-Za-z0-9:_.\\@-]{0,254}$/;
const SIGNAL = /^(SIG)?[A-Z0-9+]+$/;

function checkUnit(unit: string): void {
  if (!UNIT_NAME.test(unit)) {
    throw new OperatorError({
      code: 'UNIT_NAME_INVALID',
      message: `not a systemd unit name: ${JSON.stringify(unit)}`,
      hint: 'unit names look like kubelet.service (man systemd.unit)',
    });
  }
}

/** Bytes of stdout/stderr kept: show prints four short lines; errors are one. */
const MAX_OUTPUT_BYTES = 64 * 1024;

/** Runs systemctl with a deadline; resolves its stdout on exit code 0. */
function runSystemctl(systemctl: string, args: string[], what: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (err: Error | undefined, stdout = ''): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(stdout);
    };
    // detached: its own process group, so the deadline can take any helper down with it.
    const child = spawn(systemctl, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      if (stdout.length < MAX_OUTPUT_BYTES) stdout += s;
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      if (stderr.length < MAX_OUTPUT_BYTES) stderr += s;
    });
    const timer = setTimeout(() => {
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
      settle(
        new OperatorError({
          code: 'SYSTEMCTL_TIMEOUT',
          message: `${what}: timeout after ${timeoutMs} ms`,
          hint: 'PID 1 is not answering: systemctl list-jobs; journalctl -b -u init.scope',
          retryable: true,
        }),
      );
    }, timeoutMs);
    child.on('error', (err) =>
      settle(
        new OperatorError({
          code: 'SYSTEMCTL_NOT_RUN',
          message: `${what}: cannot run ${systemctl}: ${err.message}`,
          hint: 'is systemd installed? which systemctl',
          cause: err,
        }),
      ),
    );
    child.on('close', (code, signal) => {
      if (code === 0) return settle(undefined, stdout);
      const said = stderr.trim().split('\n').join('; ');
      settle(
        new OperatorError({
          code: 'SYSTEMCTL_FAILED',
          message: `${what}: ${code === null ? `killed by ${signal}` : `exit code ${code}`}${said ? `: ${said}` : ''}`,
          hint: `systemctl status ${args.at(-1) ?? ''}; journalctl -u ${args.at(-1) ?? ''}`,
        }),
      );
    });
  });
}

/** The unit's state. A unit that does not exist is no error: its loadState is 'not-found'. */
export async function showUnit(unit: string, timeoutMs: number, systemctl = 'systemctl'): Promise<UnitState> {
  checkUnit(unit);
  const what = `systemctl show ${unit}`;
  const out = await runSystemctl(systemctl, ['show', '-p', SHOW_PROPERTIES, '--no-pager', unit], what, timeoutMs);
  try {
    return parseShow(out);
  } catch (err) {
    throw new Error(what, { cause: err });
  }
}

/**
 * start/stop/restart only queue a job (--no-block) and return once PID 1 has
 * accepted it; the supervisor then watches the state with showUnit. Without
 * it systemctl waits for the job to finish: for a unit whose start hangs (an
 * ExecStartPre waiting on a mount, a Type=notify daemon that never says
 * READY=1, TimeoutStartSec=infinity as kubelet units often have) that is as
 * long as the hang, and killing systemctl at our deadline would not cancel
 * the job anyway. Errors systemd knows at once (no such unit, masked, a
 * refused job) still fail the call.
 *
 * kill is `systemctl kill --kill-whom=main -s SIGNAL`: a signal to the main
 * process only, as a supervisor means it (SIGHUP to reload, SIGKILL for a hung
 * one), not to every process in the unit's cgroup; it queues no job and
 * returns at once. --no-ask-password: never wait for an interactive prompt.
 */
export async function unitAction(action: UnitAction, unit: string, timeoutMs: number, o: { signal?: string; systemctl?: string } = {}): Promise<void> {
  checkUnit(unit);
  let args: string[];
  if (action === 'kill') {
    const signal = o.signal ?? 'SIGTERM';
    if (!SIGNAL.test(signal)) throw new Error(`systemctl kill ${unit}: not a signal name: ${JSON.stringify(signal)}`);
    args = ['kill', '--kill-whom=main', '-s', signal, '--no-ask-password', unit];
  } else {
    args = [action, '--no-block', '--no-ask-password', unit];
  }
  await runSystemctl(o.systemctl ?? 'systemctl', args, `systemctl ${action} ${unit}`, timeoutMs);
}

/**
 * Whether the host has a unit file for `unit` (LoadState is not 'not-found'),
 * for enabling shipped defaults only where they apply. A masked unit counts as
 * present: its loadState says 'masked', and the caller decides.
 */
export async function unitExists(unit: string, timeoutMs: number, systemctl?: string): Promise<boolean> {
  return (await showUnit(unit, timeoutMs, systemctl)).loadState !== 'not-found';
}

/**
 * sd_booted(3): systemd is PID 1 if /run/systemd/system is a directory. The
 * real host's, not one under --root: systemctl talks to this machine's PID 1
 * whatever root the agent was given.
 */
export function systemdAvailable(): boolean {
  try {
    return fs.lstatSync('/run/systemd/system').isDirectory();
  } catch {
    return false;
  }
}
