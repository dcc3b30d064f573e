import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AgentClient as _belay_v1_AgentClient, AgentDefinition as _belay_v1_AgentDefinition } from './belay/v1/Agent.js';
import type { AgentEvent as _belay_v1_AgentEvent, AgentEvent__Output as _belay_v1_AgentEvent__Output } from './belay/v1/AgentEvent.js';
import type { AgentMessage as _belay_v1_AgentMessage, AgentMessage__Output as _belay_v1_AgentMessage__Output } from './belay/v1/AgentMessage.js';
import type { ApplyClusterRequest as _belay_v1_ApplyClusterRequest, ApplyClusterRequest__Output as _belay_v1_ApplyClusterRequest__Output } from './belay/v1/ApplyClusterRequest.js';
import type { ApplyClusterResponse as _belay_v1_ApplyClusterResponse, ApplyClusterResponse__Output as _belay_v1_ApplyClusterResponse__Output } from './belay/v1/ApplyClusterResponse.js';
import type { ApplyManifestRequest as _belay_v1_ApplyManifestRequest, ApplyManifestRequest__Output as _belay_v1_ApplyManifestRequest__Output } from './belay/v1/ApplyManifestRequest.js';
import type { ApplyManifestResponse as _belay_v1_ApplyManifestResponse, ApplyManifestResponse__Output as _belay_v1_ApplyManifestResponse__Output } from './belay/v1/ApplyManifestResponse.js';
import type { ArchiveEtcdDataRequest as _belay_v1_ArchiveEtcdDataRequest, ArchiveEtcdDataRequest__Output as _belay_v1_ArchiveEtcdDataRequest__Output } from './belay/v1/ArchiveEtcdDataRequest.js';
import type { ArchiveEtcdDataResponse as _belay_v1_ArchiveEtcdDataResponse, ArchiveEtcdDataResponse__Output as _belay_v1_ArchiveEtcdDataResponse__Output } from './belay/v1/ArchiveEtcdDataResponse.js';
import type { BalancerServer as _belay_v1_BalancerServer, BalancerServer__Output as _belay_v1_BalancerServer__Output } from './belay/v1/BalancerServer.js';
import type { BalancerServersRequest as _belay_v1_BalancerServersRequest, BalancerServersRequest__Output as _belay_v1_BalancerServersRequest__Output } from './belay/v1/BalancerServersRequest.js';
import type { BalancerServersResponse as _belay_v1_BalancerServersResponse, BalancerServersResponse__Output as _belay_v1_BalancerServersResponse__Output } from './belay/v1/BalancerServersResponse.js';
import type { BootstrapRequest as _belay_v1_BootstrapRequest, BootstrapRequest__Output as _belay_v1_BootstrapRequest__Output } from './belay/v1/BootstrapRequest.js';
import type { ContainerInfo as _belay_v1_ContainerInfo, ContainerInfo__Output as _belay_v1_ContainerInfo__Output } from './belay/v1/ContainerInfo.js';
import type { CoordinatorClient as _belay_v1_CoordinatorClient, CoordinatorDefinition as _belay_v1_CoordinatorDefinition } from './belay/v1/Coordinator.js';
import type { DiskLatency as _belay_v1_DiskLatency, DiskLatency__Output as _belay_v1_DiskLatency__Output } from './belay/v1/DiskLatency.js';
import type { DrillInfo as _belay_v1_DrillInfo, DrillInfo__Output as _belay_v1_DrillInfo__Output } from './belay/v1/DrillInfo.js';
import type { EtcdDataStatus as _belay_v1_EtcdDataStatus, EtcdDataStatus__Output as _belay_v1_EtcdDataStatus__Output } from './belay/v1/EtcdDataStatus.js';
import type { EtcdDefragRequest as _belay_v1_EtcdDefragRequest, EtcdDefragRequest__Output as _belay_v1_EtcdDefragRequest__Output } from './belay/v1/EtcdDefragRequest.js';
import type { EtcdMember as _belay_v1_EtcdMember, EtcdMember__Output as _belay_v1_EtcdMember__Output } from './belay/v1/EtcdMember.js';
import type { EtcdMemberChangeRequest as _belay_v1_EtcdMemberChangeRequest, EtcdMemberChangeRequest__Output as _belay_v1_EtcdMemberChangeRequest__Output } from './belay/v1/EtcdMemberChangeRequest.js';
import type { EtcdMembersRequest as _belay_v1_EtcdMembersRequest, EtcdMembersRequest__Output as _belay_v1_EtcdMembersRequest__Output } from './belay/v1/EtcdMembersRequest.js';
import type { EtcdMembersResponse as _belay_v1_EtcdMembersResponse, EtcdMembersResponse__Output as _belay_v1_EtcdMembersResponse__Output } from './belay/v1/EtcdMembersResponse.js';
import type { EtcdRestoreRequest as _belay_v1_EtcdRestoreRequest, EtcdRestoreRequest__Output as _belay_v1_EtcdRestoreRequest__Output } from './belay/v1/EtcdRestoreRequest.js';
import type { EtcdSnapshotRequest as _belay_v1_EtcdSnapshotRequest, EtcdSnapshotRequest__Output as _belay_v1_EtcdSnapshotRequest__Output } from './belay/v1/EtcdSnapshotRequest.js';
import type { EtcdSnapshotsRequest as _belay_v1_EtcdSnapshotsRequest, EtcdSnapshotsRequest__Output as _belay_v1_EtcdSnapshotsRequest__Output } from './belay/v1/EtcdSnapshotsRequest.js';
import type { EtcdSnapshotsResponse as _belay_v1_EtcdSnapshotsResponse, EtcdSnapshotsResponse__Output as _belay_v1_EtcdSnapshotsResponse__Output } from './belay/v1/EtcdSnapshotsResponse.js';
import type { EventsRequest as _belay_v1_EventsRequest, EventsRequest__Output as _belay_v1_EventsRequest__Output } from './belay/v1/EventsRequest.js';
import type { Filesystem as _belay_v1_Filesystem, Filesystem__Output as _belay_v1_Filesystem__Output } from './belay/v1/Filesystem.js';
import type { GetClusterRequest as _belay_v1_GetClusterRequest, GetClusterRequest__Output as _belay_v1_GetClusterRequest__Output } from './belay/v1/GetClusterRequest.js';
import type { GetClusterResponse as _belay_v1_GetClusterResponse, GetClusterResponse__Output as _belay_v1_GetClusterResponse__Output } from './belay/v1/GetClusterResponse.js';
import type { GetManifestRequest as _belay_v1_GetManifestRequest, GetManifestRequest__Output as _belay_v1_GetManifestRequest__Output } from './belay/v1/GetManifestRequest.js';
import type { GetReportRequest as _belay_v1_GetReportRequest, GetReportRequest__Output as _belay_v1_GetReportRequest__Output } from './belay/v1/GetReportRequest.js';
import type { GossipEnvelope as _belay_v1_GossipEnvelope, GossipEnvelope__Output as _belay_v1_GossipEnvelope__Output } from './belay/v1/GossipEnvelope.js';
import type { GossipKeyInfo as _belay_v1_GossipKeyInfo, GossipKeyInfo__Output as _belay_v1_GossipKeyInfo__Output } from './belay/v1/GossipKeyInfo.js';
import type { GossipKeyResult as _belay_v1_GossipKeyResult, GossipKeyResult__Output as _belay_v1_GossipKeyResult__Output } from './belay/v1/GossipKeyResult.js';
import type { GossipKeysRequest as _belay_v1_GossipKeysRequest, GossipKeysRequest__Output as _belay_v1_GossipKeysRequest__Output } from './belay/v1/GossipKeysRequest.js';
import type { GossipKeysResponse as _belay_v1_GossipKeysResponse, GossipKeysResponse__Output as _belay_v1_GossipKeysResponse__Output } from './belay/v1/GossipKeysResponse.js';
import type { GossipMember as _belay_v1_GossipMember, GossipMember__Output as _belay_v1_GossipMember__Output } from './belay/v1/GossipMember.js';
import type { HostFacts as _belay_v1_HostFacts, HostFacts__Output as _belay_v1_HostFacts__Output } from './belay/v1/HostFacts.js';
import type { HostPathVolume as _belay_v1_HostPathVolume, HostPathVolume__Output as _belay_v1_HostPathVolume__Output } from './belay/v1/HostPathVolume.js';
import type { HostReport as _belay_v1_HostReport, HostReport__Output as _belay_v1_HostReport__Output } from './belay/v1/HostReport.js';
import type { Manifest as _belay_v1_Manifest, Manifest__Output as _belay_v1_Manifest__Output } from './belay/v1/Manifest.js';
import type { ManifestHistoryRequest as _belay_v1_ManifestHistoryRequest, ManifestHistoryRequest__Output as _belay_v1_ManifestHistoryRequest__Output } from './belay/v1/ManifestHistoryRequest.js';
import type { ManifestHistoryResponse as _belay_v1_ManifestHistoryResponse, ManifestHistoryResponse__Output as _belay_v1_ManifestHistoryResponse__Output } from './belay/v1/ManifestHistoryResponse.js';
import type { ManifestInfo as _belay_v1_ManifestInfo, ManifestInfo__Output as _belay_v1_ManifestInfo__Output } from './belay/v1/ManifestInfo.js';
import type { ManifestProblem as _belay_v1_ManifestProblem, ManifestProblem__Output as _belay_v1_ManifestProblem__Output } from './belay/v1/ManifestProblem.js';
import type { ManifestVersion as _belay_v1_ManifestVersion, ManifestVersion__Output as _belay_v1_ManifestVersion__Output } from './belay/v1/ManifestVersion.js';
import type { MembersRequest as _belay_v1_MembersRequest, MembersRequest__Output as _belay_v1_MembersRequest__Output } from './belay/v1/MembersRequest.js';
import type { MembersResponse as _belay_v1_MembersResponse, MembersResponse__Output as _belay_v1_MembersResponse__Output } from './belay/v1/MembersResponse.js';
import type { NodeApplyManifestRequest as _belay_v1_NodeApplyManifestRequest, NodeApplyManifestRequest__Output as _belay_v1_NodeApplyManifestRequest__Output } from './belay/v1/NodeApplyManifestRequest.js';
import type { NodeManifestRequest as _belay_v1_NodeManifestRequest, NodeManifestRequest__Output as _belay_v1_NodeManifestRequest__Output } from './belay/v1/NodeManifestRequest.js';
import type { NodeRemoveManifestRequest as _belay_v1_NodeRemoveManifestRequest, NodeRemoveManifestRequest__Output as _belay_v1_NodeRemoveManifestRequest__Output } from './belay/v1/NodeRemoveManifestRequest.js';
import type { NodeRollbackManifestRequest as _belay_v1_NodeRollbackManifestRequest, NodeRollbackManifestRequest__Output as _belay_v1_NodeRollbackManifestRequest__Output } from './belay/v1/NodeRollbackManifestRequest.js';
import type { NodeStatus as _belay_v1_NodeStatus, NodeStatus__Output as _belay_v1_NodeStatus__Output } from './belay/v1/NodeStatus.js';
import type { PkiCheckRequest as _belay_v1_PkiCheckRequest, PkiCheckRequest__Output as _belay_v1_PkiCheckRequest__Output } from './belay/v1/PkiCheckRequest.js';
import type { PkiCheckResponse as _belay_v1_PkiCheckResponse, PkiCheckResponse__Output as _belay_v1_PkiCheckResponse__Output } from './belay/v1/PkiCheckResponse.js';
import type { PkiFile as _belay_v1_PkiFile, PkiFile__Output as _belay_v1_PkiFile__Output } from './belay/v1/PkiFile.js';
import type { PkiFinding as _belay_v1_PkiFinding, PkiFinding__Output as _belay_v1_PkiFinding__Output } from './belay/v1/PkiFinding.js';
import type { PkiIssueRequest as _belay_v1_PkiIssueRequest, PkiIssueRequest__Output as _belay_v1_PkiIssueRequest__Output } from './belay/v1/PkiIssueRequest.js';
import type { PkiPublicFile as _belay_v1_PkiPublicFile, PkiPublicFile__Output as _belay_v1_PkiPublicFile__Output } from './belay/v1/PkiPublicFile.js';
import type { ProcessInfo as _belay_v1_ProcessInfo, ProcessInfo__Output as _belay_v1_ProcessInfo__Output } from './belay/v1/ProcessInfo.js';
import type { Progress as _belay_v1_Progress, Progress__Output as _belay_v1_Progress__Output } from './belay/v1/Progress.js';
import type { ReadPkiRequest as _belay_v1_ReadPkiRequest, ReadPkiRequest__Output as _belay_v1_ReadPkiRequest__Output } from './belay/v1/ReadPkiRequest.js';
import type { ReadPkiResponse as _belay_v1_ReadPkiResponse, ReadPkiResponse__Output as _belay_v1_ReadPkiResponse__Output } from './belay/v1/ReadPkiResponse.js';
import type { RemoveManifestRequest as _belay_v1_RemoveManifestRequest, RemoveManifestRequest__Output as _belay_v1_RemoveManifestRequest__Output } from './belay/v1/RemoveManifestRequest.js';
import type { ReportAck as _belay_v1_ReportAck, ReportAck__Output as _belay_v1_ReportAck__Output } from './belay/v1/ReportAck.js';
import type { RestoreEtcdSnapshotChunk as _belay_v1_RestoreEtcdSnapshotChunk, RestoreEtcdSnapshotChunk__Output as _belay_v1_RestoreEtcdSnapshotChunk__Output } from './belay/v1/RestoreEtcdSnapshotChunk.js';
import type { RestoreEtcdSnapshotHeader as _belay_v1_RestoreEtcdSnapshotHeader, RestoreEtcdSnapshotHeader__Output as _belay_v1_RestoreEtcdSnapshotHeader__Output } from './belay/v1/RestoreEtcdSnapshotHeader.js';
import type { RestoreEtcdSnapshotResponse as _belay_v1_RestoreEtcdSnapshotResponse, RestoreEtcdSnapshotResponse__Output as _belay_v1_RestoreEtcdSnapshotResponse__Output } from './belay/v1/RestoreEtcdSnapshotResponse.js';
import type { RollbackManifestRequest as _belay_v1_RollbackManifestRequest, RollbackManifestRequest__Output as _belay_v1_RollbackManifestRequest__Output } from './belay/v1/RollbackManifestRequest.js';
import type { RolloutControlRequest as _belay_v1_RolloutControlRequest, RolloutControlRequest__Output as _belay_v1_RolloutControlRequest__Output } from './belay/v1/RolloutControlRequest.js';
import type { RolloutHistoryRequest as _belay_v1_RolloutHistoryRequest, RolloutHistoryRequest__Output as _belay_v1_RolloutHistoryRequest__Output } from './belay/v1/RolloutHistoryRequest.js';
import type { RolloutHistoryResponse as _belay_v1_RolloutHistoryResponse, RolloutHistoryResponse__Output as _belay_v1_RolloutHistoryResponse__Output } from './belay/v1/RolloutHistoryResponse.js';
import type { RolloutRequest as _belay_v1_RolloutRequest, RolloutRequest__Output as _belay_v1_RolloutRequest__Output } from './belay/v1/RolloutRequest.js';
import type { RolloutStatusRequest as _belay_v1_RolloutStatusRequest, RolloutStatusRequest__Output as _belay_v1_RolloutStatusRequest__Output } from './belay/v1/RolloutStatusRequest.js';
import type { RolloutStatusResponse as _belay_v1_RolloutStatusResponse, RolloutStatusResponse__Output as _belay_v1_RolloutStatusResponse__Output } from './belay/v1/RolloutStatusResponse.js';
import type { ServiceStatus as _belay_v1_ServiceStatus, ServiceStatus__Output as _belay_v1_ServiceStatus__Output } from './belay/v1/ServiceStatus.js';
import type { SetBalancerServerRequest as _belay_v1_SetBalancerServerRequest, SetBalancerServerRequest__Output as _belay_v1_SetBalancerServerRequest__Output } from './belay/v1/SetBalancerServerRequest.js';
import type { SetSupervisionRequest as _belay_v1_SetSupervisionRequest, SetSupervisionRequest__Output as _belay_v1_SetSupervisionRequest__Output } from './belay/v1/SetSupervisionRequest.js';
import type { SnapshotInfo as _belay_v1_SnapshotInfo, SnapshotInfo__Output as _belay_v1_SnapshotInfo__Output } from './belay/v1/SnapshotInfo.js';
import type { StatusRequest as _belay_v1_StatusRequest, StatusRequest__Output as _belay_v1_StatusRequest__Output } from './belay/v1/StatusRequest.js';
import type { StatusResponse as _belay_v1_StatusResponse, StatusResponse__Output as _belay_v1_StatusResponse__Output } from './belay/v1/StatusResponse.js';
import type { SuperviseRequest as _belay_v1_SuperviseRequest, SuperviseRequest__Output as _belay_v1_SuperviseRequest__Output } from './belay/v1/SuperviseRequest.js';
import type { SyncBalancerServersRequest as _belay_v1_SyncBalancerServersRequest, SyncBalancerServersRequest__Output as _belay_v1_SyncBalancerServersRequest__Output } from './belay/v1/SyncBalancerServersRequest.js';
import type { SyncBalancerServersResponse as _belay_v1_SyncBalancerServersResponse, SyncBalancerServersResponse__Output as _belay_v1_SyncBalancerServersResponse__Output } from './belay/v1/SyncBalancerServersResponse.js';
import type { WritePkiRequest as _belay_v1_WritePkiRequest, WritePkiRequest__Output as _belay_v1_WritePkiRequest__Output } from './belay/v1/WritePkiRequest.js';
import type { WritePkiResponse as _belay_v1_WritePkiResponse, WritePkiResponse__Output as _belay_v1_WritePkiResponse__Output } from './belay/v1/WritePkiResponse.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  belay: {
    v1: {
      Agent: SubtypeConstructor<typeof grpc.Client, _belay_v1_AgentClient> & { service: _belay_v1_AgentDefinition }
      AgentEvent: MessageTypeDefinition<_belay_v1_AgentEvent, _belay_v1_AgentEvent__Output>
      AgentMessage: MessageTypeDefinition<_belay_v1_AgentMessage, _belay_v1_AgentMessage__Output>
      ApplyClusterRequest: MessageTypeDefinition<_belay_v1_ApplyClusterRequest, _belay_v1_ApplyClusterRequest__Output>
      ApplyClusterResponse: MessageTypeDefinition<_belay_v1_ApplyClusterResponse, _belay_v1_ApplyClusterResponse__Output>
      ApplyManifestRequest: MessageTypeDefinition<_belay_v1_ApplyManifestRequest, _belay_v1_ApplyManifestRequest__Output>
      ApplyManifestResponse: MessageTypeDefinition<_belay_v1_ApplyManifestResponse, _belay_v1_ApplyManifestResponse__Output>
      ArchiveEtcdDataRequest: MessageTypeDefinition<_belay_v1_ArchiveEtcdDataRequest, _belay_v1_ArchiveEtcdDataRequest__Output>
      ArchiveEtcdDataResponse: MessageTypeDefinition<_belay_v1_ArchiveEtcdDataResponse, _belay_v1_ArchiveEtcdDataResponse__Output>
      BalancerServer: MessageTypeDefinition<_belay_v1_BalancerServer, _belay_v1_BalancerServer__Output>
      BalancerServersRequest: MessageTypeDefinition<_belay_v1_BalancerServersRequest, _belay_v1_BalancerServersRequest__Output>
      BalancerServersResponse: MessageTypeDefinition<_belay_v1_BalancerServersResponse, _belay_v1_BalancerServersResponse__Output>
      BootstrapRequest: MessageTypeDefinition<_belay_v1_BootstrapRequest, _belay_v1_BootstrapRequest__Output>
      ContainerInfo: MessageTypeDefinition<_belay_v1_ContainerInfo, _belay_v1_ContainerInfo__Output>
      Coordinator: SubtypeConstructor<typeof grpc.Client, _belay_v1_CoordinatorClient> & { service: _belay_v1_CoordinatorDefinition }
      DiskLatency: MessageTypeDefinition<_belay_v1_DiskLatency, _belay_v1_DiskLatency__Output>
      DrillInfo: MessageTypeDefinition<_belay_v1_DrillInfo, _belay_v1_DrillInfo__Output>
      EtcdDataStatus: MessageTypeDefinition<_belay_v1_EtcdDataStatus, _belay_v1_EtcdDataStatus__Output>
      EtcdDefragRequest: MessageTypeDefinition<_belay_v1_EtcdDefragRequest, _belay_v1_EtcdDefragRequest__Output>
      EtcdMember: MessageTypeDefinition<_belay_v1_EtcdMember, _belay_v1_EtcdMember__Output>
      EtcdMemberChangeRequest: MessageTypeDefinition<_belay_v1_EtcdMemberChangeRequest, _belay_v1_EtcdMemberChangeRequest__Output>
      EtcdMembersRequest: MessageTypeDefinition<_belay_v1_EtcdMembersRequest, _belay_v1_EtcdMembersRequest__Output>
      EtcdMembersResponse: MessageTypeDefinition<_belay_v1_EtcdMembersResponse, _belay_v1_EtcdMembersResponse__Output>
      EtcdRestoreRequest: MessageTypeDefinition<_belay_v1_EtcdRestoreRequest, _belay_v1_EtcdRestoreRequest__Output>
      EtcdSnapshotRequest: MessageTypeDefinition<_belay_v1_EtcdSnapshotRequest, _belay_v1_EtcdSnapshotRequest__Output>
      EtcdSnapshotsRequest: MessageTypeDefinition<_belay_v1_EtcdSnapshotsRequest, _belay_v1_EtcdSnapshotsRequest__Output>
      EtcdSnapshotsResponse: MessageTypeDefinition<_belay_v1_EtcdSnapshotsResponse, _belay_v1_EtcdSnapshotsResponse__Output>
      EventsRequest: MessageTypeDefinition<_belay_v1_EventsRequest, _belay_v1_EventsRequest__Output>
      Filesystem: MessageTypeDefinition<_belay_v1_Filesystem, _belay_v1_Filesystem__Output>
      GetClusterRequest: MessageTypeDefinition<_belay_v1_GetClusterRequest, _belay_v1_GetClusterRequest__Output>
      GetClusterResponse: MessageTypeDefinition<_belay_v1_GetClusterResponse, _belay_v1_GetClusterResponse__Output>
      GetManifestRequest: MessageTypeDefinition<_belay_v1_GetManifestRequest, _belay_v1_GetManifestRequest__Output>
      GetReportRequest: MessageTypeDefinition<_belay_v1_GetReportRequest, _belay_v1_GetReportRequest__Output>
      GossipEnvelope: MessageTypeDefinition<_belay_v1_GossipEnvelope, _belay_v1_GossipEnvelope__Output>
      GossipKeyInfo: MessageTypeDefinition<_belay_v1_GossipKeyInfo, _belay_v1_GossipKeyInfo__Output>
      GossipKeyResult: MessageTypeDefinition<_belay_v1_GossipKeyResult, _belay_v1_GossipKeyResult__Output>
      GossipKeysRequest: MessageTypeDefinition<_belay_v1_GossipKeysRequest, _belay_v1_GossipKeysRequest__Output>
      GossipKeysResponse: MessageTypeDefinition<_belay_v1_GossipKeysResponse, _belay_v1_GossipKeysResponse__Output>
      GossipMember: MessageTypeDefinition<_belay_v1_GossipMember, _belay_v1_GossipMember__Output>
      HostFacts: MessageTypeDefinition<_belay_v1_HostFacts, _belay_v1_HostFacts__Output>
      HostPathVolume: MessageTypeDefinition<_belay_v1_HostPathVolume, _belay_v1_HostPathVolume__Output>
      HostReport: MessageTypeDefinition<_belay_v1_HostReport, _belay_v1_HostReport__Output>
      Manifest: MessageTypeDefinition<_belay_v1_Manifest, _belay_v1_Manifest__Output>
      ManifestHistoryRequest: MessageTypeDefinition<_belay_v1_ManifestHistoryRequest, _belay_v1_ManifestHistoryRequest__Output>
      ManifestHistoryResponse: MessageTypeDefinition<_belay_v1_ManifestHistoryResponse, _belay_v1_ManifestHistoryResponse__Output>
      ManifestInfo: MessageTypeDefinition<_belay_v1_ManifestInfo, _belay_v1_ManifestInfo__Output>
      ManifestProblem: MessageTypeDefinition<_belay_v1_ManifestProblem, _belay_v1_ManifestProblem__Output>
      ManifestVersion: MessageTypeDefinition<_belay_v1_ManifestVersion, _belay_v1_ManifestVersion__Output>
      MembersRequest: MessageTypeDefinition<_belay_v1_MembersRequest, _belay_v1_MembersRequest__Output>
      MembersResponse: MessageTypeDefinition<_belay_v1_MembersResponse, _belay_v1_MembersResponse__Output>
      NodeApplyManifestRequest: MessageTypeDefinition<_belay_v1_NodeApplyManifestRequest, _belay_v1_NodeApplyManifestRequest__Output>
      NodeManifestRequest: MessageTypeDefinition<_belay_v1_NodeManifestRequest, _belay_v1_NodeManifestRequest__Output>
      NodeRemoveManifestRequest: MessageTypeDefinition<_belay_v1_NodeRemoveManifestRequest, _belay_v1_NodeRemoveManifestRequest__Output>
      NodeRollbackManifestRequest: MessageTypeDefinition<_belay_v1_NodeRollbackManifestRequest, _belay_v1_NodeRollbackManifestRequest__Output>
      NodeStatus: MessageTypeDefinition<_belay_v1_NodeStatus, _belay_v1_NodeStatus__Output>
      PkiCheckRequest: MessageTypeDefinition<_belay_v1_PkiCheckRequest, _belay_v1_PkiCheckRequest__Output>
      PkiCheckResponse: MessageTypeDefinition<_belay_v1_PkiCheckResponse, _belay_v1_PkiCheckResponse__Output>
      PkiFile: MessageTypeDefinition<_belay_v1_PkiFile, _belay_v1_PkiFile__Output>
      PkiFinding: MessageTypeDefinition<_belay_v1_PkiFinding, _belay_v1_PkiFinding__Output>
      PkiIssueRequest: MessageTypeDefinition<_belay_v1_PkiIssueRequest, _belay_v1_PkiIssueRequest__Output>
      PkiPublicFile: MessageTypeDefinition<_belay_v1_PkiPublicFile, _belay_v1_PkiPublicFile__Output>
      ProcessInfo: MessageTypeDefinition<_belay_v1_ProcessInfo, _belay_v1_ProcessInfo__Output>
      Progress: MessageTypeDefinition<_belay_v1_Progress, _belay_v1_Progress__Output>
      ReadPkiRequest: MessageTypeDefinition<_belay_v1_ReadPkiRequest, _belay_v1_ReadPkiRequest__Output>
      ReadPkiResponse: MessageTypeDefinition<_belay_v1_ReadPkiResponse, _belay_v1_ReadPkiResponse__Output>
      RemoveManifestRequest: MessageTypeDefinition<_belay_v1_RemoveManifestRequest, _belay_v1_RemoveManifestRequest__Output>
      ReportAck: MessageTypeDefinition<_belay_v1_ReportAck, _belay_v1_ReportAck__Output>
      RestoreEtcdSnapshotChunk: MessageTypeDefinition<_belay_v1_RestoreEtcdSnapshotChunk, _belay_v1_RestoreEtcdSnapshotChunk__Output>
      RestoreEtcdSnapshotHeader: MessageTypeDefinition<_belay_v1_RestoreEtcdSnapshotHeader, _belay_v1_RestoreEtcdSnapshotHeader__Output>
      RestoreEtcdSnapshotResponse: MessageTypeDefinition<_belay_v1_RestoreEtcdSnapshotResponse, _belay_v1_RestoreEtcdSnapshotResponse__Output>
      RollbackManifestRequest: MessageTypeDefinition<_belay_v1_RollbackManifestRequest, _belay_v1_RollbackManifestRequest__Output>
      RolloutControlRequest: MessageTypeDefinition<_belay_v1_RolloutControlRequest, _belay_v1_RolloutControlRequest__Output>
      RolloutHistoryRequest: MessageTypeDefinition<_belay_v1_RolloutHistoryRequest, _belay_v1_RolloutHistoryRequest__Output>
      RolloutHistoryResponse: MessageTypeDefinition<_belay_v1_RolloutHistoryResponse, _belay_v1_RolloutHistoryResponse__Output>
      RolloutRequest: MessageTypeDefinition<_belay_v1_RolloutRequest, _belay_v1_RolloutRequest__Output>
      RolloutStatusRequest: MessageTypeDefinition<_belay_v1_RolloutStatusRequest, _belay_v1_RolloutStatusRequest__Output>
      RolloutStatusResponse: MessageTypeDefinition<_belay_v1_RolloutStatusResponse, _belay_v1_RolloutStatusResponse__Output>
      ServiceStatus: MessageTypeDefinition<_belay_v1_ServiceStatus, _belay_v1_ServiceStatus__Output>
      SetBalancerServerRequest: MessageTypeDefinition<_belay_v1_SetBalancerServerRequest, _belay_v1_SetBalancerServerRequest__Output>
      SetSupervisionRequest: MessageTypeDefinition<_belay_v1_SetSupervisionRequest, _belay_v1_SetSupervisionRequest__Output>
      SnapshotInfo: MessageTypeDefinition<_belay_v1_SnapshotInfo, _belay_v1_SnapshotInfo__Output>
      StatusRequest: MessageTypeDefinition<_belay_v1_StatusRequest, _belay_v1_StatusRequest__Output>
      StatusResponse: MessageTypeDefinition<_belay_v1_StatusResponse, _belay_v1_StatusResponse__Output>
      SuperviseRequest: MessageTypeDefinition<_belay_v1_SuperviseRequest, _belay_v1_SuperviseRequest__Output>
      SyncBalancerServersRequest: MessageTypeDefinition<_belay_v1_SyncBalancerServersRequest, _belay_v1_SyncBalancerServersRequest__Output>
      SyncBalancerServersResponse: MessageTypeDefinition<_belay_v1_SyncBalancerServersResponse, _belay_v1_SyncBalancerServersResponse__Output>
      WritePkiRequest: MessageTypeDefinition<_belay_v1_WritePkiRequest, _belay_v1_WritePkiRequest__Output>
      WritePkiResponse: MessageTypeDefinition<_belay_v1_WritePkiResponse, _belay_v1_WritePkiResponse__Output>
    }
  }
}

