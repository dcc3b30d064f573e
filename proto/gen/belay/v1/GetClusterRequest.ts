// Original file: proto/belay/v1/coordinator.proto


export interface GetClusterRequest {
}

export interface GetClusterRequest__Output {
}
