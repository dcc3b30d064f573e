// Original file: proto/belay/v1/coordinator.proto


export interface EtcdSnapshotsRequest {
}

export interface EtcdSnapshotsRequest__Output {
}
