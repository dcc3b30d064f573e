// Original file: proto/belay/v1/agent.proto


export interface GetManifestRequest {
  /**
   * File name in the manifests dir (etcd.yaml) or pod name (etcd).
   */
  'name'?: (string);
}

export interface GetManifestRequest__Output {
  /**
   * File name in the manifests dir (etcd.yaml) or pod name (etcd).
   */
  'name': (string);
}
