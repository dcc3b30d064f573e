// Original file: proto/belay/v1/coordinator.proto


export interface GossipKeyResult {
  'node'?: (string);
  'ok'?: (boolean);
  /**
   * Why not, when not ok.
   */
  'error'?: (string);
  /**
   * Fingerprints installed there, the primary first.
   */
  'fingerprints'?: (string)[];
}

export interface GossipKeyResult__Output {
  'node': (string);
  'ok': (boolean);
  /**
   * Why not, when not ok.
   */
  'error': (string);
  /**
   * Fingerprints installed there, the primary first.
   */
  'fingerprints': (string)[];
}
