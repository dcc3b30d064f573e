import type { AgentEvent__Output } from '../../proto/gen/belay/v1/AgentEvent.js';

export interface EventFilter {
  node?: string;
  service?: string;
}

/**
 * The recent events of every master, oldest first, each stored once: an
 * agent resends its recent events after a reconnect, and may report to
 * several coordinators. Pure; followers are plain callbacks.
 */
export class EventStore {
  private readonly events: AgentEvent__Output[] = [];
  private readonly keys = new Set<string>();
  private readonly followers = new Set<(e: AgentEvent__Output) => void>();

  /** @param capacity events kept across all masters; the oldest go first. */
  constructor(private readonly capacity = 2000) {}

  /** Stores an event; false if it is already held. */
  add(e: AgentEvent__Output): boolean {
    const key = `${e.node}/${e.agentInstance}/${e.seq}`;
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    // A resent batch arrives after newer events from other masters: keep the list in time order.
    let i = this.events.length;
    while (i > 0 && (this.events[i - 1]?.atMs ?? 0) > e.atMs) i--;
    this.events.splice(i, 0, e);
    while (this.events.length > this.capacity) {
      const old = this.events.shift();
      if (old) this.keys.delete(`${old.node}/${old.agentInstance}/${old.seq}`);
    }
    for (const f of this.followers) f(e);
    return true;
  }

  list(filter: EventFilter, limit = 0): AgentEvent__Output[] {
    const hits = this.events.filter((e) => matches(e, filter));
    return limit > 0 ? hits.slice(-limit) : hits;
  }

  follow(f: (e: AgentEvent__Output) => void): () => void {
    this.followers.add(f);
    return () => this.followers.delete(f);
  }
}

export function matches(e: AgentEvent__Output, f: EventFilter): boolean {
  return (!f.node || e.node === f.node) && (!f.service || e.service === f.service);
}
