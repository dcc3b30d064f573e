// Original file: proto/belay/v1/coordinator.proto


export interface RolloutControlRequest {
  'component'?: (string);
  /**
   * pause or resume.
   */
  'action'?: (string);
}

export interface RolloutControlRequest__Output {
  'component': (string);
  /**
   * pause or resume.
   */
  'action': (string);
}
