// Original file: proto/belay/v1/agent.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ApplyManifestRequest as _belay_v1_ApplyManifestRequest, ApplyManifestRequest__Output as _belay_v1_ApplyManifestRequest__Output } from '../../belay/v1/ApplyManifestRequest.js';
import type { ApplyManifestResponse as _belay_v1_ApplyManifestResponse, ApplyManifestResponse__Output as _belay_v1_ApplyManifestResponse__Output } from '../../belay/v1/ApplyManifestResponse.js';
import type { ArchiveEtcdDataRequest as _belay_v1_ArchiveEtcdDataRequest, ArchiveEtcdDataRequest__Output as _belay_v1_ArchiveEtcdDataRequest__Output } from '../../belay/v1/ArchiveEtcdDataRequest.js';
import type { ArchiveEtcdDataResponse as _belay_v1_ArchiveEtcdDataResponse, ArchiveEtcdDataResponse__Output as _belay_v1_ArchiveEtcdDataResponse__Output } from '../../belay/v1/ArchiveEtcdDataResponse.js';
import type { BalancerServersRequest as _belay_v1_BalancerServersRequest, BalancerServersRequest__Output as _belay_v1_BalancerServersRequest__Output } from '../../belay/v1/BalancerServersRequest.js';
import type { BalancerServersResponse as _belay_v1_BalancerServersResponse, BalancerServersResponse__Output as _belay_v1_BalancerServersResponse__Output } from '../../belay/v1/BalancerServersResponse.js';
import type { GetManifestRequest as _belay_v1_GetManifestRequest, GetManifestRequest__Output as _belay_v1_GetManifestRequest__Output } from '../../belay/v1/GetManifestRequest.js';
import type { GetReportRequest as _belay_v1_GetReportRequest, GetReportRequest__Output as _belay_v1_GetReportRequest__Output } from '../../belay/v1/GetReportRequest.js';
import type { HostReport as _belay_v1_HostReport, HostReport__Output as _belay_v1_HostReport__Output } from '../../belay/v1/HostReport.js';
import type { Manifest as _belay_v1_Manifest, Manifest__Output as _belay_v1_Manifest__Output } from '../../belay/v1/Manifest.js';
import type { ManifestHistoryRequest as _belay_v1_ManifestHistoryRequest, ManifestHistoryRequest__Output as _belay_v1_ManifestHistoryRequest__Output } from '../../belay/v1/ManifestHistoryRequest.js';
import type { ManifestHistoryResponse as _belay_v1_ManifestHistoryResponse, ManifestHistoryResponse__Output as _belay_v1_ManifestHistoryResponse__Output } from '../../belay/v1/ManifestHistoryResponse.js';
import type { ReadPkiRequest as _belay_v1_ReadPkiRequest, ReadPkiRequest__Output as _belay_v1_ReadPkiRequest__Output } from '../../belay/v1/ReadPkiRequest.js';
import type { ReadPkiResponse as _belay_v1_ReadPkiResponse, ReadPkiResponse__Output as _belay_v1_ReadPkiResponse__Output } from '../../belay/v1/ReadPkiResponse.js';
import type { RemoveManifestRequest as _belay_v1_RemoveManifestRequest, RemoveManifestRequest__Output as _belay_v1_RemoveManifestRequest__Output } from '../../belay/v1/RemoveManifestRequest.js';
import type { RestoreEtcdSnapshotChunk as _belay_v1_RestoreEtcdSnapshotChunk, RestoreEtcdSnapshotChunk__Output as _belay_v1_RestoreEtcdSnapshotChunk__Output } from '../../belay/v1/RestoreEtcdSnapshotChunk.js';
import type { RestoreEtcdSnapshotResponse as _belay_v1_RestoreEtcdSnapshotResponse, RestoreEtcdSnapshotResponse__Output as _belay_v1_RestoreEtcdSnapshotResponse__Output } from '../../belay/v1/RestoreEtcdSnapshotResponse.js';
import type { RollbackManifestRequest as _belay_v1_RollbackManifestRequest, RollbackManifestRequest__Output as _belay_v1_RollbackManifestRequest__Output } from '../../belay/v1/RollbackManifestRequest.js';
import type { ServiceStatus as _belay_v1_ServiceStatus, ServiceStatus__Output as _belay_v1_ServiceStatus__Output } from '../../belay/v1/ServiceStatus.js';
import type { SetBalancerServerRequest as _belay_v1_SetBalancerServerRequest, SetBalancerServerRequest__Output as _belay_v1_SetBalancerServerRequest__Output } from '../../belay/v1/SetBalancerServerRequest.js';
import type { SetSupervisionRequest as _belay_v1_SetSupervisionRequest, SetSupervisionRequest__Output as _belay_v1_SetSupervisionRequest__Output } from '../../belay/v1/SetSupervisionRequest.js';
import type { SyncBalancerServersRequest as _belay_v1_SyncBalancerServersRequest, SyncBalancerServersRequest__Output as _belay_v1_SyncBalancerServersRequest__Output } from '../../belay/v1/SyncBalancerServersRequest.js';
import type { SyncBalancerServersResponse as _belay_v1_SyncBalancerServersResponse, SyncBalancerServersResponse__Output as _belay_v1_SyncBalancerServersResponse__Output } from '../../belay/v1/SyncBalancerServersResponse.js';
import type { WritePkiRequest as _belay_v1_WritePkiRequest, WritePkiRequest__Output as _belay_v1_WritePkiRequest__Output } from '../../belay/v1/WritePkiRequest.js';
import type { WritePkiResponse as _belay_v1_WritePkiResponse, WritePkiResponse__Output as _belay_v1_WritePkiResponse__Output } from '../../belay/v1/WritePkiResponse.js';

export interface AgentClient extends grpc.Client {
  /**
   * ApplyManifest validates a static pod manifest and writes it atomically
   * into the manifests dir (dot-temp file, fsync, rename, fsync of the dir).
   * The same content twice writes nothing. The version it replaces is kept
   * for RollbackManifest. A file changed by someone else since the agent's
   * last write (drift) is not overwritten without force.
   */
  ApplyManifest(argument: _belay_v1_ApplyManifestRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  ApplyManifest(argument: _belay_v1_ApplyManifestRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  ApplyManifest(argument: _belay_v1_ApplyManifestRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  ApplyManifest(argument: _belay_v1_ApplyManifestRequest, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  /**
   * ApplyManifest validates a static pod manifest and writes it atomically
   * into the manifests dir (dot-temp file, fsync, rename, fsync of the dir).
   * The same content twice writes nothing. The version it replaces is kept
   * for RollbackManifest. A file changed by someone else since the agent's
   * last write (drift) is not overwritten without force.
   */
  applyManifest(argument: _belay_v1_ApplyManifestRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  applyManifest(argument: _belay_v1_ApplyManifestRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  applyManifest(argument: _belay_v1_ApplyManifestRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  applyManifest(argument: _belay_v1_ApplyManifestRequest, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * ArchiveEtcdData renames an etcd data dir aside (DIR.belay-archived-TIME)
   * so that etcd starts empty there, e.g. before this master joins as a new
   * member. Nothing is ever deleted. Refused while an etcd process runs
   * with that data dir. Fenced by term.
   */
  ArchiveEtcdData(argument: _belay_v1_ArchiveEtcdDataRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ArchiveEtcdDataResponse__Output>): grpc.ClientUnaryCall;
  ArchiveEtcdData(argument: _belay_v1_ArchiveEtcdDataRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_ArchiveEtcdDataResponse__Output>): grpc.ClientUnaryCall;
  ArchiveEtcdData(argument: _belay_v1_ArchiveEtcdDataRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ArchiveEtcdDataResponse__Output>): grpc.ClientUnaryCall;
  ArchiveEtcdData(argument: _belay_v1_ArchiveEtcdDataRequest, callback: grpc.requestCallback<_belay_v1_ArchiveEtcdDataResponse__Output>): grpc.ClientUnaryCall;
  /**
   * ArchiveEtcdData renames an etcd data dir aside (DIR.belay-archived-TIME)
   * so that etcd starts empty there, e.g. before this master joins as a new
   * member. Nothing is ever deleted. Refused while an etcd process runs
   * with that data dir. Fenced by term.
   */
  archiveEtcdData(argument: _belay_v1_ArchiveEtcdDataRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ArchiveEtcdDataResponse__Output>): grpc.ClientUnaryCall;
  archiveEtcdData(argument: _belay_v1_ArchiveEtcdDataRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_ArchiveEtcdDataResponse__Output>): grpc.ClientUnaryCall;
  archiveEtcdData(argument: _belay_v1_ArchiveEtcdDataRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ArchiveEtcdDataResponse__Output>): grpc.ClientUnaryCall;
  archiveEtcdData(argument: _belay_v1_ArchiveEtcdDataRequest, callback: grpc.requestCallback<_belay_v1_ArchiveEtcdDataResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * BalancerServers shows the servers of one backend of the haproxy on this
   * master, through its runtime API socket; SetBalancerServer sets one
   * server's admin state (ready, drain, maint). The rollout drains a master
   * this way. SetBalancerServer is fenced by term.
   */
  BalancerServers(argument: _belay_v1_BalancerServersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_BalancerServersResponse__Output>): grpc.ClientUnaryCall;
  BalancerServers(argument: _belay_v1_BalancerServersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_BalancerServersResponse__Output>): grpc.ClientUnaryCall;
  BalancerServers(argument: _belay_v1_BalancerServersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_BalancerServersResponse__Output>): grpc.ClientUnaryCall;
  BalancerServers(argument: _belay_v1_BalancerServersRequest, callback: grpc.requestCallback<_belay_v1_BalancerServersResponse__Output>): grpc.ClientUnaryCall;
  /**
   * BalancerServers shows the servers of one backend of the haproxy on this
   * master, through its runtime API socket; SetBalancerServer sets one
   * server's admin state (ready, drain, maint). The rollout drains a master
   * this way. SetBalancerServer is fenced by term.
   */
  balancerServers(argument: _belay_v1_BalancerServersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_BalancerServersResponse__Output>): grpc.ClientUnaryCall;
  balancerServers(argument: _belay_v1_BalancerServersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_BalancerServersResponse__Output>): grpc.ClientUnaryCall;
  balancerServers(argument: _belay_v1_BalancerServersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_BalancerServersResponse__Output>): grpc.ClientUnaryCall;
  balancerServers(argument: _belay_v1_BalancerServersRequest, callback: grpc.requestCallback<_belay_v1_BalancerServersResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * GetManifest returns one static pod manifest of the manifests dir, with
   * its inventory entry (by file name, e.g. etcd.yaml, or by pod name).
   */
  GetManifest(argument: _belay_v1_GetManifestRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_Manifest__Output>): grpc.ClientUnaryCall;
  GetManifest(argument: _belay_v1_GetManifestRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_Manifest__Output>): grpc.ClientUnaryCall;
  GetManifest(argument: _belay_v1_GetManifestRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_Manifest__Output>): grpc.ClientUnaryCall;
  GetManifest(argument: _belay_v1_GetManifestRequest, callback: grpc.requestCallback<_belay_v1_Manifest__Output>): grpc.ClientUnaryCall;
  /**
   * GetManifest returns one static pod manifest of the manifests dir, with
   * its inventory entry (by file name, e.g. etcd.yaml, or by pod name).
   */
  getManifest(argument: _belay_v1_GetManifestRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_Manifest__Output>): grpc.ClientUnaryCall;
  getManifest(argument: _belay_v1_GetManifestRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_Manifest__Output>): grpc.ClientUnaryCall;
  getManifest(argument: _belay_v1_GetManifestRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_Manifest__Output>): grpc.ClientUnaryCall;
  getManifest(argument: _belay_v1_GetManifestRequest, callback: grpc.requestCallback<_belay_v1_Manifest__Output>): grpc.ClientUnaryCall;
  
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
   * ManifestHistory lists the kept versions of one manifest, newest first.
   */
  ManifestHistory(argument: _belay_v1_ManifestHistoryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ManifestHistoryResponse__Output>): grpc.ClientUnaryCall;
  ManifestHistory(argument: _belay_v1_ManifestHistoryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_ManifestHistoryResponse__Output>): grpc.ClientUnaryCall;
  ManifestHistory(argument: _belay_v1_ManifestHistoryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ManifestHistoryResponse__Output>): grpc.ClientUnaryCall;
  ManifestHistory(argument: _belay_v1_ManifestHistoryRequest, callback: grpc.requestCallback<_belay_v1_ManifestHistoryResponse__Output>): grpc.ClientUnaryCall;
  /**
   * ManifestHistory lists the kept versions of one manifest, newest first.
   */
  manifestHistory(argument: _belay_v1_ManifestHistoryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ManifestHistoryResponse__Output>): grpc.ClientUnaryCall;
  manifestHistory(argument: _belay_v1_ManifestHistoryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_ManifestHistoryResponse__Output>): grpc.ClientUnaryCall;
  manifestHistory(argument: _belay_v1_ManifestHistoryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ManifestHistoryResponse__Output>): grpc.ClientUnaryCall;
  manifestHistory(argument: _belay_v1_ManifestHistoryRequest, callback: grpc.requestCallback<_belay_v1_ManifestHistoryResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * ReadPki returns the public side of this master's PKI, for `pki check`:
   * every certificate and public key under /etc/kubernetes/pki, every
   * kubeconfig in /etc/kubernetes (client key removed), and for every
   * private key (files and kubeconfig client keys) only the sha256 of its
   * public key. Private keys never leave the master.
   */
  ReadPki(argument: _belay_v1_ReadPkiRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ReadPkiResponse__Output>): grpc.ClientUnaryCall;
  ReadPki(argument: _belay_v1_ReadPkiRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_ReadPkiResponse__Output>): grpc.ClientUnaryCall;
  ReadPki(argument: _belay_v1_ReadPkiRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ReadPkiResponse__Output>): grpc.ClientUnaryCall;
  ReadPki(argument: _belay_v1_ReadPkiRequest, callback: grpc.requestCallback<_belay_v1_ReadPkiResponse__Output>): grpc.ClientUnaryCall;
  /**
   * ReadPki returns the public side of this master's PKI, for `pki check`:
   * every certificate and public key under /etc/kubernetes/pki, every
   * kubeconfig in /etc/kubernetes (client key removed), and for every
   * private key (files and kubeconfig client keys) only the sha256 of its
   * public key. Private keys never leave the master.
   */
  readPki(argument: _belay_v1_ReadPkiRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ReadPkiResponse__Output>): grpc.ClientUnaryCall;
  readPki(argument: _belay_v1_ReadPkiRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_ReadPkiResponse__Output>): grpc.ClientUnaryCall;
  readPki(argument: _belay_v1_ReadPkiRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ReadPkiResponse__Output>): grpc.ClientUnaryCall;
  readPki(argument: _belay_v1_ReadPkiRequest, callback: grpc.requestCallback<_belay_v1_ReadPkiResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * RemoveManifest removes a manifest the same careful way; the removed
   * version is kept for RollbackManifest.
   */
  RemoveManifest(argument: _belay_v1_RemoveManifestRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  RemoveManifest(argument: _belay_v1_RemoveManifestRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  RemoveManifest(argument: _belay_v1_RemoveManifestRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  RemoveManifest(argument: _belay_v1_RemoveManifestRequest, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  /**
   * RemoveManifest removes a manifest the same careful way; the removed
   * version is kept for RollbackManifest.
   */
  removeManifest(argument: _belay_v1_RemoveManifestRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  removeManifest(argument: _belay_v1_RemoveManifestRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  removeManifest(argument: _belay_v1_RemoveManifestRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  removeManifest(argument: _belay_v1_RemoveManifestRequest, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * RestoreEtcdSnapshot receives a snapshot (the first message names it and
   * where it goes, the rest carry its bytes, at most 1 MiB each), checks its
   * sha256, and runs `etcdctl snapshot restore` into the data dir, which
   * must not exist or be empty (ArchiveEtcdData first). Fenced by term.
   */
  RestoreEtcdSnapshot(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_RestoreEtcdSnapshotResponse__Output>): grpc.ClientWritableStream<_belay_v1_RestoreEtcdSnapshotChunk>;
  RestoreEtcdSnapshot(metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_RestoreEtcdSnapshotResponse__Output>): grpc.ClientWritableStream<_belay_v1_RestoreEtcdSnapshotChunk>;
  RestoreEtcdSnapshot(options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_RestoreEtcdSnapshotResponse__Output>): grpc.ClientWritableStream<_belay_v1_RestoreEtcdSnapshotChunk>;
  RestoreEtcdSnapshot(callback: grpc.requestCallback<_belay_v1_RestoreEtcdSnapshotResponse__Output>): grpc.ClientWritableStream<_belay_v1_RestoreEtcdSnapshotChunk>;
  /**
   * RestoreEtcdSnapshot receives a snapshot (the first message names it and
   * where it goes, the rest carry its bytes, at most 1 MiB each), checks its
   * sha256, and runs `etcdctl snapshot restore` into the data dir, which
   * must not exist or be empty (ArchiveEtcdData first). Fenced by term.
   */
  restoreEtcdSnapshot(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_RestoreEtcdSnapshotResponse__Output>): grpc.ClientWritableStream<_belay_v1_RestoreEtcdSnapshotChunk>;
  restoreEtcdSnapshot(metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_RestoreEtcdSnapshotResponse__Output>): grpc.ClientWritableStream<_belay_v1_RestoreEtcdSnapshotChunk>;
  restoreEtcdSnapshot(options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_RestoreEtcdSnapshotResponse__Output>): grpc.ClientWritableStream<_belay_v1_RestoreEtcdSnapshotChunk>;
  restoreEtcdSnapshot(callback: grpc.requestCallback<_belay_v1_RestoreEtcdSnapshotResponse__Output>): grpc.ClientWritableStream<_belay_v1_RestoreEtcdSnapshotChunk>;
  
  /**
   * RollbackManifest restores a kept version (the previous one by default)
   * byte for byte.
   */
  RollbackManifest(argument: _belay_v1_RollbackManifestRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  RollbackManifest(argument: _belay_v1_RollbackManifestRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  RollbackManifest(argument: _belay_v1_RollbackManifestRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  RollbackManifest(argument: _belay_v1_RollbackManifestRequest, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  /**
   * RollbackManifest restores a kept version (the previous one by default)
   * byte for byte.
   */
  rollbackManifest(argument: _belay_v1_RollbackManifestRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  rollbackManifest(argument: _belay_v1_RollbackManifestRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  rollbackManifest(argument: _belay_v1_RollbackManifestRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  rollbackManifest(argument: _belay_v1_RollbackManifestRequest, callback: grpc.requestCallback<_belay_v1_ApplyManifestResponse__Output>): grpc.ClientUnaryCall;
  
  SetBalancerServer(argument: _belay_v1_SetBalancerServerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_BalancerServersResponse__Output>): grpc.ClientUnaryCall;
  SetBalancerServer(argument: _belay_v1_SetBalancerServerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_BalancerServersResponse__Output>): grpc.ClientUnaryCall;
  SetBalancerServer(argument: _belay_v1_SetBalancerServerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_BalancerServersResponse__Output>): grpc.ClientUnaryCall;
  SetBalancerServer(argument: _belay_v1_SetBalancerServerRequest, callback: grpc.requestCallback<_belay_v1_BalancerServersResponse__Output>): grpc.ClientUnaryCall;
  setBalancerServer(argument: _belay_v1_SetBalancerServerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_BalancerServersResponse__Output>): grpc.ClientUnaryCall;
  setBalancerServer(argument: _belay_v1_SetBalancerServerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_BalancerServersResponse__Output>): grpc.ClientUnaryCall;
  setBalancerServer(argument: _belay_v1_SetBalancerServerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_BalancerServersResponse__Output>): grpc.ClientUnaryCall;
  setBalancerServer(argument: _belay_v1_SetBalancerServerRequest, callback: grpc.requestCallback<_belay_v1_BalancerServersResponse__Output>): grpc.ClientUnaryCall;
  
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
  
  /**
   * Makes the backend's servers the given ones without a reload (haproxy's
   * dynamic servers: add server, del server): the leader keeps every
   * master's haproxy in step with spec.masters. Fenced by term.
   */
  SyncBalancerServers(argument: _belay_v1_SyncBalancerServersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_SyncBalancerServersResponse__Output>): grpc.ClientUnaryCall;
  SyncBalancerServers(argument: _belay_v1_SyncBalancerServersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_SyncBalancerServersResponse__Output>): grpc.ClientUnaryCall;
  SyncBalancerServers(argument: _belay_v1_SyncBalancerServersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_SyncBalancerServersResponse__Output>): grpc.ClientUnaryCall;
  SyncBalancerServers(argument: _belay_v1_SyncBalancerServersRequest, callback: grpc.requestCallback<_belay_v1_SyncBalancerServersResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Makes the backend's servers the given ones without a reload (haproxy's
   * dynamic servers: add server, del server): the leader keeps every
   * master's haproxy in step with spec.masters. Fenced by term.
   */
  syncBalancerServers(argument: _belay_v1_SyncBalancerServersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_SyncBalancerServersResponse__Output>): grpc.ClientUnaryCall;
  syncBalancerServers(argument: _belay_v1_SyncBalancerServersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_SyncBalancerServersResponse__Output>): grpc.ClientUnaryCall;
  syncBalancerServers(argument: _belay_v1_SyncBalancerServersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_SyncBalancerServersResponse__Output>): grpc.ClientUnaryCall;
  syncBalancerServers(argument: _belay_v1_SyncBalancerServersRequest, callback: grpc.requestCallback<_belay_v1_SyncBalancerServersResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * WritePki writes certificates and keys under /etc/kubernetes/pki (and
   * nowhere else): each file atomically with its mode (keys 0600), the
   * same content twice writes nothing. File contents are never logged.
   * Fenced by term like ApplyManifest.
   */
  WritePki(argument: _belay_v1_WritePkiRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_WritePkiResponse__Output>): grpc.ClientUnaryCall;
  WritePki(argument: _belay_v1_WritePkiRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_WritePkiResponse__Output>): grpc.ClientUnaryCall;
  WritePki(argument: _belay_v1_WritePkiRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_WritePkiResponse__Output>): grpc.ClientUnaryCall;
  WritePki(argument: _belay_v1_WritePkiRequest, callback: grpc.requestCallback<_belay_v1_WritePkiResponse__Output>): grpc.ClientUnaryCall;
  /**
   * WritePki writes certificates and keys under /etc/kubernetes/pki (and
   * nowhere else): each file atomically with its mode (keys 0600), the
   * same content twice writes nothing. File contents are never logged.
   * Fenced by term like ApplyManifest.
   */
  writePki(argument: _belay_v1_WritePkiRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_WritePkiResponse__Output>): grpc.ClientUnaryCall;
  writePki(argument: _belay_v1_WritePkiRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_belay_v1_WritePkiResponse__Output>): grpc.ClientUnaryCall;
  writePki(argument: _belay_v1_WritePkiRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_belay_v1_WritePkiResponse__Output>): grpc.ClientUnaryCall;
  writePki(argument: _belay_v1_WritePkiRequest, callback: grpc.requestCallback<_belay_v1_WritePkiResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface AgentHandlers extends grpc.UntypedServiceImplementation {
  /**
   * ApplyManifest validates a static pod manifest and writes it atomically
   * into the manifests dir (dot-temp file, fsync, rename, fsync of the dir).
   * The same content twice writes nothing. The version it replaces is kept
   * for RollbackManifest. A file changed by someone else since the agent's
   * last write (drift) is not overwritten without force.
   */
  ApplyManifest: grpc.handleUnaryCall<_belay_v1_ApplyManifestRequest__Output, _belay_v1_ApplyManifestResponse>;
  
  /**
   * ArchiveEtcdData renames an etcd data dir aside (DIR.belay-archived-TIME)
   * so that etcd starts empty there, e.g. before this master joins as a new
   * member. Nothing is ever deleted. Refused while an etcd process runs
   * with that data dir. Fenced by term.
   */
  ArchiveEtcdData: grpc.handleUnaryCall<_belay_v1_ArchiveEtcdDataRequest__Output, _belay_v1_ArchiveEtcdDataResponse>;
  
  /**
   * BalancerServers shows the servers of one backend of the haproxy on this
   * master, through its runtime API socket; SetBalancerServer sets one
   * server's admin state (ready, drain, maint). The rollout drains a master
   * this way. SetBalancerServer is fenced by term.
   */
  BalancerServers: grpc.handleUnaryCall<_belay_v1_BalancerServersRequest__Output, _belay_v1_BalancerServersResponse>;
  
  /**
   * GetManifest returns one static pod manifest of the manifests dir, with
   * its inventory entry (by file name, e.g. etcd.yaml, or by pod name).
   */
  GetManifest: grpc.handleUnaryCall<_belay_v1_GetManifestRequest__Output, _belay_v1_Manifest>;
  
  /**
   * GetReport returns the agent's latest host report. With refresh it
   * collects a new one first (a few milliseconds of work).
   */
  GetReport: grpc.handleUnaryCall<_belay_v1_GetReportRequest__Output, _belay_v1_HostReport>;
  
  /**
   * ManifestHistory lists the kept versions of one manifest, newest first.
   */
  ManifestHistory: grpc.handleUnaryCall<_belay_v1_ManifestHistoryRequest__Output, _belay_v1_ManifestHistoryResponse>;
  
  /**
   * ReadPki returns the public side of this master's PKI, for `pki check`:
   * every certificate and public key under /etc/kubernetes/pki, every
   * kubeconfig in /etc/kubernetes (client key removed), and for every
   * private key (files and kubeconfig client keys) only the sha256 of its
   * public key. Private keys never leave the master.
   */
  ReadPki: grpc.handleUnaryCall<_belay_v1_ReadPkiRequest__Output, _belay_v1_ReadPkiResponse>;
  
  /**
   * RemoveManifest removes a manifest the same careful way; the removed
   * version is kept for RollbackManifest.
   */
  RemoveManifest: grpc.handleUnaryCall<_belay_v1_RemoveManifestRequest__Output, _belay_v1_ApplyManifestResponse>;
  
  /**
   * RestoreEtcdSnapshot receives a snapshot (the first message names it and
   * where it goes, the rest carry its bytes, at most 1 MiB each), checks its
   * sha256, and runs `etcdctl snapshot restore` into the data dir, which
   * must not exist or be empty (ArchiveEtcdData first). Fenced by term.
   */
  RestoreEtcdSnapshot: grpc.handleClientStreamingCall<_belay_v1_RestoreEtcdSnapshotChunk__Output, _belay_v1_RestoreEtcdSnapshotResponse>;
  
  /**
   * RollbackManifest restores a kept version (the previous one by default)
   * byte for byte.
   */
  RollbackManifest: grpc.handleUnaryCall<_belay_v1_RollbackManifestRequest__Output, _belay_v1_ApplyManifestResponse>;
  
  SetBalancerServer: grpc.handleUnaryCall<_belay_v1_SetBalancerServerRequest__Output, _belay_v1_BalancerServersResponse>;
  
  /**
   * SetSupervision pauses (maintenance: no restarts, no checks counted) or
   * resumes one supervised service. The pause is kept on disk and survives an
   * agent restart. Returns the service's state after the change.
   */
  SetSupervision: grpc.handleUnaryCall<_belay_v1_SetSupervisionRequest__Output, _belay_v1_ServiceStatus>;
  
  /**
   * Makes the backend's servers the given ones without a reload (haproxy's
   * dynamic servers: add server, del server): the leader keeps every
   * master's haproxy in step with spec.masters. Fenced by term.
   */
  SyncBalancerServers: grpc.handleUnaryCall<_belay_v1_SyncBalancerServersRequest__Output, _belay_v1_SyncBalancerServersResponse>;
  
  /**
   * WritePki writes certificates and keys under /etc/kubernetes/pki (and
   * nowhere else): each file atomically with its mode (keys 0600), the
   * same content twice writes nothing. File contents are never logged.
   * Fenced by term like ApplyManifest.
   */
  WritePki: grpc.handleUnaryCall<_belay_v1_WritePkiRequest__Output, _belay_v1_WritePkiResponse>;
  
}

export interface AgentDefinition extends grpc.ServiceDefinition {
  ApplyManifest: MethodDefinition<_belay_v1_ApplyManifestRequest, _belay_v1_ApplyManifestResponse, _belay_v1_ApplyManifestRequest__Output, _belay_v1_ApplyManifestResponse__Output>
  ArchiveEtcdData: MethodDefinition<_belay_v1_ArchiveEtcdDataRequest, _belay_v1_ArchiveEtcdDataResponse, _belay_v1_ArchiveEtcdDataRequest__Output, _belay_v1_ArchiveEtcdDataResponse__Output>
  BalancerServers: MethodDefinition<_belay_v1_BalancerServersRequest, _belay_v1_BalancerServersResponse, _belay_v1_BalancerServersRequest__Output, _belay_v1_BalancerServersResponse__Output>
  GetManifest: MethodDefinition<_belay_v1_GetManifestRequest, _belay_v1_Manifest, _belay_v1_GetManifestRequest__Output, _belay_v1_Manifest__Output>
  GetReport: MethodDefinition<_belay_v1_GetReportRequest, _belay_v1_HostReport, _belay_v1_GetReportRequest__Output, _belay_v1_HostReport__Output>
  ManifestHistory: MethodDefinition<_belay_v1_ManifestHistoryRequest, _belay_v1_ManifestHistoryResponse, _belay_v1_ManifestHistoryRequest__Output, _belay_v1_ManifestHistoryResponse__Output>
  ReadPki: MethodDefinition<_belay_v1_ReadPkiRequest, _belay_v1_ReadPkiResponse, _belay_v1_ReadPkiRequest__Output, _belay_v1_ReadPkiResponse__Output>
  RemoveManifest: MethodDefinition<_belay_v1_RemoveManifestRequest, _belay_v1_ApplyManifestResponse, _belay_v1_RemoveManifestRequest__Output, _belay_v1_ApplyManifestResponse__Output>
  RestoreEtcdSnapshot: MethodDefinition<_belay_v1_RestoreEtcdSnapshotChunk, _belay_v1_RestoreEtcdSnapshotResponse, _belay_v1_RestoreEtcdSnapshotChunk__Output, _belay_v1_RestoreEtcdSnapshotResponse__Output>
  RollbackManifest: MethodDefinition<_belay_v1_RollbackManifestRequest, _belay_v1_ApplyManifestResponse, _belay_v1_RollbackManifestRequest__Output, _belay_v1_ApplyManifestResponse__Output>
  SetBalancerServer: MethodDefinition<_belay_v1_SetBalancerServerRequest, _belay_v1_BalancerServersResponse, _belay_v1_SetBalancerServerRequest__Output, _belay_v1_BalancerServersResponse__Output>
  SetSupervision: MethodDefinition<_belay_v1_SetSupervisionRequest, _belay_v1_ServiceStatus, _belay_v1_SetSupervisionRequest__Output, _belay_v1_ServiceStatus__Output>
  SyncBalancerServers: MethodDefinition<_belay_v1_SyncBalancerServersRequest, _belay_v1_SyncBalancerServersResponse, _belay_v1_SyncBalancerServersRequest__Output, _belay_v1_SyncBalancerServersResponse__Output>
  WritePki: MethodDefinition<_belay_v1_WritePkiRequest, _belay_v1_WritePkiResponse, _belay_v1_WritePkiRequest__Output, _belay_v1_WritePkiResponse__Output>
}
