// One step's output as it is built: UDP packets by address, whose room is
// filled at the step's end from the broadcast queue (SWIM's piggybacking),
// packets sent on their own, and member events.
import type { BroadcastQueue } from './broadcast-queue.js';
import { isAccusationMsg, sameUpdate } from './gossip-forms.js';
import { estimateSize, type Addr, type SwimMessage } from './messages.js';
import type { MemberEvent, Send } from './node-io.js';

export class Outbox {
  private readonly packets = new Map<Addr, SwimMessage[]>();
  private own: Send[] = [];
  private events: MemberEvent[] = [];

  /** Empties the outbox for a new step. */
  reset(): void {
    this.packets.clear();
    this.own = [];
    this.events = [];
  }

  /** Messages for the packet to `to`; one packet per address per step. */
  udp(to: Addr, ...msgs: SwimMessage[]): void {
    const packet = this.packets.get(to);
    if (packet === undefined) this.packets.set(to, msgs);
    else packet.push(...msgs);
  }

  /** A packet to `to` even if nothing else goes there: gossip, filled from the queue at the end. */
  gossip(to: Addr): void {
    if (!this.packets.has(to)) this.packets.set(to, []);
  }

  /** Packed on its own: a push-pull (sent reliably by the shell) or a delivery (its deliver must lead). */
  send(...sends: Send[]): void {
    this.own.push(...sends);
  }

  event(e: MemberEvent): void {
    this.events.push(e);
  }

  /** The step's packets, each filled from `queue` up to `mtu`, then the ones packed on their own. */
  finish(queue: BroadcastQueue, mtu: number, limit: number): { send: Send[]; events: MemberEvent[] } {
    const send: Send[] = [];
    for (const [to, msgs] of this.packets) {
      const all = withPiggyback(msgs, queue, mtu, limit);
      if (all.length > 0) send.push({ to, msgs: all });
    }
    send.push(...this.own);
    return { send, events: this.events };
  }
}

/** `msgs` and as many queued updates as fit in `mtu` with them; each taken counts as one transmit (`limit`: BroadcastQueue.take). */
export function withPiggyback(msgs: SwimMessage[], queue: BroadcastQueue, mtu: number, limit: number): SwimMessage[] {
  let used = 0;
  for (const m of msgs) used += estimateSize(m);
  let fill = queue.take(mtu - used, limit);
  // A buddy-system accusation already in the packet need not ride twice.
  if (fill.length > 0 && msgs.some(isAccusationMsg)) fill = fill.filter((u) => !msgs.some((m) => isAccusationMsg(m) && sameUpdate(m, u)));
  return fill.length === 0 ? msgs : msgs.concat(fill);
}
