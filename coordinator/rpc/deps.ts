import type * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../proto/common/log.js';
import type { HostPaths } from '../../proto/common/paths.js';
import type { AgentApi } from '../agents/client.js';
import type { LocalClusterStore } from '../cluster/store.js';
import type { Gossip } from '../gossip/service.js';
import type { EtcdService } from '../leader/service.js';

/** What the coordinator's gRPC handlers are built from; each handler module picks what it needs. */
export interface ClusterHandlerDeps {
  node: string;
  paths: HostPaths;
  local: LocalClusterStore;
  etcd: EtcdService;
  gossip: Gossip | undefined;
  agent: (master: string) => AgentApi | undefined;
  log: Logger;
  caller(call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>): string;
}
