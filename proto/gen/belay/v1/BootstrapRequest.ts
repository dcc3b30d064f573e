// Original file: proto/belay/v1/coordinator.proto


export interface BootstrapRequest {
  /**
   * The master to create the one-member cluster on.
   */
  'node'?: (string);
  /**
   * Print the plan, change nothing.
   */
  'dryRun'?: (boolean);
}

export interface BootstrapRequest__Output {
  /**
   * The master to create the one-member cluster on.
   */
  'node': (string);
  /**
   * Print the plan, change nothing.
   */
  'dryRun': (boolean);
}
