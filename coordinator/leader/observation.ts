import type { Logger } from '../../proto/common/log.js';
import type { ClusterSpec } from '../cluster/spec.js';
import type { EndpointStatus, EtcdCluster, EtcdMemberInfo } from '../etcd/client.js';
import { masterOf } from '../etcd/plan.js';
import { clientUrl, peerUrl } from '../etcd/render.js';
import { LEADER_TIMINGS } from './timings.js';

/**
 * What the leader's controllers know of etcd at one moment: the member list,
 * each member's status, the alarms. One read is shared by every controller
 * that asks within OBSERVATION_MAX_AGE_MS (and by every caller while a read
 * is in flight), instead of each loop listing members and dialling every
 * member on every pass. A controller that changed the membership calls
 * invalidate(), so that the next pass sees etcd as it is now.
 */

export interface EtcdObservation {
  /** undefined: the member list could not be read (no quorum, or no member answers). */
  members: EtcdMemberInfo[] | undefined;
  /** By member id. A learner added but never started has none. */
  statuses: Map<string, EndpointStatus>;
  /** `memberName: ALARM` (NOSPACE, CORRUPT); empty when none, or when they could not be read. */
  alarms: { memberId: string; alarm: string }[];
  atMs: number;
}

/** Two controllers' passes within this share one read (timings.ts). */
export const OBSERVATION_MAX_AGE_MS = LEADER_TIMINGS.observationMaxAgeMs;

export class EtcdObserver {
  private last: EtcdObservation | undefined;
  private inflight: Promise<EtcdObservation> | undefined;
  /** Bumped by invalidate(): a read that started before it is neither shared nor kept. */
  private generation = 0;
  /** Per member id: the last status error logged (logged once per change, not every pass). */
  private readonly statusError = new Map<string, string>();

  constructor(
    private readonly cluster: EtcdCluster,
    private readonly spec: () => ClusterSpec,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** etcd as seen at most `maxAgeMs` ago (0: a read that starts now or is in flight). */
  observe(maxAgeMs = OBSERVATION_MAX_AGE_MS): Promise<EtcdObservation> {
    if (this.inflight) return this.inflight;
    if (this.last && this.now() - this.last.atMs <= maxAgeMs && maxAgeMs > 0) return Promise.resolve(this.last);
    const gen = this.generation;
    const read = this.read(gen).finally(() => {
      if (this.inflight === read) this.inflight = undefined;
    });
    this.inflight = read;
    return read;
  }

  /** The membership changed: the next observe() reads again. */
  invalidate(): void {
    this.generation++;
    this.last = undefined;
    this.inflight = undefined;
  }

  private async read(gen: number): Promise<EtcdObservation> {
    const spec = this.spec();
    const atMs = this.now();
    let members: EtcdMemberInfo[] | undefined;
    try {
      members = await this.cluster.members();
    } catch {
      members = undefined;
    }
    const statuses = new Map<string, EndpointStatus>();
    const masters = spec.spec.masters.map((x) => ({ name: x.name, peerUrl: peerUrl(spec, x.name) }));
    const [, alarms] = await Promise.all([
      Promise.all(
        (members ?? []).map(async (m) => {
          const master = masterOf(m, masters);
          const url = m.clientUrls[0] ?? (master ? clientUrl(spec, master) : undefined);
          if (!url) return;
          const st = await this.cluster.status(url);
          statuses.set(m.id, st);
          this.logStatusChange(m, url, st);
        }),
      ),
      members ? this.cluster.alarms().catch(() => []) : Promise.resolve([]),
    ]);
    const o: EtcdObservation = { members, statuses, alarms, atMs };
    if (gen === this.generation) this.last = o;
    return o;
  }

  private logStatusChange(m: EtcdMemberInfo, url: string, st: EndpointStatus): void {
    const was = this.statusError.get(m.id);
    if (!st.ok && was !== st.error) this.log.warn('etcd member does not answer its status', { member: m.name || m.id, url, err: st.error });
    if (st.ok && was !== undefined) this.log.info('etcd member answers its status again', { member: m.name || m.id, url });
    if (st.ok) this.statusError.delete(m.id);
    else this.statusError.set(m.id, st.error);
  }
}
