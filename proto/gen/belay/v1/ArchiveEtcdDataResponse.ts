// Original file: proto/belay/v1/agent.proto


export interface ArchiveEtcdDataResponse {
  /**
   * False when there was no data dir (or an empty one): nothing moved.
   */
  'existed'?: (boolean);
  /**
   * Where it was moved (host path), when it existed.
   */
  'archivedTo'?: (string);
}

export interface ArchiveEtcdDataResponse__Output {
  /**
   * False when there was no data dir (or an empty one): nothing moved.
   */
  'existed': (boolean);
  /**
   * Where it was moved (host path), when it existed.
   */
  'archivedTo': (string);
}
