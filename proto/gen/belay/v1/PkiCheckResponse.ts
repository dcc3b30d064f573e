// Original file: proto/belay/v1/coordinator.proto

import type { PkiFinding as _belay_v1_PkiFinding, PkiFinding__Output as _belay_v1_PkiFinding__Output } from '../../belay/v1/PkiFinding.js';

export interface PkiCheckResponse {
  'findings'?: (_belay_v1_PkiFinding)[];
  /**
   * Masters checked, and those whose agent could not be asked (with why).
   */
  'checked'?: (string)[];
  'unreachable'?: (string)[];
}

export interface PkiCheckResponse__Output {
  'findings': (_belay_v1_PkiFinding__Output)[];
  /**
   * Masters checked, and those whose agent could not be asked (with why).
   */
  'checked': (string)[];
  'unreachable': (string)[];
}
