// Original file: proto/belay/v1/coordinator.proto


export interface NodeManifestRequest {
  'node'?: (string);
  /**
   * File name (etcd.yaml) or pod name (etcd).
   */
  'name'?: (string);
}

export interface NodeManifestRequest__Output {
  'node': (string);
  /**
   * File name (etcd.yaml) or pod name (etcd).
   */
  'name': (string);
}
