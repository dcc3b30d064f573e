// Original file: proto/belay/v1/agent.proto


export interface PkiFile {
  /**
   * Path under the request's dir (/etc/kubernetes/pki by default), e.g.
   * etcd/server.crt; no "..".
   */
  'path'?: (string);
  /**
   * PEM text.
   */
  'content'?: (string);
  /**
   * File mode, e.g. 0600 for a key (420 = 0644 when 0).
   */
  'mode'?: (number);
}

export interface PkiFile__Output {
  /**
   * Path under the request's dir (/etc/kubernetes/pki by default), e.g.
   * etcd/server.crt; no "..".
   */
  'path': (string);
  /**
   * PEM text.
   */
  'content': (string);
  /**
   * File mode, e.g. 0600 for a key (420 = 0644 when 0).
   */
  'mode': (number);
}
