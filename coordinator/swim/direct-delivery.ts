// Small clusters (docs/measured-behaviour.md, "Gossip"): a membership change a node makes is
// also sent straight to every live member, in a packet led by deliver{seq},
// and resent every gossip interval until that member acks, so that no update
// waits for the next full sync because a few piggybacked copies were lost.
import type { SwimConfig } from './config.js';
import type { Update } from './broadcast-queue.js';
import { estimateSize, type Addr, type SwimMessage } from './messages.js';

interface Delivery {
  readonly seq: number;
  readonly to: string;
  msgs: Update[];
  tries: number;
  nextMs: number;
}

export class DirectDelivery {
  /** member → subject → update, packed at the end of the step. */
  private readonly pending = new Map<string, Map<string, Update>>();
  private readonly inFlight = new Map<number, Delivery>();
  private givenUpCount = 0;

  constructor(
    private readonly cfg: Pick<SwimConfig, 'mtu' | 'gossipIntervalMs' | 'deliverMaxTries'>,
    private readonly self: string,
    /** The node's seq counter: acks are matched by seq across probes, relays and deliveries. */
    private readonly nextSeq: () => number,
  ) {}

  /** Deliveries not yet acked. */
  get size(): number {
    return this.inFlight.size;
  }

  /** Members that never acked within deliverMaxTries. */
  get givenUp(): number {
    return this.givenUpCount;
  }

  /** Sends `update` to each of `members`; a newer update about the same member makes retrying an older one pointless. */
  add(members: readonly string[], update: Update): void {
    for (const name of members) {
      let pending = this.pending.get(name);
      if (pending === undefined) this.pending.set(name, (pending = new Map<string, Update>()));
      pending.set(update.name, update);
    }
    const to = new Set(members);
    for (const [seq, d] of this.inFlight) {
      if (!to.has(d.to)) continue;
      d.msgs = d.msgs.filter((u) => u.name !== update.name);
      if (d.msgs.length === 0) this.inFlight.delete(seq);
    }
  }

  /** True if `seq` was one of ours, now done. */
  ack(seq: number): boolean {
    return this.inFlight.delete(seq);
  }

  /** A member that is dead or left gets nothing more. */
  drop(name: string): void {
    this.pending.delete(name);
    for (const [seq, d] of this.inFlight) if (d.to === name) this.inFlight.delete(seq);
  }

  /**
   * Packets for the step's end: retries that are due and what was added in this
   * step, each within one MTU. `addrOf` gives a live member's address, or
   * undefined if it is no longer live.
   */
  packets(nowMs: number, addrOf: (name: string) => Addr | undefined): { to: Addr; msgs: SwimMessage[] }[] {
    const out: { to: Addr; msgs: SwimMessage[] }[] = [];
    for (const [seq, d] of this.inFlight) {
      if (d.nextMs > nowMs) continue;
      const addr = addrOf(d.to);
      if (addr === undefined) {
        this.inFlight.delete(seq);
      } else if (d.tries >= this.cfg.deliverMaxTries) {
        this.inFlight.delete(seq);
        this.givenUpCount++;
      } else {
        d.tries++;
        d.nextMs = nowMs + this.cfg.gossipIntervalMs;
        out.push({ to: addr, msgs: [{ kind: 'deliver', seq, from: this.self }, ...d.msgs] });
      }
    }
    const head = estimateSize({ kind: 'deliver', seq: 0, from: this.self });
    for (const [name, pending] of this.pending) {
      const addr = addrOf(name);
      if (addr === undefined) continue;
      let batch: Update[] = [];
      let size = head;
      const emit = (): void => {
        const d: Delivery = { seq: this.nextSeq(), to: name, msgs: batch, tries: 1, nextMs: nowMs + this.cfg.gossipIntervalMs };
        this.inFlight.set(d.seq, d);
        out.push({ to: addr, msgs: [{ kind: 'deliver', seq: d.seq, from: this.self }, ...batch] });
      };
      for (const u of pending.values()) {
        const s = estimateSize(u);
        if (batch.length > 0 && size + s > this.cfg.mtu) {
          emit();
          batch = [];
          size = head;
        }
        batch.push(u);
        size += s;
      }
      if (batch.length > 0) emit();
    }
    this.pending.clear();
    return out;
  }

  /** When the next retry is due (Infinity if none). */
  nextWakeMs(): number {
    let at = Infinity;
    for (const d of this.inFlight.values()) at = Math.min(at, d.nextMs);
    return at;
  }
}
