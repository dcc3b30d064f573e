// Original file: proto/belay/v1/coordinator.proto


export interface MembersRequest {
}

export interface MembersRequest__Output {
}
