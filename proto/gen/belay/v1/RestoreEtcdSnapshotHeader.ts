// Original file: proto/belay/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface RestoreEtcdSnapshotHeader {
  /**
   * The data dir to restore into (host path, as etcd.yaml's --data-dir).
   */
  'dataDir'?: (string);
  /**
   * etcd member name, its peer URL, the initial cluster (name=url,...) and
   * cluster token, as `etcdctl snapshot restore` takes them.
   */
  'name'?: (string);
  'initialAdvertisePeerUrl'?: (string);
  'initialCluster'?: (string);
  'initialClusterToken'?: (string);
  /**
   * sha256 (hex) and size of the bytes that follow.
   */
  'sha256'?: (string);
  'sizeBytes'?: (number | string | Long);
  'requestedBy'?: (string);
  /**
   * The election term of the leader coordinator that sends it; 0 for an
   * operator's own request. Refused (STALE_TERM) when lower than the
   * highest term this agent has seen.
   */
  'term'?: (number | string | Long);
  /**
   * Set instead of sending the bytes when the snapshot already lies on this
   * master (the coordinator beside this agent holds it): its host path. The
   * agent copies it, and checks sha256 and size as for sent bytes.
   */
  'localFile'?: (string);
}

export interface RestoreEtcdSnapshotHeader__Output {
  /**
   * The data dir to restore into (host path, as etcd.yaml's --data-dir).
   */
  'dataDir': (string);
  /**
   * etcd member name, its peer URL, the initial cluster (name=url,...) and
   * cluster token, as `etcdctl snapshot restore` takes them.
   */
  'name': (string);
  'initialAdvertisePeerUrl': (string);
  'initialCluster': (string);
  'initialClusterToken': (string);
  /**
   * sha256 (hex) and size of the bytes that follow.
   */
  'sha256': (string);
  'sizeBytes': (number);
  'requestedBy': (string);
  /**
   * The election term of the leader coordinator that sends it; 0 for an
   * operator's own request. Refused (STALE_TERM) when lower than the
   * highest term this agent has seen.
   */
  'term': (number);
  /**
   * Set instead of sending the bytes when the snapshot already lies on this
   * master (the coordinator beside this agent holds it): its host path. The
   * agent copies it, and checks sha256 and size as for sent bytes.
   */
  'localFile': (string);
}
