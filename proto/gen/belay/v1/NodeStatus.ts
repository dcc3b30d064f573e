// Original file: proto/belay/v1/coordinator.proto

import type { HostReport as _belay_v1_HostReport, HostReport__Output as _belay_v1_HostReport__Output } from '../../belay/v1/HostReport.js';
import type { GossipMember as _belay_v1_GossipMember, GossipMember__Output as _belay_v1_GossipMember__Output } from '../../belay/v1/GossipMember.js';
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
   * The latest report, absent if the agent never reported to this coordinator.
   */
  'report'?: (_belay_v1_HostReport | null);
  /**
   * This master's coordinator in gossip (absent if never seen).
   */
  'member'?: (_belay_v1_GossipMember | null);
  /**
   * The master's summary as its own coordinator spreads it in gossip: keys
   * kubelet, runtime, etcd, apiserver (healthy | unhealthy | absent),
   * etcd_free_bytes, report_at_ms (its agent's latest report), agent
   * (connected | disconnected). Shown when there is no direct report.
   */
  'summary'?: ({[key: string]: string});
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
   * The latest report, absent if the agent never reported to this coordinator.
   */
  'report': (_belay_v1_HostReport__Output | null);
  /**
   * This master's coordinator in gossip (absent if never seen).
   */
  'member': (_belay_v1_GossipMember__Output | null);
  /**
   * The master's summary as its own coordinator spreads it in gossip: keys
   * kubelet, runtime, etcd, apiserver (healthy | unhealthy | absent),
   * etcd_free_bytes, report_at_ms (its agent's latest report), agent
   * (connected | disconnected). Shown when there is no direct report.
   */
  'summary': ({[key: string]: string});
}
