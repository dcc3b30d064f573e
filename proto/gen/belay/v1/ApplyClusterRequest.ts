// Original file: proto/belay/v1/coordinator.proto


export interface ApplyClusterRequest {
  /**
   * The spec as YAML (or JSON), at most 256 KiB.
   */
  'spec'?: (string);
  /**
   * Validate and show what would change; store nothing.
   */
  'dryRun'?: (boolean);
  /**
   * This coordinator's state dir only (used by the coordinator that fans the apply out).
   */
  'localOnly'?: (boolean);
}

export interface ApplyClusterRequest__Output {
  /**
   * The spec as YAML (or JSON), at most 256 KiB.
   */
  'spec': (string);
  /**
   * Validate and show what would change; store nothing.
   */
  'dryRun': (boolean);
  /**
   * This coordinator's state dir only (used by the coordinator that fans the apply out).
   */
  'localOnly': (boolean);
}
