// Original file: proto/belay/v1/agent.proto


export interface BalancerServersRequest {
  /**
   * Host path of the runtime API socket; empty: the socket of the static
   * haproxy pod belay runs on this master.
   */
  'socket'?: (string);
  /**
   * The backend, e.g. kube-apiserver.
   */
  'backend'?: (string);
}

export interface BalancerServersRequest__Output {
  /**
   * Host path of the runtime API socket; empty: the socket of the static
   * haproxy pod belay runs on this master.
   */
  'socket': (string);
  /**
   * The backend, e.g. kube-apiserver.
   */
  'backend': (string);
}
