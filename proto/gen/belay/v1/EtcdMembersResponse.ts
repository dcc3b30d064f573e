// Original file: proto/belay/v1/coordinator.proto

import type { EtcdMember as _belay_v1_EtcdMember, EtcdMember__Output as _belay_v1_EtcdMember__Output } from '../../belay/v1/EtcdMember.js';
import type { Long } from '@grpc/proto-loader';

export interface EtcdMembersResponse {
  'members'?: (_belay_v1_EtcdMember)[];
  /**
   * The coordinator that answered and the leader coordinator with its term.
   */
  'coordinator'?: (string);
  'leader'?: (string);
  'term'?: (number | string | Long);
  /**
   * The etcd cluster id, hex.
   */
  'clusterId'?: (string);
  /**
   * Why the list is empty or partial (no etcd yet, no quorum, ...).
   */
  'error'?: (string);
}

export interface EtcdMembersResponse__Output {
  'members': (_belay_v1_EtcdMember__Output)[];
  /**
   * The coordinator that answered and the leader coordinator with its term.
   */
  'coordinator': (string);
  'leader': (string);
  'term': (number);
  /**
   * The etcd cluster id, hex.
   */
  'clusterId': (string);
  /**
   * Why the list is empty or partial (no etcd yet, no quorum, ...).
   */
  'error': (string);
}
