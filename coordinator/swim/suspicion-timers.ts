// The suspicions one node holds, and what their timers call for: gossip a
// suspicion again halfway, defer a deadline we handled late, declare dead.
// node.ts acts on what due() returns.
import { handledLate } from './probe.js';
import { Suspicion, type SuspicionBounds } from './suspicion.js';

interface SuspicionState {
  readonly suspicion: Suspicion;
  /** A deadline that came while we were stalled is given one probe timeout more, to read what queued up. */
  deferredToMs: number | undefined;
  /** Gossiped again halfway through, so that a refutation we missed comes back as a correction. */
  regossiped: boolean;
}

/** regossip: still suspect halfway, gossip the suspicion again (from `firstFrom`); expire: the timeout ran out. */
export type SuspicionDue =
  { readonly kind: 'regossip'; readonly name: string; readonly firstFrom: string } | { readonly kind: 'expire'; readonly name: string };

export class SuspicionTimers {
  private readonly byName = new Map<string, SuspicionState>();

  start(nowMs: number, name: string, bounds: SuspicionBounds, from: string): void {
    this.byName.set(name, { suspicion: new Suspicion(nowMs, bounds, from), deferredToMs: undefined, regossiped: false });
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  delete(name: string): void {
    this.byName.delete(name);
  }

  clear(): void {
    this.byName.clear();
  }

  /** Who raised the suspicion of `name` first, if we hold one. */
  firstFrom(name: string): string | undefined {
    return this.byName.get(name)?.suspicion.firstFrom;
  }

  /** Counts `from` as a confirmation of our suspicion of `name`; true when it was a new, independent one. */
  confirm(name: string, from: string): boolean {
    const s = this.byName.get(name);
    return s !== undefined && s.suspicion.confirm(from);
  }

  /**
   * What is due at `nowMs`, in order; an expired suspicion is dropped. `scale`
   * is the local health multiplier (awareness + 1).
   */
  due(nowMs: number, scale: number, probeTimeoutMs: number): SuspicionDue[] {
    const out: SuspicionDue[] = [];
    for (const [name, s] of [...this.byName]) {
      const deadline = deadlineOf(s, scale);
      if (!s.regossiped && halfwayMs(s.suspicion.startMs, deadline) <= nowMs) {
        // Still suspect halfway: if the member refuted and we missed it, whoever hears this
        // stale suspicion answers with the refutation. Costs one more round per suspicion.
        s.regossiped = true;
        out.push({ kind: 'regossip', name, firstFrom: s.suspicion.firstFrom });
      }
      if (deadline > nowMs) continue;
      if (s.deferredToMs === undefined && handledLate(deadline, nowMs, probeTimeoutMs)) {
        // We were stalled: the refutation may be queued right behind this timer.
        s.deferredToMs = nowMs + probeTimeoutMs;
        continue;
      }
      this.byName.delete(name);
      out.push({ kind: 'expire', name });
    }
    return out;
  }

  /** When due() next has something to do (Infinity if never). */
  nextWakeMs(scale: number): number {
    let at = Infinity;
    for (const s of this.byName.values()) {
      const deadline = deadlineOf(s, scale);
      at = Math.min(at, s.regossiped ? deadline : halfwayMs(s.suspicion.startMs, deadline));
    }
    return at;
  }
}

function deadlineOf(s: SuspicionState, scale: number): number {
  return Math.max(s.suspicion.deadlineMs(scale), s.deferredToMs ?? 0);
}

/** Halfway from a suspicion's start to its deadline: when it is gossiped again. */
export function halfwayMs(startMs: number, deadlineMs: number): number {
  return startMs + (deadlineMs - startMs) / 2;
}
