// Original file: proto/belay/v1/coordinator.proto

import type { HostReport as _belay_v1_HostReport, HostReport__Output as _belay_v1_HostReport__Output } from '../../belay/v1/HostReport.js';
import type { AgentEvent as _belay_v1_AgentEvent, AgentEvent__Output as _belay_v1_AgentEvent__Output } from '../../belay/v1/AgentEvent.js';

/**
 * AgentMessage is what an agent sends on its report stream.
 */
export interface AgentMessage {
  'report'?: (_belay_v1_HostReport | null);
  'event'?: (_belay_v1_AgentEvent | null);
  'body'?: "report"|"event";
}

/**
 * AgentMessage is what an agent sends on its report stream.
 */
export interface AgentMessage__Output {
  'report'?: (_belay_v1_HostReport__Output | null);
  'event'?: (_belay_v1_AgentEvent__Output | null);
  'body'?: "report"|"event";
}
