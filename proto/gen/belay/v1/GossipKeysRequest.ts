// Original file: proto/belay/v1/coordinator.proto


export interface GossipKeysRequest {
  /**
   * list | install | use | remove
   */
  'action'?: (string);
  /**
   * The key, base64 of 32 bytes (install, use, remove).
   */
  'key'?: (string);
  /**
   * This coordinator only (used by the coordinator that fans the request out).
   */
  'localOnly'?: (boolean);
}

export interface GossipKeysRequest__Output {
  /**
   * list | install | use | remove
   */
  'action': (string);
  /**
   * The key, base64 of 32 bytes (install, use, remove).
   */
  'key': (string);
  /**
   * This coordinator only (used by the coordinator that fans the request out).
   */
  'localOnly': (boolean);
}
