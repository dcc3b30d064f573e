// Original file: proto/belay/v1/agent.proto


export interface ManifestProblem {
  /**
   * 1-based; 0 when the problem has no position (e.g. the file is empty).
   */
  'line'?: (number);
  'column'?: (number);
  'message'?: (string);
}

export interface ManifestProblem__Output {
  /**
   * 1-based; 0 when the problem has no position (e.g. the file is empty).
   */
  'line': (number);
  'column': (number);
  'message': (string);
}
