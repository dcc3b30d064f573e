// Membership updates waiting to be piggybacked or gossiped (SWIM §4.1,
// "infection-style dissemination"; memberlist's TransmitLimitedQueue).
import { estimateSize, type Alive, type Dead, type Suspect } from './messages.js';

export type Update = Alive | Suspect | Dead;

interface Item {
  readonly msg: Update;
  readonly size: number;
  readonly id: number;
  transmits: number;
}

/** SWIM's λ·log n: enough sends that an epidemic reaches everyone with high probability. */
export function retransmitLimit(retransmitMult: number, n: number): number {
  return retransmitMult * Math.ceil(Math.log10(n + 1));
}

export class BroadcastQueue {
  /** One item per member: a newer update about a member invalidates the older one. */
  private readonly items = new Map<string, Item>();
  private nextId = 0;

  get length(): number {
    return this.items.size;
  }

  /** Queues `msg`, replacing whatever was queued about the same member (the caller only queues what it merged as newer). */
  enqueue(msg: Update): void {
    this.items.set(msg.name, { msg, size: estimateSize(msg), id: this.nextId++, transmits: 0 });
  }

  /** The queued update about `name`, if any. */
  peek(name: string): Update | undefined {
    return this.items.get(name)?.msg;
  }

  /**
   * Updates for one packet: least-sent first, then newest, as many as fit in
   * `budgetBytes`. Each counts as one transmit; an update sent `limit` times
   * leaves the queue.
   */
  take(budgetBytes: number, limit: number): Update[] {
    if (this.items.size === 0 || budgetBytes <= 0) return [];
    const order = [...this.items.values()].sort((a, b) => a.transmits - b.transmits || b.id - a.id);
    const out: Update[] = [];
    let room = budgetBytes;
    for (const item of order) {
      if (item.size > room) continue;
      room -= item.size;
      out.push(item.msg);
      item.transmits++;
      if (item.transmits >= limit) this.items.delete(item.msg.name);
    }
    return out;
  }
}
