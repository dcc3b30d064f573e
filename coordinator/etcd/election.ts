import type { Logger } from '../../proto/common/log.js';
import { ETCD_KEYS } from '../cluster/etcd-keys.js';
import { shortError, type EtcdCluster } from './client.js';

/**
 * Leader election by etcd lease lock (the guide's lease-lock idea): the
 * coordinator that creates /belay/leader under its lease leads. The term is
 * the revision at which it created the key: etcd revisions only grow, so a
 * later leader always has a higher term, and agents refuse a lower one
 * (fencing). Leadership ends the moment the lease is lost, when no
 * keepalive has succeeded for most of the TTL (etcd may have expired it
 * already while we did not hear), or when the key is no longer ours (a
 * restore deletes it): work stops before another can start.
 */

export interface LeaderInfo {
  name: string;
  term: number;
}

export interface ElectionOptions {
  cluster: EtcdCluster;
  me: string;
  ttlSeconds: number;
  log: Logger;
  /** Called when elected; `signal` aborts when leadership ends. */
  onElected(term: number, signal: AbortSignal): void;
}

export const ELECTION_DEFAULTS = { ttlSeconds: 5, retryMs: 1_000 } as const;

export class LeaderElection {
  private stopped = false;
  private leading: { term: number; abort: AbortController; revoke(): Promise<void> } | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly o: ElectionOptions) {}

  get term(): number {
    return this.leading?.term ?? 0;
  }

  get isLeader(): boolean {
    return this.leading !== undefined && !this.leading.abort.signal.aborted;
  }

  start(): void {
    void this.loop();
  }

  /** Steps down (revoking the lease so that another takes over at once) and stops campaigning. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    const l = this.leading;
    if (l) {
      l.abort.abort();
      await l.revoke().catch(() => undefined);
    }
  }

  /** Who leads now, as etcd says. */
  async current(): Promise<LeaderInfo | undefined> {
    const res = await this.o.cluster.kv.get(ETCD_KEYS.leader).exec();
    const kv = res.kvs[0];
    return kv ? { name: kv.value.toString(), term: Number(kv.create_revision) } : undefined;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  private async loop(): Promise<void> {
    const { cluster, me, ttlSeconds, log } = this.o;
    while (!this.stopped) {
      const lease = cluster.kv.lease(ttlSeconds, { autoKeepAlive: true });
      let lost: ((why: string) => void) | undefined;
      const ended = new Promise<string>((resolve) => (lost = resolve));
      lease.on('lost', (err) => lost?.(`lease lost: ${shortError(err)}`));
      let lastKeepaliveMs = Date.now();
      lease.on('keepaliveSucceeded', () => (lastKeepaliveMs = Date.now()));
      const watchdog = setInterval(() => {
        if (Date.now() - lastKeepaliveMs > ttlSeconds * 1000 - 1_500) lost?.(`no lease keepalive for ${Date.now() - lastKeepaliveMs} ms`);
      }, 250);
      try {
        const id = await lease.grant();
        lastKeepaliveMs = Date.now();
        while (!this.stopped) {
          const res = await cluster.kv.if(ETCD_KEYS.leader, 'Create', '==', 0).then(cluster.kv.put(ETCD_KEYS.leader).value(me).lease(id)).commit();
          if (res.succeeded) {
            const term = Number(res.header.revision);
            const abort = new AbortController();
            this.leading = { term, abort, revoke: () => lease.revoke() };
            log.info('elected leader', { term });
            this.o.onElected(term, abort.signal);
            // The key itself must stay ours: deleted (a restore clears it) or replaced means someone else may lead now.
            const held = setInterval(() => {
              this.current().then(
                (now) => {
                  if (!now || now.term !== term) lost?.(`the leader key is ${now ? `held by ${now.name} (term ${now.term})` : 'gone'}`);
                },
                () => undefined,
              );
            }, 1_000);
            const why = await Promise.race([ended, new Promise<string>((r) => abort.signal.addEventListener('abort', () => r('stopping')))]);
            clearInterval(held);
            abort.abort();
            this.leading = undefined;
            log.warn('leadership lost', { term, why });
            break;
          }
          // Someone leads: keep our lease alive and look again soon (their lease expires TTL after they die).
          const gone = await Promise.race([ended.then((w) => w), this.sleep(ELECTION_DEFAULTS.retryMs).then(() => undefined)]);
          if (gone) break;
        }
      } catch (err) {
        log.debug('campaign failed', { err: shortError(err) });
      } finally {
        clearInterval(watchdog);
        await lease.revoke().catch(() => undefined);
      }
      if (!this.stopped) await this.sleep(ELECTION_DEFAULTS.retryMs);
    }
  }
}
