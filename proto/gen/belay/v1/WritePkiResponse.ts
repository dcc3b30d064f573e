// Original file: proto/belay/v1/agent.proto


export interface WritePkiResponse {
  /**
   * Host paths written (unchanged files left out).
   */
  'written'?: (string)[];
}

export interface WritePkiResponse__Output {
  /**
   * Host paths written (unchanged files left out).
   */
  'written': (string)[];
}
