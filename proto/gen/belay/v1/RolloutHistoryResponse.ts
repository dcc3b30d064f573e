// Original file: proto/belay/v1/coordinator.proto


export interface RolloutHistoryResponse {
  /**
   * Oldest first, each a record as in RolloutStatusResponse.
   */
  'recordsJson'?: (string)[];
}

export interface RolloutHistoryResponse__Output {
  /**
   * Oldest first, each a record as in RolloutStatusResponse.
   */
  'recordsJson': (string)[];
}
