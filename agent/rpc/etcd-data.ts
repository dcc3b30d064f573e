import type * as grpc from '@grpc/grpc-js';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { OperatorError } from '../../proto/common/errors.js';
import { toServiceError } from '../../proto/common/grpc.js';
import type { Logger } from '../../proto/common/log.js';
import type { HostPaths } from '../../proto/common/paths.js';
import type { AgentHandlers } from '../../proto/gen/belay/v1/Agent.js';
import type { ArchiveEtcdDataResponse } from '../../proto/gen/belay/v1/ArchiveEtcdDataResponse.js';
import { isPathWithin } from '../host/report.js';
import type { RaisedEvent } from '../report/events.js';
import type { TermFence } from './fencing.js';
import { lstatOrUndefined, syncDir } from '../../proto/common/atomic-file.js';

type EtcdDataHandlers = Pick<AgentHandlers, 'ArchiveEtcdData'>;

/** An etcd process and the data dir it runs with (real path), or why that cannot be told. */
export interface EtcdProcess {
  pid: number;
  command: string;
  dataDir: string | { unknown: string };
}

/**
 * Moves an etcd data dir aside so that etcd starts empty there (a master
 * rejoining as a new member must not bring its old member's WAL). Nothing is
 * deleted: the old data stays beside it, `DIR.belay-archived-TIME`, for
 * recovery. A data dir under a running etcd is never moved: etcd would keep
 * writing into the moved files and lose them at its next start.
 */
export function etcdDataHandlers(d: {
  node: string;
  paths: HostPaths;
  fence: TermFence;
  log: Logger;
  raise(e: RaisedEvent): void;
  nowMs?: () => number;
  procDir?: string;
}): EtcdDataHandlers {
  const nowMs = d.nowMs ?? Date.now;
  let chain: Promise<unknown> = Promise.resolve();
  return {
    ArchiveEtcdData(call, cb: grpc.sendUnaryData<ArchiveEtcdDataResponse>) {
      const { dataDir, reason, requestedBy, term } = call.request;
      const by = requestedBy || 'someone';
      const work = async (): Promise<ArchiveEtcdDataResponse> => {
        await d.fence.admit(term, { method: 'ArchiveEtcdData', by });
        const hostDir = checkDataDir(dataDir);
        const real = d.paths.host(hostDir);
        const st = await lstatOrUndefined(real);
        if (!st || (st.isDirectory() && (await dataEntries(real)).length === 0)) {
          d.log.info('etcd data dir absent or empty: nothing archived', { path: hostDir, by, reason });
          return { existed: false, archivedTo: '' };
        }
        if (!st.isDirectory()) {
          throw new OperatorError({
            code: 'ETCD_DATA_DIR_NOT_A_DIR',
            message: `not archiving etcd data dir ${hostDir}: it is ${st.isSymbolicLink() ? `a symlink to ${await fsp.readlink(real)}` : 'not a directory'}`,
            hint: st.isSymbolicLink() ? 'give the directory it points to' : `look at ${hostDir} (ls -la); nothing was moved`,
          });
        }
        const parent = await lstatOrUndefined(path.dirname(real));
        const isMount = parent !== undefined && parent.dev !== st.dev;
        const user = await findEtcdUsing(real, d.procDir);
        if (user) {
          const uses = typeof user.dataDir === 'string' ? `runs with it (--data-dir ${user.dataDir})` : `may run with it (${user.dataDir.unknown})`;
          throw new OperatorError({
            code: 'ETCD_DATA_IN_USE',
            message: `not archiving etcd data dir ${hostDir}: etcd pid ${user.pid} ${uses}: ${user.command.slice(0, 200)}`,
            hint: 'stop etcd first (remove etcd.yaml from the manifests dir: belayctl manifests remove), then retry; nothing was moved',
            unsafe: true,
          });
        }
        const suffix = await freeSuffix(real, nowMs());
        let archivedTo = hostDir + suffix;
        try {
          if (isMount) archivedTo = await archiveInside(real, hostDir, suffix);
          else await fsp.rename(real, real + suffix);
          await syncDir(path.dirname(real));
        } catch (cause) {
          // A bind mount of the same filesystem has the parent's dev: rename(2) tells with EBUSY.
          if ((cause as NodeJS.ErrnoException).code === 'EBUSY') archivedTo = await archiveInside(real, hostDir, suffix);
          else throw new Error(`renaming ${real} to ${real + suffix}`, { cause });
        }
        d.raise({
          kind: 'EtcdDataArchived',
          severity: 'warning',
          message: `moved etcd data dir ${hostDir} aside to ${archivedTo} for ${by}: ${reason || 'no reason given'}`,
          fields: { dataDir: hostDir, archivedTo, reason, requestedBy: by, term },
        });
        return { existed: true, archivedTo };
      };
      const run = chain.then(work);
      chain = run.catch(() => undefined);
      run.then(
        (res) => cb(null, res),
        (err: unknown) => cb(toServiceError(err, d.log, d.node, 'ArchiveEtcdData')),
      );
    },
  };
}

/** Entries of a data dir that are data: a filesystem's lost+found and earlier archives are not. */
export async function dataEntries(real: string): Promise<string[]> {
  return (await fsp.readdir(real)).filter((n) => n !== 'lost+found' && !n.startsWith('.belay-archived-'));
}

/**
 * A data dir that is a mount point (a dedicated disk, as etcd's guide
 * advises) cannot be renamed: its contents are moved into a
 * `.belay-archived-TIME` directory inside it instead, on the same disk,
 * kept, and invisible to etcd, which only reads `member/`.
 */
async function archiveInside(real: string, hostDir: string, suffix: string): Promise<string> {
  const inside = path.join(real, suffix);
  await fsp.mkdir(inside, { mode: 0o700 });
  for (const n of await dataEntries(real)) {
    if (path.join(real, n) === inside) continue;
    await fsp.rename(path.join(real, n), path.join(inside, n));
  }
  await syncDir(inside);
  await syncDir(real);
  return path.posix.join(hostDir, suffix);
}

/** The host path, normalized; refuses relative paths and / itself. */
export function checkDataDir(dataDir: string): string {
  if (!path.posix.isAbsolute(dataDir)) {
    throw new OperatorError({
      code: 'ETCD_DATA_DIR_BAD',
      message: `etcd data dir ${JSON.stringify(dataDir)} is not an absolute path`,
      hint: "give the host path, as in etcd.yaml's --data-dir (e.g. /var/lib/etcd)",
    });
  }
  const hostDir = path.posix.resolve(dataDir);
  if (hostDir === '/') {
    throw new OperatorError({
      code: 'ETCD_DATA_DIR_BAD',
      message: 'refusing to archive / as an etcd data dir',
      hint: "give the host path, as in etcd.yaml's --data-dir (e.g. /var/lib/etcd)",
    });
  }
  return hostDir;
}

/** `.belay-archived-YYYYMMDDTHHMMSSZ`, with -1, -2, ... when that name is taken. */
async function freeSuffix(real: string, nowMs: number): Promise<string> {
  const stamp = new Date(nowMs).toISOString().slice(0, 19).replace(/[-:]/g, '') + 'Z';
  for (let n = 0; ; n++) {
    const suffix = `.belay-archived-${stamp}${n === 0 ? '' : `-${n}`}`;
    // rename(2) would replace an empty directory of that name: check first (calls are one at a time).
    // Free both beside the dir (a rename) and inside it (a mount point's archive).
    if (!(await lstatOrUndefined(real + suffix)) && !(await lstatOrUndefined(path.join(real, suffix)))) return suffix;
  }
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
