import { z } from 'zod';
import { readYamlFile, validate } from '../proto/common/config-file.js';
import { commonFields, hostPort, nodeRef, tlsPaths } from '../proto/common/daemon-config.js';

export const COORDINATOR_DEFAULTS = {
  /** gRPC port of belay.v1.Coordinator, on node.address. */
  port: 7702,
  /** Prometheus /metrics port, on node.address. */
  metricsPort: 7712,
  /** Port of every master's belay-agent (at its address in nodes), for commands forwarded to it. */
  agentPort: 7701,
} as const;

const schema = z
  .strictObject({
    ...commonFields,
    listen: hostPort.optional(),
    metrics: z.strictObject({ listen: hostPort.optional() }).default({}),
    nodes: z.array(nodeRef).min(1, { message: 'must list at least this master' }).optional(),
    agentPort: z.number({ message: 'must be a port number' }).int({ message: 'must be a whole number' }).min(1, { message: 'must be 1 to 65535' }).max(65535, { message: 'must be 1 to 65535' }).default(COORDINATOR_DEFAULTS.agentPort),
  })
  .superRefine((c, ctx) => {
    const names = new Set<string>();
    for (const [i, n] of (c.nodes ?? []).entries()) {
      if (names.has(n.name)) ctx.addIssue({ code: 'custom', path: ['nodes', i, 'name'], message: `master ${n.name} is listed twice: remove one` });
      names.add(n.name);
    }
    if (c.nodes && !names.has(c.node.name)) {
      ctx.addIssue({ code: 'custom', path: ['nodes'], message: `must include this master (${c.node.name}): add { name: ${c.node.name}, address: ${c.node.address} }` });
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
  });
}

export function loadCoordinatorConfig(file: string): CoordinatorConfig {
  return parseCoordinatorConfig(file, readYamlFile(file));
}
