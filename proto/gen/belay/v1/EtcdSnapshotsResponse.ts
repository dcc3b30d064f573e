// Original file: proto/belay/v1/coordinator.proto

import type { SnapshotInfo as _belay_v1_SnapshotInfo, SnapshotInfo__Output as _belay_v1_SnapshotInfo__Output } from '../../belay/v1/SnapshotInfo.js';
import type { DrillInfo as _belay_v1_DrillInfo, DrillInfo__Output as _belay_v1_DrillInfo__Output } from '../../belay/v1/DrillInfo.js';

export interface EtcdSnapshotsResponse {
  /**
   * The master whose backup dirs are listed.
   */
  'node'?: (string);
  'snapshots'?: (_belay_v1_SnapshotInfo)[];
  /**
   * The latest restore drill recorded in etcd (any leader's), if any.
   */
  'lastDrill'?: (_belay_v1_DrillInfo | null);
  /**
   * Why the list is partial (e.g. a dir that cannot be read).
   */
  'error'?: (string);
}

export interface EtcdSnapshotsResponse__Output {
  /**
   * The master whose backup dirs are listed.
   */
  'node': (string);
  'snapshots': (_belay_v1_SnapshotInfo__Output)[];
  /**
   * The latest restore drill recorded in etcd (any leader's), if any.
   */
  'lastDrill': (_belay_v1_DrillInfo__Output | null);
  /**
   * Why the list is partial (e.g. a dir that cannot be read).
   */
  'error': (string);
}
