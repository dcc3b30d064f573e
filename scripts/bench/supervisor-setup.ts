/**
 * What bench-supervisor sets up once and every part shares: the temp dir,
 * the agent's --root and address, containerd's config and start/stop scripts,
 * the PKI, and the reset between runs. All of it lives in one Bench object,
 * made once by createBench and passed to each part.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ServiceConfigInput } from '../../agent/supervisor/config.js';
import type { HealthCheck } from '../../agent/supervisor/probes.js';
import { containerdCommand } from '../../test/harness/runtimes.js';
import { octet } from './common.js';
import { DaemonFinder, sweep } from './supervisor-processes.js';
import { emptyResults, type Results } from './supervisor-report.js';

type Cluster = typeof import('../../coordinator/dev/cluster.js');
type Pki = typeof import('../../coordinator/pki/init.js');

const VERSION_METHOD = '/containerd.services.version.v1.Version/Version';

export interface Trials {
  /** kill -9 trials per supervisor */
  kill: number;
  /** belay hang trials per case */
  hang: number;
  /** belay crash-loop trials */
  loop: number;
  /** monit crash-loop trials */
  monitLoop: number;
  /** the agent's CPU/RSS window, s */
  idleSeconds: number;
}

export interface Bench {
  /** The repository (for the kubelet stand-in). */
  top: string;
  trials: Trials;
  daemonCommand: Cluster['daemonCommand'];
  tmp: string;
  /** The agent's --root: containerd's and dockerd's dirs are under it, so the config names them as /ctd/..., /dkr/... */
  root: string;
  address: string;
  ctdDir: string;
  ctd: ReturnType<typeof containerdCommand>;
  ctdPidfile: string;
  ctdCheck: HealthCheck;
  finder: DaemonFinder;
  /**
   * One start command for belay's pidfile mode and for monit: containerd in the
   * background, its pid ($!) into the pidfile, and exit. Not `echo $$; exec
   * containerd`: monit runs a start program to its end (up to its 30 s start
   * timeout) and sees the service only after, so a start program that execs the
   * daemon in the foreground blocks monit's whole loop on every restart.
   */
  startScript: string;
  stopScript: string;
  looperScript: string;
  monitDir: string;
  /** The agent or monit running now, if any. */
  agent: { child: ChildProcess; log: string; label: string } | undefined;
  monit: { child: ChildProcess; pidfile: string; out: string } | undefined;
  results: Results;
}

/** Makes the temp dir and containerd's config: once per run. */
export function createBench(top: string, trials: Trials, daemonCommand: Cluster['daemonCommand']): Bench {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bsup-'));
  const root = path.join(tmp, 'r');
  const ctdDir = path.join(root, 'ctd');
  const ctd = containerdCommand(ctdDir);
  return {
    top,
    trials,
    daemonCommand,
    tmp,
    root,
    address: `127.5.${octet()}.1`,
    ctdDir,
    ctd,
    ctdPidfile: path.join(ctdDir, 'ctd.pid'),
    ctdCheck: { type: 'grpc-unix', socket: ctd.socket, method: VERSION_METHOD },
    finder: new DaemonFinder(ctd.config),
    startScript: path.join(ctdDir, 'start.sh'),
    stopScript: path.join(ctdDir, 'stop.sh'),
    looperScript: path.join(tmp, 'looper.sh'),
    monitDir: path.join(tmp, 'monit'),
    agent: undefined,
    monit: undefined,
    results: emptyResults(),
  };
}

/** A path under the agent's --root as the agent names it. */
export const under = (b: Bench, real: string): string => '/' + path.relative(b.root, real);

export function writeScripts(b: Bench): void {
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  fs.writeFileSync(
    b.startScript,
    `#!/bin/sh\n${q(b.ctd.file)} ${b.ctd.args.map(q).join(' ')} >>${q(path.join(b.ctdDir, 'containerd.log'))} 2>&1 </dev/null &\necho $! > ${q(b.ctdPidfile)}\n`,
    { mode: 0o755 },
  );
  fs.writeFileSync(b.stopScript, `#!/bin/sh\nkill $(cat ${q(b.ctdPidfile)})\n`, { mode: 0o755 });
  fs.writeFileSync(b.looperScript, '#!/bin/sh\nexit 1\n', { mode: 0o755 });
}

export async function setupPki(b: Bench, pki: Pki): Promise<void> {
  const out = path.join(b.tmp, 'pki');
  await pki.initPki({ outDir: out, nodes: [{ name: 'm1', address: b.address }], force: true });
  const dir = path.join(b.root, 'etc', 'belay', 'pki');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const f of ['ca.crt', 'm1.crt', 'm1.key']) fs.copyFileSync(path.join(out, f), path.join(dir, f));
  fs.chmodSync(path.join(dir, 'm1.key'), 0o600);
  fs.mkdirSync(path.join(b.root, 'var', 'log', 'belay'), { recursive: true });
  fs.mkdirSync(path.join(b.root, 'var', 'lib', 'belay'), { recursive: true });
}

export function ctdService(b: Bench, mode: 'child' | 'pidfile'): ServiceConfigInput {
  const health = { type: 'grpc-unix' as const, socket: under(b, b.ctd.socket), method: VERSION_METHOD };
  return mode === 'child'
    ? { mode: 'child', command: [b.ctd.file, ...b.ctd.args], health }
    : { mode: 'pidfile', pidfile: under(b, b.ctdPidfile), command: ['/bin/sh', b.startScript], health };
}

/** Between runs: no containerd of ours, no pidfile, no supervisor state (children to adopt) left. */
export async function reset(b: Bench): Promise<void> {
  await sweep(b.tmp, 'SIGKILL');
  fs.rmSync(b.ctdPidfile, { force: true });
  fs.rmSync(path.join(b.root, 'var', 'lib', 'belay', 'supervisor'), { recursive: true, force: true });
  if (b.finder.scan().length > 0) throw new Error('a containerd of this bench survived SIGKILL');
}
