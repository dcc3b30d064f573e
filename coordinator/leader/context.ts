import type { Logger } from '../../proto/common/log.js';
import type { HostPaths } from '../../proto/common/paths.js';
import type { AgentApi } from '../agents/client.js';
import type { HostReport__Output } from '../../proto/gen/belay/v1/HostReport.js';
import type { ClusterSpec } from '../cluster/spec.js';
import type { EtcdCluster } from '../etcd/client.js';
import type { MemberView } from '../swim/membership.js';
import type { EtcdObservation } from './observation.js';

/**
 * What every controller of one leadership gets: etcd, the term its writes
 * are fenced with, the signal that ends it, the spec (in memory, handed
 * over when it changes), gossip, the agents and their latest reports, and
 * the shared observation of etcd. One type for every controller.
 */
export interface LeaderContext {
  /** This coordinator's master. */
  me: string;
  cluster: EtcdCluster;
  /** The election term: every write to an agent or to etcd's records carries it (fenced). */
  term: number;
  /** Aborted the moment leadership is lost. */
  signal: AbortSignal;
  /** The current Cluster spec (this coordinator's in-memory copy, kept in step with etcd's). */
  spec: () => ClusterSpec;
  gossip: () => MemberView[];
  agent: (master: string) => AgentApi | undefined;
  /** The latest report of a master held here (agents report to every coordinator), if any. */
  report: (master: string) => HostReport__Output | undefined;
  paths: HostPaths;
  /** etcd's members, statuses and alarms, shared by the controllers (observation.ts). */
  observe: (maxAgeMs?: number) => Promise<EtcdObservation>;
  /** After a membership change: the next observe() reads etcd again. */
  invalidate: () => void;
}

/** A controller's own view of the context: its log (component, term) and its status line in etcd. */
export interface ControllerContext extends LeaderContext {
  log: Logger;
  /** One line for `status`: what this controller is doing or waiting for (stored in etcd when it changes). */
  setStatus(line: string): void;
  /** Runs this controller's next pass now, or right after the one running (a new spec, a report it waits for). */
  wake(): void;
}
