import type * as grpc from '@grpc/grpc-js';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { OperatorError } from '../../proto/common/errors.js';
import { toServiceError } from '../../proto/common/grpc.js';
import type { Logger } from '../../proto/common/log.js';
import { confine, type HostPaths } from '../../proto/common/paths.js';
import type { AgentHandlers } from '../../proto/gen/belay/v1/Agent.js';
import type { PkiFile__Output } from '../../proto/gen/belay/v1/PkiFile.js';
import type { WritePkiResponse } from '../../proto/gen/belay/v1/WritePkiResponse.js';
import type { RaisedEvent } from '../report/events.js';
import type { TermFence } from './fencing.js';
import { lstatOrUndefined, syncDir, writeFileAtomic } from '../../proto/common/atomic-file.js';

/** The host path WritePki writes under by default (kubeadm's certificatesDir). */
export const PKI_DIR = '/etc/kubernetes/pki';

/**
 * The only places WritePki writes, by the request's `dir`, each with the
 * names it takes: certificates and keys anywhere in the pki dir; kubeconfigs
 * beside it, as kubeadm writes them; haproxy's config for the balancer pod.
 */
export const WRITE_DIRS: Readonly<Record<string, { dir: string; allows: (rel: string) => boolean; example: string }>> = {
  '': { dir: PKI_DIR, allows: () => true, example: 'etcd/server.crt' },
  pki: { dir: PKI_DIR, allows: () => true, example: 'etcd/server.crt' },
  kubernetes: { dir: '/etc/kubernetes', allows: (rel) => /^[a-z][-a-z0-9]*\.conf$/.test(rel), example: 'scheduler.conf' },
  haproxy: { dir: '/etc/haproxy', allows: (rel) => rel === 'haproxy.cfg', example: 'haproxy.cfg' },
};

export const PKI_LIMITS = {
  /** Files per request. kubeadm's whole set is 22 files; more means the sender is broken. */
  maxFiles: 64,
  /** Bytes per file. A PEM chain of a few certificates or a 4096-bit key is under 8 KiB. */
  maxFileBytes: 64 * 1024,
  /** Characters per path segment: leaves room for `.NAME.tmp` under NAME_MAX (255). */
  maxSegmentChars: 200,
} as const;

/** Keys 0600, certificates and public keys 0644; a 0 in the request means 0644 (proto3 default). */
const ALLOWED_MODES: ReadonlySet<number> = new Set([0o600, 0o644]);
/** Directories as kubeadm makes them. */
const DIR_MODE = 0o755;
/** Segment of a relative path: no leading dot (no dot-files, no `.` or `..`), no odd characters. */
const SEGMENT = /^[A-Za-z0-9_+-][A-Za-z0-9._+-]*$/;

interface PlannedFile {
  /** As requested, e.g. etcd/server.crt. */
  rel: string;
  /** Host path, for the answer and the log. */
  hostPath: string;
  /** Real path under --root. */
  target: string;
  data: Buffer;
  mode: number;
}

type PkiHandlers = Pick<AgentHandlers, 'WritePki'>;

/**
 * Certificates and keys into /etc/kubernetes/pki. The whole request is
 * checked before anything is written, so a bad path among good ones writes
 * nothing. Each file is replaced atomically with its final mode (a reader
 * such as the apiserver never sees half a key, nor a key readable by others
 * for a moment). Contents never reach the log; paths and the requester do.
 */
export function pkiHandlers(d: { node: string; paths: HostPaths; fence: TermFence; log: Logger; raise(e: RaisedEvent): void }): PkiHandlers {
  let chain: Promise<unknown> = Promise.resolve();
  /** One request at a time: two writers of the same file would race on its temp file. */
  const serialize = <T>(work: () => Promise<T>): Promise<T> => {
    const run = chain.then(work);
    chain = run.catch(() => undefined);
    return run;
  };

  return {
    WritePki(call, cb: grpc.sendUnaryData<WritePkiResponse>) {
      const { files, requestedBy, term, dir } = call.request;
      const by = requestedBy || 'someone';
      const work = async (): Promise<WritePkiResponse> => {
        await d.fence.admit(term, { method: 'WritePki', by });
        const where = WRITE_DIRS[dir];
        if (!where)
          throw new OperatorError({
            code: 'PKI_BAD_DIR',
            message: `not writing files: dir ${JSON.stringify(dir)} is none of ${Object.keys(WRITE_DIRS).filter(Boolean).join(', ')}`,
            hint: 'nothing was written',
          });
        const baseDir = d.paths.host(where.dir);
        const planned = planPkiWrite(baseDir, files, where);
        const written = await serialize(async () => {
          await checkOnDisk(baseDir, planned, where.dir);
          return writeFiles(baseDir, planned, d.log, by);
        });
        if (written.length > 0) {
          d.raise({
            kind: 'PkiWritten',
            severity: 'info',
            message: `wrote ${written.length} PKI file(s) for ${by}`,
            fields: { paths: written.join(','), requestedBy: by, term },
          });
        } else {
          d.log.info('pki unchanged', { paths: planned.map((f) => f.hostPath), by });
        }
        return { written };
      };
      work().then(
        (res) => cb(null, res),
        (err: unknown) => cb(toServiceError(err, d.log, d.node, 'WritePki')),
      );
    },
  };
}

/** Checks every file of a request (count, path, size, mode) and resolves it under `pkiDir`; throws before anything is written. */
export function planPkiWrite(
  pkiDir: string,
  files: readonly PkiFile__Output[],
  where: { dir: string; allows: (rel: string) => boolean; example: string } = WRITE_DIRS['pki'] ?? {
    dir: PKI_DIR,
    allows: () => true,
    example: 'etcd/server.crt',
  },
): PlannedFile[] {
  const base = where.dir;
  const refuse = (code: string, message: string, hint: string): never => {
    throw new OperatorError({ code, message: `not writing PKI files: ${message}`, hint: `${hint}; nothing was written` });
  };
  if (files.length > PKI_LIMITS.maxFiles) {
    refuse('PKI_TOO_MANY_FILES', `${files.length} files in one request, over the limit of ${PKI_LIMITS.maxFiles}`, 'send them in several requests');
  }
  const out: PlannedFile[] = [];
  const seen = new Set<string>();
  for (const f of files) {
    const rel = f.path;
    const shown = JSON.stringify(rel);
    if (rel === '') refuse('PKI_BAD_PATH', 'a file has an empty path', `give paths under ${base}, e.g. ${where.example}`);
    if (rel.startsWith('/')) refuse('PKI_BAD_PATH', `path ${shown} is absolute`, `give paths relative to ${base}, e.g. ${where.example}`);
    for (const seg of rel.split('/')) {
      if (seg === '') refuse('PKI_BAD_PATH', `path ${shown} has an empty name in it`, 'remove the doubled or trailing "/"');
      if (seg.length > PKI_LIMITS.maxSegmentChars)
        refuse('PKI_BAD_PATH', `path ${shown} has a name over ${PKI_LIMITS.maxSegmentChars} characters`, "use kubeadm's file names");
      if (!SEGMENT.test(seg))
        refuse(
          'PKI_BAD_PATH',
          `path ${shown}: ${seg.startsWith('.') ? 'no "..", "." or dot-files' : `"${seg}" has characters other than letters, digits and . _ + -`}`,
          `give plain paths under ${base}, e.g. ${where.example}`,
        );
    }
    if (!where.allows(rel)) refuse('PKI_BAD_PATH', `path ${shown} is not a file belay writes in ${base}`, `give e.g. ${where.example}`);
    if (seen.has(rel)) refuse('PKI_BAD_PATH', `path ${shown} is given twice`, 'send each file once');
    seen.add(rel);
    const data = Buffer.from(f.content, 'utf8');
    if (data.length > PKI_LIMITS.maxFileBytes) {
      refuse(
        'PKI_FILE_TOO_LARGE',
        `${rel} is ${data.length} bytes, over the ${PKI_LIMITS.maxFileBytes}-byte limit`,
        'a certificate or key is a few KiB: check what is being sent',
      );
    }
    const mode = f.mode === 0 ? 0o644 : f.mode;
    if (!ALLOWED_MODES.has(mode)) refuse('PKI_BAD_MODE', `${rel} has mode 0${mode.toString(8)}`, 'use 0600 for keys, 0644 for certificates');
    out.push({ rel, hostPath: path.posix.join(base, rel), target: confine(pkiDir, rel), data, mode });
  }
  for (const f of out) {
    // etcd/ca.crt as a file and etcd/ca.crt/x as a dir in one request.
    if (out.some((g) => g.rel.startsWith(f.rel + '/'))) refuse('PKI_BAD_PATH', `${f.rel} is both a file and a directory in this request`, 'fix the paths');
  }
  return out;
}

/**
 * Refuses before writing when what is on disk would take a write elsewhere
 * or fail half-way: a symlink below the pki dir (it could point anywhere),
 * a file where a directory must be, a directory where a file must be.
 */
async function checkOnDisk(pkiDir: string, files: readonly PlannedFile[], base: string): Promise<void> {
  for (const f of files) {
    const segs = f.rel.split('/');
    let cur = pkiDir;
    for (const [i, seg] of segs.entries()) {
      cur = path.join(cur, seg);
      const st = await lstatOrUndefined(cur);
      if (!st) break;
      const last = i === segs.length - 1;
      if (st.isSymbolicLink() || (last ? !st.isFile() : !st.isDirectory())) {
        const is = st.isSymbolicLink() ? 'a symlink' : st.isDirectory() ? 'a directory' : 'not a regular file';
        throw new OperatorError({
          code: 'PKI_PATH_NOT_PLAIN',
          message: `not writing PKI files: ${path.posix.join(base, ...segs.slice(0, i + 1))} is ${is}`,
          hint: `move it away by hand if it is not needed (ls -la ${path.posix.join(base, ...segs.slice(0, i))}); nothing was written`,
        });
      }
    }
  }
}

/** Writes the files that differ; returns their host paths. */
async function writeFiles(pkiDir: string, files: readonly PlannedFile[], log: Logger, by: string): Promise<string[]> {
  const written: string[] = [];
  for (const f of files) {
    if (await unchanged(f)) continue;
    try {
      await ensureDir(pkiDir, path.dirname(f.target));
      await writeFileAtomic(f.target, f.data, f.mode);
    } catch (cause) {
      log.error('pki write failed', { path: f.hostPath, written, by, code: 'PKI_WRITE_FAILED' });
      throw new Error(`writing ${f.target}`, { cause });
    }
    written.push(f.hostPath);
  }
  return written;
}

async function unchanged(f: PlannedFile): Promise<boolean> {
  const st = await lstatOrUndefined(f.target);
  if (!st?.isFile() || (st.mode & 0o7777) !== f.mode || st.size !== f.data.length) return false;
  return (await fsp.readFile(f.target)).equals(f.data);
}

/** Makes `dir` and its missing parents down from the nearest existing one with mode 0755 whatever the umask, each durably. */
async function ensureDir(pkiDir: string, dir: string): Promise<void> {
  const missing: string[] = [];
  for (let cur = dir; !(await lstatOrUndefined(cur)); cur = path.dirname(cur)) {
    missing.unshift(cur);
    if (cur === path.dirname(cur)) break;
  }
  for (const d of missing) {
    await fsp.mkdir(d, { mode: DIR_MODE });
    // Above the pki dir (/etc/kubernetes on a fresh host) the umask's mode stands, as with mkdir -p.
    if (d === pkiDir || d.startsWith(pkiDir + path.sep)) await fsp.chmod(d, DIR_MODE);
    await syncDir(path.dirname(d));
  }
}
