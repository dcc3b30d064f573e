import { z } from 'zod';
import { absPath } from '../../proto/common/daemon-config.js';
import { POLICY_DEFAULTS, type PolicyConfig } from './policy-config.js';
import { CONTAINERD_CHECK, DOCKER_CHECK, KUBELET_CHECK, type HealthCheck } from './probes.js';
import type { ReadinessProbe } from './readiness.js';

/**
 * Supervised services in the agent config (`services:`). Host paths (pidfile,
 * unix sockets) are taken under --root like every other path.
 */

export type LivenessMode = 'child' | 'pidfile' | 'process' | 'systemd';

export const SUPERVISOR_DEFAULTS = {
  /** Non-child modes: how often liveness is polled, ms. A kill is seen within one interval. */
  pollIntervalMs: 1_000,
  /** A health check that has not answered by then failed, ms. Below checkIntervalMs × failureThreshold so that a hang is acted on in ~2 s. */
  checkTimeoutMs: 750,
  /** How often the service's CPU and RSS are sampled against maxCpuPercent / maxRssBytes, ms. */
  resourceIntervalMs: 5_000,
} as const;

const ms = (what: string) =>
  z
    .number({ message: `must be a number of ms (${what})` })
    .int({ message: 'must be a whole number of ms' })
    .min(0, { message: 'must be 0 or more' });
const command = z
  .array(z.string().min(1, { message: 'must not be empty' }), { message: 'must be a list: [binary, arg, ...]' })
  .min(1, { message: 'must name a binary, e.g. [containerd]' });

const health = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('http'),
      url: z.string().regex(/^https?:\/\//, { message: 'must be an http:// or https:// URL' }),
      expectStatus: z.array(z.number().int()).optional(),
      insecureSkipVerify: z.boolean().optional(),
    }),
    z.strictObject({
      type: z.literal('unix-http'),
      socket: absPath,
      path: z.string().startsWith('/', { message: 'must start with /, e.g. /_ping' }),
      expectStatus: z.array(z.number().int()).optional(),
    }),
    z.strictObject({ type: z.literal('tcp'), host: z.string().min(1), port: z.number().int().min(1).max(65535, { message: 'must be a port 1-65535' }) }),
    z.strictObject({
      type: z.literal('grpc-unix'),
      socket: absPath,
      method: z.string().regex(/^\/[\w.]+\/\w+$/, { message: 'must be /package.Service/Method' }),
    }),
    z.strictObject({ type: z.literal('exec'), command, env: z.record(z.string(), z.string()).optional() }),
  ],
  { message: 'must have type http, unix-http, tcp, grpc-unix or exec' },
);

export const serviceSchema = z
  .strictObject({
    /** true, false, or auto: only when present on the host (its unit, binary or pidfile exists). */
    enabled: z.union([z.boolean(), z.literal('auto')], { message: 'must be true, false or auto' }).default(true),
    mode: z.enum(['child', 'pidfile', 'process', 'systemd'], { message: 'must be child, pidfile, process or systemd' }),
    /** child: what is spawned. pidfile/process: the start command (it may daemonize). */
    command: command.optional(),
    env: z.record(z.string(), z.string(), { message: 'must map names to strings' }).optional(),
    cwd: absPath.optional(),
    pidfile: absPath.optional(),
    /** process mode: the executable's name (as in /proc/PID/comm, or the basename of its path). */
    processName: z.string().min(1).optional(),
    unit: z
      .string()
      .regex(/^[\w@:.\\-]+\.service$/, { message: 'must be a unit name like kubelet.service' })
      .optional(),
    /** Instead of SIGTERM, run this to stop the service (e.g. [dockerd-ctl, stop]); SIGKILL after stopTimeoutMs still applies. */
    stopCommand: command.optional(),
    /** process: signal the main process only (containerd: its shims and containers must live on); group: its whole process group. */
    killMode: z.enum(['process', 'group'], { message: 'must be process or group' }).default('process'),
    health: health.optional(),
    dependsOn: z.array(z.string()).default([]),
    checkIntervalMs: ms('between health checks').min(50, { message: 'must be at least 50 ms' }).optional(),
    startupCheckIntervalMs: ms('between health checks while starting').min(10, { message: 'must be at least 10 ms' }).optional(),
    checkTimeoutMs: ms('health check timeout').min(10, { message: 'must be at least 10 ms' }).optional(),
    failureThreshold: z.number().int().min(1, { message: 'must be at least 1' }).optional(),
    startupGraceMs: ms('start-up grace').optional(),
    startTimeoutMs: ms('start timeout').optional(),
    stopTimeoutMs: ms('SIGTERM to SIGKILL').optional(),
    pollIntervalMs: ms('liveness poll').min(50, { message: 'must be at least 50 ms' }).optional(),
    backoffInitialMs: ms('first backoff').optional(),
    backoffMaxMs: ms('backoff cap').optional(),
    budgetRestarts: z.number().int().min(1).optional(),
    budgetWindowMs: ms('restart budget window').optional(),
    healthyResetMs: ms('healthy time that resets the backoff').optional(),
    maxRssBytes: z.number().int().min(0).optional(),
    maxCpuPercent: z.number().min(0).optional(),
  })
  .superRefine((s, ctx) => {
    const need = (field: keyof typeof s, why: string): void => {
      if (s[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `is required ${why}` });
    };
    if (s.mode === 'child') need('command', 'in child mode: the command the agent spawns');
    if (s.mode === 'pidfile') need('pidfile', 'in pidfile mode');
    if (s.mode === 'process') need('processName', 'in process mode: the executable name to look for');
    if (s.mode === 'systemd') need('unit', 'in systemd mode, e.g. kubelet.service');
    if ((s.mode === 'pidfile' || s.mode === 'process') && s.command === undefined)
      ctx.addIssue({ code: 'custom', path: ['command'], message: `is required in ${s.mode} mode: the command that starts the service` });
  });

export type ServiceConfigInput = z.input<typeof serviceSchema>;

/** Shipped defaults (enabled: auto — only where the unit exists): the guide's kubelet and container runtime. */
export const SHIPPED_SERVICES: Record<string, ServiceConfigInput> = {
  containerd: { enabled: 'auto', mode: 'systemd', unit: 'containerd.service', health: CONTAINERD_CHECK },
  docker: { enabled: 'auto', mode: 'systemd', unit: 'docker.service', health: DOCKER_CHECK },
  kubelet: { enabled: 'auto', mode: 'systemd', unit: 'kubelet.service', health: KUBELET_CHECK, dependsOn: ['containerd', 'docker'] },
};

export const servicesSchema = z.record(z.string().regex(/^[a-z0-9][-a-z0-9]*$/, { message: 'service names are lowercase words, e.g. kubelet' }), serviceSchema);

/** A service as the supervisor runs it: policy resolved, host paths under --root. */
export interface ServiceDef {
  name: string;
  enabled: boolean | 'auto';
  mode: LivenessMode;
  command?: string[];
  env?: Record<string, string>;
  cwd?: string;
  pidfile?: string;
  processName?: string;
  unit?: string;
  killMode: 'process' | 'group';
  stopCommand?: string[];
  health?: HealthCheck;
  /** Host runtime: the container's readiness probe (reported; never restarts anything). */
  readiness?: ReadinessProbe;
  dependsOn: string[];
  policy: PolicyConfig;
  checkTimeoutMs: number;
  pollIntervalMs: number;
  /** Where a child's stdout and stderr go; default <logDir>/<name>.log. */
  logFile?: string;
  /**
   * Asked before every start: a reason makes the start fail with it (and back off, as a failed start does).
   * The host runtime gives etcd's containers the etcd data dir guard (agent/etcd/data-guard.ts).
   */
  startGate?: () => Promise<string | undefined>;
}

type Parsed = z.output<typeof serviceSchema>;

/** Resolves parsed services: policy defaults filled in, host paths under `host()` (the --root mapper). */
export function resolveServices(parsed: Record<string, Parsed>, host: (p: string) => string): ServiceDef[] {
  return Object.entries(parsed).map(([name, s]) => {
    const policy: PolicyConfig = { ...POLICY_DEFAULTS };
    for (const k of Object.keys(POLICY_DEFAULTS) as (keyof PolicyConfig)[]) {
      const v = (s as Record<string, unknown>)[k];
      if (typeof v === 'number') policy[k] = v;
    }
    const hc = s.health;
    const healthCheck: HealthCheck | undefined =
      hc === undefined ? undefined : hc.type === 'unix-http' || hc.type === 'grpc-unix' ? { ...hc, socket: host(hc.socket) } : hc;
    return {
      name,
      enabled: s.enabled,
      mode: s.mode,
      ...(s.command ? { command: s.command } : {}),
      ...(s.env ? { env: s.env } : {}),
      ...(s.cwd ? { cwd: host(s.cwd) } : {}),
      ...(s.pidfile ? { pidfile: host(s.pidfile) } : {}),
      ...(s.processName ? { processName: s.processName } : {}),
      ...(s.unit ? { unit: s.unit } : {}),
      killMode: s.killMode,
      ...(s.stopCommand ? { stopCommand: s.stopCommand } : {}),
      ...(healthCheck ? { health: healthCheck } : {}),
      dependsOn: s.dependsOn,
      policy,
      checkTimeoutMs: s.checkTimeoutMs ?? SUPERVISOR_DEFAULTS.checkTimeoutMs,
      pollIntervalMs: s.pollIntervalMs ?? SUPERVISOR_DEFAULTS.pollIntervalMs,
    };
  });
}
