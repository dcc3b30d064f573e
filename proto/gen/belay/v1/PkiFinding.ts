// Original file: proto/belay/v1/coordinator.proto


export interface PkiFinding {
  'master'?: (string);
  /**
   * Relative to /etc/kubernetes.
   */
  'file'?: (string);
  /**
   * error or warning.
   */
  'severity'?: (string);
  'message'?: (string);
  /**
   * The command that fixes it.
   */
  'fix'?: (string);
  /**
   * Days until the certificate expires (negative: expired); absent when not about expiry.
   */
  'daysLeft'?: (number);
  '_daysLeft'?: "daysLeft";
}

export interface PkiFinding__Output {
  'master': (string);
  /**
   * Relative to /etc/kubernetes.
   */
  'file': (string);
  /**
   * error or warning.
   */
  'severity': (string);
  'message': (string);
  /**
   * The command that fixes it.
   */
  'fix': (string);
  /**
   * Days until the certificate expires (negative: expired); absent when not about expiry.
   */
  'daysLeft'?: (number);
  '_daysLeft'?: "daysLeft";
}
