// Original file: proto/belay/v1/coordinator.proto

import type { GossipKeyInfo as _belay_v1_GossipKeyInfo, GossipKeyInfo__Output as _belay_v1_GossipKeyInfo__Output } from '../../belay/v1/GossipKeyInfo.js';
import type { GossipKeyResult as _belay_v1_GossipKeyResult, GossipKeyResult__Output as _belay_v1_GossipKeyResult__Output } from '../../belay/v1/GossipKeyResult.js';

export interface GossipKeysResponse {
  /**
   * Keys installed across the answering members, with how many have each.
   */
  'keys'?: (_belay_v1_GossipKeyInfo)[];
  /**
   * One entry per member asked.
   */
  'members'?: (_belay_v1_GossipKeyResult)[];
}

export interface GossipKeysResponse__Output {
  /**
   * Keys installed across the answering members, with how many have each.
   */
  'keys': (_belay_v1_GossipKeyInfo__Output)[];
  /**
   * One entry per member asked.
   */
  'members': (_belay_v1_GossipKeyResult__Output)[];
}
