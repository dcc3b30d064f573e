import { OperatorError } from '../../proto/common/errors.js';
import { unary } from '../../proto/common/handlers.js';
import type { Logger } from '../../proto/common/log.js';
import type { HostPaths } from '../../proto/common/paths.js';
import type { AgentHandlers } from '../../proto/gen/belay/v1/Agent.js';
import type { BalancerServersResponse } from '../../proto/gen/belay/v1/BalancerServersResponse.js';
import type { RaisedEvent } from '../report/events.js';
import { syncSummary } from '../../proto/common/balancer.js';
import { setServerState, showServers, syncServers } from '../balancer/runtime-api.js';
import type { TermFence } from './fencing.js';

type BalancerHandlers = Pick<AgentHandlers, 'BalancerServers' | 'SetBalancerServer' | 'SyncBalancerServers'>;

/** The runtime API socket of the haproxy pod belay runs on a master (haproxy-config.ts renders the same path). */
export const HAPROXY_SOCKET = '/run/belay/haproxy/admin.sock';

/**
 * haproxy's runtime API on this master, for the leader's rollouts: read a
 * backend's servers, set one server's admin state. Only a socket in /run
 * (the static pod's by default) is spoken to: a request cannot make the
 * agent connect anywhere else.
 */
export function balancerHandlers(d: { node: string; paths: HostPaths; fence: TermFence; log: Logger; raise(e: RaisedEvent): void }): BalancerHandlers {
  const socketOf = (requested: string): string => {
    const p = requested || HAPROXY_SOCKET;
    if (!p.startsWith('/run/') || p.split('/').includes('..')) {
      throw new OperatorError({
        code: 'BALANCER_BAD_SOCKET',
        message: `runtime API socket ${JSON.stringify(p)} is not a path under /run (without "..")`,
        hint: `give the socket of haproxy's \`stats socket ... level admin\` line as a host path under /run, e.g. ${HAPROXY_SOCKET}`,
      });
    }
    return d.paths.host(p);
  };
  const servers = async (socket: string, backend: string): Promise<BalancerServersResponse> => ({
    servers: (await showServers(socket, backend)).map((s) => ({
      name: s.name,
      address: s.address,
      adminState: s.adminState,
      operationalState: s.operationalState,
      checkStatus: s.checkStatus,
      currentSessions: s.currentSessions,
    })),
  });
  return {
    BalancerServers: unary(d, 'BalancerServers', (req) => servers(socketOf(req.socket), req.backend)),
    SetBalancerServer: unary(d, 'SetBalancerServer', async (req) => {
      const { socket, backend, server, state, requestedBy, term } = req;
      await d.fence.admit(term, { method: 'SetBalancerServer', by: requestedBy });
      if (state !== 'ready' && state !== 'drain' && state !== 'maint')
        throw new OperatorError({
          code: 'BALANCER_BAD_STATE',
          message: `server state ${JSON.stringify(state)} is not ready, drain or maint`,
          hint: 'nothing was changed',
        });
      const real = socketOf(socket);
      await setServerState(real, backend, server, state);
      d.raise({
        kind: 'BalancerServerState',
        severity: 'info',
        message: `set ${backend}/${server} to ${state} in the balancer for ${requestedBy || 'someone'}`,
        fields: { backend, server, state },
      });
      return servers(real, backend);
    }),
    SyncBalancerServers: unary(d, 'SyncBalancerServers', async (req) => {
      const { socket, backend, servers: wanted, serverOptions, requestedBy, term, addOnly } = req;
      await d.fence.admit(term, { method: 'SyncBalancerServers', by: requestedBy });
      const real = socketOf(socket);
      const r = await syncServers(real, backend, wanted, serverOptions, { addOnly });
      const summary = syncSummary(r);
      if (summary)
        d.raise({ kind: 'BalancerServersSynced', severity: 'info', message: `${backend}: ${summary} for ${requestedBy || 'someone'}`, fields: { backend } });
      return { ...r, servers: (await servers(real, backend)).servers };
    }),
  };
}
