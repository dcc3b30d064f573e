import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import type { PkiPublicFile } from '../../proto/gen/belay/v1/PkiPublicFile.js';

/**
 * The public side of this master's PKI, for `belayctl pki check`:
 * certificates and public keys as they are, kubeconfigs without their
 * client keys (nor tokens or passwords), and of every private key only the
 * sha256 of its public half, which is all a check needs to tell whether a
 * key belongs to its certificate. Private key material never leaves this
 * process: not in the answer, not in an error, not in the log.
 */

/** kubeadm's config dir: kubeconfigs in it, certificates and keys under pki/. Paths in the answer are relative to it. */
export const KUBERNETES_DIR = '/etc/kubernetes';

export const PKI_READ_LIMITS = {
  /** Files read per request. kubeadm's set is about 25; more means something else lives there, and the answer stays bounded. */
  maxFiles: 200,
  /** Bytes per file. A PEM chain of a few certificates, a 4096-bit key or a kubeconfig is under 16 KiB. */
  maxFileBytes: 64 * 1024,
  /** Directory levels under pki/ (kubeadm uses one: etcd/). */
  maxDepth: 8,
  /** Content bytes per answer: well under gRPC's default 4 MiB message limit, which maxFiles × maxFileBytes is not. */
  maxAnswerBytes: 2 * 1024 * 1024,
} as const;

/** Every .crt, .pub and .key under `dir`/pki (recursively) and every `dir`/*.conf, public parts only, in path order. */
export async function readPublicPki(dir: string): Promise<PkiPublicFile[]> {
  const out: PkiPublicFile[] = [];
  const budget = { left: PKI_READ_LIMITS.maxFiles, overflow: false };
  await walk(path.join(dir, 'pki'), 'pki', 0, out, budget);
  for (const name of (await listDir(dir))
    .filter((e) => e.isFile() && e.name.endsWith('.conf'))
    .map((e) => e.name)
    .sort()) {
    if (!take(budget)) break;
    out.push(await readKubeconfig(path.join(dir, name), name));
  }
  let bytes = 0;
  for (const f of out) {
    bytes += Buffer.byteLength(f.content ?? '');
    if (bytes > PKI_READ_LIMITS.maxAnswerBytes)
      Object.assign(f, { content: '', error: `not sent: the answer would exceed ${PKI_READ_LIMITS.maxAnswerBytes} bytes` });
  }
  if (budget.overflow)
    out.push({
      path: 'pki',
      content: '',
      publicKeySha256: '',
      error: `more than ${PKI_READ_LIMITS.maxFiles} files in ${KUBERNETES_DIR}/pki and ${KUBERNETES_DIR}/*.conf: the rest were not read`,
    });
  return out;
}

function take(budget: { left: number; overflow: boolean }): boolean {
  if (budget.left <= 0) {
    budget.overflow = true;
    return false;
  }
  budget.left--;
  return true;
}

/** Entries of `dir`, none when it does not exist. Symlinks show as such (withFileTypes does not follow them) and are skipped by the callers. */
async function listDir(dir: string): Promise<fs.Dirent[]> {
  try {
    return await fsp.readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw new Error(`reading ${dir}`, { cause: err });
  }
}

async function walk(dir: string, rel: string, depth: number, out: PkiPublicFile[], budget: { left: number; overflow: boolean }): Promise<void> {
  const entries = (await listDir(dir)).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const p = path.join(dir, e.name);
    const r = `${rel}/${e.name}`;
    if (e.isDirectory()) {
      if (depth + 1 < PKI_READ_LIMITS.maxDepth) await walk(p, r, depth + 1, out, budget);
      continue;
    }
    if (!e.isFile()) continue;
    const kind = e.name.endsWith('.key') ? 'key' : e.name.endsWith('.crt') || e.name.endsWith('.pub') ? 'public' : undefined;
    if (!kind) continue;
    if (!take(budget)) return;
    out.push(kind === 'key' ? await readKey(p, r) : await readPublic(p, r));
  }
}

/** A file's bytes if it is a regular file (not a symlink swapped in since the listing) within the size limit, else why not. */
async function readBounded(p: string): Promise<{ data: Buffer } | { error: string }> {
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(p, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    const st = await fh.stat();
    if (!st.isFile()) return { error: 'not a regular file: not read' };
    if (st.size > PKI_READ_LIMITS.maxFileBytes) return { error: `${st.size} bytes, over the ${PKI_READ_LIMITS.maxFileBytes}-byte limit: not read` };
    const buf = Buffer.alloc(PKI_READ_LIMITS.maxFileBytes + 1);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    if (bytesRead > PKI_READ_LIMITS.maxFileBytes) return { error: `over the ${PKI_READ_LIMITS.maxFileBytes}-byte limit: not read` };
    return { data: buf.subarray(0, bytesRead) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { error: 'a symlink: not read' };
    return { error: `cannot read it (${code ?? 'error'})` };
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/** sha256 (hex) of the DER SubjectPublicKeyInfo of a private key's public half; undefined when `pem` is no (unencrypted) private key. */
function publicKeySha256(pem: Buffer | string): string | undefined {
  try {
    const spki = crypto.createPublicKey(crypto.createPrivateKey(pem)).export({ type: 'spki', format: 'der' });
    return crypto.createHash('sha256').update(spki).digest('hex');
  } catch {
    // The error text is not passed on: it is not needed, and must never carry key bytes.
    return undefined;
  }
}

async function readKey(p: string, rel: string): Promise<PkiPublicFile> {
  const r = await readBounded(p);
  if ('error' in r) return { path: rel, content: '', publicKeySha256: '', error: r.error };
  const sha = publicKeySha256(r.data);
  r.data.fill(0);
  return sha
    ? { path: rel, content: '', publicKeySha256: sha, error: '' }
    : { path: rel, content: '', publicKeySha256: '', error: 'not a PEM private key (or an encrypted one)' };
}

async function readPublic(p: string, rel: string): Promise<PkiPublicFile> {
  const r = await readBounded(p);
  if ('error' in r) return { path: rel, content: '', publicKeySha256: '', error: r.error };
  const text = r.data.toString('utf8');
  // A certificate file with its key appended (a "bundle") must not carry the key off the master.
  if (/PRIVATE KEY/.test(text)) {
    r.data.fill(0);
    return { path: rel, content: '', publicKeySha256: '', error: 'holds a private key: not sent (keep keys in .key files of their own)' };
  }
  return { path: rel, content: text, publicKeySha256: '', error: '' };
}

/** Fields of a kubeconfig user that are secrets: never sent. */
const SECRET_USER_FIELDS = ['client-key-data', 'token', 'password'] as const;

/**
 * A kubeconfig without its secrets, and the sha256 of its current context's
 * client key. Text that is not a YAML mapping is not sent at all: its
 * secrets could not be told apart.
 */
async function readKubeconfig(p: string, rel: string): Promise<PkiPublicFile> {
  const r = await readBounded(p);
  if ('error' in r) return { path: rel, content: '', publicKeySha256: '', error: r.error };
  let doc: unknown;
  try {
    doc = YAML.parse(r.data.toString('utf8'));
  } catch {
    doc = undefined;
  } finally {
    r.data.fill(0);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    return { path: rel, content: '', publicKeySha256: '', error: 'not a kubeconfig (no YAML mapping): not sent' };
  const field = (o: unknown, key: string): unknown => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[key] : undefined);
  const users = field(doc, 'users');
  const contexts = field(doc, 'contexts');
  const named = (list: unknown, name: unknown): unknown =>
    Array.isArray(list) ? (list.find((i) => field(i, 'name') === name) ?? (list.length === 1 ? list[0] : undefined)) : undefined;
  const current = field(named(users, field(field(named(contexts, field(doc, 'current-context')), 'context'), 'user')), 'user');
  const keyData = field(current, 'client-key-data');
  let sha: string | undefined;
  let error = '';
  if (typeof keyData === 'string') {
    const der = Buffer.from(keyData, 'base64');
    sha = publicKeySha256(der);
    der.fill(0);
    if (!sha) error = 'client-key-data is not a PEM private key';
  }
  for (const u of Array.isArray(users) ? users : []) {
    const user = field(u, 'user');
    if (user !== null && typeof user === 'object') for (const f of SECRET_USER_FIELDS) delete (user as Record<string, unknown>)[f];
  }
  const content = YAML.stringify(doc, { lineWidth: 0 });
  // Belt and braces: whatever shape the file had, no key leaves in it.
  if (/PRIVATE KEY|client-key-data/.test(content))
    return { path: rel, content: '', publicKeySha256: '', error: 'holds private key material outside users[].user.client-key-data: not sent' };
  return { path: rel, content, publicKeySha256: sha ?? '', error };
}
