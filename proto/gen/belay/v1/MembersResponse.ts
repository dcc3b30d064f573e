// Original file: proto/belay/v1/coordinator.proto

import type { GossipMember as _belay_v1_GossipMember, GossipMember__Output as _belay_v1_GossipMember__Output } from '../../belay/v1/GossipMember.js';
import type { Long } from '@grpc/proto-loader';

export interface MembersResponse {
  /**
   * Name of the master whose coordinator answered.
   */
  'coordinator'?: (string);
  'nowMs'?: (number | string | Long);
  'members'?: (_belay_v1_GossipMember)[];
  /**
   * Lifeguard's local health score of the answering coordinator (0 is
   * healthy; it rises when this coordinator misses acks or stalls).
   */
  'localHealth'?: (number);
}

export interface MembersResponse__Output {
  /**
   * Name of the master whose coordinator answered.
   */
  'coordinator': (string);
  'nowMs': (number);
  'members': (_belay_v1_GossipMember__Output)[];
  /**
   * Lifeguard's local health score of the answering coordinator (0 is
   * healthy; it rises when this coordinator misses acks or stalls).
   */
  'localHealth': (number);
}
