// Original file: proto/belay/v1/agent.proto


export interface PkiPublicFile {
  /**
   * Relative to /etc/kubernetes, e.g. pki/apiserver.crt, pki/etcd/ca.crt, admin.conf.
   */
  'path'?: (string);
  /**
   * A certificate or public key (PEM), or a kubeconfig without its
   * client-key-data; empty for a private key.
   */
  'content'?: (string);
  /**
   * Private keys, and a kubeconfig's client key: sha256 (hex) of the DER
   * SubjectPublicKeyInfo of the key's public half.
   */
  'publicKeySha256'?: (string);
  /**
   * Why the file could not be read or parsed, if so.
   */
  'error'?: (string);
}

export interface PkiPublicFile__Output {
  /**
   * Relative to /etc/kubernetes, e.g. pki/apiserver.crt, pki/etcd/ca.crt, admin.conf.
   */
  'path': (string);
  /**
   * A certificate or public key (PEM), or a kubeconfig without its
   * client-key-data; empty for a private key.
   */
  'content': (string);
  /**
   * Private keys, and a kubeconfig's client key: sha256 (hex) of the DER
   * SubjectPublicKeyInfo of the key's public half.
   */
  'publicKeySha256': (string);
  /**
   * Why the file could not be read or parsed, if so.
   */
  'error': (string);
}
