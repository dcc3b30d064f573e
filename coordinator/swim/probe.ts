// Failure detection (SWIM §3–4): whom to probe next, a probe's deadlines, and
// the indirect prober's relay. node.ts drives them.
import { shuffle, type Rng } from '../../proto/common/rng.js';
import type { Addr } from './messages.js';

/**
 * Round-robin over a shuffled list of members (SWIM §4.3): every member is
 * probed once per pass, so detection time is bounded, unlike uniform random
 * choice. Unlike memberlist, the list is reshuffled only when the membership
 * changed, not after every pass: then each member is probed exactly every
 * n − 1 rounds instead of every 1 to 2(n − 1) − 1, which cuts the detection
 * tail (5 members, 500 seeds: worst 7.2 s → 5.5 s, p99 5.8 s → 4.9 s).
 * Every node has its own random order, so the cluster's probing stays random.
 */
export class ProbeOrder {
  private list: string[] = [];
  private index = 0;

  /** The next member `eligible` accepts, or undefined if none does. */
  next(rng: Rng, names: () => string[], eligible: (name: string) => boolean): string | undefined {
    for (let pass = 0; ; pass++) {
      while (this.index < this.list.length) {
        const name = this.list[this.index++] as string;
        if (eligible(name)) return name;
      }
      if (pass === 1) return undefined;
      const fresh = names();
      const same = fresh.length === this.list.length && new Set([...fresh, ...this.list]).size === fresh.length;
      if (!same) this.list = shuffle(rng, fresh);
      this.index = 0;
    }
  }
}

/** Our own probe of one member. */
export interface Probe {
  readonly seq: number;
  readonly target: string;
  readonly targetBootId: string;
  readonly targetAddr: Addr;
  /** 'regular': the round's probe; 'confirm': a small cluster's check of someone else's suspicion. */
  readonly kind: 'regular' | 'confirm';
  readonly startMs: number;
  /** No direct ack by then: ask for indirect probes. */
  readonly directDeadlineMs: number;
  /** No ack at all by then: suspect (the end of the probe interval). */
  readonly endDeadlineMs: number;
  stage: 'direct' | 'indirect';
  /** Lifeguard: nacks from our indirect helpers prove our own path works. */
  nacks: number;
}

/** Lifeguard: an indirect prober nacks at 80 % of the probe timeout, so the nack arrives before the requester gives up. */
export const NACK_FRACTION = 0.8;

/** Probing `indirect-ping` for someone else: relay the target's ack, or nack. */
export interface Relay {
  /** The requester's seq, echoed in our ack or nack. */
  readonly requesterSeq: number;
  readonly requesterAddr: Addr;
  readonly target: string;
  nackAtMs: number | undefined;
  readonly expireMs: number;
}

/**
 * A deadline handled this late means our own event loop stalled (SIGSTOP,
 * GC, an overloaded CPU): the timer fired before the acks queued behind it
 * were read, so the probe says nothing about the target.
 */
export function handledLate(deadlineMs: number, nowMs: number, probeTimeoutMs: number): boolean {
  return nowMs - deadlineMs > probeTimeoutMs / 2;
}

/** Up to k distinct random items of `items`, in random order. */
export function pickRandom<T>(rng: Rng, items: readonly T[], k: number): T[] {
  const n = items.length;
  if (k <= 0 || n === 0) return [];
  if (n > 4 * k) {
    // Few from many (gossip fan-out at n = 1000): rejection sampling, no copy.
    const seen = new Set<number>();
    const out: T[] = [];
    while (out.length < k) {
      const i = rng.int(n);
      if (seen.has(i)) continue;
      seen.add(i);
      out.push(items[i] as T);
    }
    return out;
  }
  const pool = [...items];
  const m = Math.min(k, n);
  for (let i = 0; i < m; i++) {
    const j = i + rng.int(n - i);
    const tmp = pool[i] as T;
    pool[i] = pool[j] as T;
    pool[j] = tmp;
  }
  return pool.slice(0, m);
}
