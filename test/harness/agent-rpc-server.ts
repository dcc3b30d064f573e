import * as grpc from '@grpc/grpc-js';
import { belayProto } from '../../proto/common/grpc.js';
import type { AgentClient } from '../../proto/gen/belay/v1/Agent.js';

/**
 * Agent handlers behind a real gRPC server on 127.0.0.1 (a port the kernel
 * picks), each with a client: requests go over the wire as the coordinator's
 * do. Insecure credentials: these tests are about the handlers, not TLS.
 */
export interface AgentRpcServers {
  /** Serves `handlers` as the Agent service on a server of its own; resolves to a client of it. */
  serve(handlers: grpc.UntypedServiceImplementation): Promise<AgentClient>;
  /** Closes every client and stops every server served so far (for an after hook). */
  close(): void;
}

export function agentRpcServers(): AgentRpcServers {
  const servers: grpc.Server[] = [];
  const clients: AgentClient[] = [];
  return {
    async serve(handlers) {
      const server = new grpc.Server();
      server.addService(belayProto().belay.v1.Agent.service, handlers);
      const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
      );
      servers.push(server);
      const client = new (belayProto().belay.v1.Agent)(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
      clients.push(client);
      return client;
    },
    close() {
      clients.forEach((c) => c.close());
      servers.forEach((s) => s.forceShutdown());
    },
  };
}
