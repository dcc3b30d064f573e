import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import { z } from 'zod';
import { errorText } from '../../proto/common/errors.js';
import { SNAPSHOT_DEFAULTS } from './snapshot-meta.js';

export interface SnapshotStatus {
  hash: number;
  revision: number;
  totalKey: number;
  totalSize: number;
}

const statusSchema = z.object({ hash: z.number().int(), revision: z.number().int(), totalKey: z.number().int(), totalSize: z.number().int() });

/** `etcdctl snapshot status FILE -w json`; rejects with what etcdctl said. */
export async function snapshotStatus(file: string): Promise<SnapshotStatus> {
  const out = await etcdctl(['snapshot', 'status', file, '-w', 'json'], { timeoutMs: SNAPSHOT_DEFAULTS.statusTimeoutMs });
  try {
    return statusSchema.parse(JSON.parse(out));
  } catch {
    throw new Error(`etcdctl snapshot status ${file} printed no status: ${out.trim().slice(0, 200)}`);
  }
}

/** Runs etcdctl (v3 API) without the caller's ETCD*_ environment; resolves with stdout, rejects with its error line. */
export function etcdctl(args: string[], o: { timeoutMs: number; cwd?: string; signal?: AbortSignal }): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'etcdctl',
      args,
      {
        env: { ...etcdFreeEnv(), ETCDCTL_API: '3' },
        timeout: o.timeoutMs,
        maxBuffer: 16 * 1024 * 1024,
        ...(o.cwd ? { cwd: o.cwd } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
      },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const what = `etcdctl ${args.slice(0, 2).join(' ')}`;
        if ((err as { killed?: boolean }).killed) return reject(new Error(`${what} did not finish within ${o.timeoutMs} ms`, { cause: err }));
        reject(new Error(`${what} failed: ${toolError(stderr) || errorText(err)}`, { cause: err }));
      },
    );
  });
}

/**
 * The environment minus ETCD_* and ETCDCTL_*: etcd and etcdctl read their
 * flags from those too (and refuse a flag that one shadows), so a scratch
 * etcd must not inherit the host's.
 */
export function etcdFreeEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^ETCD(CTL)?_/.test(k)) env[k] = v;
  return env;
}

/** The line of an etcd tool's stderr that says what went wrong (a Go panic dumps pages of goroutines after it). */
export function toolError(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const line = lines.find((l) => /^(Error:|panic:|fatal error:|unexpected fault)/.test(l)) ?? lines.find((l) => !l.startsWith('{')) ?? lines.at(-1) ?? '';
  return line.replace(/^Error:\s*/, '').slice(0, 300);
}

/** `etcdctl snapshot save` into `file` (it writes FILE.part and renames it), made 0600 and fsynced. */
export async function etcdctlSave(t: { endpoint: string; cacert?: string; cert?: string; key?: string }, file: string, timeoutMs: number): Promise<void> {
  await fsp.rm(file, { force: true });
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ETCDCTL_') && !k.startsWith('ETCD_'))), ETCDCTL_API: '3' };
  await new Promise<void>((resolve, reject) => {
    const tls = [...(t.cacert ? [`--cacert=${t.cacert}`] : []), ...(t.cert ? [`--cert=${t.cert}`] : []), ...(t.key ? [`--key=${t.key}`] : [])];
    execFile(
      'etcdctl',
      [`--endpoints=${t.endpoint}`, ...tls, `--command-timeout=${Math.ceil(timeoutMs / 1000)}s`, 'snapshot', 'save', file],
      { env, timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 },
      (err, _out, stderr) =>
        err ? reject(new Error(`etcdctl snapshot save: ${(stderr || errorText(err)).trim().split('\n').slice(-2).join(' ')}`)) : resolve(),
    );
  });
  const fh = await fsp.open(file, 'r+');
  try {
    await fh.chmod(0o600);
    await fh.sync();
  } finally {
    await fh.close();
  }
}
