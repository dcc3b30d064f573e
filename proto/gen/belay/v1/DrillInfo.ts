// Original file: proto/belay/v1/coordinator.proto

import type { Long } from '@grpc/proto-loader';

export interface DrillInfo {
  'ok'?: (boolean);
  'snapshot'?: (string);
  'revision'?: (number | string | Long);
  'expectedKeys'?: (number | string | Long);
  'restoredKeys'?: (number | string | Long);
  'sampleChecked'?: (number);
  'mismatches'?: (string)[];
  'durationMs'?: (number);
  'error'?: (string);
  'atMs'?: (number | string | Long);
  /**
   * The master (leader) that ran it.
   */
  'node'?: (string);
}

export interface DrillInfo__Output {
  'ok': (boolean);
  'snapshot': (string);
  'revision': (number);
  'expectedKeys': (number);
  'restoredKeys': (number);
  'sampleChecked': (number);
  'mismatches': (string)[];
  'durationMs': (number);
  'error': (string);
  'atMs': (number);
  /**
   * The master (leader) that ran it.
   */
  'node': (string);
}
