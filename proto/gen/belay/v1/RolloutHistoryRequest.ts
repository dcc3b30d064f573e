// Original file: proto/belay/v1/coordinator.proto


export interface RolloutHistoryRequest {
  'component'?: (string);
}

export interface RolloutHistoryRequest__Output {
  'component': (string);
}
