// Original file: proto/belay/v1/agent.proto

import type { HostFacts as _belay_v1_HostFacts, HostFacts__Output as _belay_v1_HostFacts__Output } from '../../belay/v1/HostFacts.js';
import type { Filesystem as _belay_v1_Filesystem, Filesystem__Output as _belay_v1_Filesystem__Output } from '../../belay/v1/Filesystem.js';
import type { ProcessInfo as _belay_v1_ProcessInfo, ProcessInfo__Output as _belay_v1_ProcessInfo__Output } from '../../belay/v1/ProcessInfo.js';
import type { ServiceStatus as _belay_v1_ServiceStatus, ServiceStatus__Output as _belay_v1_ServiceStatus__Output } from '../../belay/v1/ServiceStatus.js';
import type { ManifestInfo as _belay_v1_ManifestInfo, ManifestInfo__Output as _belay_v1_ManifestInfo__Output } from '../../belay/v1/ManifestInfo.js';
import type { DiskLatency as _belay_v1_DiskLatency, DiskLatency__Output as _belay_v1_DiskLatency__Output } from '../../belay/v1/DiskLatency.js';
import type { EtcdDataStatus as _belay_v1_EtcdDataStatus, EtcdDataStatus__Output as _belay_v1_EtcdDataStatus__Output } from '../../belay/v1/EtcdDataStatus.js';
import type { Long } from '@grpc/proto-loader';

/**
 * HostReport is one snapshot of a master, collected every report interval.
 */
export interface HostReport {
  /**
   * Master name; must equal the common name of the agent's certificate.
   */
  'node'?: (string);
  /**
   * The master's address (its advertise address, e.g. 127.0.1.1).
   */
  'address'?: (string);
  /**
   * Increases by one for every report of this agent process; starts at 1.
   */
  'seq'?: (number | string | Long);
  /**
   * Random id of the agent process, new at every start, so that a restart
   * (seq back to 1) is told apart from a replayed old report.
   */
  'agentInstance'?: (string);
  /**
   * Wall-clock time on the master when collection started, ms since epoch.
   */
  'collectedAtMs'?: (number | string | Long);
  /**
   * How long collection took, in ms.
   */
  'collectDurationMs'?: (number);
  'host'?: (_belay_v1_HostFacts | null);
  /**
   * Every mounted filesystem, pseudo filesystems (proc, sysfs, cgroup...) left out.
   */
  'filesystems'?: (_belay_v1_Filesystem)[];
  /**
   * Processes of interest found on the host (kubelet, containerd, dockerd,
   * etcd, kube-apiserver, kube-scheduler, kube-controller-manager, haproxy).
   */
  'processes'?: (_belay_v1_ProcessInfo)[];
  /**
   * One line per part of the report that could not be collected; the rest
   * of the report is still valid.
   */
  'collectErrors'?: (string)[];
  /**
   * belay version of the agent.
   */
  'agentVersion'?: (string);
  /**
   * The etcd data dir the agent watches (host path, after --root).
   */
  'etcdDataDir'?: (string);
  /**
   * Every supervised service (kubelet, the container runtime, ...), in config order.
   */
  'services'?: (_belay_v1_ServiceStatus)[];
  /**
   * Inventory of the static pod manifests dir, by file name.
   */
  'manifests'?: (_belay_v1_ManifestInfo)[];
  /**
   * The agent's --root ("/" on a real master): the coordinator renders host
   * paths in manifests under it.
   */
  'root'?: (string);
  /**
   * fdatasync latency of the filesystem that holds the etcd data dir, as
   * etcd's hardware guide asks (p99 under 10 ms), measured every few minutes.
   */
  'etcdDisk'?: (_belay_v1_DiskLatency | null);
  /**
   * When the agent sent this report (its clock, ms): later than collected_at_ms
   * when it sent the host facts again with the services' and manifests' state
   * of the moment (a pod got ready, a manifest was written). Durations in the
   * manifests and services (pod_ready_for_ms) are as of this time.
   */
  'publishedAtMs'?: (number | string | Long);
  /**
   * What the etcd data dir holds and whether the agent lets etcd start on it
   * (docs/etcd-data-dir.md).
   */
  'etcdData'?: (_belay_v1_EtcdDataStatus | null);
}

/**
 * HostReport is one snapshot of a master, collected every report interval.
 */
export interface HostReport__Output {
  /**
   * Master name; must equal the common name of the agent's certificate.
   */
  'node': (string);
  /**
   * The master's address (its advertise address, e.g. 127.0.1.1).
   */
  'address': (string);
  /**
   * Increases by one for every report of this agent process; starts at 1.
   */
  'seq': (number);
  /**
   * Random id of the agent process, new at every start, so that a restart
   * (seq back to 1) is told apart from a replayed old report.
   */
  'agentInstance': (string);
  /**
   * Wall-clock time on the master when collection started, ms since epoch.
   */
  'collectedAtMs': (number);
  /**
   * How long collection took, in ms.
   */
  'collectDurationMs': (number);
  'host': (_belay_v1_HostFacts__Output | null);
  /**
   * Every mounted filesystem, pseudo filesystems (proc, sysfs, cgroup...) left out.
   */
  'filesystems': (_belay_v1_Filesystem__Output)[];
  /**
   * Processes of interest found on the host (kubelet, containerd, dockerd,
   * etcd, kube-apiserver, kube-scheduler, kube-controller-manager, haproxy).
   */
  'processes': (_belay_v1_ProcessInfo__Output)[];
  /**
   * One line per part of the report that could not be collected; the rest
   * of the report is still valid.
   */
  'collectErrors': (string)[];
  /**
   * belay version of the agent.
   */
  'agentVersion': (string);
  /**
   * The etcd data dir the agent watches (host path, after --root).
   */
  'etcdDataDir': (string);
  /**
   * Every supervised service (kubelet, the container runtime, ...), in config order.
   */
  'services': (_belay_v1_ServiceStatus__Output)[];
  /**
   * Inventory of the static pod manifests dir, by file name.
   */
  'manifests': (_belay_v1_ManifestInfo__Output)[];
  /**
   * The agent's --root ("/" on a real master): the coordinator renders host
   * paths in manifests under it.
   */
  'root': (string);
  /**
   * fdatasync latency of the filesystem that holds the etcd data dir, as
   * etcd's hardware guide asks (p99 under 10 ms), measured every few minutes.
   */
  'etcdDisk': (_belay_v1_DiskLatency__Output | null);
  /**
   * When the agent sent this report (its clock, ms): later than collected_at_ms
   * when it sent the host facts again with the services' and manifests' state
   * of the moment (a pod got ready, a manifest was written). Durations in the
   * manifests and services (pod_ready_for_ms) are as of this time.
   */
  'publishedAtMs': (number);
  /**
   * What the etcd data dir holds and whether the agent lets etcd start on it
   * (docs/etcd-data-dir.md).
   */
  'etcdData': (_belay_v1_EtcdDataStatus__Output | null);
}
