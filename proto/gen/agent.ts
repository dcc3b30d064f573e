import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AgentClient as _belay_v1_AgentClient, AgentDefinition as _belay_v1_AgentDefinition } from './belay/v1/Agent.js';
import type { AgentEvent as _belay_v1_AgentEvent, AgentEvent__Output as _belay_v1_AgentEvent__Output } from './belay/v1/AgentEvent.js';
import type { ApplyManifestRequest as _belay_v1_ApplyManifestRequest, ApplyManifestRequest__Output as _belay_v1_ApplyManifestRequest__Output } from './belay/v1/ApplyManifestRequest.js';
import type { ApplyManifestResponse as _belay_v1_ApplyManifestResponse, ApplyManifestResponse__Output as _belay_v1_ApplyManifestResponse__Output } from './belay/v1/ApplyManifestResponse.js';
import type { ArchiveEtcdDataRequest as _belay_v1_ArchiveEtcdDataRequest, ArchiveEtcdDataRequest__Output as _belay_v1_ArchiveEtcdDataRequest__Output } from './belay/v1/ArchiveEtcdDataRequest.js';
import type { ArchiveEtcdDataResponse as _belay_v1_ArchiveEtcdDataResponse, ArchiveEtcdDataResponse__Output as _belay_v1_ArchiveEtcdDataResponse__Output } from './belay/v1/ArchiveEtcdDataResponse.js';
import type { BalancerServer as _belay_v1_BalancerServer, BalancerServer__Output as _belay_v1_BalancerServer__Output } from './belay/v1/BalancerServer.js';
import type { BalancerServersRequest as _belay_v1_BalancerServersRequest, BalancerServersRequest__Output as _belay_v1_BalancerServersRequest__Output } from './belay/v1/BalancerServersRequest.js';
import type { BalancerServersResponse as _belay_v1_BalancerServersResponse, BalancerServersResponse__Output as _belay_v1_BalancerServersResponse__Output } from './belay/v1/BalancerServersResponse.js';
import type { ContainerInfo as _belay_v1_ContainerInfo, ContainerInfo__Output as _belay_v1_ContainerInfo__Output } from './belay/v1/ContainerInfo.js';
import type { DiskLatency as _belay_v1_DiskLatency, DiskLatency__Output as _belay_v1_DiskLatency__Output } from './belay/v1/DiskLatency.js';
import type { EtcdDataStatus as _belay_v1_EtcdDataStatus, EtcdDataStatus__Output as _belay_v1_EtcdDataStatus__Output } from './belay/v1/EtcdDataStatus.js';
import type { Filesystem as _belay_v1_Filesystem, Filesystem__Output as _belay_v1_Filesystem__Output } from './belay/v1/Filesystem.js';
import type { GetManifestRequest as _belay_v1_GetManifestRequest, GetManifestRequest__Output as _belay_v1_GetManifestRequest__Output } from './belay/v1/GetManifestRequest.js';
import type { GetReportRequest as _belay_v1_GetReportRequest, GetReportRequest__Output as _belay_v1_GetReportRequest__Output } from './belay/v1/GetReportRequest.js';
import type { HostFacts as _belay_v1_HostFacts, HostFacts__Output as _belay_v1_HostFacts__Output } from './belay/v1/HostFacts.js';
import type { HostPathVolume as _belay_v1_HostPathVolume, HostPathVolume__Output as _belay_v1_HostPathVolume__Output } from './belay/v1/HostPathVolume.js';
import type { HostReport as _belay_v1_HostReport, HostReport__Output as _belay_v1_HostReport__Output } from './belay/v1/HostReport.js';
import type { Manifest as _belay_v1_Manifest, Manifest__Output as _belay_v1_Manifest__Output } from './belay/v1/Manifest.js';
import type { ManifestHistoryRequest as _belay_v1_ManifestHistoryRequest, ManifestHistoryRequest__Output as _belay_v1_ManifestHistoryRequest__Output } from './belay/v1/ManifestHistoryRequest.js';
import type { ManifestHistoryResponse as _belay_v1_ManifestHistoryResponse, ManifestHistoryResponse__Output as _belay_v1_ManifestHistoryResponse__Output } from './belay/v1/ManifestHistoryResponse.js';
import type { ManifestInfo as _belay_v1_ManifestInfo, ManifestInfo__Output as _belay_v1_ManifestInfo__Output } from './belay/v1/ManifestInfo.js';
import type { ManifestProblem as _belay_v1_ManifestProblem, ManifestProblem__Output as _belay_v1_ManifestProblem__Output } from './belay/v1/ManifestProblem.js';
import type { ManifestVersion as _belay_v1_ManifestVersion, ManifestVersion__Output as _belay_v1_ManifestVersion__Output } from './belay/v1/ManifestVersion.js';
import type { PkiFile as _belay_v1_PkiFile, PkiFile__Output as _belay_v1_PkiFile__Output } from './belay/v1/PkiFile.js';
import type { PkiPublicFile as _belay_v1_PkiPublicFile, PkiPublicFile__Output as _belay_v1_PkiPublicFile__Output } from './belay/v1/PkiPublicFile.js';
import type { ProcessInfo as _belay_v1_ProcessInfo, ProcessInfo__Output as _belay_v1_ProcessInfo__Output } from './belay/v1/ProcessInfo.js';
import type { ReadPkiRequest as _belay_v1_ReadPkiRequest, ReadPkiRequest__Output as _belay_v1_ReadPkiRequest__Output } from './belay/v1/ReadPkiRequest.js';
import type { ReadPkiResponse as _belay_v1_ReadPkiResponse, ReadPkiResponse__Output as _belay_v1_ReadPkiResponse__Output } from './belay/v1/ReadPkiResponse.js';
import type { RemoveManifestRequest as _belay_v1_RemoveManifestRequest, RemoveManifestRequest__Output as _belay_v1_RemoveManifestRequest__Output } from './belay/v1/RemoveManifestRequest.js';
import type { RestoreEtcdSnapshotChunk as _belay_v1_RestoreEtcdSnapshotChunk, RestoreEtcdSnapshotChunk__Output as _belay_v1_RestoreEtcdSnapshotChunk__Output } from './belay/v1/RestoreEtcdSnapshotChunk.js';
import type { RestoreEtcdSnapshotHeader as _belay_v1_RestoreEtcdSnapshotHeader, RestoreEtcdSnapshotHeader__Output as _belay_v1_RestoreEtcdSnapshotHeader__Output } from './belay/v1/RestoreEtcdSnapshotHeader.js';
import type { RestoreEtcdSnapshotResponse as _belay_v1_RestoreEtcdSnapshotResponse, RestoreEtcdSnapshotResponse__Output as _belay_v1_RestoreEtcdSnapshotResponse__Output } from './belay/v1/RestoreEtcdSnapshotResponse.js';
import type { RollbackManifestRequest as _belay_v1_RollbackManifestRequest, RollbackManifestRequest__Output as _belay_v1_RollbackManifestRequest__Output } from './belay/v1/RollbackManifestRequest.js';
import type { ServiceStatus as _belay_v1_ServiceStatus, ServiceStatus__Output as _belay_v1_ServiceStatus__Output } from './belay/v1/ServiceStatus.js';
import type { SetBalancerServerRequest as _belay_v1_SetBalancerServerRequest, SetBalancerServerRequest__Output as _belay_v1_SetBalancerServerRequest__Output } from './belay/v1/SetBalancerServerRequest.js';
import type { SetSupervisionRequest as _belay_v1_SetSupervisionRequest, SetSupervisionRequest__Output as _belay_v1_SetSupervisionRequest__Output } from './belay/v1/SetSupervisionRequest.js';
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
      ApplyManifestRequest: MessageTypeDefinition<_belay_v1_ApplyManifestRequest, _belay_v1_ApplyManifestRequest__Output>
      ApplyManifestResponse: MessageTypeDefinition<_belay_v1_ApplyManifestResponse, _belay_v1_ApplyManifestResponse__Output>
      ArchiveEtcdDataRequest: MessageTypeDefinition<_belay_v1_ArchiveEtcdDataRequest, _belay_v1_ArchiveEtcdDataRequest__Output>
      ArchiveEtcdDataResponse: MessageTypeDefinition<_belay_v1_ArchiveEtcdDataResponse, _belay_v1_ArchiveEtcdDataResponse__Output>
      BalancerServer: MessageTypeDefinition<_belay_v1_BalancerServer, _belay_v1_BalancerServer__Output>
      BalancerServersRequest: MessageTypeDefinition<_belay_v1_BalancerServersRequest, _belay_v1_BalancerServersRequest__Output>
      BalancerServersResponse: MessageTypeDefinition<_belay_v1_BalancerServersResponse, _belay_v1_BalancerServersResponse__Output>
      ContainerInfo: MessageTypeDefinition<_belay_v1_ContainerInfo, _belay_v1_ContainerInfo__Output>
      DiskLatency: MessageTypeDefinition<_belay_v1_DiskLatency, _belay_v1_DiskLatency__Output>
      EtcdDataStatus: MessageTypeDefinition<_belay_v1_EtcdDataStatus, _belay_v1_EtcdDataStatus__Output>
      Filesystem: MessageTypeDefinition<_belay_v1_Filesystem, _belay_v1_Filesystem__Output>
      GetManifestRequest: MessageTypeDefinition<_belay_v1_GetManifestRequest, _belay_v1_GetManifestRequest__Output>
      GetReportRequest: MessageTypeDefinition<_belay_v1_GetReportRequest, _belay_v1_GetReportRequest__Output>
      HostFacts: MessageTypeDefinition<_belay_v1_HostFacts, _belay_v1_HostFacts__Output>
      HostPathVolume: MessageTypeDefinition<_belay_v1_HostPathVolume, _belay_v1_HostPathVolume__Output>
      HostReport: MessageTypeDefinition<_belay_v1_HostReport, _belay_v1_HostReport__Output>
      Manifest: MessageTypeDefinition<_belay_v1_Manifest, _belay_v1_Manifest__Output>
      ManifestHistoryRequest: MessageTypeDefinition<_belay_v1_ManifestHistoryRequest, _belay_v1_ManifestHistoryRequest__Output>
      ManifestHistoryResponse: MessageTypeDefinition<_belay_v1_ManifestHistoryResponse, _belay_v1_ManifestHistoryResponse__Output>
      ManifestInfo: MessageTypeDefinition<_belay_v1_ManifestInfo, _belay_v1_ManifestInfo__Output>
      ManifestProblem: MessageTypeDefinition<_belay_v1_ManifestProblem, _belay_v1_ManifestProblem__Output>
      ManifestVersion: MessageTypeDefinition<_belay_v1_ManifestVersion, _belay_v1_ManifestVersion__Output>
      PkiFile: MessageTypeDefinition<_belay_v1_PkiFile, _belay_v1_PkiFile__Output>
      PkiPublicFile: MessageTypeDefinition<_belay_v1_PkiPublicFile, _belay_v1_PkiPublicFile__Output>
      ProcessInfo: MessageTypeDefinition<_belay_v1_ProcessInfo, _belay_v1_ProcessInfo__Output>
      ReadPkiRequest: MessageTypeDefinition<_belay_v1_ReadPkiRequest, _belay_v1_ReadPkiRequest__Output>
      ReadPkiResponse: MessageTypeDefinition<_belay_v1_ReadPkiResponse, _belay_v1_ReadPkiResponse__Output>
      RemoveManifestRequest: MessageTypeDefinition<_belay_v1_RemoveManifestRequest, _belay_v1_RemoveManifestRequest__Output>
      RestoreEtcdSnapshotChunk: MessageTypeDefinition<_belay_v1_RestoreEtcdSnapshotChunk, _belay_v1_RestoreEtcdSnapshotChunk__Output>
      RestoreEtcdSnapshotHeader: MessageTypeDefinition<_belay_v1_RestoreEtcdSnapshotHeader, _belay_v1_RestoreEtcdSnapshotHeader__Output>
      RestoreEtcdSnapshotResponse: MessageTypeDefinition<_belay_v1_RestoreEtcdSnapshotResponse, _belay_v1_RestoreEtcdSnapshotResponse__Output>
      RollbackManifestRequest: MessageTypeDefinition<_belay_v1_RollbackManifestRequest, _belay_v1_RollbackManifestRequest__Output>
      ServiceStatus: MessageTypeDefinition<_belay_v1_ServiceStatus, _belay_v1_ServiceStatus__Output>
      SetBalancerServerRequest: MessageTypeDefinition<_belay_v1_SetBalancerServerRequest, _belay_v1_SetBalancerServerRequest__Output>
      SetSupervisionRequest: MessageTypeDefinition<_belay_v1_SetSupervisionRequest, _belay_v1_SetSupervisionRequest__Output>
      SyncBalancerServersRequest: MessageTypeDefinition<_belay_v1_SyncBalancerServersRequest, _belay_v1_SyncBalancerServersRequest__Output>
      SyncBalancerServersResponse: MessageTypeDefinition<_belay_v1_SyncBalancerServersResponse, _belay_v1_SyncBalancerServersResponse__Output>
      WritePkiRequest: MessageTypeDefinition<_belay_v1_WritePkiRequest, _belay_v1_WritePkiRequest__Output>
      WritePkiResponse: MessageTypeDefinition<_belay_v1_WritePkiResponse, _belay_v1_WritePkiResponse__Output>
    }
  }
}

