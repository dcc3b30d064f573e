import { z } from 'zod';
import { readYamlFile, validate } from '../proto/common/config-file.js';
import { absPath, commonFields, hostPort, tlsPaths } from '../proto/common/daemon-config.js';
import { SHIPPED_SERVICES, servicesSchema } from './supervisor/config.js';
import { LOG_ROTATION_DEFAULTS, type LogRotationConfig } from './supervisor/log-rotation.js';
import { KUBELET_API_DEFAULTS, type KubeletApiConfig } from './manifests/kubelet-pods.js';

/** Agent defaults; ports are on the master's own address (node.address). */
export const AGENT_DEFAULTS = {
  /** gRPC port of belay.v1.Agent, on node.address. */
  port: 7701,
  /** Prometheus /metrics port, on node.address. */
  metricsPort: 7711,
  /** Coordinator port the agent reports to (its own master's coordinator by default). */
  coordinatorPort: 7702,
  /** Between host reports, ms. Lower shows changes sooner and costs CPU (~40 ms of work per report). */
  reportIntervalMs: 5_000,
  /** Where etcd keeps its data (host path); its filesystem is flagged in reports. */
  etcdDataDir: '/var/lib/etcd',
} as const;

const schema = z.strictObject({
  ...commonFields,
  listen: hostPort.optional(),
  metrics: z.strictObject({ listen: hostPort.optional() }).default({}),
  coordinators: z.array(hostPort).min(1, { message: 'must list at least one coordinator HOST:PORT' }).optional(),
  report: z
    .strictObject({
      intervalMs: z
        .number({ message: 'must be a number of ms' })
        .int({ message: 'must be a whole number of ms' })
        .min(500, { message: 'must be at least 500 ms' })
        .max(600_000, { message: 'must be at most 600000 ms' })
        .default(AGENT_DEFAULTS.reportIntervalMs),
    })
    .default({ intervalMs: AGENT_DEFAULTS.reportIntervalMs }),
  etcd: z.strictObject({ dataDir: absPath.default(AGENT_DEFAULTS.etcdDataDir) }).default({ dataDir: AGENT_DEFAULTS.etcdDataDir }),
  /** kubelet: manifests are written for kubelet to run. host: the agent runs them itself as supervised host processes. */
  runtime: z.enum(['kubelet', 'host'], { message: 'must be kubelet or host' }).default('kubelet'),
  /** Under the kubelet runtime: where the agent asks kubelet which static pods run and whether they are ready. */
  kubelet: z
    .strictObject({
      podsUrl: z
        .url({ protocol: /^https$/, message: "must be an https:// URL (kubelet's authenticated port, e.g. https://127.0.0.1:10250/pods)" })
        .default(KUBELET_API_DEFAULTS.podsUrl),
      servingCert: absPath.default(KUBELET_API_DEFAULTS.servingCert),
      clientCert: absPath.default(KUBELET_API_DEFAULTS.clientCert),
      clientKey: absPath.default(KUBELET_API_DEFAULTS.clientKey),
      nodeName: z.string().min(1).optional(),
      pollIntervalMs: z
        .number()
        .int()
        .min(100, { message: 'must be at least 100 ms' })
        .max(60_000, { message: 'must be at most 60000 ms' })
        .default(KUBELET_API_DEFAULTS.pollIntervalMs),
    })
    .default({ ...KUBELET_API_DEFAULTS }),
  /** Supervised services by name; absent: the shipped kubelet, containerd and docker, each where present. */
  services: servicesSchema.optional(),
  /** Size-based rotation of /var/log/belay/services and /var/log/belay/pods (see LOG_ROTATION_DEFAULTS). */
  logRotation: z
    .strictObject({
      maxBytes: z.number().int().min(4096, { message: 'must be at least 4096 bytes' }).default(LOG_ROTATION_DEFAULTS.maxBytes),
      maxFiles: z.number().int().min(1, { message: 'must be at least 1 (the live file)' }).max(100).default(LOG_ROTATION_DEFAULTS.maxFiles),
      checkIntervalMs: z.number().int().min(100, { message: 'must be at least 100 ms' }).default(LOG_ROTATION_DEFAULTS.checkIntervalMs),
    })
    .default({ ...LOG_ROTATION_DEFAULTS }),
});

export type AgentConfigFile = z.input<typeof schema>;

export interface AgentConfig {
  node: { name: string; address: string };
  listen: string;
  metricsListen: string;
  coordinators: string[];
  tls: { ca: string; cert: string; key: string };
  insecure: boolean;
  maxMessageBytes: number;
  shutdownGraceMs: number;
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  reportIntervalMs: number;
  etcdDataDir: string;
  runtime: 'kubelet' | 'host';
  kubelet: KubeletApiConfig;
  /** Validated service definitions (host paths not yet under --root: see resolveServices). */
  services: z.output<typeof servicesSchema>;
  logRotation: LogRotationConfig;
}

/** Parses and validates an agent config; throws ConfigError with one line per problem. */
export function parseAgentConfig(file: string, input: unknown): AgentConfig {
  const c = validate(file, schema, input);
  const at = (port: number): string => `${c.node.address.includes(':') ? `[${c.node.address}]` : c.node.address}:${port}`;
  return Object.freeze({
    node: c.node,
    listen: c.listen ?? at(AGENT_DEFAULTS.port),
    metricsListen: c.metrics.listen ?? at(AGENT_DEFAULTS.metricsPort),
    coordinators: c.coordinators ?? [at(AGENT_DEFAULTS.coordinatorPort)],
    tls: tlsPaths(c.tls, c.node.name),
    insecure: c.insecure,
    maxMessageBytes: c.maxMessageBytes,
    shutdownGraceMs: c.shutdownGraceMs,
    logLevel: c.logLevel,
    reportIntervalMs: c.report.intervalMs,
    etcdDataDir: c.etcd.dataDir,
    runtime: c.runtime,
    kubelet: { ...c.kubelet, nodeName: c.kubelet.nodeName ?? c.node.name },
    services: c.services ?? validate(file, servicesSchema, SHIPPED_SERVICES),
    logRotation: c.logRotation,
  });
}

export function loadAgentConfig(file: string): AgentConfig {
  return parseAgentConfig(file, readYamlFile(file));
}
