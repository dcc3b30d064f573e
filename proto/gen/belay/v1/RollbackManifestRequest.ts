// Original file: proto/belay/v1/agent.proto


export interface RollbackManifestRequest {
  'file'?: (string);
  /**
   * sha256 of the kept version to restore; empty: the one before the current.
   */
  'toSha256'?: (string);
  'requestedBy'?: (string);
}

export interface RollbackManifestRequest__Output {
  'file': (string);
  /**
   * sha256 of the kept version to restore; empty: the one before the current.
   */
  'toSha256': (string);
  'requestedBy': (string);
}
