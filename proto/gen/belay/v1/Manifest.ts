// Original file: proto/belay/v1/agent.proto

import type { ManifestInfo as _belay_v1_ManifestInfo, ManifestInfo__Output as _belay_v1_ManifestInfo__Output } from '../../belay/v1/ManifestInfo.js';

export interface Manifest {
  'info'?: (_belay_v1_ManifestInfo | null);
  /**
   * The file's bytes as text.
   */
  'content'?: (string);
}

export interface Manifest__Output {
  'info': (_belay_v1_ManifestInfo__Output | null);
  /**
   * The file's bytes as text.
   */
  'content': (string);
}
