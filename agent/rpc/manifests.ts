import { OperatorError } from '../../proto/common/errors.js';
import { unary } from '../../proto/common/handlers.js';
import type { Logger } from '../../proto/common/log.js';
import type { AgentHandlers } from '../../proto/gen/belay/v1/Agent.js';
import type { ApplyManifestResponse } from '../../proto/gen/belay/v1/ApplyManifestResponse.js';
import type { ManifestInventory } from '../manifests/inventory.js';
import { validManifestName } from '../manifests/manifest-name.js';
import { MAX_MANIFEST_BYTES, parseManifest } from '../manifests/parse.js';
import type { ManifestStore } from '../manifests/store.js';
import type { RaisedEvent } from '../report/events.js';
import type { TermFence } from './fencing.js';

type ManifestHandlers = Pick<AgentHandlers, 'GetManifest' | 'ApplyManifest' | 'RemoveManifest' | 'RollbackManifest' | 'ManifestHistory'>;

/**
 * The manifests dir over gRPC. Nothing is written before the name, the size
 * and the Pod itself have passed validation; every write goes through the
 * store (atomic, history, drift protection), then the inventory is refreshed
 * at once rather than when the watcher notices. Writes are fenced by the
 * sender's term before anything else (fencing.ts).
 */
export function manifestHandlers(d: {
  node: string;
  store: ManifestStore;
  inventory: ManifestInventory;
  fence: TermFence;
  log: Logger;
  raise(e: RaisedEvent): void;
  /** Told after the agent wrote or removed a manifest (the host runtime acts on it without its settle wait). */
  written?: (file: string) => void;
}): ManifestHandlers {
  const checkName = (file: string): void => {
    const v = validManifestName(file);
    if (!v.ok) throw new OperatorError({ code: 'MANIFEST_BAD_NAME', message: v.reason, hint: 'give a plain file name such as etcd.yaml' });
  };
  const after = async (file: string, changed: boolean, previousSha256: string): Promise<ApplyManifestResponse> => {
    const entry = await d.inventory.refresh(file);
    if (changed) d.written?.(file);
    return { info: entry?.info ?? null, changed, previousSha256 };
  };

  return {
    GetManifest: unary(d, 'GetManifest', async (req) => {
      const entry = d.inventory.get(req.name);
      if (!entry) {
        throw new OperatorError({
          code: 'NO_SUCH_MANIFEST',
          message: `no manifest "${req.name}" on ${d.node}`,
          hint: `belayctl manifests list ${d.node} shows them`,
        });
      }
      const content = await d.store.read(entry.info.file);
      return { info: entry.info, content: content?.toString('utf8') ?? '' };
    }),

    ApplyManifest: unary(d, 'ApplyManifest', async (req) => {
      const { file, content, force, requestedBy, term } = req;
      await d.fence.admit(term, { method: 'ApplyManifest', by: requestedBy });
      checkName(file);
      if (Buffer.byteLength(content) > MAX_MANIFEST_BYTES) {
        throw new OperatorError({
          code: 'MANIFEST_TOO_LARGE',
          message: `manifest ${file} is ${Buffer.byteLength(content)} bytes, over the ${MAX_MANIFEST_BYTES}-byte limit`,
          hint: 'a static pod manifest is a few KiB: check what is being sent',
        });
      }
      const parsed = parseManifest(file, content);
      if (!parsed.valid) {
        const p = parsed.problems[0];
        throw new OperatorError({
          code: 'MANIFEST_INVALID',
          message: `manifest ${file} is not a valid static pod: ${parsed.problems.map((x) => `${x.line}:${x.column}: ${x.message}`).join('; ')}`,
          hint: p ? `fix line ${p.line} column ${p.column}; nothing was written` : 'nothing was written',
        });
      }
      const r = await d.store.apply(file, content, { force, by: requestedBy });
      if (r.changed)
        d.raise({
          kind: 'ManifestApplied',
          severity: 'info',
          message: `wrote ${file} (pod ${parsed.podName}) for ${requestedBy || 'someone'}`,
          fields: { file, sha256: r.sha256, previous: r.previousSha256 },
        });
      return after(file, r.changed, r.previousSha256);
    }),

    RemoveManifest: unary(d, 'RemoveManifest', async (req) => {
      const { file, force, requestedBy, term } = req;
      await d.fence.admit(term, { method: 'RemoveManifest', by: requestedBy });
      checkName(file);
      const r = await d.store.remove(file, { force, by: requestedBy });
      if (r.changed)
        d.raise({
          kind: 'ManifestRemovedByAgent',
          severity: 'info',
          message: `removed ${file} for ${requestedBy || 'someone'} (kept for rollback)`,
          fields: { file, previous: r.previousSha256 },
        });
      return after(file, r.changed, r.previousSha256);
    }),

    RollbackManifest: unary(d, 'RollbackManifest', async (req) => {
      const { file, toSha256, requestedBy, term } = req;
      await d.fence.admit(term, { method: 'RollbackManifest', by: requestedBy });
      checkName(file);
      const r = await d.store.rollback(file, toSha256 || undefined, { by: requestedBy });
      if (r.changed)
        d.raise({
          kind: 'ManifestRolledBack',
          severity: 'warning',
          message: `rolled ${file} back to ${r.sha256.slice(0, 12)} for ${requestedBy || 'someone'}`,
          fields: { file, sha256: r.sha256, previous: r.previousSha256 },
        });
      return after(file, r.changed, r.previousSha256);
    }),

    ManifestHistory: unary(d, 'ManifestHistory', (req) => {
      const { file } = req;
      checkName(file);
      return { versions: d.store.history(file) };
    }),
  };
}
