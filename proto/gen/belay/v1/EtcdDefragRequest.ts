// Original file: proto/belay/v1/coordinator.proto


export interface EtcdDefragRequest {
  'dryRun'?: (boolean);
}

export interface EtcdDefragRequest__Output {
  'dryRun': (boolean);
}
