// Original file: proto/belay/v1/coordinator.proto


export interface RolloutRequest {
  /**
   * apiserver, scheduler or controller-manager.
   */
  'component'?: (string);
  /**
   * A new image (NAME:TAG); empty: unchanged.
   */
  'image'?: (string);
  /**
   * Flags to set (name without dashes → value); an empty value removes the flag.
   */
  'set'?: ({[key: string]: string});
  /**
   * Undo the component's last revision instead (image and set must be empty).
   */
  'undo'?: (boolean);
  'dryRun'?: (boolean);
  /**
   * Stream progress until the rollout completes or halts (else return once started).
   */
  'wait'?: (boolean);
  /**
   * Restart the component on every master, the same careful way, changing nothing
   * but the kubectl.kubernetes.io/restartedAt annotation (e.g. to load new
   * certificates); image and set must be empty.
   */
  'restart'?: (boolean);
}

export interface RolloutRequest__Output {
  /**
   * apiserver, scheduler or controller-manager.
   */
  'component': (string);
  /**
   * A new image (NAME:TAG); empty: unchanged.
   */
  'image': (string);
  /**
   * Flags to set (name without dashes → value); an empty value removes the flag.
   */
  'set': ({[key: string]: string});
  /**
   * Undo the component's last revision instead (image and set must be empty).
   */
  'undo': (boolean);
  'dryRun': (boolean);
  /**
   * Stream progress until the rollout completes or halts (else return once started).
   */
  'wait': (boolean);
  /**
   * Restart the component on every master, the same careful way, changing nothing
   * but the kubectl.kubernetes.io/restartedAt annotation (e.g. to load new
   * certificates); image and set must be empty.
   */
  'restart': (boolean);
}
