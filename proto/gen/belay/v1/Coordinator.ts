// Original file: proto/belay/v1/coordinator.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AgentEvent as _belay_v1_AgentEvent, AgentEvent__Output as _belay_v1_AgentEvent__Output } from '../../belay/v1/AgentEvent.js';
import type { AgentMessage as _belay_v1_AgentMessage, AgentMessage__Output as _belay_v1_AgentMessage__Output } from '../../belay/v1/AgentMessage.js';
import type { EventsRequest as _belay_v1_EventsRequest, EventsRequest__Output as _belay_v1_EventsRequest__Output } from '../../belay/v1/EventsRequest.js';
import type { Manifest as _belay_v1_Manifest, Manifest__Output as _belay_v1_Manifest__Output } from '../../belay/v1/Manifest.js';
import type { NodeManifestRequest as _belay_v1_NodeManifestRequest, NodeManifestRequest__Output as _belay_v1_NodeManifestRequest__Output } from '../../belay/v1/NodeManifestRequest.js';
import type { ReportAck as _belay_v1_ReportAck, ReportAck__Output as _belay_v1_ReportAck__Output } from '../../belay/v1/ReportAck.js';
import type { ServiceStatus as _belay_v1_ServiceStatus, ServiceStatus__Output as _belay_v1_ServiceStatus__Output } from '../../belay/v1/ServiceStatus.js';
import type { StatusRequest as _belay_v1_StatusRequest, StatusRequest__Output as _belay_v1_StatusRequest__Output } from '../../belay/v1/StatusRequest.js';
import type { StatusResponse as _belay_v1_StatusResponse, StatusResponse__Output as _belay_v1_StatusResponse__Output } from '../../belay/v1/StatusResponse.js';
import type { SuperviseRequest as _belay_v1_SuperviseRequest, SuperviseRequest__Output as _belay_v1_SuperviseRequest__Output } from '../../belay/v1/SuperviseRequest.js';

export interface CoordinatorClient extends grpc.Client {
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
   * Events returns the recent events of every master (oldest first) and,
   * with follow, keeps the stream open for new ones.
   */
  Events: grpc.handleServerStreamingCall<_belay_v1_EventsRequest__Output, _belay_v1_AgentEvent>;
  
  /**
   * GetManifest returns one static pod manifest of one master, through that
   * master's agent.
   */
  GetManifest: grpc.handleUnaryCall<_belay_v1_NodeManifestRequest__Output, _belay_v1_Manifest>;
  
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
  Events: MethodDefinition<_belay_v1_EventsRequest, _belay_v1_AgentEvent, _belay_v1_EventsRequest__Output, _belay_v1_AgentEvent__Output>
  GetManifest: MethodDefinition<_belay_v1_NodeManifestRequest, _belay_v1_Manifest, _belay_v1_NodeManifestRequest__Output, _belay_v1_Manifest__Output>
  Status: MethodDefinition<_belay_v1_StatusRequest, _belay_v1_StatusResponse, _belay_v1_StatusRequest__Output, _belay_v1_StatusResponse__Output>
  StreamReports: MethodDefinition<_belay_v1_AgentMessage, _belay_v1_ReportAck, _belay_v1_AgentMessage__Output, _belay_v1_ReportAck__Output>
  Supervise: MethodDefinition<_belay_v1_SuperviseRequest, _belay_v1_ServiceStatus, _belay_v1_SuperviseRequest__Output, _belay_v1_ServiceStatus__Output>
}
