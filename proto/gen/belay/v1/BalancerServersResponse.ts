// Original file: proto/belay/v1/agent.proto

import type { BalancerServer as _belay_v1_BalancerServer, BalancerServer__Output as _belay_v1_BalancerServer__Output } from '../../belay/v1/BalancerServer.js';

export interface BalancerServersResponse {
  'servers'?: (_belay_v1_BalancerServer)[];
}

export interface BalancerServersResponse__Output {
  'servers': (_belay_v1_BalancerServer__Output)[];
}
