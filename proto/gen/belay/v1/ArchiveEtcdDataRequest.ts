// Original file: proto/belay/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface ArchiveEtcdDataRequest {
  /**
   * The data dir, a host path (as in etcd.yaml's --data-dir; under the agent's --root).
   */
  'dataDir'?: (string);
  /**
   * Why, for the event and the log.
   */
  'reason'?: (string);
  'requestedBy'?: (string);
  /**
   * The election term of the leader coordinator that sends it; 0 for an
   * operator's own request (belayctl), which is never fenced. Refused with
   * FAILED_PRECONDITION (belay-code STALE_TERM) when lower than the highest
   * term this agent has seen: a deposed leader cannot write.
   */
  'term'?: (number | string | Long);
}

export interface ArchiveEtcdDataRequest__Output {
  /**
   * The data dir, a host path (as in etcd.yaml's --data-dir; under the agent's --root).
   */
  'dataDir': (string);
  /**
   * Why, for the event and the log.
   */
  'reason': (string);
  'requestedBy': (string);
  /**
   * The election term of the leader coordinator that sends it; 0 for an
   * operator's own request (belayctl), which is never fenced. Refused with
   * FAILED_PRECONDITION (belay-code STALE_TERM) when lower than the highest
   * term this agent has seen: a deposed leader cannot write.
   */
  'term': (number);
}
