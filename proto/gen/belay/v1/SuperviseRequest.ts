// Original file: proto/belay/v1/coordinator.proto


export interface SuperviseRequest {
  'node'?: (string);
  'service'?: (string);
  /**
   * pause | resume
   */
  'action'?: (string);
}

export interface SuperviseRequest__Output {
  'node': (string);
  'service': (string);
  /**
   * pause | resume
   */
  'action': (string);
}
