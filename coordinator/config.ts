import { z } from 'zod';
import { readYamlFile, validate } from '../proto/common/config-file.js';
import { absPath, commonFields, hostPort, nodeRef, tlsPaths } from '../proto/common/daemon-config.js';
import { SWIM_LAN, SWIM_WAN, type SwimConfig } from './swim/config.js';
import { SEAL_OVERHEAD_BYTES } from './transport/seal.js';

export const COORDINATOR_DEFAULTS = {
  /** gRPC port of belay.v1.Coordinator, on node.address. */
  port: 7702,
  /** Prometheus /metrics port, on node.address. */
  metricsPort: 7712,
  /** Port of every master's belay-agent (at its address in nodes), for commands forwarded to it. */
  agentPort: 7701,
  /** UDP port of the gossip (SWIM) traffic, on node.address. */
  gossipPort: 7703,
  /** The cluster gossip key (base64 of 32 bytes), read when there is no keyring yet. */
  gossipKeyFile: '/etc/belay/gossip.key',
  /** The keyring (every installed key, the primary first), kept across restarts and rotations. */
  gossipKeyringFile: '/var/lib/belay/gossip/keyring.json',
} as const;

const ms = z.number({ message: 'must be a number of ms' }).int({ message: 'must be a whole number of ms' }).min(1, { message: 'must be at least 1 ms' });
const count = z.number({ message: 'must be a number' }).int({ message: 'must be a whole number' }).min(0, { message: 'must be 0 or more' });

/** Every SwimConfig field may be overridden; the profile gives the rest (see coordinator/swim/config.ts for each field's effect). */
const swimOverrides = {
  probeIntervalMs: ms.optional(),
  probeTimeoutMs: ms.optional(),
  indirectChecks: count.optional(),
  suspicionMult: count.optional(),
  suspicionMinMult: z.number().positive({ message: 'must be above 0' }).optional(),
  suspicionMinFloor: z.number().min(0).optional(),
  suspicionMaxTimeoutMult: z.number().min(1, { message: 'must be at least 1' }).optional(),
  gossipIntervalMs: ms.optional(),
  gossipNodes: count.optional(),
  retransmitMult: count.optional(),
  pushPullIntervalMs: ms.optional(),
  smallClusterMax: count.optional(),
  smallClusterPushPullMs: ms.optional(),
  deliverMaxTries: count.optional(),
  joinRetryMs: ms.optional(),
  reconnectIntervalMs: ms.optional(),
  awarenessMax: count.optional(),
};

const gossipSchema = z
  .strictObject({
    /** false: no gossip (this coordinator sees only the agents that report to it). */
    enabled: z.boolean().default(true),
    port: z
      .number({ message: 'must be a port number' })
      .int()
      .min(1, { message: 'must be 1 to 65535' })
      .max(65535, { message: 'must be 1 to 65535' })
      .default(COORDINATOR_DEFAULTS.gossipPort),
    /** lan (memberlist's LAN defaults, tuned for 3–7 masters) or wan. */
    profile: z.enum(['lan', 'wan'], { message: 'must be lan or wan' }).default('lan'),
    /** gRPC addresses (HOST:PORT) of coordinators to join through; default: every other master in nodes. */
    seeds: z.array(hostPort).optional(),
    keyFile: absPath.default(COORDINATOR_DEFAULTS.gossipKeyFile),
    keyringFile: absPath.default(COORDINATOR_DEFAULTS.gossipKeyringFile),
    /** Largest gossip datagram, sealed, bytes. */
    mtu: z.number().int().min(508, { message: 'must be at least 508 bytes' }).max(65_507, { message: 'must be at most 65507 bytes' }).default(1_400),
    /** Largest clock difference between masters a packet survives (replay protection), ms. */
    replayWindowMs: ms.default(60_000),
    ...swimOverrides,
  })
  .default({
    enabled: true,
    port: COORDINATOR_DEFAULTS.gossipPort,
    profile: 'lan',
    keyFile: COORDINATOR_DEFAULTS.gossipKeyFile,
    keyringFile: COORDINATOR_DEFAULTS.gossipKeyringFile,
    mtu: 1_400,
    replayWindowMs: 60_000,
  });

const schema = z
  .strictObject({
    ...commonFields,
    listen: hostPort.optional(),
    metrics: z.strictObject({ listen: hostPort.optional() }).default({}),
    nodes: z.array(nodeRef).min(1, { message: 'must list at least this master' }).optional(),
    gossip: gossipSchema,
    agentPort: z
      .number({ message: 'must be a port number' })
      .int({ message: 'must be a whole number' })
      .min(1, { message: 'must be 1 to 65535' })
      .max(65535, { message: 'must be 1 to 65535' })
      .default(COORDINATOR_DEFAULTS.agentPort),
  })
  .superRefine((c, ctx) => {
    const names = new Set<string>();
    for (const [i, n] of (c.nodes ?? []).entries()) {
      if (names.has(n.name)) ctx.addIssue({ code: 'custom', path: ['nodes', i, 'name'], message: `master ${n.name} is listed twice: remove one` });
      names.add(n.name);
    }
    if (c.nodes && !names.has(c.node.name)) {
      ctx.addIssue({
        code: 'custom',
        path: ['nodes'],
        message: `must include this master (${c.node.name}): add { name: ${c.node.name}, address: ${c.node.address} }`,
      });
    }
  });

export type CoordinatorConfigFile = z.input<typeof schema>;

export interface CoordinatorConfig {
  node: { name: string; address: string };
  listen: string;
  metricsListen: string;
  /** Masters whose agents may report here (by certificate name). */
  nodes: { name: string; address: string }[];
  /** Port of the masters' agents. */
  agentPort: number;
  tls: { ca: string; cert: string; key: string };
  insecure: boolean;
  maxMessageBytes: number;
  shutdownGraceMs: number;
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  gossip: GossipConfig;
}

export interface GossipConfig {
  enabled: boolean;
  listen: { host: string; port: number };
  seeds: string[];
  keyFile: string;
  keyringFile: string;
  mtu: number;
  replayWindowMs: number;
  swim: SwimConfig;
}

export function parseCoordinatorConfig(file: string, input: unknown): CoordinatorConfig {
  const c = validate(file, schema, input);
  const at = (port: number): string => `${c.node.address.includes(':') ? `[${c.node.address}]` : c.node.address}:${port}`;
  return Object.freeze({
    node: c.node,
    listen: c.listen ?? at(COORDINATOR_DEFAULTS.port),
    metricsListen: c.metrics.listen ?? at(COORDINATOR_DEFAULTS.metricsPort),
    nodes: c.nodes ?? [c.node],
    agentPort: c.agentPort,
    tls: tlsPaths(c.tls, c.node.name),
    insecure: c.insecure,
    maxMessageBytes: c.maxMessageBytes,
    shutdownGraceMs: c.shutdownGraceMs,
    logLevel: c.logLevel,
    gossip: resolveGossip(c.gossip, c.node, c.nodes ?? [c.node]),
  });
}

function resolveGossip(g: z.output<typeof gossipSchema>, self: { name: string; address: string }, nodes: { name: string; address: string }[]): GossipConfig {
  const { enabled, port, profile, seeds, keyFile, keyringFile, mtu, replayWindowMs, ...overrides } = g;
  const bracket = (a: string): string => (a.includes(':') ? `[${a}]` : a);
  const base = profile === 'wan' ? SWIM_WAN : SWIM_LAN;
  const swim: SwimConfig = { ...base, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
  return {
    enabled,
    listen: { host: self.address, port },
    seeds: seeds ?? nodes.filter((n) => n.name !== self.name).map((n) => `${bracket(n.address)}:${COORDINATOR_DEFAULTS.port}`),
    keyFile,
    keyringFile,
    mtu,
    replayWindowMs,
    // The core budgets packets before sealing: leave room for the seal (codec/seal overhead).
    swim: { ...swim, mtu: mtu - SEAL_OVERHEAD_BYTES },
  };
}

export function loadCoordinatorConfig(file: string): CoordinatorConfig {
  return parseCoordinatorConfig(file, readYamlFile(file));
}
