import fs from 'node:fs';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { errorText } from '../../proto/common/errors.js';
import type { Logger } from '../../proto/common/log.js';
import type { ManifestInventory } from './inventory.js';
import { isManifestFileName } from './manifest-name.js';

/**
 * Watches the manifests dir with chokidar and refreshes the inventory on every
 * add, change and unlink of a file kubelet would read (dotfiles, such as our
 * own `.etcd.yaml.tmp`, and editor swap files are ignored). A valid file is in
 * the inventory at once (an atomic rename is complete when it appears); an
 * invalid one is reported only if it is still invalid once it has been still
 * for settleMs, so a manifest written a few bytes at a time is not reported
 * invalid on the way.
 */
/** After a refresh, look once more this soon for a change made while reading. */
const RECHECK_MS = 10;
/** Full comparison of the dir with what was read, ms. */
const RESCAN_MS = 2_000;

/** Inode, mtime and size: changes whenever the file is replaced or written. */
function signature(file: string): string {
  try {
    const st = fs.statSync(file);
    return `${st.ino}:${st.mtimeMs}:${st.size}`;
  } catch {
    return 'absent';
  }
}

export class ManifestWatcher {
  private watcher: FSWatcher | undefined;
  /** Files that read invalid, looked at again once still for settleMs. */
  private readonly settling = new Map<string, NodeJS.Timeout>();
  private rescan: NodeJS.Timeout | undefined;
  private lastSig = new Map<string, string>();

  constructor(private readonly d: { manifestsDir: string; inventory: ManifestInventory; log: Logger; settleMs?: number; rescanMs?: number }) {}

  /** Resolves once the initial scan is in the inventory. */
  async start(): Promise<void> {
    fs.mkdirSync(this.d.manifestsDir, { recursive: true });
    const settle = this.d.settleMs ?? 100;
    const w = watch(this.d.manifestsDir, {
      depth: 0,
      ignoreInitial: false,
      ignored: (p, stats) => p !== this.d.manifestsDir && (stats?.isDirectory() === true || !isManifestFileName(path.basename(p))),
    });
    this.watcher = w;
    const fail = (p: string) => (err: unknown) => this.d.log.warn('manifest refresh failed', { path: p, err: errorText(err) });
    const refresh = (p: string): void => {
      const file = path.basename(p);
      clearTimeout(this.settling.get(file));
      const sig = signature(path.join(this.d.manifestsDir, file));
      void this.d.inventory.refresh(file, { holdInvalid: settle > 0 }).then((entry) => {
        if (entry && !entry.info.valid && settle > 0) {
          this.settling.set(
            file,
            setTimeout(() => void this.d.inventory.refresh(file).catch(fail(p)), settle),
          );
        }
        // chokidar drops an event that comes within 5 ms of the previous one for the same file:
        // if the file changed while it was being read, read it again.
        setTimeout(() => {
          if (signature(path.join(this.d.manifestsDir, file)) !== sig) refresh(p);
        }, RECHECK_MS);
      }, fail(p));
    };
    // Belt and braces for anything the watch missed (an overflowed inotify queue): compare every file's signature now and then.
    this.rescan = setInterval(() => {
      const seen = new Set(fs.readdirSync(this.d.manifestsDir).filter(isManifestFileName));
      for (const f of seen) if (signature(path.join(this.d.manifestsDir, f)) !== this.lastSig.get(f)) refresh(f);
      for (const f of this.lastSig.keys()) if (!seen.has(f)) refresh(f);
      this.lastSig = new Map([...seen].map((f) => [f, signature(path.join(this.d.manifestsDir, f))]));
    }, this.d.rescanMs ?? RESCAN_MS);
    w.on('add', refresh).on('change', refresh).on('unlink', refresh);
    w.on('error', (err) => this.d.log.warn('manifests watch error', { path: this.d.manifestsDir, err: errorText(err) }));
    await new Promise<void>((resolve) => w.once('ready', () => resolve()));
    // Read every file now, invalid ones included, so the inventory is complete when start() resolves.
    await Promise.all(
      fs
        .readdirSync(this.d.manifestsDir)
        .filter(isManifestFileName)
        .map((f) => this.d.inventory.refresh(f)),
    );
  }

  async stop(): Promise<void> {
    clearInterval(this.rescan);
    for (const t of this.settling.values()) clearTimeout(t);
    await this.watcher?.close();
  }
}
