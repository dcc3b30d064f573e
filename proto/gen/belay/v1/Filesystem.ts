// Original file: proto/belay/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface Filesystem {
  /**
   * Block device or source, e.g. /dev/vda1 or overlay.
   */
  'device'?: (string);
  /**
   * Filesystem type, e.g. ext4, xfs, overlay.
   */
  'type'?: (string);
  /**
   * Mount point (host path).
   */
  'mount'?: (string);
  'sizeBytes'?: (number | string | Long);
  'usedBytes'?: (number | string | Long);
  /**
   * Space available to unprivileged writers (what etcd can use).
   */
  'availableBytes'?: (number | string | Long);
  'inodesTotal'?: (number | string | Long);
  'inodesFree'?: (number | string | Long);
  'readOnly'?: (boolean);
  /**
   * True for the one filesystem that holds the etcd data dir.
   */
  'holdsEtcdData'?: (boolean);
}

export interface Filesystem__Output {
  /**
   * Block device or source, e.g. /dev/vda1 or overlay.
   */
  'device': (string);
  /**
   * Filesystem type, e.g. ext4, xfs, overlay.
   */
  'type': (string);
  /**
   * Mount point (host path).
   */
  'mount': (string);
  'sizeBytes': (number);
  'usedBytes': (number);
  /**
   * Space available to unprivileged writers (what etcd can use).
   */
  'availableBytes': (number);
  'inodesTotal': (number);
  'inodesFree': (number);
  'readOnly': (boolean);
  /**
   * True for the one filesystem that holds the etcd data dir.
   */
  'holdsEtcdData': (boolean);
}
