// Original file: proto/belay/v1/coordinator.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { HostReport as _belay_v1_HostReport, HostReport__Output as _belay_v1_HostReport__Output } from '../../belay/v1/HostReport.js';
import type { ReportAck as _belay_v1_ReportAck, ReportAck__Output as _belay_v1_ReportAck__Output } from '../../belay/v1/ReportAck.js';
import type { StatusRequest as _belay_v1_StatusRequest, StatusRequest__Output as _belay_v1_StatusRequest__Output } from '../../belay/v1/StatusRequest.js';
import type { StatusResponse as _belay_v1_StatusResponse, StatusResponse__Output as _belay_v1_StatusResponse__Output } from '../../belay/v1/StatusResponse.js';

export interface CoordinatorClient extends grpc.Client {
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
   * The agent keeps one stream open and reconnects with backoff.
   */
  StreamReports(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_belay_v1_HostReport, _belay_v1_ReportAck__Output>;
  StreamReports(options?: grpc.CallOptions): grpc.ClientDuplexStream<_belay_v1_HostReport, _belay_v1_ReportAck__Output>;
  /**
   * StreamReports carries an agent's host reports to the coordinator, which
   * acknowledges each. Only a master listed in the coordinator's config may
   * report, and only under its own name (its certificate's common name).
   * The agent keeps one stream open and reconnects with backoff.
   */
  streamReports(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_belay_v1_HostReport, _belay_v1_ReportAck__Output>;
  streamReports(options?: grpc.CallOptions): grpc.ClientDuplexStream<_belay_v1_HostReport, _belay_v1_ReportAck__Output>;
  
}

export interface CoordinatorHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Status returns every known master with its agent's latest report.
   */
  Status: grpc.handleUnaryCall<_belay_v1_StatusRequest__Output, _belay_v1_StatusResponse>;
  
  /**
   * StreamReports carries an agent's host reports to the coordinator, which
   * acknowledges each. Only a master listed in the coordinator's config may
   * report, and only under its own name (its certificate's common name).
   * The agent keeps one stream open and reconnects with backoff.
   */
  StreamReports: grpc.handleBidiStreamingCall<_belay_v1_HostReport__Output, _belay_v1_ReportAck>;
  
}

export interface CoordinatorDefinition extends grpc.ServiceDefinition {
  Status: MethodDefinition<_belay_v1_StatusRequest, _belay_v1_StatusResponse, _belay_v1_StatusRequest__Output, _belay_v1_StatusResponse__Output>
  StreamReports: MethodDefinition<_belay_v1_HostReport, _belay_v1_ReportAck, _belay_v1_HostReport__Output, _belay_v1_ReportAck__Output>
}
