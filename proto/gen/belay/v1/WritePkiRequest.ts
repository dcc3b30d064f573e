// Original file: proto/belay/v1/agent.proto

import type { PkiFile as _belay_v1_PkiFile, PkiFile__Output as _belay_v1_PkiFile__Output } from '../../belay/v1/PkiFile.js';
import type { Long } from '@grpc/proto-loader';

export interface WritePkiRequest {
  'files'?: (_belay_v1_PkiFile)[];
  'requestedBy'?: (string);
  /**
   * The election term of the leader coordinator that sends it; 0 for an
   * operator's own request (belayctl), which is never fenced. Refused with
   * FAILED_PRECONDITION (belay-code STALE_TERM) when lower than the highest
   * term this agent has seen: a deposed leader cannot write.
   */
  'term'?: (number | string | Long);
  /**
   * Where the files go: "" (or "pki") /etc/kubernetes/pki, any plain
   * relative path; "kubernetes" /etc/kubernetes, kubeconfigs only
   * (NAME.conf, no subdirectory); "haproxy" /etc/haproxy, haproxy.cfg only.
   */
  'dir'?: (string);
}

export interface WritePkiRequest__Output {
  'files': (_belay_v1_PkiFile__Output)[];
  'requestedBy': (string);
  /**
   * The election term of the leader coordinator that sends it; 0 for an
   * operator's own request (belayctl), which is never fenced. Refused with
   * FAILED_PRECONDITION (belay-code STALE_TERM) when lower than the highest
   * term this agent has seen: a deposed leader cannot write.
   */
  'term': (number);
  /**
   * Where the files go: "" (or "pki") /etc/kubernetes/pki, any plain
   * relative path; "kubernetes" /etc/kubernetes, kubeconfigs only
   * (NAME.conf, no subdirectory); "haproxy" /etc/haproxy, haproxy.cfg only.
   */
  'dir': (string);
}
