// Original file: proto/belay/v1/coordinator.proto


export interface PkiIssueRequest {
  /**
   * apiserver, kubeconfigs or etcd.
   */
  'target'?: (string);
  'node'?: (string);
  'dryRun'?: (boolean);
}

export interface PkiIssueRequest__Output {
  /**
   * apiserver, kubeconfigs or etcd.
   */
  'target': (string);
  'node': (string);
  'dryRun': (boolean);
}
