// What a coordinator tells the others about its master, as gossip tags: small
// (a few hundred bytes, piggybacked on probes) and changing only when a health
// verdict changes, so that it is not a stream of new incarnations. The age of
// the agent's report is computed by the reader from report_at_ms. Pure.
import type { HostReport__Output } from '../../proto/gen/belay/v1/HostReport.js';
import type { ServiceStatus__Output } from '../../proto/gen/belay/v1/ServiceStatus.js';

export type Health = 'healthy' | 'unhealthy' | 'absent';

/** Tag keys; `api` (the coordinator's gRPC address) is set beside them. */
export const SUMMARY_KEYS = ['kubelet', 'runtime', 'etcd', 'apiserver', 'etcd_free_bytes', 'report_at_ms', 'agent'] as const;

/** Free space is rounded to this step so that ordinary writes do not change the summary, bytes. */
const FREE_STEP = 64 * 1024 * 1024;

function serviceHealth(services: readonly ServiceStatus__Output[], match: (name: string) => boolean): Health {
  const found = services.filter((s) => match(s.name));
  if (found.length === 0) return 'absent';
  return found.every((s) => (s.state === 'running' && s.healthy) || s.ready) ? 'healthy' : 'unhealthy';
}

export function summarize(report: HostReport__Output | undefined, agentConnected: boolean): Record<string, string> {
  if (!report)
    return { agent: 'disconnected', kubelet: 'absent', runtime: 'absent', etcd: 'absent', apiserver: 'absent', etcd_free_bytes: '', report_at_ms: '0' };
  const svc = report.services;
  const pod =
    (p: string) =>
    (n: string): boolean =>
      n.startsWith(`${p}/`);
  const etcdFs = report.filesystems.find((f) => f.holdsEtcdData);
  const processHealth = (name: string, fromPods: Health): Health =>
    fromPods !== 'absent' ? fromPods : report.processes.some((p) => p.name === name && p.pid > 0) ? 'healthy' : 'absent';
  return {
    agent: agentConnected ? 'connected' : 'disconnected',
    kubelet: serviceHealth(svc, (n) => n === 'kubelet'),
    runtime: serviceHealth(svc, (n) => n === 'containerd' || n === 'docker'),
    etcd: processHealth('etcd', serviceHealth(svc, pod('etcd'))),
    apiserver: processHealth('kube-apiserver', serviceHealth(svc, pod('kube-apiserver'))),
    etcd_free_bytes: etcdFs ? String(Math.floor(Number(etcdFs.availableBytes) / FREE_STEP) * FREE_STEP) : '',
    // Rounded to 30 s: a live agent refreshes it twice a minute, a dead one's age grows on every reader.
    report_at_ms: String(Math.floor(Number(report.collectedAtMs) / 30_000) * 30_000),
  };
}
