// Original file: proto/belay/v1/coordinator.proto

import type { NodeStatus as _belay_v1_NodeStatus, NodeStatus__Output as _belay_v1_NodeStatus__Output } from '../../belay/v1/NodeStatus.js';
import type { SnapshotInfo as _belay_v1_SnapshotInfo, SnapshotInfo__Output as _belay_v1_SnapshotInfo__Output } from '../../belay/v1/SnapshotInfo.js';
import type { DrillInfo as _belay_v1_DrillInfo, DrillInfo__Output as _belay_v1_DrillInfo__Output } from '../../belay/v1/DrillInfo.js';
import type { Long } from '@grpc/proto-loader';

export interface StatusResponse {
  /**
   * Name of the master whose coordinator answered.
   */
  'coordinator'?: (string);
  /**
   * The answering coordinator's clock, ms since epoch.
   */
  'nowMs'?: (number | string | Long);
  /**
   * One entry per known master, in config order.
   */
  'nodes'?: (_belay_v1_NodeStatus)[];
  /**
   * belay version of the answering coordinator.
   */
  'version'?: (string);
  /**
   * The leader coordinator (holder of the etcd lease) and its election
   * term; empty / 0 when there is none (no etcd yet, or no quorum).
   */
  'leader'?: (string);
  'leaderTerm'?: (number | string | Long);
  /**
   * What the leader is doing or waiting for, one line (e.g. "joining m3:
   * waiting for the learner to catch up"), and the cluster's etcd phase:
   * no-spec | awaiting-bootstrap | healthy | degraded | no-quorum.
   */
  'reconcile'?: (string);
  'etcdPhase'?: (string);
  /**
   * Active etcd alarms (NOSPACE, CORRUPT), as "member: alarm".
   */
  'etcdAlarms'?: (string)[];
  /**
   * Backups: the latest snapshot and restore drill as the leader recorded
   * them (absent before the first), and one line saying what is wrong, if
   * anything (a failed or stale drill is an alert).
   */
  'lastSnapshot'?: (_belay_v1_SnapshotInfo | null);
  'lastDrill'?: (_belay_v1_DrillInfo | null);
  'backupAlert'?: (string);
  /**
   * What the leader is doing about the control plane (apiserver, scheduler,
   * controller-manager, balancer), one line; empty when there is nothing to say.
   */
  'controlPlane'?: (string);
}

export interface StatusResponse__Output {
  /**
   * Name of the master whose coordinator answered.
   */
  'coordinator': (string);
  /**
   * The answering coordinator's clock, ms since epoch.
   */
  'nowMs': (number);
  /**
   * One entry per known master, in config order.
   */
  'nodes': (_belay_v1_NodeStatus__Output)[];
  /**
   * belay version of the answering coordinator.
   */
  'version': (string);
  /**
   * The leader coordinator (holder of the etcd lease) and its election
   * term; empty / 0 when there is none (no etcd yet, or no quorum).
   */
  'leader': (string);
  'leaderTerm': (number);
  /**
   * What the leader is doing or waiting for, one line (e.g. "joining m3:
   * waiting for the learner to catch up"), and the cluster's etcd phase:
   * no-spec | awaiting-bootstrap | healthy | degraded | no-quorum.
   */
  'reconcile': (string);
  'etcdPhase': (string);
  /**
   * Active etcd alarms (NOSPACE, CORRUPT), as "member: alarm".
   */
  'etcdAlarms': (string)[];
  /**
   * Backups: the latest snapshot and restore drill as the leader recorded
   * them (absent before the first), and one line saying what is wrong, if
   * anything (a failed or stale drill is an alert).
   */
  'lastSnapshot': (_belay_v1_SnapshotInfo__Output | null);
  'lastDrill': (_belay_v1_DrillInfo__Output | null);
  'backupAlert': (string);
  /**
   * What the leader is doing about the control plane (apiserver, scheduler,
   * controller-manager, balancer), one line; empty when there is nothing to say.
   */
  'controlPlane': (string);
}
