// Original file: proto/belay/v1/coordinator.proto


export interface EtcdMembersRequest {
}

export interface EtcdMembersRequest__Output {
}
