import { errorText } from '../../proto/common/errors.js';
import type { Logger } from '../../proto/common/log.js';
import type { EtcdDataStatus } from '../../proto/gen/belay/v1/EtcdDataStatus.js';
import type { RaisedEvent } from '../report/events.js';

/**
 * Under the kubelet runtime the agent cannot refuse a start: kubelet
 * restarts etcd's container by itself. So while the data dir guard holds
 * etcd back, the agent takes etcd.yaml out of the manifests dir (the store
 * keeps it in the history, nothing is lost) and kubelet stops the pod; the
 * leader writes a new etcd.yaml when it has replaced the member. Only a pod
 * that is not ready is taken out: an etcd still running on its open files
 * after its data dir was removed is a voter until it stops, and stopping it
 * could cost quorum.
 */

/** Pure: take etcd.yaml out now? */
export function takeOutEtcdManifest(i: { data: EtcdDataStatus; manifestPresent: boolean; podReady: boolean }): boolean {
  return Boolean(i.data.held) && i.manifestPresent && !i.podReady;
}

export const ETCD_MANIFEST = 'etcd.yaml';

export class KubeletEtcdHold {
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(
    private readonly d: {
      data: () => EtcdDataStatus;
      manifestPresent: () => boolean;
      podReady: () => boolean;
      remove: (file: string) => Promise<unknown>;
      log: Logger;
      raise(e: RaisedEvent): void;
      intervalMs?: number;
    },
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.d.intervalMs ?? 2_000);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One look (exported for tests). */
  async tick(): Promise<boolean> {
    if (this.busy) return false;
    const data = this.d.data();
    if (!takeOutEtcdManifest({ data, manifestPresent: this.d.manifestPresent(), podReady: this.d.podReady() })) return false;
    this.busy = true;
    try {
      await this.d.remove(ETCD_MANIFEST);
      this.d.raise({
        kind: 'EtcdManifestHeld',
        severity: 'alert',
        message: `took etcd.yaml out of the manifests dir (kept in its history) so that kubelet stops restarting etcd: ${data.reason}`,
        fields: { file: ETCD_MANIFEST, verdict: data.verdict ?? '' },
      });
      return true;
    } catch (err) {
      this.d.log.warn('could not take etcd.yaml out while its data dir is held', { err: errorText(err) });
      return false;
    } finally {
      this.busy = false;
    }
  }
}
