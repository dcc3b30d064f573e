// Original file: proto/belay/v1/agent.proto


export interface BalancerServer {
  'name'?: (string);
  'address'?: (string);
  /**
   * READY, DRAIN or MAINT.
   */
  'adminState'?: (string);
  /**
   * UP, DOWN, STARTING or STOPPING, as the health checks see it.
   */
  'operationalState'?: (string);
  'checkStatus'?: (string);
  'currentSessions'?: (number);
}

export interface BalancerServer__Output {
  'name': (string);
  'address': (string);
  /**
   * READY, DRAIN or MAINT.
   */
  'adminState': (string);
  /**
   * UP, DOWN, STARTING or STOPPING, as the health checks see it.
   */
  'operationalState': (string);
  'checkStatus': (string);
  'currentSessions': (number);
}
