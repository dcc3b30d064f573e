// Original file: proto/belay/v1/coordinator.proto

import type { RemoveManifestRequest as _belay_v1_RemoveManifestRequest, RemoveManifestRequest__Output as _belay_v1_RemoveManifestRequest__Output } from '../../belay/v1/RemoveManifestRequest.js';

export interface NodeRemoveManifestRequest {
  'node'?: (string);
  'request'?: (_belay_v1_RemoveManifestRequest | null);
}

export interface NodeRemoveManifestRequest__Output {
  'node': (string);
  'request': (_belay_v1_RemoveManifestRequest__Output | null);
}
