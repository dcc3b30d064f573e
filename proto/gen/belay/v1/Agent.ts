// Original file: proto/belay/v1/agent.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GetReportRequest as _belay_v1_GetReportRequest, GetReportRequest__Output as _belay_v1_GetReportRequest__Output } from '../../belay/v1/GetReportRequest.js';
import type { HostReport as _belay_v1_HostReport, HostReport__Output as _belay_v1_HostReport__Output } from '../../belay/v1/HostReport.js';
import type { ServiceStatus as _belay_v1_ServiceStatus, ServiceStatus__Output as _belay_v1_ServiceStatus__Output } from '../../belay/v1/ServiceStatus.js';
import type { SetSupervisionRequest as _belay_v1_SetSupervisionRequest, SetSupervisionRequest__Output as _belay_v1_SetSupervisionRequest__Output } from '../../belay/v1/SetSupervisionRequest.js';

export interface AgentClient extends grpc.Client {
  /**
   * GetReport returns the agent's latest host report. With refresh it
   * collects a new one first (a few milliseconds of work).
   */
  GetReport(argument: _belay_v1_GetReportRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_HostReport__Output>): grpc.ClientUnaryCall;
  GetReport(argument: _belay_v1_GetReportRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_HostReport__Output>): grpc.ClientUnaryCall;
  GetReport(argument: _belay_v1_GetReportRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_HostReport__Output>): grpc.ClientUnaryCall;
  GetReport(argument: _belay_v1_GetReportRequest, callback: grpc.requestCallback<_belay_v1_HostReport__Output>): grpc.ClientUnaryCall;
  /**
   * GetReport returns the agent's latest host report. With refresh it
   * collects a new one first (a few milliseconds of work).
   */
  getReport(argument: _belay_v1_GetReportRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_HostReport__Output>): grpc.ClientUnaryCall;
  getReport(argument: _belay_v1_GetReportRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_HostReport__Output>): grpc.ClientUnaryCall;
  getReport(argument: _belay_v1_GetReportRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_HostReport__Output>): grpc.ClientUnaryCall;
  getReport(argument: _belay_v1_GetReportRequest, callback: grpc.requestCallback<_belay_v1_HostReport__Output>): grpc.ClientUnaryCall;
  
  /**
   * SetSupervision pauses (maintenance: no restarts, no checks counted) or
   * resumes one supervised service. The pause is kept on disk and survives an
   * agent restart. Returns the service's state after the change.
   */
  SetSupervision(argument: _belay_v1_SetSupervisionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ServiceStatus__Output>): grpc.ClientUnaryCall;
  SetSupervision(argument: _belay_v1_SetSupervisionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_ServiceStatus__Output>): grpc.ClientUnaryCall;
  SetSupervision(argument: _belay_v1_SetSupervisionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ServiceStatus__Output>): grpc.ClientUnaryCall;
  SetSupervision(argument: _belay_v1_SetSupervisionRequest, callback: grpc.requestCallback<_belay_v1_ServiceStatus__Output>): grpc.ClientUnaryCall;
  /**
   * SetSupervision pauses (maintenance: no restarts, no checks counted) or
   * resumes one supervised service. The pause is kept on disk and survives an
   * agent restart. Returns the service's state after the change.
   */
  setSupervision(argument: _belay_v1_SetSupervisionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ServiceStatus__Output>): grpc.ClientUnaryCall;
  setSupervision(argument: _belay_v1_SetSupervisionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_ServiceStatus__Output>): grpc.ClientUnaryCall;
  setSupervision(argument: _belay_v1_SetSupervisionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ServiceStatus__Output>): grpc.ClientUnaryCall;
  setSupervision(argument: _belay_v1_SetSupervisionRequest, callback: grpc.requestCallback<_belay_v1_ServiceStatus__Output>): grpc.ClientUnaryCall;
  
}

export interface AgentHandlers extends grpc.UntypedServiceImplementation {
  /**
   * GetReport returns the agent's latest host report. With refresh it
   * collects a new one first (a few milliseconds of work).
   */
  GetReport: grpc.handleUnaryCall<_belay_v1_GetReportRequest__Output, _belay_v1_HostReport>;
  
  /**
   * SetSupervision pauses (maintenance: no restarts, no checks counted) or
   * resumes one supervised service. The pause is kept on disk and survives an
   * agent restart. Returns the service's state after the change.
   */
  SetSupervision: grpc.handleUnaryCall<_belay_v1_SetSupervisionRequest__Output, _belay_v1_ServiceStatus>;
  
}

export interface AgentDefinition extends grpc.ServiceDefinition {
  GetReport: MethodDefinition<_belay_v1_GetReportRequest, _belay_v1_HostReport, _belay_v1_GetReportRequest__Output, _belay_v1_HostReport__Output>
  SetSupervision: MethodDefinition<_belay_v1_SetSupervisionRequest, _belay_v1_ServiceStatus, _belay_v1_SetSupervisionRequest__Output, _belay_v1_ServiceStatus__Output>
}
