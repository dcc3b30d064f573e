// Original file: proto/belay/v1/coordinator.proto

import type { RollbackManifestRequest as _belay_v1_RollbackManifestRequest, RollbackManifestRequest__Output as _belay_v1_RollbackManifestRequest__Output } from '../../belay/v1/RollbackManifestRequest.js';

export interface NodeRollbackManifestRequest {
  'node'?: (string);
  'request'?: (_belay_v1_RollbackManifestRequest | null);
}

export interface NodeRollbackManifestRequest__Output {
  'node': (string);
  'request': (_belay_v1_RollbackManifestRequest__Output | null);
}
