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
}
