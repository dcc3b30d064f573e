// Lifeguard's dynamic suspicion timeout (Dadgar et al., "Lifeguard: Local
// Health Awareness for More Accurate Failure Detection", 2018, §IV-B): a
// suspicion starts with a long timeout that shrinks, logarithmically, with
// each independent confirmation, so that a member only one node cannot reach
// has long to refute while a member everybody cannot reach is declared dead
// quickly.
import type { SwimConfig } from './config.js';

export interface SuspicionBounds {
  readonly minMs: number;
  readonly maxMs: number;
  /** Expected independent confirmations; with K of them the timeout is minMs. */
  readonly k: number;
}

type BoundsConfig = Pick<SwimConfig, 'probeIntervalMs' | 'suspicionMult' | 'suspicionMinMult' | 'suspicionMinFloor' | 'suspicionMaxTimeoutMult'>;

/** Bounds for a cluster of n live members (config.ts documents the formulas). */
export function suspicionBounds(cfg: BoundsConfig, n: number): SuspicionBounds {
  const minMs = cfg.suspicionMinMult * Math.max(cfg.suspicionMinFloor, Math.log10(Math.max(1, n))) * cfg.probeIntervalMs;
  const maxMs = cfg.suspicionMaxTimeoutMult * minMs;
  const k = Math.max(0, Math.min(cfg.suspicionMult - 2, n - 2));
  return { minMs, maxMs, k };
}

/** timeout = max(min, max − (max − min) × log(C + 1) / log(K + 1)). */
export function suspicionTimeoutMs(b: SuspicionBounds, confirmations: number): number {
  if (b.k <= 0) return b.minMs;
  const frac = Math.log(confirmations + 1) / Math.log(b.k + 1);
  return Math.max(b.minMs, Math.floor(b.maxMs - (b.maxMs - b.minMs) * frac));
}

/** One member under suspicion, as seen by one node. */
export class Suspicion {
  private readonly confirmers = new Set<string>();

  constructor(
    readonly startMs: number,
    readonly bounds: SuspicionBounds,
    /** Who raised it first; not counted as a confirmation. */
    readonly firstFrom: string,
  ) {}

  /** Counts `from` if it is a new, independent suspecter; true when it was. */
  confirm(from: string): boolean {
    if (from === this.firstFrom || this.confirmers.has(from)) return false;
    this.confirmers.add(from);
    return true;
  }

  get confirmations(): number {
    return this.confirmers.size;
  }

  /**
   * When the member is to be declared dead. `scale` is our local health
   * multiplier (awareness + 1): a node that misses its own acks trusts its own
   * suspicions less. Recomputed on every check, so it follows awareness.
   */
  deadlineMs(scale: number): number {
    return this.startMs + suspicionTimeoutMs(this.bounds, this.confirmations) * scale;
  }
}
