import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OperatorError } from '../../proto/common/errors.js';
import { readProcStat } from '../../proto/common/proc.js';
import { inNamespace } from './netns-plan.js';
import type { DevProcess, Role } from './state.js';

/** Starting a dev cluster's daemons: which command runs them, detached, logging under the master's root. */

/** The command that runs a daemon: the built JS under dist/, or the TypeScript source through tsx (tests). */
export function daemonCommand(role: Role): { file: string; args: string[] } {
  const here = fileURLToPath(import.meta.url);
  const top = path.resolve(path.dirname(here), '..', '..');
  const ext = path.extname(here);
  const entry = path.join(top, role === 'agent' ? 'agent' : 'coordinator', `main${ext}`);
  const flags = shebangNodeFlags(entry);
  if (ext === '.ts') return { file: process.execPath, args: [...flags, '--import', import.meta.resolve('tsx'), entry] };
  return { file: process.execPath, args: [...flags, entry] };
}

/** The stand-ins' bin dir (test/stand-ins/bin in the source tree), for a dev cluster with no kube-apiserver on PATH. */
export function standInBin(): string {
  const here = fileURLToPath(import.meta.url);
  // coordinator/dev/launch.ts in the source tree, dist/coordinator/dev/launch.js when built.
  let top = path.resolve(path.dirname(here), '..', '..');
  if (path.basename(top) === 'dist') top = path.dirname(top);
  return path.join(top, 'test', 'stand-ins', 'bin');
}

/** Whether `name` is an executable on PATH. */
export function onPath(name: string, pathVar = process.env.PATH ?? ''): boolean {
  return pathVar.split(':').some((d) => {
    try {
      fs.accessSync(path.join(d || '.', name), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Node flags from an entry's `#!/usr/bin/env -S node FLAGS` line, so a dev cluster runs daemons as installed ones run. */
export function shebangNodeFlags(entry: string): string[] {
  const first = fs.readFileSync(entry, 'utf8').split('\n', 1)[0] ?? '';
  const m = /^#!\/usr\/bin\/env -S node((?: --[\w-]+(?:=\S+)?)*)\s*$/.exec(first);
  return m?.[1] ? m[1].trim().split(/\s+/) : [];
}

export function startDaemon(
  role: Role,
  m: { name: string; address: string; root: string; netns?: string },
  config: string,
  logFormat: string,
  env?: NodeJS.ProcessEnv,
): DevProcess {
  const log = path.join(m.root, 'var', 'log', 'belay', `${role}.log`);
  const fd = fs.openSync(log, 'a');
  const daemon = daemonCommand(role);
  const args = [...daemon.args, '--config', config, '--root', m.root, '--log-format', logFormat];
  // In its master's namespace (dev up --netns), etcd and the pods its agent starts inherit it.
  const cmd = m.netns ? inNamespace(m.netns, daemon.file, args) : { file: daemon.file, args };
  // Detached in its own process group so that `dev up` can exit and leave the cluster running.
  const child = spawn(cmd.file, cmd.args, {
    detached: true,
    stdio: ['ignore', fd, fd],
    ...(env ? { env } : {}),
  });
  fs.closeSync(fd);
  child.unref();
  const pid = child.pid;
  const st = pid === undefined ? undefined : readProcStat(pid);
  if (pid === undefined || !st) throw new OperatorError({ code: 'DEV_SPAWN_FAILED', message: `could not start ${role} of ${m.name}`, hint: `see ${log}` });
  return { master: m.name, role, pid, startTicks: st.startTicks, address: m.address, root: m.root, config, log };
}

export function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no log at ${file})`;
  }
}
