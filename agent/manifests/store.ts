import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { OperatorError } from '../../proto/common/errors.js';
import { unifiedDiff } from '../../proto/common/diff.js';
import { parseIndex, pickVersion, type IndexEntry, type Version } from './history-index.js';
import { validManifestName } from './manifest-name.js';
import { MAX_MANIFEST_BYTES } from './parse.js';
import { confine } from '../../proto/common/paths.js';
import { syncDir, writeFileAtomic } from '../../proto/common/atomic-file.js';

export interface StoreOptions {
  /** The static pod dir kubelet reads (staticPodPath), e.g. <root>/etc/kubernetes/manifests. */
  manifestsDir: string;
  /** Kept versions and last-applied records, e.g. <root>/var/lib/belay/manifests; never inside manifestsDir. */
  historyDir: string;
  /** Versions kept per file; default STORE_DEFAULTS.keep. */
  keep?: number;
  nowMs?: () => number;
}

export const STORE_DEFAULTS = {
  /** Versions kept per manifest. More reaches further back on rollback; each costs up to MAX_MANIFEST_BYTES of disk. */
  keep: 10,
} as const;

export interface WriteResult {
  changed: boolean;
  /** sha256 of the content replaced or removed; '' if there was none. */
  previousSha256: string;
  /** sha256 of the content now on disk; '' after a remove. */
  sha256: string;
}

interface LastApplied {
  /** '' when the agent's last act was a remove. */
  sha256: string;
  atMs: number;
  by: string;
}

/** The history dir of one manifest, `<historyDir>/<file>/`. */
const INDEX_FILE = 'index.json';
const LAST_APPLIED_FILE = 'last-applied.json';
/** A copy of what the agent last wrote, so drift() can show what changed. */
const LAST_APPLIED_CONTENT = 'last-applied.yaml';

/**
 * The only writer of the manifests dir. kubelet acts on every file event
 * there, so a write is all-or-nothing (dot-temp file in the same dir, fsync,
 * rename, fsync of the dir: kubelet skips dot-files and sees the old file or
 * the new one, never half of one), an unchanged file is not touched (a new
 * mtime alone restarts nothing, but a rewrite still costs a pod sync), and
 * what is replaced is kept outside the dir so it can be rolled back.
 *
 * A file changed by someone else since the agent last wrote it (an operator
 * fixing a flag by hand during an incident) is drift: it is not overwritten
 * or removed without force.
 *
 * Operations on one file run one at a time, in call order.
 */
export class ManifestStore {
  private readonly manifestsDir: string;
  private readonly historyDir: string;
  private readonly keep: number;
  private readonly nowMs: () => number;
  private readonly chains = new Map<string, Promise<void>>();
  /**
   * Per file: the sha the agent is writing now ('' for a removal), from just before the rename until it
   * is recorded as applied. The watcher sees the new file in between, and it is not someone else's.
   */
  private readonly writing = new Map<string, string>();

  constructor(o: StoreOptions) {
    this.manifestsDir = path.resolve(o.manifestsDir);
    this.historyDir = path.resolve(o.historyDir);
    this.keep = Math.max(1, Math.floor(o.keep ?? STORE_DEFAULTS.keep));
    this.nowMs = o.nowMs ?? Date.now;
    const rel = path.relative(this.manifestsDir, this.historyDir);
    if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
      throw new OperatorError({
        code: 'MANIFEST_HISTORY_IN_MANIFESTS_DIR',
        message: `manifest history dir ${this.historyDir} is inside the manifests dir ${this.manifestsDir}`,
        hint: 'keep history outside the dir kubelet reads, e.g. /var/lib/belay/manifests',
      });
    }
  }

  /** Writes `content` to `file` unless it is there already; the replaced content is kept. */
  async apply(file: string, content: Buffer | string, o: { force?: boolean; by?: string } = {}): Promise<WriteResult> {
    checkName(file);
    const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    if (data.length > MAX_MANIFEST_BYTES) {
      throw new OperatorError({
        code: 'MANIFEST_TOO_LARGE',
        message: `not writing manifest ${file}: it is ${data.length} bytes, over the ${MAX_MANIFEST_BYTES}-byte limit`,
        hint: 'a static pod manifest is a few KiB: check what is being sent; nothing was written',
      });
    }
    return this.serialize(file, async () => {
      const sha = sha256(data);
      const cur = await this.current(file);
      if (cur.content !== undefined && cur.sha256 === sha) {
        // Someone wrote exactly what we want: it is ours now; the manifest itself is not touched.
        const last = this.lastApplied(file);
        if (last?.sha256 !== sha) await this.recordApplied(file, data, o.by);
        return { changed: false, previousSha256: sha, sha256: sha };
      }
      if (!o.force) this.refuseDrift(file, cur, 'overwriting');
      if (cur.content !== undefined) await this.keepVersion(file, cur.content, 'replaced');
      await this.writeManifest(file, data, o.by);
      return { changed: true, previousSha256: cur.sha256, sha256: sha };
    });
  }

  /** Deletes `file`, keeping its content for rollback. */
  async remove(file: string, o: { force?: boolean; by?: string } = {}): Promise<WriteResult> {
    checkName(file);
    return this.serialize(file, async () => {
      const cur = await this.current(file);
      if (cur.content === undefined) return { changed: false, previousSha256: '', sha256: '' };
      if (!o.force) this.refuseDrift(file, cur, 'removing');
      await this.keepVersion(file, cur.content, 'removed');
      const target = this.target(file);
      this.writing.set(file, '');
      try {
        try {
          await fsp.unlink(target);
        } catch (cause) {
          throw new Error(`removing manifest ${target}`, { cause });
        }
        await this.afterRename(file, undefined, o.by);
      } finally {
        this.writing.delete(file);
      }
      return { changed: true, previousSha256: cur.sha256, sha256: '' };
    });
  }

  /**
   * Puts a kept version back, byte for byte: `toSha256` (the full sha or a
   * prefix of at least 6), by default the newest kept version that differs
   * from the file now. The content it replaces is kept first, so a rollback
   * is undone by another rollback. No drift check: nothing is lost, the
   * content on disk goes to the history like any other.
   */
  async rollback(file: string, toSha256?: string, o: { by?: string } = {}): Promise<WriteResult> {
    checkName(file);
    return this.serialize(file, async () => {
      const versions = this.readIndex(file).filter((v) => fs.existsSync(this.versionPath(file, v.name)));
      if (versions.length === 0) {
        throw new OperatorError({
          code: 'MANIFEST_NO_HISTORY',
          message: `cannot roll back manifest ${file}: no version of it is kept in ${this.fileHistoryDir(file)}`,
          hint: 'versions are kept only when the agent replaces or removes a file; belayctl manifests history shows them',
        });
      }
      const cur = await this.current(file);
      const target = pickVersion(file, versions, cur.sha256, toSha256);
      const data = await this.readVersion(file, target);
      if (cur.content !== undefined && cur.sha256 === target.sha256) {
        return { changed: false, previousSha256: cur.sha256, sha256: cur.sha256 };
      }
      if (cur.content !== undefined) await this.keepVersion(file, cur.content, 'replaced');
      await this.writeManifest(file, data, o.by);
      return { changed: true, previousSha256: cur.sha256, sha256: target.sha256 };
    });
  }

  /** Kept versions of `file`, newest first. */
  history(file: string): Version[] {
    checkName(file);
    return this.readIndex(file)
      .filter((v) => fs.existsSync(this.versionPath(file, v.name)))
      .map(({ sha256: s, savedAtMs, reason, sizeBytes }) => ({ sha256: s, savedAtMs, reason, sizeBytes }));
  }

  /** What the agent itself last did to `file`: wrote content with this sha, or removed it (sha256 ''). */
  lastApplied(file: string): { sha256: string; atMs: number } | undefined {
    checkName(file);
    const last = this.readLastApplied(file);
    return last && { sha256: last.sha256, atMs: last.atMs };
  }

  /**
   * Whether `currentContent` (undefined: the file is absent) differs from what
   * the agent last wrote to `file`, and a unified diff from that to this. A
   * file the agent never wrote is the operator's, not drift.
   */
  drift(file: string, currentContent: Buffer | undefined): { drifted: boolean; diff: string } {
    checkName(file);
    const last = this.readLastApplied(file);
    if (!last) return { drifted: false, diff: '' };
    const curSha = currentContent === undefined ? '' : sha256(currentContent);
    if (curSha === last.sha256 || curSha === this.writing.get(file)) return { drifted: false, diff: '' };

    const before = this.lastAppliedContent(file, last.sha256);
    const mtime = mtimeText(this.target(file));
    const oldLabel = `last applied (${last.sha256 === '' ? 'removed' : `sha ${last.sha256.slice(0, 12)}`}, ${new Date(last.atMs).toISOString()}${last.by ? ` by ${last.by}` : ''})`;
    const newLabel = currentContent === undefined ? 'on disk (absent)' : `on disk (mtime ${mtime}, sha ${curSha.slice(0, 12)})`;
    const headers = `--- ${oldLabel}\n+++ ${newLabel}\n`;
    if (before === undefined) return { drifted: true, diff: `${headers}(the content last applied is no longer kept; only its sha ${last.sha256} is known)\n` };
    const diff = unifiedDiff(before, currentContent ?? Buffer.alloc(0), oldLabel, newLabel);
    return { drifted: true, diff: diff || `${headers}(the two differ only in bytes that are not UTF-8 text)\n` };
  }

  /** The content of `file` now, or undefined if it is absent. */
  async read(file: string): Promise<Buffer | undefined> {
    checkName(file);
    try {
      return await fsp.readFile(this.target(file));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(`reading manifest ${this.target(file)}`, { cause: err });
    }
  }

  // ---- internals ----

  /** Runs `work` after every earlier operation on `file` has settled. */
  private serialize<T>(file: string, work: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(file) ?? Promise.resolve();
    const run = prev.then(work);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.chains.set(file, settled);
    void settled.then(() => {
      if (this.chains.get(file) === settled) this.chains.delete(file);
    });
    return run;
  }

  private target(file: string): string {
    return confine(this.manifestsDir, file);
  }

  private fileHistoryDir(file: string): string {
    return confine(this.historyDir, file);
  }

  private versionPath(file: string, name: string): string {
    return confine(this.fileHistoryDir(file), name);
  }

  private async current(file: string): Promise<{ content: Buffer | undefined; sha256: string; mtime: Date | undefined }> {
    const target = this.target(file);
    let st: fs.Stats;
    try {
      st = await fsp.lstat(target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { content: undefined, sha256: '', mtime: undefined };
      throw new Error(`reading manifest ${target}`, { cause: err });
    }
    if (!st.isFile()) {
      throw new OperatorError({
        code: 'MANIFEST_NOT_A_FILE',
        message: `not touching manifest ${target}: it is ${st.isDirectory() ? 'a directory' : st.isSymbolicLink() ? 'a symlink' : 'not a regular file'}`,
        hint: `move ${target} out of the manifests dir by hand; nothing was written`,
      });
    }
    let content: Buffer;
    try {
      content = await fsp.readFile(target);
    } catch (cause) {
      throw new Error(`reading manifest ${target}`, { cause });
    }
    // st.mtime, not new Date(st.mtimeMs): Node rounds the fraction of a ms, Date truncates it, and
    // the message must show the mtime that `ls --full-time` and fs.stat show.
    return { content, sha256: sha256(content), mtime: st.mtime };
  }

  private refuseDrift(file: string, cur: { sha256: string; mtime: Date | undefined }, verb: string): void {
    const last = this.readLastApplied(file);
    if (!last || last.sha256 === cur.sha256) return;
    const onDisk = cur.sha256 === '' ? 'the file is absent' : `on disk sha256 ${cur.sha256}, mtime ${cur.mtime?.toISOString() ?? '?'}`;
    const applied = last.sha256 === '' ? 'the agent last removed it' : `last applied sha256 ${last.sha256}`;
    throw new OperatorError({
      code: 'MANIFEST_DRIFTED',
      message: `not ${verb} manifest ${file}: it was changed by someone other than the agent (${applied} at ${new Date(last.atMs).toISOString()}; ${onDisk})`,
      hint: 'see belayctl manifests diff; apply with --force to overwrite',
      unsafe: true,
    });
  }

  /** Writes the manifest (atomically), then records it as last applied even if the dir fsync failed: the rename happened. */
  private async writeManifest(file: string, data: Buffer, by: string | undefined): Promise<void> {
    const target = this.target(file);
    this.writing.set(file, sha256(data));
    try {
      try {
        await fsp.mkdir(this.manifestsDir, { recursive: true, mode: 0o755 });
        await replaceFile(this.manifestsDir, file, data);
      } catch (cause) {
        throw new Error(`writing manifest ${target}`, { cause });
      }
      await this.afterRename(file, data, by);
    } finally {
      this.writing.delete(file);
    }
  }

  private async afterRename(file: string, data: Buffer | undefined, by: string | undefined): Promise<void> {
    let syncErr: unknown;
    try {
      await syncDir(this.manifestsDir);
    } catch (err) {
      syncErr = err;
    }
    await this.recordApplied(file, data, by);
    if (syncErr !== undefined) throw new Error(`syncing manifests dir ${this.manifestsDir}`, { cause: syncErr });
  }

  private async recordApplied(file: string, data: Buffer | undefined, by: string | undefined): Promise<void> {
    const dir = await this.ensureHistoryDir(file);
    const rec: LastApplied = { sha256: data === undefined ? '' : sha256(data), atMs: this.nowMs(), by: by ?? '' };
    try {
      // Content first: a crash between the two leaves the old record, whose sha no longer matches the copy (drift() checks).
      if (data !== undefined) await replaceFile(dir, LAST_APPLIED_CONTENT, data);
      await replaceFile(dir, LAST_APPLIED_FILE, Buffer.from(JSON.stringify(rec) + '\n'));
      await syncDir(dir);
    } catch (cause) {
      throw new Error(`recording last-applied manifest in ${dir}`, { cause });
    }
  }

  private readLastApplied(file: string): LastApplied | undefined {
    const p = confine(this.fileHistoryDir(file), LAST_APPLIED_FILE);
    let text: string;
    try {
      text = fs.readFileSync(p, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(`reading ${p}`, { cause: err });
    }
    const rec = parseJson(text) as Partial<LastApplied> | undefined;
    if (!rec || typeof rec.sha256 !== 'string' || typeof rec.atMs !== 'number') {
      throw new OperatorError({
        code: 'MANIFEST_HISTORY_CORRUPT',
        message: `cannot tell whether manifest ${file} drifted: ${p} is not a last-applied record`,
        hint: `look at ${p}; deleting it makes the agent treat ${file} as never written by it`,
      });
    }
    return { sha256: rec.sha256, atMs: rec.atMs, by: typeof rec.by === 'string' ? rec.by : '' };
  }

  /** What the agent last wrote, if still known: the copy beside the record, else a kept version with that sha. */
  private lastAppliedContent(file: string, sha: string): Buffer | undefined {
    if (sha === '') return Buffer.alloc(0);
    const candidates = [
      LAST_APPLIED_CONTENT,
      ...this.readIndex(file)
        .filter((v) => v.sha256 === sha)
        .map((v) => v.name),
    ];
    for (const name of candidates) {
      try {
        const b = fs.readFileSync(this.versionPath(file, name));
        if (sha256(b) === sha) return b;
      } catch {
        // missing: try the next
      }
    }
    return undefined;
  }

  /** Saves `content` as the newest version of `file`, then drops all but the newest `keep`. */
  private async keepVersion(file: string, content: Buffer, reason: Version['reason']): Promise<void> {
    const dir = await this.ensureHistoryDir(file);
    const savedAtMs = this.nowMs();
    const s = sha256(content);
    const entry: IndexEntry = { name: `${savedAtMs}-${s.slice(0, 12)}.yaml`, sha256: s, savedAtMs, reason, sizeBytes: content.length };
    try {
      await replaceFile(dir, entry.name, content);
      const kept = [entry, ...this.readIndex(file).filter((v) => fs.existsSync(this.versionPath(file, v.name)))].slice(0, this.keep);
      await replaceFile(dir, INDEX_FILE, Buffer.from(JSON.stringify({ versions: kept }, null, 1) + '\n'));
      await syncDir(dir);
      // Versions no longer listed (dropped now, or orphaned by a crash before the index was written) go.
      const listed = new Set(kept.map((v) => v.name));
      for (const name of await fsp.readdir(dir)) {
        if (/^\d+-[0-9a-f]{12}\.yaml$/.test(name) && !listed.has(name)) await fsp.rm(confine(dir, name), { force: true });
      }
    } catch (cause) {
      throw new Error(`keeping a copy of manifest ${file} in ${dir} (the manifest was not touched)`, { cause });
    }
  }

  private readIndex(file: string): IndexEntry[] {
    const p = confine(this.fileHistoryDir(file), INDEX_FILE);
    let text: string;
    try {
      text = fs.readFileSync(p, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new Error(`reading ${p}`, { cause: err });
    }
    return parseIndex(text, file, p);
  }

  private async readVersion(file: string, v: IndexEntry): Promise<Buffer> {
    const p = this.versionPath(file, v.name);
    let data: Buffer;
    try {
      data = await fsp.readFile(p);
    } catch (cause) {
      throw new Error(`reading kept version ${p}`, { cause });
    }
    if (sha256(data) !== v.sha256) {
      throw new OperatorError({
        code: 'MANIFEST_HISTORY_CORRUPT',
        message: `not rolling back manifest ${file}: kept version ${p} has sha256 ${sha256(data)}, its index says ${v.sha256}`,
        hint: 'pick another version (belayctl manifests history) or check the disk',
      });
    }
    return data;
  }

  private async ensureHistoryDir(file: string): Promise<string> {
    const dir = this.fileHistoryDir(file);
    const created = await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    if (created !== undefined) await syncDir(path.dirname(dir));
    return dir;
  }
}

/** A plain file name kubelet would read: no path, no dot-file, a manifest extension. Mirrors parse.ts validManifestName. */
function checkName(file: string): void {
  const v = validManifestName(file);
  if (!v.ok) {
    throw new OperatorError({
      code: 'MANIFEST_BAD_NAME',
      message: `refusing manifest name ${JSON.stringify(file)}: ${v.reason}`,
      hint: 'give a plain file name such as etcd.yaml (.yaml, .yml or .json; no "/", no "..", no leading "."); nothing was written',
    });
  }
}

/**
 * Replaces `dir/name` so that a reader (kubelet, inotify) sees the old file
 * or the new one, never a partial one (atomic-file.ts). The caller fsyncs
 * the dir: after a manifest's rename the store records it as applied even
 * if that fsync fails.
 */
function replaceFile(dir: string, name: string, data: Buffer): Promise<void> {
  return writeFileAtomic(confine(dir, name), data, 0o600, { syncDir: false });
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function mtimeText(p: string): string {
  try {
    return fs.statSync(p).mtime.toISOString();
  } catch {
    return 'unknown';
  }
}
