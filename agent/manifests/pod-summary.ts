/**
 * What can be read of a pod for the inventory (name, namespace, containers
 * with their probes in one line each, hostPath volumes), best effort: also
 * for invalid manifests. Pure.
 */
import type { ContainerInfo__Output as ContainerInfo } from '../../proto/gen/belay/v1/ContainerInfo.js';
import type { HostPathVolume__Output as HostPathVolume } from '../../proto/gen/belay/v1/HostPathVolume.js';
import { isRecord } from './problems.js';
import { PROBE_HANDLERS, PROBE_KINDS, list, present } from './static-pod-rules.js';

export interface PodSummary {
  /** '' when unknown. */
  podName: string;
  /** metadata.namespace, "default" when absent (as kubelet does); '' when unknown. */
  namespace: string;
  /** spec.containers, as far as they could be read (also when not valid). */
  containers: ContainerInfo[];
  hostPaths: HostPathVolume[];
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function texts(v: unknown): string[] {
  return list(v)
    .filter((x): x is string | number | boolean => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean')
    .map((x) => String(x));
}

/** What can be read of the pod, best effort: also for invalid manifests. */
export function summarizePod(value: unknown): PodSummary {
  const pod = isRecord(value) ? value : {};
  const metadata = isRecord(pod.metadata) ? pod.metadata : {};
  const spec = isRecord(pod.spec) ? pod.spec : {};
  const ns = metadata.namespace;
  const namespace = typeof ns === 'string' && ns !== '' ? ns : isRecord(value) && (ns === undefined || ns === null || ns === '') ? 'default' : '';
  const containers = list(spec.containers)
    .filter(isRecord)
    .map((c) => ({
      name: str(c.name),
      image: str(c.image),
      command: texts(c.command),
      args: texts(c.args),
      probes: PROBE_KINDS.filter((k) => isRecord(c[k])).map((k) => describeProbe(k, c[k] as Record<string, unknown>)),
    }));
  const hostPaths = list(spec.volumes)
    .filter(isRecord)
    .filter((v) => isRecord(v.hostPath))
    .map((v) => ({ name: str(v.name), path: str((v.hostPath as Record<string, unknown>).path) }));
  return { podName: str(metadata.name), namespace, containers, hostPaths };
}

function seconds(v: unknown, fallback: number): number {
  // Zero and absent are the defaults after defaulting (SetDefaults_Probe).
  return typeof v === 'number' && v !== 0 ? v : fallback;
}

/** One line, e.g. "liveness: httpGet http://127.0.0.1:2381/health every 10s timeout 15s failure 8 delay 10s". */
function describeProbe(kind: (typeof PROBE_KINDS)[number], p: Record<string, unknown>): string {
  const name = kind.replace(/Probe$/, '');
  const handlers = PROBE_HANDLERS.filter((h) => present(p[h]));
  let handler: string;
  if (handlers.length !== 1) {
    handler = handlers.length === 0 ? 'no handler' : `${handlers.length} handlers (${handlers.join(', ')})`;
  } else {
    const h = handlers[0] ?? 'exec';
    const body = isRecord(p[h]) ? p[h] : {};
    const host = typeof body.host === 'string' && body.host !== '' ? body.host : '<pod IP>';
    const port = typeof body.port === 'number' || typeof body.port === 'string' ? String(body.port) : '?';
    if (h === 'httpGet') {
      const scheme = body.scheme === 'HTTPS' ? 'https' : 'http';
      const path = typeof body.path === 'string' && body.path !== '' ? (body.path.startsWith('/') ? body.path : `/${body.path}`) : '/';
      handler = `httpGet ${scheme}://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}${path}`;
    } else if (h === 'tcpSocket') {
      handler = `tcpSocket ${host}:${port}`;
    } else if (h === 'grpc') {
      handler = `grpc <pod IP>:${port}${typeof body.service === 'string' && body.service !== '' ? ` service ${body.service}` : ''}`;
    } else {
      handler = `exec [${texts(body.command).join(' ')}]`;
    }
  }
  let line = `${name}: ${handler} every ${seconds(p.periodSeconds, 10)}s timeout ${seconds(p.timeoutSeconds, 1)}s failure ${seconds(p.failureThreshold, 3)}`;
  const success = seconds(p.successThreshold, 1);
  if (success !== 1) line += ` success ${success}`;
  const delay = seconds(p.initialDelaySeconds, 0);
  if (delay !== 0) line += ` delay ${delay}s`;
  return line;
}
