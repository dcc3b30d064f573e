import { toServiceError } from '../../proto/common/grpc.js';
import type { Logger } from '../../proto/common/log.js';
import type { AgentHandlers } from '../../proto/gen/belay/v1/Agent.js';
import type { Reporter } from '../report/reporter.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import type { manifestHandlers } from './manifests.js';

/** belay.v1.Agent: any client with a certificate from the cluster CA may read. */
export function agentService(d: { node: string; reporter: Reporter; supervisor: Supervisor; log: Logger; manifests: ReturnType<typeof manifestHandlers> }): AgentHandlers {
  return {
    ...d.manifests,
    GetReport(call, callback) {
      const latest = d.reporter.latest;
      const report = call.request.refresh || !latest ? d.reporter.collectNow() : Promise.resolve(latest);
      report.then(
        (r) => callback(null, r),
        (err: unknown) => callback(toServiceError(err, d.log, d.node, 'GetReport')),
      );
    },

    SetSupervision(call, callback) {
      const { service, paused, requestedBy } = call.request;
      try {
        const status = d.supervisor.setPaused(service, paused, requestedBy || 'unknown');
        d.reporter.republish();
        callback(null, status);
      } catch (err) {
        callback(toServiceError(err, d.log, d.node, 'SetSupervision'));
      }
    },
  };
}
