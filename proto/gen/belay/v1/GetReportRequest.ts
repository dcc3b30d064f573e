// Original file: proto/belay/v1/agent.proto


export interface GetReportRequest {
  /**
   * Collect a fresh report instead of returning the latest periodic one.
   */
  'refresh'?: (boolean);
}

export interface GetReportRequest__Output {
  /**
   * Collect a fresh report instead of returning the latest periodic one.
   */
  'refresh': (boolean);
}
