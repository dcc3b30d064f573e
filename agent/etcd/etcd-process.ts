import fsp from 'node:fs/promises';
import path from 'node:path';
import { isPathWithin } from '../host/report.js';

/** An etcd process and the data dir it runs with (real path), or why that cannot be told. */
export interface EtcdProcess {
  pid: number;
  command: string;
  dataDir: string | { unknown: string };
}

/**
 * The first etcd process whose data dir is `realDir` or inside it. Its
 * --data-dir is a path as the agent sees it: the agent runs etcd under its
 * --root, and kubelet's etcd pod mounts the host path at the same path. A
 * process whose data dir cannot be told counts as using it.
 */
export async function findEtcdUsing(realDir: string, procDir = '/proc'): Promise<EtcdProcess | undefined> {
  const wanted = await withRealPath(realDir);
  for (const entry of await fsp.readdir(procDir)) {
    if (!/^\d+$/.test(entry)) continue;
    const p = await describeEtcd(path.join(procDir, entry), Number(entry));
    if (!p) continue;
    if (typeof p.dataDir !== 'string') return p;
    const theirs = await withRealPath(p.dataDir);
    if (theirs.some((t) => wanted.some((w) => isPathWithin(t, w)))) return p;
  }
  return undefined;
}

async function describeEtcd(dir: string, pid: number): Promise<EtcdProcess | undefined> {
  let cmdline: string;
  try {
    cmdline = await fsp.readFile(path.join(dir, 'cmdline'), 'utf8');
  } catch {
    return undefined; // exited since listed
  }
  const argv = cmdline.replace(/\0+$/, '').split('\0');
  if (!isEtcd(argv)) return undefined;
  const command = argv.join(' ');
  const environ = await fsp.readFile(path.join(dir, 'environ'), 'utf8').then(parseEnviron, () => undefined);
  const cwd = await fsp.readlink(path.join(dir, 'cwd')).catch(() => undefined);
  return { pid, command, dataDir: etcdDataDirOf(argv, environ, cwd) };
}

/** etcd itself, or a wrapper (sh, a versioned symlink) running it: argv[0] or argv[1] has the basename etcd. */
export function isEtcd(argv: readonly string[]): boolean {
  return argv.slice(0, 2).some((a) => path.posix.basename(a) === 'etcd');
}

/**
 * The data dir etcd uses given its args, environment and working dir, as
 * etcd reads them: a flag (-flag or --flag, =value or next arg; Go's flag
 * package, the last one wins), else ETCD_DATA_DIR, else `<name>.etcd` in the
 * working dir. --config-file overrides flags and environment, and is not read here.
 */
export function etcdDataDirOf(argv: readonly string[], environ: Map<string, string> | undefined, cwd: string | undefined): string | { unknown: string } {
  const flag = (name: string): string | undefined => {
    let value: string | undefined;
    argv.slice(1).forEach((a, i) => {
      const m = /^--?([^=]+)(?:=(.*))?$/s.exec(a);
      if (m?.[1] !== name) return;
      value = m[2] ?? argv[i + 2] ?? '';
    });
    return value;
  };
  if (flag('config-file') !== undefined) return { unknown: 'it reads a --config-file' };
  let dir = flag('data-dir') ?? environ?.get('ETCD_DATA_DIR');
  if (dir === undefined) {
    if (!environ) return { unknown: 'its environment is unreadable' };
    dir = `${flag('name') ?? environ.get('ETCD_NAME') ?? 'default'}.etcd`;
  }
  if (path.isAbsolute(dir)) return path.resolve(dir);
  if (cwd === undefined) return { unknown: `its data dir ${dir} is relative and its working dir unreadable` };
  return path.resolve(cwd, dir);
}

function parseEnviron(text: string): Map<string, string> {
  const env = new Map<string, string>();
  for (const kv of text.split('\0')) {
    const eq = kv.indexOf('=');
    if (eq > 0) env.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  return env;
}

/** `p` and, if it differs, its real path (the parts of it that exist resolved). */
async function withRealPath(p: string): Promise<string[]> {
  const real = await fsp.realpath(p).catch(() => undefined);
  return real === undefined || real === p ? [p] : [p, real];
}
