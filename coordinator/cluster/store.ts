import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../proto/common/atomic-file.js';
import type { HostPaths } from '../../proto/common/paths.js';
import { formatClusterSpec, parseClusterSpec, type ClusterSpec } from './spec.js';

/**
 * The coordinator's local copy of the Cluster spec, in its state dir
 * (/var/lib/belay/cluster). Before bootstrap it is the only copy (every
 * live coordinator holds it); after, etcd holds the truth under /belay/ and
 * this copy tells a starting coordinator where etcd is. Written atomically.
 */

export interface LocalSpec {
  spec: ClusterSpec;
  text: string;
  appliedAtMs: number;
}

export class LocalClusterStore {
  readonly dir: string;

  constructor(paths: HostPaths) {
    this.dir = paths.host('/var/lib/belay/cluster');
  }

  private file(name: string): string {
    return path.join(this.dir, name);
  }

  /** The spec in memory: read from disk once, then kept by write(). undefined: not read yet. */
  private cached: LocalSpec | null | undefined;

  /**
   * The stored spec; undefined if none. Read from disk the first time only: every later change comes
   * through write() (an apply, or the copy kept in step with etcd's), so the leader's controllers,
   * which ask for it on every pass, never touch the disk. A copy that no longer parses is reported,
   * not used (and read again on the next call).
   */
  read(): LocalSpec | undefined {
    if (this.cached !== undefined) return this.cached ?? undefined;
    let text: string;
    try {
      text = fs.readFileSync(this.file('cluster.yaml'), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        this.cached = null;
        return undefined;
      }
      throw err;
    }
    let appliedAtMs = 0;
    try {
      appliedAtMs = (JSON.parse(fs.readFileSync(this.file('state.json'), 'utf8')) as { appliedAtMs?: number }).appliedAtMs ?? 0;
    } catch {
      // the time is for display only
    }
    this.cached = { spec: parseClusterSpec(text, this.file('cluster.yaml')), text, appliedAtMs };
    return this.cached;
  }

  /** Stores `spec`; false when the same text was already there. */
  async write(spec: ClusterSpec, appliedAtMs: number): Promise<boolean> {
    const text = formatClusterSpec(spec);
    let current: string | undefined;
    try {
      current = this.read()?.text;
    } catch {
      current = undefined;
    }
    if (current === text) return false;
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.file('state.json'), JSON.stringify({ appliedAtMs }) + '\n', 0o600);
    await writeFileAtomic(this.file('cluster.yaml'), text, 0o600);
    this.cached = { spec, text, appliedAtMs };
    return true;
  }

  /** The etcd CA made at bootstrap here (kept so that a retried bootstrap issues from the same CA). */
  readEtcdCa(): { certPem: string; keyPem: string } | undefined {
    try {
      return { certPem: fs.readFileSync(this.file('etcd-ca.crt'), 'utf8'), keyPem: fs.readFileSync(this.file('etcd-ca.key'), 'utf8') };
    } catch {
      return undefined;
    }
  }

  async writeEtcdCa(ca: { certPem: string; keyPem: string }): Promise<void> {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.file('etcd-ca.crt'), ca.certPem, 0o644);
    await writeFileAtomic(this.file('etcd-ca.key'), ca.keyPem, 0o600);
  }
}
