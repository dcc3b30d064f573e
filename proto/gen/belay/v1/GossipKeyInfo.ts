// Original file: proto/belay/v1/coordinator.proto


export interface GossipKeyInfo {
  /**
   * First 8 hex digits of the key's sha256.
   */
  'fingerprint'?: (string);
  /**
   * Members on which it is the primary (encrypting) key.
   */
  'primaryOn'?: (number);
  /**
   * Members that have it installed.
   */
  'installedOn'?: (number);
}

export interface GossipKeyInfo__Output {
  /**
   * First 8 hex digits of the key's sha256.
   */
  'fingerprint': (string);
  /**
   * Members on which it is the primary (encrypting) key.
   */
  'primaryOn': (number);
  /**
   * Members that have it installed.
   */
  'installedOn': (number);
}
