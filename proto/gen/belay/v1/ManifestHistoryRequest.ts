// Original file: proto/belay/v1/agent.proto


export interface ManifestHistoryRequest {
  'file'?: (string);
}

export interface ManifestHistoryRequest__Output {
  'file': (string);
}
