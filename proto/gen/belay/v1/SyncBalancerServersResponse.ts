// Original file: proto/belay/v1/agent.proto

import type { BalancerServer as _belay_v1_BalancerServer, BalancerServer__Output as _belay_v1_BalancerServer__Output } from '../../belay/v1/BalancerServer.js';

export interface SyncBalancerServersResponse {
  'added'?: (string)[];
  'removed'?: (string)[];
  /**
   * Put in maintenance, deleted once their sessions end (a later sync).
   */
  'pending'?: (string)[];
  'servers'?: (_belay_v1_BalancerServer)[];
}

export interface SyncBalancerServersResponse__Output {
  'added': (string)[];
  'removed': (string)[];
  /**
   * Put in maintenance, deleted once their sessions end (a later sync).
   */
  'pending': (string)[];
  'servers': (_belay_v1_BalancerServer__Output)[];
}
