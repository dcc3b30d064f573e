// Original file: proto/belay/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface DiskLatency {
  /**
   * Percentiles of fdatasync after a 2 KiB append (etcd's WAL write), ms.
   */
  'fdatasyncP50Ms'?: (number | string);
  'fdatasyncP99Ms'?: (number | string);
  'samples'?: (number);
  /**
   * When measured, ms since epoch; 0 if not yet.
   */
  'measuredAtMs'?: (number | string | Long);
  /**
   * Directory the test file was written in (host path).
   */
  'dir'?: (string);
  /**
   * Why it could not be measured, if so.
   */
  'error'?: (string);
}

export interface DiskLatency__Output {
  /**
   * Percentiles of fdatasync after a 2 KiB append (etcd's WAL write), ms.
   */
  'fdatasyncP50Ms': (number);
  'fdatasyncP99Ms': (number);
  'samples': (number);
  /**
   * When measured, ms since epoch; 0 if not yet.
   */
  'measuredAtMs': (number);
  /**
   * Directory the test file was written in (host path).
   */
  'dir': (string);
  /**
   * Why it could not be measured, if so.
   */
  'error': (string);
}
