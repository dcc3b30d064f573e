import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { TestContext } from 'node:test';
import { defer } from './runtimes.js';

export interface SpawnedProcess {
  child: ChildProcess;
  /** The last 16 kB of its stderr, for failure messages. */
  stderr(): string;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

/**
 * Spawns `file` from cwd / (nothing it does may depend on the test's cwd),
 * with `env` over ours (undefined unsets); SIGKILLed after the test if still running.
 */
export function spawnForTest(t: TestContext, file: string, args: string[], env: Record<string, string | undefined> = {}): SpawnedProcess {
  const child = spawn(file, args, { cwd: '/', env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-16_000)));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  defer(t, async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return { child, stderr: () => stderr, exited };
}
