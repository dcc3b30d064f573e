// Original file: proto/belay/v1/coordinator.proto


export interface EtcdMemberChangeRequest {
  /**
   * Master name (as in the spec and etcd's member name).
   */
  'name'?: (string);
  'dryRun'?: (boolean);
}

export interface EtcdMemberChangeRequest__Output {
  /**
   * Master name (as in the spec and etcd's member name).
   */
  'name': (string);
  'dryRun': (boolean);
}
