// Original file: proto/belay/v1/agent.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GetReportRequest as _belay_v1_GetReportRequest, GetReportRequest__Output as _belay_v1_GetReportRequest__Output } from '../../belay/v1/GetReportRequest.js';
import type { HostReport as _belay_v1_HostReport, HostReport__Output as _belay_v1_HostReport__Output } from '../../belay/v1/HostReport.js';

export interface AgentClient extends grpc.Client {
  /**
   * GetReport returns the agent's latest host report. With refresh it
   * collects a new one first (a few hundred milliseconds of work).
   */
  GetReport(argument: _belay_v1_GetReportRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_HostReport__Output>): grpc.ClientUnaryCall;
  GetReport(argument: _belay_v1_GetReportRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_HostReport__Output>): grpc.ClientUnaryCall;
  GetReport(argument: _belay_v1_GetReportRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_HostReport__Output>): grpc.ClientUnaryCall;
  GetReport(argument: _belay_v1_GetReportRequest, callback: grpc.requestCallback<_belay_v1_HostReport__Output>): grpc.ClientUnaryCall;
  /**
   * GetReport returns the agent's latest host report. With refresh it
   * collects a new one first (a few hundred milliseconds of work).
   */
  getReport(argument: _belay_v1_GetReportRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_HostReport__Output>): grpc.ClientUnaryCall;
  getReport(argument: _belay_v1_GetReportRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_HostReport__Output>): grpc.ClientUnaryCall;
  getReport(argument: _belay_v1_GetReportRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_HostReport__Output>): grpc.ClientUnaryCall;
  getReport(argument: _belay_v1_GetReportRequest, callback: grpc.requestCallback<_belay_v1_HostReport__Output>): grpc.ClientUnaryCall;
  
}

export interface AgentHandlers extends grpc.UntypedServiceImplementation {
  /**
   * GetReport returns the agent's latest host report. With refresh it
   * collects a new one first (a few hundred milliseconds of work).
   */
  GetReport: grpc.handleUnaryCall<_belay_v1_GetReportRequest__Output, _belay_v1_HostReport>;
  
}

export interface AgentDefinition extends grpc.ServiceDefinition {
  GetReport: MethodDefinition<_belay_v1_GetReportRequest, _belay_v1_HostReport, _belay_v1_GetReportRequest__Output, _belay_v1_HostReport__Output>
}
