// Original file: proto/belay/v1/agent.proto

import type { ManifestVersion as _belay_v1_ManifestVersion, ManifestVersion__Output as _belay_v1_ManifestVersion__Output } from '../../belay/v1/ManifestVersion.js';

export interface ManifestHistoryResponse {
  'versions'?: (_belay_v1_ManifestVersion)[];
}

export interface ManifestHistoryResponse__Output {
  'versions': (_belay_v1_ManifestVersion__Output)[];
}
