// Original file: proto/belay/v1/agent.proto

import type { ManifestInfo as _belay_v1_ManifestInfo, ManifestInfo__Output as _belay_v1_ManifestInfo__Output } from '../../belay/v1/ManifestInfo.js';

export interface ApplyManifestResponse {
  /**
   * The file's inventory entry after the change (absent after a remove).
   */
  'info'?: (_belay_v1_ManifestInfo | null);
  /**
   * False when the content was already there: nothing was written.
   */
  'changed'?: (boolean);
  /**
   * sha256 of the version replaced (or removed), kept in the history; empty if none.
   */
  'previousSha256'?: (string);
}

export interface ApplyManifestResponse__Output {
  /**
   * The file's inventory entry after the change (absent after a remove).
   */
  'info': (_belay_v1_ManifestInfo__Output | null);
  /**
   * False when the content was already there: nothing was written.
   */
  'changed': (boolean);
  /**
   * sha256 of the version replaced (or removed), kept in the history; empty if none.
   */
  'previousSha256': (string);
}
