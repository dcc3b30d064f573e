// Original file: proto/belay/v1/agent.proto

import type { RestoreEtcdSnapshotHeader as _belay_v1_RestoreEtcdSnapshotHeader, RestoreEtcdSnapshotHeader__Output as _belay_v1_RestoreEtcdSnapshotHeader__Output } from '../../belay/v1/RestoreEtcdSnapshotHeader.js';

export interface RestoreEtcdSnapshotChunk {
  /**
   * First message only.
   */
  'header'?: (_belay_v1_RestoreEtcdSnapshotHeader | null);
  'data'?: (Buffer | Uint8Array | string);
}

export interface RestoreEtcdSnapshotChunk__Output {
  /**
   * First message only.
   */
  'header': (_belay_v1_RestoreEtcdSnapshotHeader__Output | null);
  'data': (Buffer);
}
