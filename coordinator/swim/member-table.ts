// The members a node knows, other than itself, with the live ones counted and
// listed as the probe order, gossip fan-out and direct deliveries need them.
import type { Rng } from '../../proto/common/rng.js';
import { isLive, type Member } from './membership.js';
import type { Addr } from './messages.js';

export class MemberTable {
  private readonly known = new Map<string, Member>();
  private live = 0;
  private liveNamesCache: string[] | undefined;

  /** Live members other than ourselves. */
  get liveCount(): number {
    return this.live;
  }

  get(name: string): Member | undefined {
    return this.known.get(name);
  }

  has(name: string): boolean {
    return this.known.has(name);
  }

  /** Every member we know, dead and left included, in the order first learnt. */
  values(): IterableIterator<Member> {
    return this.known.values();
  }

  set(m: Member): void {
    const old = this.known.get(m.name);
    const wasLive = old !== undefined && isLive(old.state);
    const live = isLive(m.state);
    if (wasLive !== live) {
      this.live += live ? 1 : -1;
      this.liveNamesCache = undefined;
    }
    this.known.set(m.name, m);
  }

  /** Names of live members other than ourselves (cached until liveness changes). */
  liveNames(): readonly string[] {
    if (this.liveNamesCache === undefined) {
      this.liveNamesCache = [];
      for (const m of this.known.values()) if (isLive(m.state)) this.liveNamesCache.push(m.name);
    }
    return this.liveNamesCache;
  }

  /** A live member's address; undefined if it is not live (or not known). */
  liveAddr(name: string): Addr | undefined {
    const m = this.known.get(name);
    return m !== undefined && isLive(m.state) ? m.addr : undefined;
  }

  /** A random member we believe alive (not suspect). */
  randomAlive(rng: Rng): Member | undefined {
    const alive = this.liveNames().filter((n) => this.known.get(n)?.state === 'alive');
    const name = alive[rng.int(alive.length)];
    return name === undefined ? undefined : this.known.get(name);
  }

  /** A random dead member (not left: those asked not to be bothered). */
  randomDead(rng: Rng): Member | undefined {
    const dead = [...this.known.values()].filter((m) => m.state === 'dead');
    return dead[rng.int(dead.length)];
  }
}
