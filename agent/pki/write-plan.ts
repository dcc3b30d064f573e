import path from 'node:path';
import { OperatorError } from '../../proto/common/errors.js';
import { confine } from '../../proto/common/paths.js';
import type { PkiFile__Output } from '../../proto/gen/belay/v1/PkiFile.js';

/**
 * Where a WritePki request may write and what: the allowed dirs, the names
 * each takes, limits and modes. Every path is checked and confined under
 * its dir before anything is written (write.ts writes).
 */

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
/** Segment of a relative path: no leading dot (no dot-files, no `.` or `..`), no odd characters. */
const SEGMENT = /^[A-Za-z0-9_+-][A-Za-z0-9._+-]*$/;

export interface PlannedFile {
  /** As requested, e.g. etcd/server.crt. */
  rel: string;
  /** Host path, for the answer and the log. */
  hostPath: string;
  /** Real path under --root. */
  target: string;
  data: Buffer;
  mode: number;
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
