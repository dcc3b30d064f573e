import { unary } from '../../proto/common/handlers.js';
import type { Logger } from '../../proto/common/log.js';
import type { AgentHandlers } from '../../proto/gen/belay/v1/Agent.js';
import type { Reporter } from '../report/reporter.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import type { etcdDataHandlers } from './etcd-data.js';
import type { etcdRestoreHandlers } from './etcd-restore.js';
import type { TermFence } from './fencing.js';
import type { manifestHandlers } from './manifests.js';
import type { pkiHandlers } from './pki.js';
import type { pkiReadHandlers } from './pki-read.js';
import type { balancerHandlers } from './balancer.js';

/** belay.v1.Agent: any client with a certificate from the cluster CA may read; writes are fenced by term. */
export function agentService(d: {
  node: string;
  reporter: Reporter;
  supervisor: Supervisor;
  fence: TermFence;
  log: Logger;
  manifests: ReturnType<typeof manifestHandlers>;
  pki: ReturnType<typeof pkiHandlers>;
  pkiRead: ReturnType<typeof pkiReadHandlers>;
  etcdData: ReturnType<typeof etcdDataHandlers>;
  etcdRestore: ReturnType<typeof etcdRestoreHandlers>;
  balancer: ReturnType<typeof balancerHandlers>;
  /** Before a refreshed report: re-measure what is stale and failing (the etcd disk), so that a preflight sees the disk now. */
  beforeRefresh?: () => Promise<unknown>;
}): AgentHandlers {
  return {
    ...d.manifests,
    ...d.pki,
    ...d.pkiRead,
    ...d.etcdData,
    ...d.etcdRestore,
    ...d.balancer,
    GetReport: unary(d, 'GetReport', async (req) => {
      const latest = d.reporter.latest;
      if (!req.refresh && latest) return latest;
      await d.beforeRefresh?.();
      return d.reporter.collectNow();
    }),

    SetSupervision: unary(d, 'SetSupervision', async (req) => {
      const { service, paused, requestedBy, term } = req;
      await d.fence.admit(term, { method: 'SetSupervision', by: requestedBy });
      const status = d.supervisor.setPaused(service, paused, requestedBy || 'unknown');
      d.reporter.republish();
      return status;
    }),
  };
}
