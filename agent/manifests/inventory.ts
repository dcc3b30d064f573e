import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { errorText } from '../../proto/common/errors.js';
import type { ManifestInfo__Output as ManifestInfo } from '../../proto/gen/belay/v1/ManifestInfo.js';
import type { RaisedEvent } from '../report/events.js';
import { isManifestFileName } from './manifest-name.js';
import { MAX_MANIFEST_BYTES, parseManifest, type ParsedManifest } from './parse.js';
import type { ManifestStore } from './store.js';

export interface InventoryEntry {
  info: ManifestInfo;
  /** The parsed Pod when valid (the host runtime runs it). */
  parsed: ParsedManifest;
}

/**
 * What is in the manifests dir: one entry per file kubelet would read, kept
 * up to date by the watcher and by the agent's own writes. Events on
 * transitions only: a file that becomes invalid, drifts, appears or goes.
 */
export class ManifestInventory {
  private readonly entries = new Map<string, InventoryEntry>();
  private readonly listeners: ((file: string, entry: InventoryEntry | undefined) => void)[] = [];

  constructor(private readonly d: { manifestsDir: string; store: ManifestStore; raise(e: RaisedEvent): void }) {}

  list(): ManifestInfo[] {
    return [...this.entries.values()].map((e) => e.info).sort((a, b) => a.file.localeCompare(b.file));
  }

  /** The entry of exactly this file. */
  byFile(file: string): InventoryEntry | undefined {
    return this.entries.get(file);
  }

  /** By file name, or else by pod name. */
  get(name: string): InventoryEntry | undefined {
    return this.entries.get(name) ?? [...this.entries.values()].find((e) => e.info.podName === name);
  }

  onChange(listener: (file: string, entry: InventoryEntry | undefined) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Reads `file` again (the watcher saw it change, or the agent wrote it) and updates its entry.
   * With `holdInvalid`, an invalid content is neither stored nor reported (it may be a write
   * still under way); the caller looks again once the file has settled. Returns the parse either way.
   */
  async refresh(file: string, o: { holdInvalid?: boolean } = {}): Promise<InventoryEntry | undefined> {
    if (!isManifestFileName(file)) return undefined;
    const full = path.join(this.d.manifestsDir, file);
    let content: Buffer | undefined;
    let mtimeMs: number;
    try {
      const st = await fs.stat(full);
      if (!st.isFile()) return this.forget(file);
      mtimeMs = Math.round(st.mtimeMs);
      content = st.size > MAX_MANIFEST_BYTES ? undefined : await fs.readFile(full);
      if (content === undefined) {
        return this.set(file, tooLarge(file, st.size, mtimeMs));
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return this.forget(file);
      this.d.raise({ kind: 'ManifestUnreadable', severity: 'warning', message: `cannot read manifest ${file}: ${errorText(err)}`, fields: { file } });
      return this.entries.get(file);
    }
    const parsed = parseManifest(file, content.toString('utf8'));
    const drift = this.d.store.drift(file, content);
    const info: ManifestInfo = {
      file,
      podName: parsed.podName,
      namespace: parsed.namespace,
      containers: parsed.containers,
      hostPaths: parsed.hostPaths,
      sha256: createHash('sha256').update(content).digest('hex'),
      mtimeMs,
      sizeBytes: content.length,
      valid: parsed.valid,
      problems: parsed.problems,
      drifted: drift.drifted,
      driftDiff: drift.drifted ? drift.diff : '',
      podPhase: '',
      podReady: false,
      podNotReadyReason: '',
      runningSha256: '',
      podReadyForMs: 0,
      historyVersions: this.d.store.history(file).length,
    };
    if (!parsed.valid && o.holdInvalid) return { info, parsed };
    return this.set(file, { info, parsed });
  }

  private set(file: string, entry: InventoryEntry): InventoryEntry {
    const prev = this.entries.get(file);
    this.entries.set(file, entry);
    const i = entry.info;
    if (prev?.info.sha256 === i.sha256 && prev.info.drifted === i.drifted) return entry;
    if (!i.valid) {
      const first = i.problems[0];
      const where = first ? `${file}:${first.line}:${first.column}: ${first.message}` : file;
      this.d.raise({
        kind: 'ManifestInvalid',
        severity: 'warning',
        message: `invalid manifest ${where}`,
        fields: { file, sha256: i.sha256, problems: i.problems.length },
      });
    } else if (i.drifted && !prev?.info.drifted) {
      this.d.raise({
        kind: 'ManifestDrifted',
        severity: 'warning',
        message: `manifest ${file} was changed by someone other than the agent (belayctl manifests get to see it)`,
        fields: { file, sha256: i.sha256, mtimeMs: i.mtimeMs },
      });
    } else {
      this.d.raise({
        kind: prev ? 'ManifestChanged' : 'ManifestAdded',
        severity: 'info',
        message: `manifest ${file} (pod ${i.namespace}/${i.podName}) ${prev ? 'changed' : 'added'}`,
        fields: { file, pod: i.podName, sha256: i.sha256 },
      });
    }
    for (const l of this.listeners) l(file, entry);
    return entry;
  }

  private forget(file: string): undefined {
    if (this.entries.delete(file)) {
      this.d.raise({ kind: 'ManifestRemoved', severity: 'info', message: `manifest ${file} removed`, fields: { file } });
      for (const l of this.listeners) l(file, undefined);
    }
    return undefined;
  }
}

function tooLarge(file: string, size: number, mtimeMs: number): InventoryEntry {
  const problems = [{ line: 0, column: 0, message: `file is ${size} bytes, over the ${MAX_MANIFEST_BYTES}-byte limit` }];
  const parsed: ParsedManifest = { valid: false, problems, podName: '', namespace: '', containers: [], hostPaths: [] };
  return {
    parsed,
    info: {
      file,
      podName: '',
      namespace: '',
      containers: [],
      hostPaths: [],
      sha256: '',
      mtimeMs,
      sizeBytes: size,
      valid: false,
      problems,
      drifted: false,
      driftDiff: '',
      podPhase: '',
      podReady: false,
      podNotReadyReason: '',
      runningSha256: '',
      podReadyForMs: 0,
      historyVersions: 0,
    },
  };
}
