import fs from 'node:fs';
import path from 'node:path';
import { OperatorError, errorText } from '../../proto/common/errors.js';
import type { DevNetns } from './netns-plan.js';

/** dev-state.json: what a dev cluster is made of (masters, processes, belayctl's environment), written as dev up starts it. */

export type Role = 'agent' | 'coordinator';

export interface DevProcess {
  master: string;
  role: Role;
  pid: number;
  /** Kernel start time (clock ticks after boot): with pid, the process's identity. */
  startTicks: number;
  address: string;
  root: string;
  config: string;
  log: string;
}

export interface DevMaster {
  name: string;
  address: string;
  root: string;
  netns?: string;
}

export interface DevState {
  dir: string;
  startedAtMs: number;
  /** netns: the master's network namespace (`dev up --netns`), where its daemons run. */
  masters: DevMaster[];
  processes: DevProcess[];
  /** What `dev up --netns` made (bridge, namespaces, veths, host iptables rules), for dev down to remove. */
  netns?: DevNetns;
  /** What belayctl needs, for `export`. */
  env: { BELAY_ENDPOINT: string; BELAY_CA: string; BELAY_CERT: string; BELAY_KEY: string };
}

const STATE_FILE = 'dev-state.json';
/** Marks a directory made by dev up, so that `dev down --purge` removes nothing else. */
export const MARKER = '.belay-dev';

export function stateFile(dir: string): string {
  return path.join(path.resolve(dir), STATE_FILE);
}

export function readState(dir: string): DevState | undefined {
  try {
    return JSON.parse(fs.readFileSync(stateFile(dir), 'utf8')) as DevState;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new OperatorError({
      code: 'DEV_STATE_UNREADABLE',
      message: `cannot read ${stateFile(dir)}: ${errorText(err)}`,
      hint: 'stop the processes by hand (belayctl dev ps shows them) and remove the file',
    });
  }
}

/** Written beside and renamed, so that dev ps and dev down never read half a file. */
export function saveState(dir: string, state: DevState): void {
  const tmp = path.join(dir, `.${STATE_FILE}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n');
  fs.renameSync(tmp, stateFile(dir));
}

export function exportLine(state: DevState): string {
  return (
    'export ' +
    Object.entries(state.env)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')
  );
}
