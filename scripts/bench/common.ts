import { execFile } from 'node:child_process';

/** What the benchmarks share: formatting, cleanup of what they started, running commands (plain etcdctl among them). */

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const progress = (line: string): void => void process.stderr.write(`bench: ${line}\n`);
export const s = (ms: number | undefined): string => (ms === undefined || !Number.isFinite(ms) ? '-' : (ms / 1000).toFixed(2));
export const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);
export const median = (xs: number[]): number => {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? (v[mid] ?? NaN) : ((v[mid - 1] ?? NaN) + (v[mid] ?? NaN)) / 2;
};
export const octet = (): number => 1 + Math.floor(Math.random() * 250);

/** Everything started here is stopped by these, newest first: at the end, on failure and on SIGINT/SIGTERM. */
export const cleanups: (() => Promise<void>)[] = [];
export async function cleanupAll(): Promise<void> {
  while (cleanups.length) {
    const c = cleanups.pop();
    try {
      await c?.();
    } catch (err) {
      progress(`cleanup: ${String(err)}`);
    }
  }
}
/** On SIGINT or SIGTERM: stop everything registered, then exit 130. */
export function cleanupOnSignals(): void {
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}
export function onSignal(sig: NodeJS.Signals): void {
  progress(`${sig}: stopping every cluster started here`);
  void cleanupAll().finally(() => process.exit(130));
}
/** Runs `body`, then its cleanup whether it failed or not (the cleanup is also registered for a signal). */
export async function withCleanup<T>(cleanup: () => Promise<void>, body: () => Promise<T>): Promise<T> {
  cleanups.push(cleanup);
  try {
    return await body();
  } finally {
    const i = cleanups.indexOf(cleanup);
    if (i >= 0) {
      cleanups.splice(i, 1);
      await cleanup();
    }
  }
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export function run(file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    execFile(file, args, { env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr, ms: performance.now() - t0 });
    });
  });
}

export interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
}

/** Plain etcdctl (Debian's etcd-client 3.4) with a client certificate; no endpoints for the offline commands. */
export function etcdctl(tls: TlsFiles | undefined, endpoints: string[], args: string[], timeoutMs = 20_000): Promise<Run> {
  const conn = tls ? [`--endpoints=${endpoints.join(',')}`, `--cacert=${tls.ca}`, `--cert=${tls.cert}`, `--key=${tls.key}`, '--dial-timeout=3s'] : [];
  return run('etcdctl', [...conn, ...args], { ...process.env, ETCDCTL_API: '3' }, timeoutMs);
}

export async function endpointHealthy(tls: TlsFiles, url: string): Promise<boolean> {
  const r = await etcdctl(tls, [url], ['endpoint', 'health', '--command-timeout=2s'], 5_000);
  return r.code === 0 && /is healthy/.test(r.stdout + r.stderr);
}
