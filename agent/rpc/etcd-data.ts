import type { Logger } from '../../proto/common/log.js';
import type { HostPaths } from '../../proto/common/paths.js';
import { unary } from '../../proto/common/handlers.js';
import type { AgentHandlers } from '../../proto/gen/belay/v1/Agent.js';
import type { ArchiveEtcdDataResponse } from '../../proto/gen/belay/v1/ArchiveEtcdDataResponse.js';
import { archiveDataDir } from '../etcd/data-dir.js';
import type { RaisedEvent } from '../report/events.js';
import type { TermFence } from './fencing.js';
import type { EtcdDataGuard } from '../etcd/data-guard.js';

type EtcdDataHandlers = Pick<AgentHandlers, 'ArchiveEtcdData'>;

/** ArchiveEtcdData (etcd/data-dir.ts): fenced by term, one call at a time, the term check included. */
export function etcdDataHandlers(d: {
  node: string;
  paths: HostPaths;
  fence: TermFence;
  log: Logger;
  raise(e: RaisedEvent): void;
  nowMs?: () => number;
  procDir?: string;
  /** Forgets the recorded membership when its data dir is archived: etcd may then start there as a new member. */
  guard?: Pick<EtcdDataGuard, 'watches' | 'forget'>;
}): EtcdDataHandlers {
  const nowMs = d.nowMs ?? Date.now;
  let chain: Promise<unknown> = Promise.resolve();
  return {
    ArchiveEtcdData: unary(d, 'ArchiveEtcdData', (req) => {
      const { dataDir, reason, requestedBy, term } = req;
      const by = requestedBy || 'someone';
      const work = async (): Promise<ArchiveEtcdDataResponse> => {
        await d.fence.admit(term, { method: 'ArchiveEtcdData', by });
        const r = await archiveDataDir({ paths: d.paths, log: d.log, nowMs, procDir: d.procDir }, { dataDir, reason, by });
        // After the move (a refusal, e.g. etcd still running, forgets nothing); also when there was nothing to move:
        // the caller says this master starts over as a new member.
        if (d.guard?.watches(r.dataDir)) await d.guard.forget(`${by}: ${reason || 'data dir archived'}`);
        if (!r.existed) return { existed: false, archivedTo: '' };
        d.raise({
          kind: 'EtcdDataArchived',
          severity: 'warning',
          message: `moved etcd data dir ${r.dataDir} aside to ${r.archivedTo} for ${by}: ${reason || 'no reason given'}`,
          fields: { dataDir: r.dataDir, archivedTo: r.archivedTo, reason, requestedBy: by, term },
        });
        return { existed: true, archivedTo: r.archivedTo };
      };
      const run = chain.then(work);
      chain = run.catch(() => undefined);
      return run;
    }),
  };
}
