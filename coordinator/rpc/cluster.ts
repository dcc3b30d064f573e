import type { CoordinatorHandlers } from '../../proto/gen/belay/v1/Coordinator.js';
import { clusterSpecHandlers } from './cluster-spec.js';
import type { ClusterHandlerDeps } from './deps.js';
import { etcdMemberHandlers } from './etcd-members.js';
import { etcdSnapshotHandlers } from './etcd-snapshots.js';
import { leaderRelay } from './leader-relay.js';

type ClusterHandlers = Pick<
  CoordinatorHandlers,
  'ApplyCluster' | 'GetCluster' | 'Bootstrap' | 'EtcdMembers' | 'EtcdAdd' | 'EtcdRemove' | 'EtcdSnapshot' | 'EtcdSnapshots' | 'EtcdRestore' | 'EtcdDefrag'
>;

/**
 * The Cluster spec, bootstrap, etcd membership and snapshots over gRPC.
 * Leader-only calls share one relay (leader-relay.ts).
 */
export function clusterHandlers(d: ClusterHandlerDeps): ClusterHandlers {
  const relay = leaderRelay(d);
  return { ...clusterSpecHandlers(d), ...etcdMemberHandlers(d, relay), ...etcdSnapshotHandlers(d, relay) };
}
