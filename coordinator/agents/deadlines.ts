import type { AgentDefinition } from '../../proto/gen/belay/v1/Agent.js';

/** Every method of belay.v1.Agent (the generated definition without grpc's index signature): a method added to the proto must get its deadline below. */
export type AgentMethod = keyof { [K in keyof AgentDefinition as string extends K ? never : K]: unknown };

/**
 * How long the coordinator waits for each agent method, ms: one table for
 * every caller. A call that needs another bound says so where it is made
 * (`{ timeoutMs }`); today that is only the reconciler stopping a removed
 * member's etcd (5 s: best effort, its master may be down).
 */
export const AGENT_DEADLINES_MS: Record<AgentMethod, number> = {
  /** A fresh report: the agent re-measures its disk when asked (refresh). */
  GetReport: 10_000,
  SetSupervision: 30_000,
  GetManifest: 30_000,
  ApplyManifest: 30_000,
  RemoveManifest: 30_000,
  RollbackManifest: 30_000,
  ManifestHistory: 30_000,
  WritePki: 30_000,
  ArchiveEtcdData: 30_000,
  /** The whole snapshot goes up the stream and is restored into a data dir (`etcdutl snapshot restore`). */
  RestoreEtcdSnapshot: 600_000,
  /**
   * A few dozen small files, read in milliseconds: longer means the agent or its disk is stuck and the
   * master is reported unreachable. Under belayctl's default --timeout (10 s), so that `pki check` still
   * reports the other masters.
   */
  ReadPki: 5_000,
  /** Observed by every rollout pass: a balancer that does not answer soon is shown as not answering. */
  BalancerServers: 5_000,
  SetBalancerServer: 10_000,
  SyncBalancerServers: 10_000,
};
