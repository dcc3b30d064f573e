// Original file: proto/belay/v1/coordinator.proto


export interface ApplyClusterResponse {
  /**
   * The spec as stored, with every default filled in.
   */
  'spec'?: (string);
  /**
   * False when the same spec was already stored.
   */
  'changed'?: (boolean);
  /**
   * etcd | state-dir
   */
  'storedIn'?: (string);
  /**
   * Sound but worth a look, e.g. an even number of masters.
   */
  'warnings'?: (string)[];
  /**
   * Coordinators whose state dir took it (not the ones that could not be asked).
   */
  'coordinators'?: (string)[];
  /**
   * One line per coordinator that could not be asked.
   */
  'errors'?: (string)[];
  /**
   * Human lines: what changed against the stored spec.
   */
  'changes'?: (string)[];
}

export interface ApplyClusterResponse__Output {
  /**
   * The spec as stored, with every default filled in.
   */
  'spec': (string);
  /**
   * False when the same spec was already stored.
   */
  'changed': (boolean);
  /**
   * etcd | state-dir
   */
  'storedIn': (string);
  /**
   * Sound but worth a look, e.g. an even number of masters.
   */
  'warnings': (string)[];
  /**
   * Coordinators whose state dir took it (not the ones that could not be asked).
   */
  'coordinators': (string)[];
  /**
   * One line per coordinator that could not be asked.
   */
  'errors': (string)[];
  /**
   * Human lines: what changed against the stored spec.
   */
  'changes': (string)[];
}
