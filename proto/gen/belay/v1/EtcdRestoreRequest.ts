// Original file: proto/belay/v1/coordinator.proto


export interface EtcdRestoreRequest {
  /**
   * Host path of the snapshot on the answering coordinator's master.
   */
  'snapshot'?: (string);
  /**
   * The master to restore on (default: the answering coordinator's).
   */
  'node'?: (string);
  'dryRun'?: (boolean);
  /**
   * Restore even though the current cluster has quorum (its data since the snapshot is lost; its data dirs are kept aside).
   */
  'force'?: (boolean);
}

export interface EtcdRestoreRequest__Output {
  /**
   * Host path of the snapshot on the answering coordinator's master.
   */
  'snapshot': (string);
  /**
   * The master to restore on (default: the answering coordinator's).
   */
  'node': (string);
  'dryRun': (boolean);
  /**
   * Restore even though the current cluster has quorum (its data since the snapshot is lost; its data dirs are kept aside).
   */
  'force': (boolean);
}
