// Original file: proto/belay/v1/coordinator.proto

import type { Long } from '@grpc/proto-loader';

export interface GetClusterResponse {
  /**
   * The stored spec as YAML; empty if none was applied yet.
   */
  'spec'?: (string);
  /**
   * etcd | state-dir
   */
  'storedIn'?: (string);
  'appliedAtMs'?: (number | string | Long);
}

export interface GetClusterResponse__Output {
  /**
   * The stored spec as YAML; empty if none was applied yet.
   */
  'spec': (string);
  /**
   * etcd | state-dir
   */
  'storedIn': (string);
  'appliedAtMs': (number);
}
