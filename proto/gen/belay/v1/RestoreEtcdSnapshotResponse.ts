// Original file: proto/belay/v1/agent.proto


export interface RestoreEtcdSnapshotResponse {
  /**
   * The restored data dir (host path).
   */
  'dataDir'?: (string);
  'durationMs'?: (number);
}

export interface RestoreEtcdSnapshotResponse__Output {
  /**
   * The restored data dir (host path).
   */
  'dataDir': (string);
  'durationMs': (number);
}
