import fs from 'node:fs/promises';
import https from 'node:https';
import { errorText } from '../../proto/common/errors.js';
import type { Logger } from '../../proto/common/log.js';
import type { RaisedEvent } from '../report/events.js';
import type { ManifestInventory } from './inventory.js';

/**
 * The `kubelet` runtime's view of its pods: what kubelet itself says on its
 * authenticated `GET /pods` (port 10250), polled while there are manifests.
 * kubelet is the authority on which static pod runs and whether it is Ready,
 * and answers while the local apiserver is down (the apiserver's mirror pods,
 * which kubeadm upgrade reads, do not). A rollout must tell the old pod from
 * the new one, since the old stays Ready until kubelet notices the file and
 * replaces it: the pod runs a manifest when its containers (name, image,
 * command, args, env) and the manifest's annotations are as written, which
 * kubelet keeps as they are (its config hash cannot be computed outside it).
 */

export interface KubeletApiConfig {
  /** kubelet's pods endpoint. */
  podsUrl: string;
  /** kubelet's serving certificate (self-signed unless serverTLSBootstrap): pinned, so its hostnames are not checked. */
  servingCert: string;
  /** A client certificate kubelet's --client-ca-file accepts (the apiserver's kubelet client, which belay issues). */
  clientCert: string;
  clientKey: string;
  /** kubelet's node name: a static pod is named `NAME-NODE`. */
  nodeName: string;
  pollIntervalMs: number;
}

export const KUBELET_API_DEFAULTS = {
  podsUrl: 'https://127.0.0.1:10250/pods',
  servingCert: '/var/lib/kubelet/pki/kubelet.crt',
  clientCert: '/etc/kubernetes/pki/apiserver-kubelet-client.crt',
  clientKey: '/etc/kubernetes/pki/apiserver-kubelet-client.key',
  pollIntervalMs: 500,
} as const;

/** The parts of a kubelet pod belay reads. */
export interface KubeletPod {
  metadata?: { name?: string; namespace?: string; uid?: string; annotations?: Record<string, string> };
  spec?: { containers?: KubeletContainer[] };
  status?: {
    phase?: string;
    conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
    containerStatuses?: {
      name?: string;
      ready?: boolean;
      restartCount?: number;
      state?: { waiting?: { reason?: string }; terminated?: { reason?: string; exitCode?: number }; running?: unknown };
    }[];
  };
}

interface KubeletContainer {
  name?: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: { name?: string; value?: string }[];
}

interface ManifestPod {
  metadata?: { name?: string; namespace?: string; annotations?: Record<string, string> };
  spec?: { containers?: KubeletContainer[] };
}

export interface PodStatus {
  podPhase: string;
  podReady: boolean;
  podNotReadyReason: string;
  runningSha256: string;
  podReadyForMs: number;
}

const CONFIG_SOURCE = 'kubernetes.io/config.source';
const CONFIG_HASH = 'kubernetes.io/config.hash';
/** A poll older than this says nothing about now. */
const STALE_MS = 5_000;
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
const REQUEST_TIMEOUT_MS = 2_000;

const same = (a: readonly string[] | undefined, b: readonly string[] | undefined): boolean =>
  (a ?? []).length === (b ?? []).length && (a ?? []).every((x, i) => x === b?.[i]);
const envOf = (c: KubeletContainer): string[] => (c.env ?? []).map((e) => `${e.name ?? ''}=${e.value ?? ''}`).sort();

/** kubelet runs `manifest` as written: same containers (name, image, command, args, env) and the manifest's annotations. */
export function runsManifest(pod: KubeletPod, manifest: ManifestPod): boolean {
  const want = manifest.spec?.containers ?? [];
  const have = pod.spec?.containers ?? [];
  if (want.length === 0 || want.length !== have.length) return false;
  for (const w of want) {
    const h = have.find((c) => c.name === w.name);
    if (!h || h.image !== w.image || !same(h.command, w.command) || !same(h.args, w.args) || !same(envOf(h), envOf(w))) return false;
  }
  const annotations = pod.metadata?.annotations ?? {};
  return Object.entries(manifest.metadata?.annotations ?? {}).every(([k, v]) => annotations[k] === v);
}

/**
 * kubelet's pods from this manifest: file-sourced, in its namespace, named
 * `NAME-NODE`, or `NAME-...` when kubelet's node name is not belay's (a
 * hostname override). While kubelet replaces a pod there are two.
 */
export function podsOfManifest(pods: readonly KubeletPod[], manifest: ManifestPod, nodeName: string): KubeletPod[] {
  const name = manifest.metadata?.name ?? '';
  const ns = manifest.metadata?.namespace ?? 'default';
  const fromFile = pods.filter((p) => p.metadata?.annotations?.[CONFIG_SOURCE] === 'file' && (p.metadata.namespace ?? 'default') === ns);
  const exact = fromFile.filter((p) => p.metadata?.name === `${name}-${nodeName}`);
  return exact.length > 0 ? exact : fromFile.filter((p) => p.metadata?.name?.startsWith(`${name}-`) && runsManifest(p, manifest));
}

function isReady(p: KubeletPod): boolean {
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

function notReadyReason(p: KubeletPod): string {
  const containers = (p.status?.containerStatuses ?? [])
    .filter((c) => !c.ready)
    .map(
      (c) =>
        `${c.name ?? '?'}: ${c.state?.waiting?.reason ?? (c.state?.terminated ? `${c.state.terminated.reason ?? 'terminated'} (exit ${c.state.terminated.exitCode ?? '?'})` : 'not ready')}`,
    );
  if (containers.length > 0) return containers.join('; ');
  const cond = p.status?.conditions?.find((c) => c.type === 'Ready');
  return cond?.message ?? cond?.reason ?? 'not ready';
}

/**
 * A manifest's pod as kubelet reports it (pure). runningSha256 is the
 * manifest's sha when kubelet runs it as written, `kubelet:HASH` when it runs
 * something else from that file (the old version), empty when none.
 */
export function kubeletPodStatus(manifest: ManifestPod, sha256: string, pods: readonly KubeletPod[], nodeName: string): Omit<PodStatus, 'podReadyForMs'> {
  const mine = podsOfManifest(pods, manifest, nodeName);
  const current = mine.find((p) => runsManifest(p, manifest));
  const pod = current ?? mine[0];
  if (!pod) return { podPhase: 'Pending', podReady: false, podNotReadyReason: 'kubelet runs no pod from this manifest yet', runningSha256: '' };
  const ready = isReady(pod);
  return {
    podPhase: pod.status?.phase ?? 'Unknown',
    podReady: ready,
    podNotReadyReason: ready ? '' : current ? notReadyReason(pod) : 'kubelet still runs the previous version of this manifest',
    runningSha256: current ? sha256 : `kubelet:${pod.metadata?.annotations?.[CONFIG_HASH] ?? pod.metadata?.uid ?? 'unknown'}`,
  };
}

/** Polls kubelet's /pods and keeps each manifest's pod status, with since when it has been ready. */
export class KubeletPods {
  private last: { atMs: number; pods: KubeletPod[] } | undefined;
  private lastError = '';
  private readonly status = new Map<string, Omit<PodStatus, 'podReadyForMs'>>();
  private readonly readySince = new Map<string, { runningSha256: string; atMs: number }>();
  private timer: NodeJS.Timeout | undefined;
  private agent: { key: string; agent: https.Agent } | undefined;
  private stopped = false;

  constructor(
    private readonly d: {
      inventory: ManifestInventory;
      cfg: KubeletApiConfig;
      /** A host path under --root. */
      host(p: string): string;
      log: Logger;
      raise(e: RaisedEvent): void;
      nowMs?: () => number;
    },
  ) {}

  start(): void {
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.dropConnection();
  }

  /** The agent wrote a manifest: look sooner than the next poll. */
  applyNow(): void {
    this.schedule(100);
  }

  podStatus(file: string, nowMs = this.now()): PodStatus {
    const s = this.status.get(file);
    if (!this.last || nowMs - this.last.atMs > STALE_MS || !s) {
      return {
        podPhase: 'Unknown',
        podReady: false,
        podNotReadyReason: `kubelet's pods unknown: ${this.lastError || 'not asked yet'}`,
        runningSha256: '',
        podReadyForMs: 0,
      };
    }
    const since = this.readySince.get(file);
    return { ...s, podReadyForMs: s.podReady && since ? Math.max(0, nowMs - since.atMs) : 0 };
  }

  /** One poll (exported for tests): asks kubelet and updates every manifest's status. */
  async poll(): Promise<void> {
    const manifests = this.d.inventory.list().filter((m) => m.valid);
    if (manifests.length === 0) return;
    let pods: KubeletPod[];
    try {
      pods = await this.fetchPods();
      this.last = { atMs: this.now(), pods };
      this.lastError = '';
    } catch (err) {
      const message = errorText(err);
      if (message !== this.lastError)
        this.d.log.warn("cannot read kubelet's pods", {
          url: this.d.cfg.podsUrl,
          err: message,
          hint: "is kubelet running, and does its --client-ca-file accept the apiserver's kubelet client certificate?",
        });
      this.lastError = message;
      return;
    }
    const now = this.now();
    for (const m of manifests) {
      const parsed = this.d.inventory.byFile(m.file)?.parsed.pod as ManifestPod | undefined;
      if (!parsed) continue;
      const next = kubeletPodStatus(parsed, m.sha256, pods, this.d.cfg.nodeName);
      const prev = this.status.get(m.file);
      this.status.set(m.file, next);
      const since = this.readySince.get(m.file);
      if (!next.podReady || since?.runningSha256 !== next.runningSha256) this.readySince.delete(m.file);
      if (next.podReady && !this.readySince.has(m.file)) this.readySince.set(m.file, { runningSha256: next.runningSha256, atMs: now });
      if (prev?.podReady !== next.podReady || prev.runningSha256 !== next.runningSha256) {
        // An event republishes the report: a rollout learns of readiness now, not a report interval later.
        this.d.raise({
          kind: next.podReady ? 'PodReady' : 'PodNotReady',
          severity: 'info',
          message: next.podReady
            ? `kubelet's pod ${m.podName} is ready${next.runningSha256 === m.sha256 ? '' : ' (the previous version)'}`
            : `kubelet's pod ${m.podName} is not ready: ${next.podNotReadyReason}`,
          fields: { file: m.file, sha256: m.sha256, runningSha256: next.runningSha256 },
        });
      }
    }
    for (const file of this.status.keys()) {
      if (manifests.some((m) => m.file === file)) continue;
      this.status.delete(file);
      this.readySince.delete(file);
    }
  }

  private now(): number {
    return (this.d.nowMs ?? Date.now)();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.poll()
        .catch((err: unknown) => this.d.log.error('kubelet pod poll failed', { err: errorText(err) }))
        .finally(() => this.schedule(this.d.cfg.pollIntervalMs));
    }, ms);
    this.timer.unref();
  }

  private dropConnection(): void {
    this.agent?.agent.destroy();
    this.agent = undefined;
  }

  private async tlsAgent(): Promise<https.Agent> {
    const read = (p: string, what: string): Promise<string> =>
      fs.readFile(this.d.host(p), 'utf8').catch((err: unknown) => {
        throw new Error(
          `${what} ${p}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not there yet (belay writes the client certificate when it deploys the control plane)' : errorText(err)}`,
        );
      });
    // One after the other: the error names the first missing file, the same one each poll.
    const ca = await read(this.d.cfg.servingCert, 'kubelet serving certificate');
    const cert = await read(this.d.cfg.clientCert, 'client certificate');
    const key = await read(this.d.cfg.clientKey, 'client key');
    const id = ca + cert + key;
    if (this.agent?.key !== id) {
      this.dropConnection();
      // Pinned to kubelet's own certificate: the chain is verified against it, its names (a hostname, rarely 127.0.0.1) are not.
      this.agent = { key: id, agent: new https.Agent({ keepAlive: true, maxSockets: 1, ca, cert, key, checkServerIdentity: () => undefined }) };
    }
    return this.agent.agent;
  }

  private async fetchPods(): Promise<KubeletPod[]> {
    const agent = await this.tlsAgent();
    const body = await new Promise<string>((resolve, reject) => {
      const req = https.get(this.d.cfg.podsUrl, { agent, timeout: REQUEST_TIMEOUT_MS }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE_BYTES) req.destroy(new Error(`answer over ${MAX_RESPONSE_BYTES} bytes`));
          else chunks.push(c);
        });
        res.on('end', () => {
          if (res.statusCode === 200) return resolve(Buffer.concat(chunks).toString('utf8'));
          // A kept connection is authenticated once, at its handshake (kubelet may have loaded its client CA since): a new one next time.
          if (res.statusCode === 401 || res.statusCode === 403) this.dropConnection();
          reject(
            new Error(
              `GET ${this.d.cfg.podsUrl}: HTTP ${res.statusCode ?? '?'}${res.statusCode === 401 ? ' (kubelet does not accept the client certificate: is its --client-ca-file the cluster CA?)' : ''}`,
            ),
          );
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`GET ${this.d.cfg.podsUrl}: no answer within ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', reject);
    });
    const list = JSON.parse(body) as { kind?: string; items?: KubeletPod[] };
    if (list.kind !== 'PodList' || !Array.isArray(list.items)) throw new Error(`GET ${this.d.cfg.podsUrl}: not a PodList`);
    return list.items;
  }
}
