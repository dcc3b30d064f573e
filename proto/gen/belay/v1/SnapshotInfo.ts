// Original file: proto/belay/v1/coordinator.proto

import type { Long } from '@grpc/proto-loader';

export interface SnapshotInfo {
  'name'?: (string);
  /**
   * Host path of the file.
   */
  'file'?: (string);
  'sha256'?: (string);
  'sizeBytes'?: (number | string | Long);
  'revision'?: (number | string | Long);
  /**
   * Live keys at that revision.
   */
  'keyCount'?: (number | string | Long);
  'takenAtMs'?: (number | string | Long);
  'durationMs'?: (number);
  'verified'?: (boolean);
  'error'?: (string);
  /**
   * Host paths of its copies in the secondary dir.
   */
  'copies'?: (string)[];
  'takenFrom'?: (string);
}

export interface SnapshotInfo__Output {
  'name': (string);
  /**
   * Host path of the file.
   */
  'file': (string);
  'sha256': (string);
  'sizeBytes': (number);
  'revision': (number);
  /**
   * Live keys at that revision.
   */
  'keyCount': (number);
  'takenAtMs': (number);
  'durationMs': (number);
  'verified': (boolean);
  'error': (string);
  /**
   * Host paths of its copies in the secondary dir.
   */
  'copies': (string)[];
  'takenFrom': (string);
}
