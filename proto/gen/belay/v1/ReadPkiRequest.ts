// Original file: proto/belay/v1/agent.proto


export interface ReadPkiRequest {
}

export interface ReadPkiRequest__Output {
}
