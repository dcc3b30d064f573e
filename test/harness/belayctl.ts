import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TOP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a belay binary from source (through tsx), as an operator would run it. */
export function runBin(
  bin: 'belayctl' | 'belay-agent' | 'belay-coordinator',
  args: string[],
  o: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Run> {
  const entry = { belayctl: 'coordinator/cli/main.ts', 'belay-agent': 'agent/main.ts', 'belay-coordinator': 'coordinator/main.ts' }[bin];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(TOP, entry), ...args], {
      env: { ...stripBelayEnv(process.env), ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export const belayctl = (args: string[], env?: Record<string, string>): Promise<Run> => runBin('belayctl', args, env ? { env } : {});

/** A test must not pick up the developer's BELAY_* variables by accident. */
function stripBelayEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('BELAY_')));
}
