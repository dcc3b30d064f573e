// Original file: proto/belay/v1/coordinator.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AgentEvent as _belay_v1_AgentEvent, AgentEvent__Output as _belay_v1_AgentEvent__Output } from '../../belay/v1/AgentEvent.js';
import type { AgentMessage as _belay_v1_AgentMessage, AgentMessage__Output as _belay_v1_AgentMessage__Output } from '../../belay/v1/AgentMessage.js';
import type { ApplyClusterRequest as _belay_v1_ApplyClusterRequest, ApplyClusterRequest__Output as _belay_v1_ApplyClusterRequest__Output } from '../../belay/v1/ApplyClusterRequest.js';
import type { ApplyClusterResponse as _belay_v1_ApplyClusterResponse, ApplyClusterResponse__Output as _belay_v1_ApplyClusterResponse__Output } from '../../belay/v1/ApplyClusterResponse.js';
import type { ApplyManifestResponse as _belay_v1_ApplyManifestResponse, ApplyManifestResponse__Output as _belay_v1_ApplyManifestResponse__Output } from '../../belay/v1/ApplyManifestResponse.js';
import type { BootstrapRequest as _belay_v1_BootstrapRequest, BootstrapRequest__Output as _belay_v1_BootstrapRequest__Output } from '../../belay/v1/BootstrapRequest.js';
import type { EtcdDefragRequest as _belay_v1_EtcdDefragRequest, EtcdDefragRequest__Output as _belay_v1_EtcdDefragRequest__Output } from '../../belay/v1/EtcdDefragRequest.js';
import type { EtcdMemberChangeRequest as _belay_v1_EtcdMemberChangeRequest, EtcdMemberChangeRequest__Output as _belay_v1_EtcdMemberChangeRequest__Output } from '../../belay/v1/EtcdMemberChangeRequest.js';
import type { EtcdMembersRequest as _belay_v1_EtcdMembersRequest, EtcdMembersRequest__Output as _belay_v1_EtcdMembersRequest__Output } from '../../belay/v1/EtcdMembersRequest.js';
import type { EtcdMembersResponse as _belay_v1_EtcdMembersResponse, EtcdMembersResponse__Output as _belay_v1_EtcdMembersResponse__Output } from '../../belay/v1/EtcdMembersResponse.js';
import type { EtcdRestoreRequest as _belay_v1_EtcdRestoreRequest, EtcdRestoreRequest__Output as _belay_v1_EtcdRestoreRequest__Output } from '../../belay/v1/EtcdRestoreRequest.js';
import type { EtcdSnapshotRequest as _belay_v1_EtcdSnapshotRequest, EtcdSnapshotRequest__Output as _belay_v1_EtcdSnapshotRequest__Output } from '../../belay/v1/EtcdSnapshotRequest.js';
import type { EtcdSnapshotsRequest as _belay_v1_EtcdSnapshotsRequest, EtcdSnapshotsRequest__Output as _belay_v1_EtcdSnapshotsRequest__Output } from '../../belay/v1/EtcdSnapshotsRequest.js';
import type { EtcdSnapshotsResponse as _belay_v1_EtcdSnapshotsResponse, EtcdSnapshotsResponse__Output as _belay_v1_EtcdSnapshotsResponse__Output } from '../../belay/v1/EtcdSnapshotsResponse.js';
import type { EventsRequest as _belay_v1_EventsRequest, EventsRequest__Output as _belay_v1_EventsRequest__Output } from '../../belay/v1/EventsRequest.js';
import type { GetClusterRequest as _belay_v1_GetClusterRequest, GetClusterRequest__Output as _belay_v1_GetClusterRequest__Output } from '../../belay/v1/GetClusterRequest.js';
import type { GetClusterResponse as _belay_v1_GetClusterResponse, GetClusterResponse__Output as _belay_v1_GetClusterResponse__Output } from '../../belay/v1/GetClusterResponse.js';
import type { GossipEnvelope as _belay_v1_GossipEnvelope, GossipEnvelope__Output as _belay_v1_GossipEnvelope__Output } from '../../belay/v1/GossipEnvelope.js';
import type { GossipKeysRequest as _belay_v1_GossipKeysRequest, GossipKeysRequest__Output as _belay_v1_GossipKeysRequest__Output } from '../../belay/v1/GossipKeysRequest.js';
import type { GossipKeysResponse as _belay_v1_GossipKeysResponse, GossipKeysResponse__Output as _belay_v1_GossipKeysResponse__Output } from '../../belay/v1/GossipKeysResponse.js';
import type { Manifest as _belay_v1_Manifest, Manifest__Output as _belay_v1_Manifest__Output } from '../../belay/v1/Manifest.js';
import type { ManifestHistoryResponse as _belay_v1_ManifestHistoryResponse, ManifestHistoryResponse__Output as _belay_v1_ManifestHistoryResponse__Output } from '../../belay/v1/ManifestHistoryResponse.js';
import type { MembersRequest as _belay_v1_MembersRequest, MembersRequest__Output as _belay_v1_MembersRequest__Output } from '../../belay/v1/MembersRequest.js';
import type { MembersResponse as _belay_v1_MembersResponse, MembersResponse__Output as _belay_v1_MembersResponse__Output } from '../../belay/v1/MembersResponse.js';
import type { NodeApplyManifestRequest as _belay_v1_NodeApplyManifestRequest, NodeApplyManifestRequest__Output as _belay_v1_NodeApplyManifestRequest__Output } from '../../belay/v1/NodeApplyManifestRequest.js';
import type { NodeManifestRequest as _belay_v1_NodeManifestRequest, NodeManifestRequest__Output as _belay_v1_NodeManifestRequest__Output } from '../../belay/v1/NodeManifestRequest.js';
import type { NodeRemoveManifestRequest as _belay_v1_NodeRemoveManifestRequest, NodeRemoveManifestRequest__Output as _belay_v1_NodeRemoveManifestRequest__Output } from '../../belay/v1/NodeRemoveManifestRequest.js';
import type { NodeRollbackManifestRequest as _belay_v1_NodeRollbackManifestRequest, NodeRollbackManifestRequest__Output as _belay_v1_NodeRollbackManifestRequest__Output } from '../../belay/v1/NodeRollbackManifestRequest.js';
import type { PkiCheckRequest as _belay_v1_PkiCheckRequest, PkiCheckRequest__Output as _belay_v1_PkiCheckRequest__Output } from '../../belay/v1/PkiCheckRequest.js';
import type { PkiCheckResponse as _belay_v1_PkiCheckResponse, PkiCheckResponse__Output as _belay_v1_PkiCheckResponse__Output } from '../../belay/v1/PkiCheckResponse.js';
import type { PkiIssueRequest as _belay_v1_PkiIssueRequest, PkiIssueRequest__Output as _belay_v1_PkiIssueRequest__Output } from '../../belay/v1/PkiIssueRequest.js';
import type { Progress as _belay_v1_Progress, Progress__Output as _belay_v1_Progress__Output } from '../../belay/v1/Progress.js';
import type { ReportAck as _belay_v1_ReportAck, ReportAck__Output as _belay_v1_ReportAck__Output } from '../../belay/v1/ReportAck.js';
import type { RolloutControlRequest as _belay_v1_RolloutControlRequest, RolloutControlRequest__Output as _belay_v1_RolloutControlRequest__Output } from '../../belay/v1/RolloutControlRequest.js';
import type { RolloutHistoryRequest as _belay_v1_RolloutHistoryRequest, RolloutHistoryRequest__Output as _belay_v1_RolloutHistoryRequest__Output } from '../../belay/v1/RolloutHistoryRequest.js';
import type { RolloutHistoryResponse as _belay_v1_RolloutHistoryResponse, RolloutHistoryResponse__Output as _belay_v1_RolloutHistoryResponse__Output } from '../../belay/v1/RolloutHistoryResponse.js';
import type { RolloutRequest as _belay_v1_RolloutRequest, RolloutRequest__Output as _belay_v1_RolloutRequest__Output } from '../../belay/v1/RolloutRequest.js';
import type { RolloutStatusRequest as _belay_v1_RolloutStatusRequest, RolloutStatusRequest__Output as _belay_v1_RolloutStatusRequest__Output } from '../../belay/v1/RolloutStatusRequest.js';
import type { RolloutStatusResponse as _belay_v1_RolloutStatusResponse, RolloutStatusResponse__Output as _belay_v1_RolloutStatusResponse__Output } from '../../belay/v1/RolloutStatusResponse.js';
import type { ServiceStatus as _belay_v1_ServiceStatus, ServiceStatus__Output as _belay_v1_ServiceStatus__Output } from '../../belay/v1/ServiceStatus.js';
import type { StatusRequest as _belay_v1_StatusRequest, StatusRequest__Output as _belay_v1_StatusRequest__Output } from '../../belay/v1/StatusRequest.js';
import type { StatusResponse as _belay_v1_StatusResponse, StatusResponse__Output as _belay_v1_StatusResponse__Output } from '../../belay/v1/StatusResponse.js';
import type { SuperviseRequest as _belay_v1_SuperviseRequest, SuperviseRequest__Output as _belay_v1_SuperviseRequest__Output } from '../../belay/v1/SuperviseRequest.js';

export interface CoordinatorClient extends grpc.Client {
  /**
   * ApplyCluster validates a Cluster spec (YAML, belay.dev/v1alpha1) and
   * stores it: in etcd under /belay/ once etcd exists, and in the state dir
   * of every live coordinator (before bootstrap that is the only copy).
   * Invalid specs are refused (INVALID_ARGUMENT, the field named); a change
   * that removes a master who is still an etcd member is refused as unsafe.
   */
  ApplyCluster(argument: _belay_v1_ApplyClusterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ApplyClusterResponse__Output>): grpc.ClientUnaryCall;
  ApplyCluster(argument: _belay_v1_ApplyClusterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_ApplyClusterResponse__Output>): grpc.ClientUnaryCall;
  ApplyCluster(argument: _belay_v1_ApplyClusterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ApplyClusterResponse__Output>): grpc.ClientUnaryCall;
  ApplyCluster(argument: _belay_v1_ApplyClusterRequest, callback: grpc.requestCallback<_belay_v1_ApplyClusterResponse__Output>): grpc.ClientUnaryCall;
  /**
   * ApplyCluster validates a Cluster spec (YAML, belay.dev/v1alpha1) and
   * stores it: in etcd under /belay/ once etcd exists, and in the state dir
   * of every live coordinator (before bootstrap that is the only copy).
   * Invalid specs are refused (INVALID_ARGUMENT, the field named); a change
   * that removes a master who is still an etcd member is refused as unsafe.
   */
  applyCluster(argument: _belay_v1_ApplyClusterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ApplyClusterResponse__Output>): grpc.ClientUnaryCall;
  applyCluster(argument: _belay_v1_ApplyClusterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_ApplyClusterResponse__Output>): grpc.ClientUnaryCall;
  applyCluster(argument: _belay_v1_ApplyClusterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ApplyClusterResponse__Output>): grpc.ClientUnaryCall;
  applyCluster(argument: _belay_v1_ApplyClusterRequest, callback: grpc.requestCallback<_belay_v1_ApplyClusterResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * ApplyManifest, RemoveManifest and RollbackManifest change one static pod
   * manifest of one master through that master's agent (see the Agent
   * service for the guarantees: validated first, atomic, history kept,
   * drift not overwritten without force). ManifestHistory lists the kept versions.
   */
  ApplyManifest(argument: _belay_v1_NodeApplyManifestRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  ApplyManifest(argument: _belay_v1_NodeApplyManifestRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  ApplyManifest(argument: _belay_v1_NodeApplyManifestRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  ApplyManifest(argument: _belay_v1_NodeApplyManifestRequest, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  /**
   * ApplyManifest, RemoveManifest and RollbackManifest change one static pod
   * manifest of one master through that master's agent (see the Agent
   * service for the guarantees: validated first, atomic, history kept,
   * drift not overwritten without force). ManifestHistory lists the kept versions.
   */
  applyManifest(argument: _belay_v1_NodeApplyManifestRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  applyManifest(argument: _belay_v1_NodeApplyManifestRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  applyManifest(argument: _belay_v1_NodeApplyManifestRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  applyManifest(argument: _belay_v1_NodeApplyManifestRequest, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Bootstrap creates the etcd cluster on one master (the only way one is
   * created): etcd PKI, etcd.yaml with initial-cluster-state new, applied
   * through that master's agent, waited on until healthy, the spec stored in
   * etcd. Refused (unsafe) if any etcd member of this cluster answers.
   * Streams its progress; the last message has done set.
   */
  Bootstrap(argument: _belay_v1_BootstrapRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_Progress__Output>;
  Bootstrap(argument: _belay_v1_BootstrapRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_Progress__Output>;
  /**
   * Bootstrap creates the etcd cluster on one master (the only way one is
   * created): etcd PKI, etcd.yaml with initial-cluster-state new, applied
   * through that master's agent, waited on until healthy, the spec stored in
   * etcd. Refused (unsafe) if any etcd member of this cluster answers.
   * Streams its progress; the last message has done set.
   */
  bootstrap(argument: _belay_v1_BootstrapRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_Progress__Output>;
  bootstrap(argument: _belay_v1_BootstrapRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_Progress__Output>;
  
  /**
   * EtcdAdd joins a master of the spec as a learner and promotes it (the
   * same steps the leader takes by itself); EtcdRemove removes a member.
   * Both run on the leader (forwarded to it), one membership change at a
   * time. EtcdRemove is refused (unsafe) when the members left would not keep
   * a quorum of healthy voters; the etcd leader's leadership is moved away
   * before it is removed.
   */
  EtcdAdd(argument: _belay_v1_EtcdMemberChangeRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_Progress__Output>;
  EtcdAdd(argument: _belay_v1_EtcdMemberChangeRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_Progress__Output>;
  /**
   * EtcdAdd joins a master of the spec as a learner and promotes it (the
   * same steps the leader takes by itself); EtcdRemove removes a member.
   * Both run on the leader (forwarded to it), one membership change at a
   * time. EtcdRemove is refused (unsafe) when the members left would not keep
   * a quorum of healthy voters; the etcd leader's leadership is moved away
   * before it is removed.
   */
  etcdAdd(argument: _belay_v1_EtcdMemberChangeRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_Progress__Output>;
  etcdAdd(argument: _belay_v1_EtcdMemberChangeRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_Progress__Output>;
  
  /**
   * EtcdDefrag defragments every member one at a time, followers first and
   * the etcd leader last, each checked healthy before the next.
   */
  EtcdDefrag(argument: _belay_v1_EtcdDefragRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_Progress__Output>;
  EtcdDefrag(argument: _belay_v1_EtcdDefragRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_Progress__Output>;
  /**
   * EtcdDefrag defragments every member one at a time, followers first and
   * the etcd leader last, each checked healthy before the next.
   */
  etcdDefrag(argument: _belay_v1_EtcdDefragRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_Progress__Output>;
  etcdDefrag(argument: _belay_v1_EtcdDefragRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_Progress__Output>;
  
  /**
   * EtcdMembers lists the etcd members with each one's status as seen from
   * this coordinator (its own etcd client, TLS with its client certificate).
   */
  EtcdMembers(argument: _belay_v1_EtcdMembersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_EtcdMembersResponse__Output>): grpc.ClientUnaryCall;
  EtcdMembers(argument: _belay_v1_EtcdMembersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_EtcdMembersResponse__Output>): grpc.ClientUnaryCall;
  EtcdMembers(argument: _belay_v1_EtcdMembersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_EtcdMembersResponse__Output>): grpc.ClientUnaryCall;
  EtcdMembers(argument: _belay_v1_EtcdMembersRequest, callback: grpc.requestCallback<_belay_v1_EtcdMembersResponse__Output>): grpc.ClientUnaryCall;
  /**
   * EtcdMembers lists the etcd members with each one's status as seen from
   * this coordinator (its own etcd client, TLS with its client certificate).
   */
  etcdMembers(argument: _belay_v1_EtcdMembersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_EtcdMembersResponse__Output>): grpc.ClientUnaryCall;
  etcdMembers(argument: _belay_v1_EtcdMembersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_EtcdMembersResponse__Output>): grpc.ClientUnaryCall;
  etcdMembers(argument: _belay_v1_EtcdMembersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_EtcdMembersResponse__Output>): grpc.ClientUnaryCall;
  etcdMembers(argument: _belay_v1_EtcdMembersRequest, callback: grpc.requestCallback<_belay_v1_EtcdMembersResponse__Output>): grpc.ClientUnaryCall;
  
  EtcdRemove(argument: _belay_v1_EtcdMemberChangeRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_Progress__Output>;
  EtcdRemove(argument: _belay_v1_EtcdMemberChangeRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_Progress__Output>;
  etcdRemove(argument: _belay_v1_EtcdMemberChangeRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_Progress__Output>;
  etcdRemove(argument: _belay_v1_EtcdMemberChangeRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_Progress__Output>;
  
  /**
   * EtcdRestore recovers from a lost quorum: checks the snapshot (sha256,
   * snapshot status, a restore into a scratch etcd, the cluster it comes
   * from), stops etcd on every master, restores into a new data dir on one
   * master (the old one renamed and kept), starts it as a one-member
   * cluster, then the leader joins the others again as learners. Runs on
   * the answering coordinator (there may be no leader). Refused (unsafe)
   * while the current cluster has quorum, unless force.
   */
  EtcdRestore(argument: _belay_v1_EtcdRestoreRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_Progress__Output>;
  EtcdRestore(argument: _belay_v1_EtcdRestoreRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_Progress__Output>;
  /**
   * EtcdRestore recovers from a lost quorum: checks the snapshot (sha256,
   * snapshot status, a restore into a scratch etcd, the cluster it comes
   * from), stops etcd on every master, restores into a new data dir on one
   * master (the old one renamed and kept), starts it as a one-member
   * cluster, then the leader joins the others again as learners. Runs on
   * the answering coordinator (there may be no leader). Refused (unsafe)
   * while the current cluster has quorum, unless force.
   */
  etcdRestore(argument: _belay_v1_EtcdRestoreRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_Progress__Output>;
  etcdRestore(argument: _belay_v1_EtcdRestoreRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_Progress__Output>;
  
  /**
   * EtcdSnapshot takes a verified snapshot now, on the leader, into its
   * backup dir (and the secondary dir): sha256 sidecar, `snapshot status`
   * checked, key count and a sample of keys recorded for restore drills.
   * The last Progress carries the snapshot as JSON in result_json.
   */
  EtcdSnapshot(argument: _belay_v1_EtcdSnapshotRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_Progress__Output>;
  EtcdSnapshot(argument: _belay_v1_EtcdSnapshotRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_Progress__Output>;
  /**
   * EtcdSnapshot takes a verified snapshot now, on the leader, into its
   * backup dir (and the secondary dir): sha256 sidecar, `snapshot status`
   * checked, key count and a sample of keys recorded for restore drills.
   * The last Progress carries the snapshot as JSON in result_json.
   */
  etcdSnapshot(argument: _belay_v1_EtcdSnapshotRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_Progress__Output>;
  etcdSnapshot(argument: _belay_v1_EtcdSnapshotRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_Progress__Output>;
  
  /**
   * EtcdSnapshots lists the snapshots kept on the answering coordinator's
   * master (its backup dir and secondary dir), newest first, with the
   * latest restore drill.
   */
  EtcdSnapshots(argument: _belay_v1_EtcdSnapshotsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_EtcdSnapshotsResponse__Output>): grpc.ClientUnaryCall;
  EtcdSnapshots(argument: _belay_v1_EtcdSnapshotsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_EtcdSnapshotsResponse__Output>): grpc.ClientUnaryCall;
  EtcdSnapshots(argument: _belay_v1_EtcdSnapshotsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_EtcdSnapshotsResponse__Output>): grpc.ClientUnaryCall;
  EtcdSnapshots(argument: _belay_v1_EtcdSnapshotsRequest, callback: grpc.requestCallback<_belay_v1_EtcdSnapshotsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * EtcdSnapshots lists the snapshots kept on the answering coordinator's
   * master (its backup dir and secondary dir), newest first, with the
   * latest restore drill.
   */
  etcdSnapshots(argument: _belay_v1_EtcdSnapshotsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_EtcdSnapshotsResponse__Output>): grpc.ClientUnaryCall;
  etcdSnapshots(argument: _belay_v1_EtcdSnapshotsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_EtcdSnapshotsResponse__Output>): grpc.ClientUnaryCall;
  etcdSnapshots(argument: _belay_v1_EtcdSnapshotsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_EtcdSnapshotsResponse__Output>): grpc.ClientUnaryCall;
  etcdSnapshots(argument: _belay_v1_EtcdSnapshotsRequest, callback: grpc.requestCallback<_belay_v1_EtcdSnapshotsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Events returns the recent events of every master (oldest first) and,
   * with follow, keeps the stream open for new ones.
   */
  Events(argument: _belay_v1_EventsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_AgentEvent__Output>;
  Events(argument: _belay_v1_EventsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_AgentEvent__Output>;
  /**
   * Events returns the recent events of every master (oldest first) and,
   * with follow, keeps the stream open for new ones.
   */
  events(argument: _belay_v1_EventsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_AgentEvent__Output>;
  events(argument: _belay_v1_EventsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_AgentEvent__Output>;
  
  /**
   * GetCluster returns the stored Cluster spec.
   */
  GetCluster(argument: _belay_v1_GetClusterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_GetClusterResponse__Output>): grpc.ClientUnaryCall;
  GetCluster(argument: _belay_v1_GetClusterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_GetClusterResponse__Output>): grpc.ClientUnaryCall;
  GetCluster(argument: _belay_v1_GetClusterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_GetClusterResponse__Output>): grpc.ClientUnaryCall;
  GetCluster(argument: _belay_v1_GetClusterRequest, callback: grpc.requestCallback<_belay_v1_GetClusterResponse__Output>): grpc.ClientUnaryCall;
  /**
   * GetCluster returns the stored Cluster spec.
   */
  getCluster(argument: _belay_v1_GetClusterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_GetClusterResponse__Output>): grpc.ClientUnaryCall;
  getCluster(argument: _belay_v1_GetClusterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_GetClusterResponse__Output>): grpc.ClientUnaryCall;
  getCluster(argument: _belay_v1_GetClusterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_GetClusterResponse__Output>): grpc.ClientUnaryCall;
  getCluster(argument: _belay_v1_GetClusterRequest, callback: grpc.requestCallback<_belay_v1_GetClusterResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * GetManifest returns one static pod manifest of one master, through that
   * master's agent.
   */
  GetManifest(argument: _belay_v1_NodeManifestRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_Manifest__Output>): grpc.ClientUnaryCall;
  GetManifest(argument: _belay_v1_NodeManifestRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_Manifest__Output>): grpc.ClientUnaryCall;
  GetManifest(argument: _belay_v1_NodeManifestRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_Manifest__Output>): grpc.ClientUnaryCall;
  GetManifest(argument: _belay_v1_NodeManifestRequest, callback: grpc.requestCallback<_belay_v1_Manifest__Output>): grpc.ClientUnaryCall;
  /**
   * GetManifest returns one static pod manifest of one master, through that
   * master's agent.
   */
  getManifest(argument: _belay_v1_NodeManifestRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_Manifest__Output>): grpc.ClientUnaryCall;
  getManifest(argument: _belay_v1_NodeManifestRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_Manifest__Output>): grpc.ClientUnaryCall;
  getManifest(argument: _belay_v1_NodeManifestRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_Manifest__Output>): grpc.ClientUnaryCall;
  getManifest(argument: _belay_v1_NodeManifestRequest, callback: grpc.requestCallback<_belay_v1_Manifest__Output>): grpc.ClientUnaryCall;
  
  /**
   * GossipKeys manages the gossip keyring of every live member (or, with
   * local_only, of this coordinator alone): list, install, use (make primary),
   * remove. Keys are never returned, only their fingerprints.
   */
  GossipKeys(argument: _belay_v1_GossipKeysRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_GossipKeysResponse__Output>): grpc.ClientUnaryCall;
  GossipKeys(argument: _belay_v1_GossipKeysRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_GossipKeysResponse__Output>): grpc.ClientUnaryCall;
  GossipKeys(argument: _belay_v1_GossipKeysRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_GossipKeysResponse__Output>): grpc.ClientUnaryCall;
  GossipKeys(argument: _belay_v1_GossipKeysRequest, callback: grpc.requestCallback<_belay_v1_GossipKeysResponse__Output>): grpc.ClientUnaryCall;
  /**
   * GossipKeys manages the gossip keyring of every live member (or, with
   * local_only, of this coordinator alone): list, install, use (make primary),
   * remove. Keys are never returned, only their fingerprints.
   */
  gossipKeys(argument: _belay_v1_GossipKeysRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_GossipKeysResponse__Output>): grpc.ClientUnaryCall;
  gossipKeys(argument: _belay_v1_GossipKeysRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_GossipKeysResponse__Output>): grpc.ClientUnaryCall;
  gossipKeys(argument: _belay_v1_GossipKeysRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_GossipKeysResponse__Output>): grpc.ClientUnaryCall;
  gossipKeys(argument: _belay_v1_GossipKeysRequest, callback: grpc.requestCallback<_belay_v1_GossipKeysResponse__Output>): grpc.ClientUnaryCall;
  
  ManifestHistory(argument: _belay_v1_NodeManifestRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ManifestHistoryResponse__Output>): grpc.ClientUnaryCall;
  ManifestHistory(argument: _belay_v1_NodeManifestRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_ManifestHistoryResponse__Output>): grpc.ClientUnaryCall;
  ManifestHistory(argument: _belay_v1_NodeManifestRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ManifestHistoryResponse__Output>): grpc.ClientUnaryCall;
  ManifestHistory(argument: _belay_v1_NodeManifestRequest, callback: grpc.requestCallback<_belay_v1_ManifestHistoryResponse__Output>): grpc.ClientUnaryCall;
  manifestHistory(argument: _belay_v1_NodeManifestRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ManifestHistoryResponse__Output>): grpc.ClientUnaryCall;
  manifestHistory(argument: _belay_v1_NodeManifestRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_ManifestHistoryResponse__Output>): grpc.ClientUnaryCall;
  manifestHistory(argument: _belay_v1_NodeManifestRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ManifestHistoryResponse__Output>): grpc.ClientUnaryCall;
  manifestHistory(argument: _belay_v1_NodeManifestRequest, callback: grpc.requestCallback<_belay_v1_ManifestHistoryResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Members lists the gossip members as this coordinator sees them.
   */
  Members(argument: _belay_v1_MembersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_MembersResponse__Output>): grpc.ClientUnaryCall;
  Members(argument: _belay_v1_MembersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_MembersResponse__Output>): grpc.ClientUnaryCall;
  Members(argument: _belay_v1_MembersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_MembersResponse__Output>): grpc.ClientUnaryCall;
  Members(argument: _belay_v1_MembersRequest, callback: grpc.requestCallback<_belay_v1_MembersResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Members lists the gossip members as this coordinator sees them.
   */
  members(argument: _belay_v1_MembersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_MembersResponse__Output>): grpc.ClientUnaryCall;
  members(argument: _belay_v1_MembersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_MembersResponse__Output>): grpc.ClientUnaryCall;
  members(argument: _belay_v1_MembersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_MembersResponse__Output>): grpc.ClientUnaryCall;
  members(argument: _belay_v1_MembersRequest, callback: grpc.requestCallback<_belay_v1_MembersResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * PkiCheck reads every master's PKI through its agent (public parts
   * only) and reports missing SANs (a master's or the balancer's address),
   * certificates not signed by their CA, keys that are not their
   * certificate's, missing files, and certificates expiring within
   * warn_days (default 30) or expired.
   */
  PkiCheck(argument: _belay_v1_PkiCheckRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_PkiCheckResponse__Output>): grpc.ClientUnaryCall;
  PkiCheck(argument: _belay_v1_PkiCheckRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_PkiCheckResponse__Output>): grpc.ClientUnaryCall;
  PkiCheck(argument: _belay_v1_PkiCheckRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_PkiCheckResponse__Output>): grpc.ClientUnaryCall;
  PkiCheck(argument: _belay_v1_PkiCheckRequest, callback: grpc.requestCallback<_belay_v1_PkiCheckResponse__Output>): grpc.ClientUnaryCall;
  /**
   * PkiCheck reads every master's PKI through its agent (public parts
   * only) and reports missing SANs (a master's or the balancer's address),
   * certificates not signed by their CA, keys that are not their
   * certificate's, missing files, and certificates expiring within
   * warn_days (default 30) or expired.
   */
  pkiCheck(argument: _belay_v1_PkiCheckRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_PkiCheckResponse__Output>): grpc.ClientUnaryCall;
  pkiCheck(argument: _belay_v1_PkiCheckRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_PkiCheckResponse__Output>): grpc.ClientUnaryCall;
  pkiCheck(argument: _belay_v1_PkiCheckRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_PkiCheckResponse__Output>): grpc.ClientUnaryCall;
  pkiCheck(argument: _belay_v1_PkiCheckRequest, callback: grpc.requestCallback<_belay_v1_PkiCheckResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * PkiIssue issues a master's certificates again from the CAs kept in etcd
   * (target apiserver: its serving certificate with the SANs the spec asks
   * for; kubeconfigs; etcd: its etcd server and peer certificates) and
   * writes them through its agent. Runs on the leader (relayed there).
   */
  PkiIssue(argument: _belay_v1_PkiIssueRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_Progress__Output>;
  PkiIssue(argument: _belay_v1_PkiIssueRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_Progress__Output>;
  /**
   * PkiIssue issues a master's certificates again from the CAs kept in etcd
   * (target apiserver: its serving certificate with the SANs the spec asks
   * for; kubeconfigs; etcd: its etcd server and peer certificates) and
   * writes them through its agent. Runs on the leader (relayed there).
   */
  pkiIssue(argument: _belay_v1_PkiIssueRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_Progress__Output>;
  pkiIssue(argument: _belay_v1_PkiIssueRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_Progress__Output>;
  
  /**
   * PushPull exchanges full gossip state between coordinators (anti-entropy,
   * joins, healing after a partition). Request and answer are sealed gossip
   * packets (gossip.proto) holding one PushPull message: a coordinator
   * without the cluster gossip key cannot join, even with a valid
   * certificate (UNAUTHENTICATED, belay-code GOSSIP_KEY_MISMATCH).
   */
  PushPull(argument: _belay_v1_GossipEnvelope, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_GossipEnvelope__Output>): grpc.ClientUnaryCall;
  PushPull(argument: _belay_v1_GossipEnvelope, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_GossipEnvelope__Output>): grpc.ClientUnaryCall;
  PushPull(argument: _belay_v1_GossipEnvelope, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_GossipEnvelope__Output>): grpc.ClientUnaryCall;
  PushPull(argument: _belay_v1_GossipEnvelope, callback: grpc.requestCallback<_belay_v1_GossipEnvelope__Output>): grpc.ClientUnaryCall;
  /**
   * PushPull exchanges full gossip state between coordinators (anti-entropy,
   * joins, healing after a partition). Request and answer are sealed gossip
   * packets (gossip.proto) holding one PushPull message: a coordinator
   * without the cluster gossip key cannot join, even with a valid
   * certificate (UNAUTHENTICATED, belay-code GOSSIP_KEY_MISMATCH).
   */
  pushPull(argument: _belay_v1_GossipEnvelope, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_GossipEnvelope__Output>): grpc.ClientUnaryCall;
  pushPull(argument: _belay_v1_GossipEnvelope, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_GossipEnvelope__Output>): grpc.ClientUnaryCall;
  pushPull(argument: _belay_v1_GossipEnvelope, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_GossipEnvelope__Output>): grpc.ClientUnaryCall;
  pushPull(argument: _belay_v1_GossipEnvelope, callback: grpc.requestCallback<_belay_v1_GossipEnvelope__Output>): grpc.ClientUnaryCall;
  
  RemoveManifest(argument: _belay_v1_NodeRemoveManifestRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  RemoveManifest(argument: _belay_v1_NodeRemoveManifestRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  RemoveManifest(argument: _belay_v1_NodeRemoveManifestRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  RemoveManifest(argument: _belay_v1_NodeRemoveManifestRequest, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  removeManifest(argument: _belay_v1_NodeRemoveManifestRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  removeManifest(argument: _belay_v1_NodeRemoveManifestRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  removeManifest(argument: _belay_v1_NodeRemoveManifestRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  removeManifest(argument: _belay_v1_NodeRemoveManifestRequest, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  
  RollbackManifest(argument: _belay_v1_NodeRollbackManifestRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  RollbackManifest(argument: _belay_v1_NodeRollbackManifestRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  RollbackManifest(argument: _belay_v1_NodeRollbackManifestRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  RollbackManifest(argument: _belay_v1_NodeRollbackManifestRequest, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  rollbackManifest(argument: _belay_v1_NodeRollbackManifestRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  rollbackManifest(argument: _belay_v1_NodeRollbackManifestRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  rollbackManifest(argument: _belay_v1_NodeRollbackManifestRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  rollbackManifest(argument: _belay_v1_NodeRollbackManifestRequest, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Rollout changes a control-plane component's image or flags in the spec
   * (or undoes its last revision) and starts a rollout of it: the leader
   * goes master by master, only while every other master's component is
   * ready and etcd is healthy; for the apiserver it drains the master's
   * backend in every balancer first and enables it once the new apiserver
   * has been ready for spec.rollout.stableWindow. A master not ready within
   * spec.rollout.readyTimeout is rolled back and the rollout halts. Refused
   * (unsafe) while another rollout runs or is paused. With wait, streams
   * progress until the rollout completes or halts. Relayed to the leader.
   */
  Rollout(argument: _belay_v1_RolloutRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_Progress__Output>;
  Rollout(argument: _belay_v1_RolloutRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_Progress__Output>;
  /**
   * Rollout changes a control-plane component's image or flags in the spec
   * (or undoes its last revision) and starts a rollout of it: the leader
   * goes master by master, only while every other master's component is
   * ready and etcd is healthy; for the apiserver it drains the master's
   * backend in every balancer first and enables it once the new apiserver
   * has been ready for spec.rollout.stableWindow. A master not ready within
   * spec.rollout.readyTimeout is rolled back and the rollout halts. Refused
   * (unsafe) while another rollout runs or is paused. With wait, streams
   * progress until the rollout completes or halts. Relayed to the leader.
   */
  rollout(argument: _belay_v1_RolloutRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_Progress__Output>;
  rollout(argument: _belay_v1_RolloutRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_belay_v1_Progress__Output>;
  
  /**
   * pause: the master mid-way is finished, no other is taken out; resume.
   */
  RolloutControl(argument: _belay_v1_RolloutControlRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_RolloutStatusResponse__Output>): grpc.ClientUnaryCall;
  RolloutControl(argument: _belay_v1_RolloutControlRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_RolloutStatusResponse__Output>): grpc.ClientUnaryCall;
  RolloutControl(argument: _belay_v1_RolloutControlRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_RolloutStatusResponse__Output>): grpc.ClientUnaryCall;
  RolloutControl(argument: _belay_v1_RolloutControlRequest, callback: grpc.requestCallback<_belay_v1_RolloutStatusResponse__Output>): grpc.ClientUnaryCall;
  /**
   * pause: the master mid-way is finished, no other is taken out; resume.
   */
  rolloutControl(argument: _belay_v1_RolloutControlRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_RolloutStatusResponse__Output>): grpc.ClientUnaryCall;
  rolloutControl(argument: _belay_v1_RolloutControlRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_RolloutStatusResponse__Output>): grpc.ClientUnaryCall;
  rolloutControl(argument: _belay_v1_RolloutControlRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_RolloutStatusResponse__Output>): grpc.ClientUnaryCall;
  rolloutControl(argument: _belay_v1_RolloutControlRequest, callback: grpc.requestCallback<_belay_v1_RolloutStatusResponse__Output>): grpc.ClientUnaryCall;
  
  RolloutHistory(argument: _belay_v1_RolloutHistoryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_RolloutHistoryResponse__Output>): grpc.ClientUnaryCall;
  RolloutHistory(argument: _belay_v1_RolloutHistoryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_RolloutHistoryResponse__Output>): grpc.ClientUnaryCall;
  RolloutHistory(argument: _belay_v1_RolloutHistoryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_RolloutHistoryResponse__Output>): grpc.ClientUnaryCall;
  RolloutHistory(argument: _belay_v1_RolloutHistoryRequest, callback: grpc.requestCallback<_belay_v1_RolloutHistoryResponse__Output>): grpc.ClientUnaryCall;
  rolloutHistory(argument: _belay_v1_RolloutHistoryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_RolloutHistoryResponse__Output>): grpc.ClientUnaryCall;
  rolloutHistory(argument: _belay_v1_RolloutHistoryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_RolloutHistoryResponse__Output>): grpc.ClientUnaryCall;
  rolloutHistory(argument: _belay_v1_RolloutHistoryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_RolloutHistoryResponse__Output>): grpc.ClientUnaryCall;
  rolloutHistory(argument: _belay_v1_RolloutHistoryRequest, callback: grpc.requestCallback<_belay_v1_RolloutHistoryResponse__Output>): grpc.ClientUnaryCall;
  
  RolloutStatus(argument: _belay_v1_RolloutStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_RolloutStatusResponse__Output>): grpc.ClientUnaryCall;
  RolloutStatus(argument: _belay_v1_RolloutStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_RolloutStatusResponse__Output>): grpc.ClientUnaryCall;
  RolloutStatus(argument: _belay_v1_RolloutStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_RolloutStatusResponse__Output>): grpc.ClientUnaryCall;
  RolloutStatus(argument: _belay_v1_RolloutStatusRequest, callback: grpc.requestCallback<_belay_v1_RolloutStatusResponse__Output>): grpc.ClientUnaryCall;
  rolloutStatus(argument: _belay_v1_RolloutStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_RolloutStatusResponse__Output>): grpc.ClientUnaryCall;
  rolloutStatus(argument: _belay_v1_RolloutStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_RolloutStatusResponse__Output>): grpc.ClientUnaryCall;
  rolloutStatus(argument: _belay_v1_RolloutStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_RolloutStatusResponse__Output>): grpc.ClientUnaryCall;
  rolloutStatus(argument: _belay_v1_RolloutStatusRequest, callback: grpc.requestCallback<_belay_v1_RolloutStatusResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Status returns every known master with its agent's latest report.
   */
  Status(argument: _belay_v1_StatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _belay_v1_StatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _belay_v1_StatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _belay_v1_StatusRequest, callback: grpc.requestCallback<_belay_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Status returns every known master with its agent's latest report.
   */
  status(argument: _belay_v1_StatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _belay_v1_StatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _belay_v1_StatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _belay_v1_StatusRequest, callback: grpc.requestCallback<_belay_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * StreamReports carries an agent's host reports to the coordinator, which
   * acknowledges each. Only a master listed in the coordinator's config may
   * report, and only under its own name (its certificate's common name).
   * The agent keeps one stream open and reconnects with backoff; it sends
   * its latest report and its recent events again after every reconnect.
   */
  StreamReports(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_belay_v1_AgentMessage, _belay_v1_ReportAck__Output>;
  StreamReports(options?: grpc.CallOptions): grpc.ClientDuplexStream<_belay_v1_AgentMessage, _belay_v1_ReportAck__Output>;
  /**
   * StreamReports carries an agent's host reports to the coordinator, which
   * acknowledges each. Only a master listed in the coordinator's config may
   * report, and only under its own name (its certificate's common name).
   * The agent keeps one stream open and reconnects with backoff; it sends
   * its latest report and its recent events again after every reconnect.
   */
  streamReports(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_belay_v1_AgentMessage, _belay_v1_ReportAck__Output>;
  streamReports(options?: grpc.CallOptions): grpc.ClientDuplexStream<_belay_v1_AgentMessage, _belay_v1_ReportAck__Output>;
  
  /**
   * Supervise pauses or resumes a supervised service on one master, through
   * that master's agent.
   */
  Supervise(argument: _belay_v1_SuperviseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ServiceStatus__Output>): grpc.ClientUnaryCall;
  Supervise(argument: _belay_v1_SuperviseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_ServiceStatus__Output>): grpc.ClientUnaryCall;
  Supervise(argument: _belay_v1_SuperviseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ServiceStatus__Output>): grpc.ClientUnaryCall;
  Supervise(argument: _belay_v1_SuperviseRequest, callback: grpc.requestCallback<_belay_v1_ServiceStatus__Output>): grpc.ClientUnaryCall;
  /**
   * Supervise pauses or resumes a supervised service on one master, through
   * that master's agent.
   */
  supervise(argument: _belay_v1_SuperviseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ServiceStatus__Output>): grpc.ClientUnaryCall;
  supervise(argument: _belay_v1_SuperviseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_ServiceStatus__Output>): grpc.ClientUnaryCall;
  supervise(argument: _belay_v1_SuperviseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ServiceStatus__Output>): grpc.ClientUnaryCall;
  supervise(argument: _belay_v1_SuperviseRequest, callback: grpc.requestCallback<_belay_v1_ServiceStatus__Output>): grpc.ClientUnaryCall;
  
}

export interface CoordinatorHandlers extends grpc.UntypedServiceImplementation {
  /**
   * ApplyCluster validates a Cluster spec (YAML, belay.dev/v1alpha1) and
   * stores it: in etcd under /belay/ once etcd exists, and in the state dir
   * of every live coordinator (before bootstrap that is the only copy).
   * Invalid specs are refused (INVALID_ARGUMENT, the field named); a change
   * that removes a master who is still an etcd member is refused as unsafe.
   */
  ApplyCluster: grpc.handleUnaryCall<_belay_v1_ApplyClusterRequest__Output, _belay_v1_ApplyClusterResponse>;
  
  /**
   * ApplyManifest, RemoveManifest and RollbackManifest change one static pod
   * manifest of one master through that master's agent (see the Agent
   * service for the guarantees: validated first, atomic, history kept,
   * drift not overwritten without force). ManifestHistory lists the kept versions.
   */
  ApplyManifest: grpc.handleUnaryCall<_belay_v1_NodeApplyManifestRequest__Output, _belay_v1_ApplyManifestResponse>;
  
  /**
   * Bootstrap creates the etcd cluster on one master (the only way one is
   * created): etcd PKI, etcd.yaml with initial-cluster-state new, applied
   * through that master's agent, waited on until healthy, the spec stored in
   * etcd. Refused (unsafe) if any etcd member of this cluster answers.
   * Streams its progress; the last message has done set.
   */
  Bootstrap: grpc.handleServerStreamingCall<_belay_v1_BootstrapRequest__Output, _belay_v1_Progress>;
  
  /**
   * EtcdAdd joins a master of the spec as a learner and promotes it (the
   * same steps the leader takes by itself); EtcdRemove removes a member.
   * Both run on the leader (forwarded to it), one membership change at a
   * time. EtcdRemove is refused (unsafe) when the members left would not keep
   * a quorum of healthy voters; the etcd leader's leadership is moved away
   * before it is removed.
   */
  EtcdAdd: grpc.handleServerStreamingCall<_belay_v1_EtcdMemberChangeRequest__Output, _belay_v1_Progress>;
  
  /**
   * EtcdDefrag defragments every member one at a time, followers first and
   * the etcd leader last, each checked healthy before the next.
   */
  EtcdDefrag: grpc.handleServerStreamingCall<_belay_v1_EtcdDefragRequest__Output, _belay_v1_Progress>;
  
  /**
   * EtcdMembers lists the etcd members with each one's status as seen from
   * this coordinator (its own etcd client, TLS with its client certificate).
   */
  EtcdMembers: grpc.handleUnaryCall<_belay_v1_EtcdMembersRequest__Output, _belay_v1_EtcdMembersResponse>;
  
  EtcdRemove: grpc.handleServerStreamingCall<_belay_v1_EtcdMemberChangeRequest__Output, _belay_v1_Progress>;
  
  /**
   * EtcdRestore recovers from a lost quorum: checks the snapshot (sha256,
   * snapshot status, a restore into a scratch etcd, the cluster it comes
   * from), stops etcd on every master, restores into a new data dir on one
   * master (the old one renamed and kept), starts it as a one-member
   * cluster, then the leader joins the others again as learners. Runs on
   * the answering coordinator (there may be no leader). Refused (unsafe)
   * while the current cluster has quorum, unless force.
   */
  EtcdRestore: grpc.handleServerStreamingCall<_belay_v1_EtcdRestoreRequest__Output, _belay_v1_Progress>;
  
  /**
   * EtcdSnapshot takes a verified snapshot now, on the leader, into its
   * backup dir (and the secondary dir): sha256 sidecar, `snapshot status`
   * checked, key count and a sample of keys recorded for restore drills.
   * The last Progress carries the snapshot as JSON in result_json.
   */
  EtcdSnapshot: grpc.handleServerStreamingCall<_belay_v1_EtcdSnapshotRequest__Output, _belay_v1_Progress>;
  
  /**
   * EtcdSnapshots lists the snapshots kept on the answering coordinator's
   * master (its backup dir and secondary dir), newest first, with the
   * latest restore drill.
   */
  EtcdSnapshots: grpc.handleUnaryCall<_belay_v1_EtcdSnapshotsRequest__Output, _belay_v1_EtcdSnapshotsResponse>;
  
  /**
   * Events returns the recent events of every master (oldest first) and,
   * with follow, keeps the stream open for new ones.
   */
  Events: grpc.handleServerStreamingCall<_belay_v1_EventsRequest__Output, _belay_v1_AgentEvent>;
  
  /**
   * GetCluster returns the stored Cluster spec.
   */
  GetCluster: grpc.handleUnaryCall<_belay_v1_GetClusterRequest__Output, _belay_v1_GetClusterResponse>;
  
  /**
   * GetManifest returns one static pod manifest of one master, through that
   * master's agent.
   */
  GetManifest: grpc.handleUnaryCall<_belay_v1_NodeManifestRequest__Output, _belay_v1_Manifest>;
  
  /**
   * GossipKeys manages the gossip keyring of every live member (or, with
   * local_only, of this coordinator alone): list, install, use (make primary),
   * remove. Keys are never returned, only their fingerprints.
   */
  GossipKeys: grpc.handleUnaryCall<_belay_v1_GossipKeysRequest__Output, _belay_v1_GossipKeysResponse>;
  
  ManifestHistory: grpc.handleUnaryCall<_belay_v1_NodeManifestRequest__Output, _belay_v1_ManifestHistoryResponse>;
  
  /**
   * Members lists the gossip members as this coordinator sees them.
   */
  Members: grpc.handleUnaryCall<_belay_v1_MembersRequest__Output, _belay_v1_MembersResponse>;
  
  /**
   * PkiCheck reads every master's PKI through its agent (public parts
   * only) and reports missing SANs (a master's or the balancer's address),
   * certificates not signed by their CA, keys that are not their
   * certificate's, missing files, and certificates expiring within
   * warn_days (default 30) or expired.
   */
  PkiCheck: grpc.handleUnaryCall<_belay_v1_PkiCheckRequest__Output, _belay_v1_PkiCheckResponse>;
  
  /**
   * PkiIssue issues a master's certificates again from the CAs kept in etcd
   * (target apiserver: its serving certificate with the SANs the spec asks
   * for; kubeconfigs; etcd: its etcd server and peer certificates) and
   * writes them through its agent. Runs on the leader (relayed there).
   */
  PkiIssue: grpc.handleServerStreamingCall<_belay_v1_PkiIssueRequest__Output, _belay_v1_Progress>;
  
  /**
   * PushPull exchanges full gossip state between coordinators (anti-entropy,
   * joins, healing after a partition). Request and answer are sealed gossip
   * packets (gossip.proto) holding one PushPull message: a coordinator
   * without the cluster gossip key cannot join, even with a valid
   * certificate (UNAUTHENTICATED, belay-code GOSSIP_KEY_MISMATCH).
   */
  PushPull: grpc.handleUnaryCall<_belay_v1_GossipEnvelope__Output, _belay_v1_GossipEnvelope>;
  
  RemoveManifest: grpc.handleUnaryCall<_belay_v1_NodeRemoveManifestRequest__Output, _belay_v1_ApplyManifestResponse>;
  
  RollbackManifest: grpc.handleUnaryCall<_belay_v1_NodeRollbackManifestRequest__Output, _belay_v1_ApplyManifestResponse>;
  
  /**
   * Rollout changes a control-plane component's image or flags in the spec
   * (or undoes its last revision) and starts a rollout of it: the leader
   * goes master by master, only while every other master's component is
   * ready and etcd is healthy; for the apiserver it drains the master's
   * backend in every balancer first and enables it once the new apiserver
   * has been ready for spec.rollout.stableWindow. A master not ready within
   * spec.rollout.readyTimeout is rolled back and the rollout halts. Refused
   * (unsafe) while another rollout runs or is paused. With wait, streams
   * progress until the rollout completes or halts. Relayed to the leader.
   */
  Rollout: grpc.handleServerStreamingCall<_belay_v1_RolloutRequest__Output, _belay_v1_Progress>;
  
  /**
   * pause: the master mid-way is finished, no other is taken out; resume.
   */
  RolloutControl: grpc.handleUnaryCall<_belay_v1_RolloutControlRequest__Output, _belay_v1_RolloutStatusResponse>;
  
  RolloutHistory: grpc.handleUnaryCall<_belay_v1_RolloutHistoryRequest__Output, _belay_v1_RolloutHistoryResponse>;
  
  RolloutStatus: grpc.handleUnaryCall<_belay_v1_RolloutStatusRequest__Output, _belay_v1_RolloutStatusResponse>;
  
  /**
   * Status returns every known master with its agent's latest report.
   */
  Status: grpc.handleUnaryCall<_belay_v1_StatusRequest__Output, _belay_v1_StatusResponse>;
  
  /**
   * StreamReports carries an agent's host reports to the coordinator, which
   * acknowledges each. Only a master listed in the coordinator's config may
   * report, and only under its own name (its certificate's common name).
   * The agent keeps one stream open and reconnects with backoff; it sends
   * its latest report and its recent events again after every reconnect.
   */
  StreamReports: grpc.handleBidiStreamingCall<_belay_v1_AgentMessage__Output, _belay_v1_ReportAck>;
  
  /**
   * Supervise pauses or resumes a supervised service on one master, through
   * that master's agent.
   */
  Supervise: grpc.handleUnaryCall<_belay_v1_SuperviseRequest__Output, _belay_v1_ServiceStatus>;
  
}

export interface CoordinatorDefinition extends grpc.ServiceDefinition {
  ApplyCluster: MethodDefinition<_belay_v1_ApplyClusterRequest, _belay_v1_ApplyClusterResponse, _belay_v1_ApplyClusterRequest__Output, _belay_v1_ApplyClusterResponse__Output>
  ApplyManifest: MethodDefinition<_belay_v1_NodeApplyManifestRequest, _belay_v1_ApplyManifestResponse, _belay_v1_NodeApplyManifestRequest__Output, _belay_v1_ApplyManifestResponse__Output>
  Bootstrap: MethodDefinition<_belay_v1_BootstrapRequest, _belay_v1_Progress, _belay_v1_BootstrapRequest__Output, _belay_v1_Progress__Output>
  EtcdAdd: MethodDefinition<_belay_v1_EtcdMemberChangeRequest, _belay_v1_Progress, _belay_v1_EtcdMemberChangeRequest__Output, _belay_v1_Progress__Output>
  EtcdDefrag: MethodDefinition<_belay_v1_EtcdDefragRequest, _belay_v1_Progress, _belay_v1_EtcdDefragRequest__Output, _belay_v1_Progress__Output>
  EtcdMembers: MethodDefinition<_belay_v1_EtcdMembersRequest, _belay_v1_EtcdMembersResponse, _belay_v1_EtcdMembersRequest__Output, _belay_v1_EtcdMembersResponse__Output>
  EtcdRemove: MethodDefinition<_belay_v1_EtcdMemberChangeRequest, _belay_v1_Progress, _belay_v1_EtcdMemberChangeRequest__Output, _belay_v1_Progress__Output>
  EtcdRestore: MethodDefinition<_belay_v1_EtcdRestoreRequest, _belay_v1_Progress, _belay_v1_EtcdRestoreRequest__Output, _belay_v1_Progress__Output>
  EtcdSnapshot: MethodDefinition<_belay_v1_EtcdSnapshotRequest, _belay_v1_Progress, _belay_v1_EtcdSnapshotRequest__Output, _belay_v1_Progress__Output>
  EtcdSnapshots: MethodDefinition<_belay_v1_EtcdSnapshotsRequest, _belay_v1_EtcdSnapshotsResponse, _belay_v1_EtcdSnapshotsRequest__Output, _belay_v1_EtcdSnapshotsResponse__Output>
  Events: MethodDefinition<_belay_v1_EventsRequest, _belay_v1_AgentEvent, _belay_v1_EventsRequest__Output, _belay_v1_AgentEvent__Output>
  GetCluster: MethodDefinition<_belay_v1_GetClusterRequest, _belay_v1_GetClusterResponse, _belay_v1_GetClusterRequest__Output, _belay_v1_GetClusterResponse__Output>
  GetManifest: MethodDefinition<_belay_v1_NodeManifestRequest, _belay_v1_Manifest, _belay_v1_NodeManifestRequest__Output, _belay_v1_Manifest__Output>
  GossipKeys: MethodDefinition<_belay_v1_GossipKeysRequest, _belay_v1_GossipKeysResponse, _belay_v1_GossipKeysRequest__Output, _belay_v1_GossipKeysResponse__Output>
  ManifestHistory: MethodDefinition<_belay_v1_NodeManifestRequest, _belay_v1_ManifestHistoryResponse, _belay_v1_NodeManifestRequest__Output, _belay_v1_ManifestHistoryResponse__Output>
  Members: MethodDefinition<_belay_v1_MembersRequest, _belay_v1_MembersResponse, _belay_v1_MembersRequest__Output, _belay_v1_MembersResponse__Output>
  PkiCheck: MethodDefinition<_belay_v1_PkiCheckRequest, _belay_v1_PkiCheckResponse, _belay_v1_PkiCheckRequest__Output, _belay_v1_PkiCheckResponse__Output>
  PkiIssue: MethodDefinition<_belay_v1_PkiIssueRequest, _belay_v1_Progress, _belay_v1_PkiIssueRequest__Output, _belay_v1_Progress__Output>
  PushPull: MethodDefinition<_belay_v1_GossipEnvelope, _belay_v1_GossipEnvelope, _belay_v1_GossipEnvelope__Output, _belay_v1_GossipEnvelope__Output>
  RemoveManifest: MethodDefinition<_belay_v1_NodeRemoveManifestRequest, _belay_v1_ApplyManifestResponse, _belay_v1_NodeRemoveManifestRequest__Output, _belay_v1_ApplyManifestResponse__Output>
  RollbackManifest: MethodDefinition<_belay_v1_NodeRollbackManifestRequest, _belay_v1_ApplyManifestResponse, _belay_v1_NodeRollbackManifestRequest__Output, _belay_v1_ApplyManifestResponse__Output>
  Rollout: MethodDefinition<_belay_v1_RolloutRequest, _belay_v1_Progress, _belay_v1_RolloutRequest__Output, _belay_v1_Progress__Output>
  RolloutControl: MethodDefinition<_belay_v1_RolloutControlRequest, _belay_v1_RolloutStatusResponse, _belay_v1_RolloutControlRequest__Output, _belay_v1_RolloutStatusResponse__Output>
  RolloutHistory: MethodDefinition<_belay_v1_RolloutHistoryRequest, _belay_v1_RolloutHistoryResponse, _belay_v1_RolloutHistoryRequest__Output, _belay_v1_RolloutHistoryResponse__Output>
  RolloutStatus: MethodDefinition<_belay_v1_RolloutStatusRequest, _belay_v1_RolloutStatusResponse, _belay_v1_RolloutStatusRequest__Output, _belay_v1_RolloutStatusResponse__Output>
  Status: MethodDefinition<_belay_v1_StatusRequest, _belay_v1_StatusResponse, _belay_v1_StatusRequest__Output, _belay_v1_StatusResponse__Output>
  StreamReports: MethodDefinition<_belay_v1_AgentMessage, _belay_v1_ReportAck, _belay_v1_AgentMessage__Output, _belay_v1_ReportAck__Output>
  Supervise: MethodDefinition<_belay_v1_SuperviseRequest, _belay_v1_ServiceStatus, _belay_v1_SuperviseRequest__Output, _belay_v1_ServiceStatus__Output>
}
