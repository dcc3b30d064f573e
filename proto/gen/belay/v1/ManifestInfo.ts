// Original file: proto/belay/v1/agent.proto

import type { ContainerInfo as _belay_v1_ContainerInfo, ContainerInfo__Output as _belay_v1_ContainerInfo__Output } from '../../belay/v1/ContainerInfo.js';
import type { HostPathVolume as _belay_v1_HostPathVolume, HostPathVolume__Output as _belay_v1_HostPathVolume__Output } from '../../belay/v1/HostPathVolume.js';
import type { ManifestProblem as _belay_v1_ManifestProblem, ManifestProblem__Output as _belay_v1_ManifestProblem__Output } from '../../belay/v1/ManifestProblem.js';
import type { Long } from '@grpc/proto-loader';

/**
 * ManifestInfo is one file of the manifests dir as the agent sees it.
 */
export interface ManifestInfo {
  /**
   * File name in the manifests dir, e.g. etcd.yaml.
   */
  'file'?: (string);
  'podName'?: (string);
  'namespace'?: (string);
  'containers'?: (_belay_v1_ContainerInfo)[];
  /**
   * hostPath volumes: name and host path.
   */
  'hostPaths'?: (_belay_v1_HostPathVolume)[];
  /**
   * sha256 of the file's bytes, hex.
   */
  'sha256'?: (string);
  'mtimeMs'?: (number | string | Long);
  'sizeBytes'?: (number | string | Long);
  /**
   * Parsed and validated as a v1 Pod fit for a static pod.
   */
  'valid'?: (boolean);
  /**
   * Why it is not valid, each with its position in the file.
   */
  'problems'?: (_belay_v1_ManifestProblem)[];
  /**
   * Changed by someone other than the agent since its last write.
   */
  'drifted'?: (boolean);
  /**
   * Unified diff from the agent's last written version to the file (drifted only).
   */
  'driftDiff'?: (string);
  /**
   * Versions kept for rollback (at most 10).
   */
  'historyVersions'?: (number);
  /**
   * The pod's state when the agent runs it (host runtime); empty under
   * kubelet, which owns the pod's status. Running: every container runs;
   * Pending: one is starting or waiting; Failed: one is backing off or
   * crash-looping; Stopped: the file is not run (invalid from the start).
   */
  'podPhase'?: (string);
  /**
   * Every container ready (its readiness probe passes, or without one it
   * runs and is healthy).
   */
  'podReady'?: (boolean);
  /**
   * Why not, per container: "etcd: readiness probe failed: HTTP 503".
   */
  'podNotReadyReason'?: (string);
  /**
   * host runtime: sha256 of the manifest the running pod was started from
   * (differs from sha256 while a change is being applied).
   */
  'runningSha256'?: (string);
  /**
   * host runtime: how long the pod has been ready without a break, ms, as
   * of the report (a duration, not a time: the masters' clocks differ);
   * 0 when not ready.
   */
  'podReadyForMs'?: (number | string | Long);
}

/**
 * ManifestInfo is one file of the manifests dir as the agent sees it.
 */
export interface ManifestInfo__Output {
  /**
   * File name in the manifests dir, e.g. etcd.yaml.
   */
  'file': (string);
  'podName': (string);
  'namespace': (string);
  'containers': (_belay_v1_ContainerInfo__Output)[];
  /**
   * hostPath volumes: name and host path.
   */
  'hostPaths': (_belay_v1_HostPathVolume__Output)[];
  /**
   * sha256 of the file's bytes, hex.
   */
  'sha256': (string);
  'mtimeMs': (number);
  'sizeBytes': (number);
  /**
   * Parsed and validated as a v1 Pod fit for a static pod.
   */
  'valid': (boolean);
  /**
   * Why it is not valid, each with its position in the file.
   */
  'problems': (_belay_v1_ManifestProblem__Output)[];
  /**
   * Changed by someone other than the agent since its last write.
   */
  'drifted': (boolean);
  /**
   * Unified diff from the agent's last written version to the file (drifted only).
   */
  'driftDiff': (string);
  /**
   * Versions kept for rollback (at most 10).
   */
  'historyVersions': (number);
  /**
   * The pod's state when the agent runs it (host runtime); empty under
   * kubelet, which owns the pod's status. Running: every container runs;
   * Pending: one is starting or waiting; Failed: one is backing off or
   * crash-looping; Stopped: the file is not run (invalid from the start).
   */
  'podPhase': (string);
  /**
   * Every container ready (its readiness probe passes, or without one it
   * runs and is healthy).
   */
  'podReady': (boolean);
  /**
   * Why not, per container: "etcd: readiness probe failed: HTTP 503".
   */
  'podNotReadyReason': (string);
  /**
   * host runtime: sha256 of the manifest the running pod was started from
   * (differs from sha256 while a change is being applied).
   */
  'runningSha256': (string);
  /**
   * host runtime: how long the pod has been ready without a break, ms, as
   * of the report (a duration, not a time: the masters' clocks differ);
   * 0 when not ready.
   */
  'podReadyForMs': (number);
}
