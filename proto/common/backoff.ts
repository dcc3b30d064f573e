/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential
 * Backoff And Jitter"): the delay before attempt n is uniform in
 * [base/2·2^n, base·2^n], capped. Jitter keeps agents that lost the same
 * coordinator from reconnecting in lockstep. Pure: the caller passes random().
 */
export interface BackoffConfig {
  /** First delay, ms. */
  initialMs: number;
  /** Largest delay, ms. */
  maxMs: number;
  /** Growth per failed attempt. */
  multiplier: number;
}

export const RECONNECT_BACKOFF = {
  /** Reconnect quickly after a coordinator restart (they take ~0.3 s to start). */
  initialMs: 200,
  /** A coordinator down for long is polled every 10 s at most. */
  maxMs: 10_000,
  multiplier: 2,
} as const satisfies BackoffConfig;

export function backoffDelayMs(cfg: BackoffConfig, attempt: number, random: () => number): number {
  const ceiling = Math.min(cfg.maxMs, cfg.initialMs * Math.pow(cfg.multiplier, Math.max(0, attempt)));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
