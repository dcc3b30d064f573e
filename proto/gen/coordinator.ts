import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AgentClient as _belay_v1_AgentClient, AgentDefinition as _belay_v1_AgentDefinition } from './belay/v1/Agent.js';
import type { AgentEvent as _belay_v1_AgentEvent, AgentEvent__Output as _belay_v1_AgentEvent__Output } from './belay/v1/AgentEvent.js';
import type { AgentMessage as _belay_v1_AgentMessage, AgentMessage__Output as _belay_v1_AgentMessage__Output } from './belay/v1/AgentMessage.js';
import type { CoordinatorClient as _belay_v1_CoordinatorClient, CoordinatorDefinition as _belay_v1_CoordinatorDefinition } from './belay/v1/Coordinator.js';
import type { EventsRequest as _belay_v1_EventsRequest, EventsRequest__Output as _belay_v1_EventsRequest__Output } from './belay/v1/EventsRequest.js';
import type { Filesystem as _belay_v1_Filesystem, Filesystem__Output as _belay_v1_Filesystem__Output } from './belay/v1/Filesystem.js';
import type { GetReportRequest as _belay_v1_GetReportRequest, GetReportRequest__Output as _belay_v1_GetReportRequest__Output } from './belay/v1/GetReportRequest.js';
import type { HostFacts as _belay_v1_HostFacts, HostFacts__Output as _belay_v1_HostFacts__Output } from './belay/v1/HostFacts.js';
import type { HostReport as _belay_v1_HostReport, HostReport__Output as _belay_v1_HostReport__Output } from './belay/v1/HostReport.js';
import type { NodeStatus as _belay_v1_NodeStatus, NodeStatus__Output as _belay_v1_NodeStatus__Output } from './belay/v1/NodeStatus.js';
import type { ProcessInfo as _belay_v1_ProcessInfo, ProcessInfo__Output as _belay_v1_ProcessInfo__Output } from './belay/v1/ProcessInfo.js';
import type { ReportAck as _belay_v1_ReportAck, ReportAck__Output as _belay_v1_ReportAck__Output } from './belay/v1/ReportAck.js';
import type { ServiceStatus as _belay_v1_ServiceStatus, ServiceStatus__Output as _belay_v1_ServiceStatus__Output } from './belay/v1/ServiceStatus.js';
import type { SetSupervisionRequest as _belay_v1_SetSupervisionRequest, SetSupervisionRequest__Output as _belay_v1_SetSupervisionRequest__Output } from './belay/v1/SetSupervisionRequest.js';
import type { StatusRequest as _belay_v1_StatusRequest, StatusRequest__Output as _belay_v1_StatusRequest__Output } from './belay/v1/StatusRequest.js';
import type { StatusResponse as _belay_v1_StatusResponse, StatusResponse__Output as _belay_v1_StatusResponse__Output } from './belay/v1/StatusResponse.js';
import type { SuperviseRequest as _belay_v1_SuperviseRequest, SuperviseRequest__Output as _belay_v1_SuperviseRequest__Output } from './belay/v1/SuperviseRequest.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  belay: {
    v1: {
      Agent: SubtypeConstructor<typeof grpc.Client, _belay_v1_AgentClient> & { service: _belay_v1_AgentDefinition }
      AgentEvent: MessageTypeDefinition<_belay_v1_AgentEvent, _belay_v1_AgentEvent__Output>
      AgentMessage: MessageTypeDefinition<_belay_v1_AgentMessage, _belay_v1_AgentMessage__Output>
      Coordinator: SubtypeConstructor<typeof grpc.Client, _belay_v1_CoordinatorClient> & { service: _belay_v1_CoordinatorDefinition }
      EventsRequest: MessageTypeDefinition<_belay_v1_EventsRequest, _belay_v1_EventsRequest__Output>
      Filesystem: MessageTypeDefinition<_belay_v1_Filesystem, _belay_v1_Filesystem__Output>
      GetReportRequest: MessageTypeDefinition<_belay_v1_GetReportRequest, _belay_v1_GetReportRequest__Output>
      HostFacts: MessageTypeDefinition<_belay_v1_HostFacts, _belay_v1_HostFacts__Output>
      HostReport: MessageTypeDefinition<_belay_v1_HostReport, _belay_v1_HostReport__Output>
      NodeStatus: MessageTypeDefinition<_belay_v1_NodeStatus, _belay_v1_NodeStatus__Output>
      ProcessInfo: MessageTypeDefinition<_belay_v1_ProcessInfo, _belay_v1_ProcessInfo__Output>
      ReportAck: MessageTypeDefinition<_belay_v1_ReportAck, _belay_v1_ReportAck__Output>
      ServiceStatus: MessageTypeDefinition<_belay_v1_ServiceStatus, _belay_v1_ServiceStatus__Output>
      SetSupervisionRequest: MessageTypeDefinition<_belay_v1_SetSupervisionRequest, _belay_v1_SetSupervisionRequest__Output>
      StatusRequest: MessageTypeDefinition<_belay_v1_StatusRequest, _belay_v1_StatusRequest__Output>
      StatusResponse: MessageTypeDefinition<_belay_v1_StatusResponse, _belay_v1_StatusResponse__Output>
      SuperviseRequest: MessageTypeDefinition<_belay_v1_SuperviseRequest, _belay_v1_SuperviseRequest__Output>
    }
  }
}

