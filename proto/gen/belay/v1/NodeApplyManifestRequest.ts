// Original file: proto/belay/v1/coordinator.proto

import type { ApplyManifestRequest as _belay_v1_ApplyManifestRequest, ApplyManifestRequest__Output as _belay_v1_ApplyManifestRequest__Output } from '../../belay/v1/ApplyManifestRequest.js';

export interface NodeApplyManifestRequest {
  'node'?: (string);
  'request'?: (_belay_v1_ApplyManifestRequest | null);
}

export interface NodeApplyManifestRequest__Output {
  'node': (string);
  'request': (_belay_v1_ApplyManifestRequest__Output | null);
}
