// Original file: proto/belay/v1/coordinator.proto


export interface EtcdSnapshotRequest {
}

export interface EtcdSnapshotRequest__Output {
}
