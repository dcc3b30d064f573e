// Original file: proto/belay/v1/coordinator.proto


export interface RolloutStatusRequest {
  /**
   * Empty: the active rollout, or the latest of any component.
   */
  'component'?: (string);
}

export interface RolloutStatusRequest__Output {
  /**
   * Empty: the active rollout, or the latest of any component.
   */
  'component': (string);
}
