// Original file: proto/belay/v1/coordinator.proto

import type { HostReport as _belay_v1_HostReport, HostReport__Output as _belay_v1_HostReport__Output } from '../../belay/v1/HostReport.js';
import type { Long } from '@grpc/proto-loader';

export interface NodeStatus {
  'name'?: (string);
  'address'?: (string);
  /**
   * An agent report stream from this master is open now.
   */
  'agentConnected'?: (boolean);
  /**
   * Age of the latest report when Status was answered, ms; -1 if none yet.
   */
  'lastReportAgeMs'?: (number | string | Long);
  /**
   * The latest report, absent if the agent never reported.
   */
  'report'?: (_belay_v1_HostReport | null);
}

export interface NodeStatus__Output {
  'name': (string);
  'address': (string);
  /**
   * An agent report stream from this master is open now.
   */
  'agentConnected': (boolean);
  /**
   * Age of the latest report when Status was answered, ms; -1 if none yet.
   */
  'lastReportAgeMs': (number);
  /**
   * The latest report, absent if the agent never reported.
   */
  'report': (_belay_v1_HostReport__Output | null);
}
