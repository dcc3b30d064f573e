import { POLICY_DEFAULTS, type PolicyConfig } from '../supervisor/policy-config.js';
import { SUPERVISOR_DEFAULTS, type ServiceDef } from '../supervisor/config.js';
import type { HealthCheck } from '../supervisor/probes.js';

/**
 * The `host` runtime's mapping of a static pod to supervised services: each
 * container becomes a child process running its command + args (the binary
 * from PATH, the image ignored), with its env and working dir; its liveness
 * probe becomes the health check with the probe's period, timeout and
 * threshold, its startup probe (or the liveness initial delay) the start-up
 * grace, its readiness probe the container's readiness (reported, never a
 * restart), terminationGracePeriodSeconds the SIGTERM → SIGKILL time. The
 * image is not run but handed to the process as BELAY_IMAGE (stand-ins in
 * test/ report their version from its tag, as the real binary would). Pure.
 */

interface Probe {
  httpGet?: { path?: string; port?: number | string; host?: string; scheme?: string };
  tcpSocket?: { port?: number | string; host?: string };
  exec?: { command?: string[] };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
  successThreshold?: number;
}

interface Container {
  name: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string }[];
  image?: string;
  workingDir?: string;
  ports?: { name?: string; containerPort?: number }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
}

interface Pod {
  metadata: { name: string; namespace?: string };
  spec: { containers: Container[]; terminationGracePeriodSeconds?: number };
}

export interface PodServices {
  defs: ServiceDef[];
  /** Why a container cannot run under the host runtime (it is left out), for an event. */
  problems: string[];
}

/** kubelet's probe defaults (k8s.io/api core/v1). */
const PROBE_DEFAULTS = { periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3, successThreshold: 1 } as const;
const DEFAULT_GRACE_SECONDS = 30;

export function podServiceName(pod: string, container: string): string {
  return `${pod}/${container}`;
}

export function podServices(podObject: unknown, o: { host(p: string): string; logDir: string }): PodServices {
  const pod = podObject as Pod;
  const problems: string[] = [];
  const defs: ServiceDef[] = [];
  const graceMs = (pod.spec.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS) * 1000;
  for (const c of pod.spec.containers) {
    const argv = [...(c.command ?? []), ...(c.args ?? [])];
    if ((c.command ?? []).length === 0) {
      problems.push(`container ${c.name} has no command: the host runtime runs command + args from PATH and ignores the image`);
      continue;
    }
    const env: Record<string, string> = c.image ? { BELAY_IMAGE: c.image } : {};
    for (const e of c.env ?? []) {
      if (e.value === undefined) problems.push(`container ${c.name}: env ${e.name} has no value (valueFrom is not supported by the host runtime): left unset`);
      else env[e.name] = e.value;
    }
    const live = c.livenessProbe;
    const health = live ? toCheck(live, c) : undefined;
    if (live && !health)
      problems.push(`container ${c.name}: its liveness probe cannot be run on the host (a named port that is not declared?): running without a health check`);
    const policy: PolicyConfig = { ...POLICY_DEFAULTS, stopTimeoutMs: graceMs };
    if (live) {
      policy.checkIntervalMs = (live.periodSeconds ?? PROBE_DEFAULTS.periodSeconds) * 1000;
      policy.failureThreshold = live.failureThreshold ?? PROBE_DEFAULTS.failureThreshold;
    }
    // kubelet holds liveness off until the startup probe passes (or its budget runs out), or for the initial delay.
    const s = c.startupProbe;
    policy.startupGraceMs = s
      ? ((s.initialDelaySeconds ?? 0) + (s.periodSeconds ?? PROBE_DEFAULTS.periodSeconds) * (s.failureThreshold ?? PROBE_DEFAULTS.failureThreshold)) * 1000
      : Math.max(POLICY_DEFAULTS.startupGraceMs, (live?.initialDelaySeconds ?? 0) * 1000);
    const ready = c.readinessProbe;
    const readyCheck = ready ? toCheck(ready, c) : undefined;
    if (ready && !readyCheck)
      problems.push(`container ${c.name}: its readiness probe cannot be run on the host (a named port that is not declared?): ready whenever it runs`);
    const name = podServiceName(pod.metadata.name, c.name);
    defs.push({
      name,
      enabled: true,
      mode: 'child',
      command: argv,
      env,
      ...(c.workingDir ? { cwd: o.host(c.workingDir) } : {}),
      // The container's processes are its process group, as a container's are its cgroup.
      killMode: 'group',
      ...(health ? { health } : {}),
      ...(ready && readyCheck
        ? {
            readiness: {
              check: readyCheck,
              initialDelayMs: (ready.initialDelaySeconds ?? 0) * 1000,
              periodMs: (ready.periodSeconds ?? PROBE_DEFAULTS.periodSeconds) * 1000,
              timeoutMs: (ready.timeoutSeconds ?? PROBE_DEFAULTS.timeoutSeconds) * 1000,
              successThreshold: ready.successThreshold ?? PROBE_DEFAULTS.successThreshold,
              failureThreshold: ready.failureThreshold ?? PROBE_DEFAULTS.failureThreshold,
            },
          }
        : {}),
      dependsOn: [],
      policy,
      checkTimeoutMs: (live?.timeoutSeconds ?? PROBE_DEFAULTS.timeoutSeconds) * 1000,
      pollIntervalMs: SUPERVISOR_DEFAULTS.pollIntervalMs,
      logFile: `${o.logDir}/${pod.metadata.namespace ?? 'default'}_${pod.metadata.name}_${c.name}.log`,
    });
  }
  return { defs, problems };
}

function toCheck(p: Probe, c: Container): HealthCheck | undefined {
  const port = (v: number | string | undefined): number | undefined => (typeof v === 'number' ? v : c.ports?.find((x) => x.name === v)?.containerPort);
  if (p.httpGet) {
    const n = port(p.httpGet.port);
    if (n === undefined) return undefined;
    const scheme = (p.httpGet.scheme ?? 'HTTP').toLowerCase();
    // Static pods run on the host network: no host means the node itself, as kubelet probes the pod IP.
    const host = p.httpGet.host ?? '127.0.0.1';
    const path = p.httpGet.path ?? '/';
    // kubelet does not verify the certificate of an HTTPS probe.
    return {
      type: 'http',
      url: `${scheme}://${host.includes(':') ? `[${host}]` : host}:${n}${path.startsWith('/') ? path : `/${path}`}`,
      ...(scheme === 'https' ? { insecureSkipVerify: true } : {}),
    };
  }
  if (p.tcpSocket) {
    const n = port(p.tcpSocket.port);
    return n === undefined ? undefined : { type: 'tcp', host: p.tcpSocket.host ?? '127.0.0.1', port: n };
  }
  if (p.exec?.command && p.exec.command.length > 0) return { type: 'exec', command: p.exec.command };
  return undefined;
}
