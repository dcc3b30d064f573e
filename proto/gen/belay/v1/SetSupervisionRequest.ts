// Original file: proto/belay/v1/agent.proto


export interface SetSupervisionRequest {
  /**
   * Service name as in the agent's config (e.g. kubelet, containerd).
   */
  'service'?: (string);
  /**
   * true: pause; false: resume.
   */
  'paused'?: (boolean);
  /**
   * Who asked, for the event and the log (e.g. "admin via m1").
   */
  'requestedBy'?: (string);
}

export interface SetSupervisionRequest__Output {
  /**
   * Service name as in the agent's config (e.g. kubelet, containerd).
   */
  'service': (string);
  /**
   * true: pause; false: resume.
   */
  'paused': (boolean);
  /**
   * Who asked, for the event and the log (e.g. "admin via m1").
   */
  'requestedBy': (string);
}
