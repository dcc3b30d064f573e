// Original file: proto/belay/v1/coordinator.proto


export interface RolloutStatusResponse {
  /**
   * The rollout record as the leader keeps it in etcd (JSON; see docs/grpc-api.md); empty if none.
   */
  'recordJson'?: (string);
  /**
   * One line, e.g. "kube-apiserver revision 3: m2 waiting ready (4 s of 5 s stable), 1 of 3 done".
   */
  'summary'?: (string);
  /**
   * What the leader is doing or waiting for now.
   */
  'step'?: (string);
}

export interface RolloutStatusResponse__Output {
  /**
   * The rollout record as the leader keeps it in etcd (JSON; see docs/grpc-api.md); empty if none.
   */
  'recordJson': (string);
  /**
   * One line, e.g. "kube-apiserver revision 3: m2 waiting ready (4 s of 5 s stable), 1 of 3 done".
   */
  'summary': (string);
  /**
   * What the leader is doing or waiting for now.
   */
  'step': (string);
}
