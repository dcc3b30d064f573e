// Original file: proto/belay/v1/coordinator.proto


export interface PkiCheckRequest {
  /**
   * Only this master; empty: every master of the spec.
   */
  'node'?: (string);
  'warnDays'?: (number);
}

export interface PkiCheckRequest__Output {
  /**
   * Only this master; empty: every master of the spec.
   */
  'node': (string);
  'warnDays': (number);
}
