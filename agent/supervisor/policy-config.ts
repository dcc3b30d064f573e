/** The tunables of a supervision policy (policy.ts), and the defaults belay runs with. */

export interface PolicyConfig {
  /** Between the start of two health checks, ms. */
  checkIntervalMs: number;
  /** Between checks while starting, until the first one passes: a restarted service is seen healthy sooner, ms. */
  startupCheckIntervalMs: number;
  /** Consecutive failed checks that make a live process "hung". */
  failureThreshold: number;
  /** After a start, failed checks do not count until one passes or this runs out, ms. */
  startupGraceMs: number;
  /** A start that has not produced a process by then failed, ms. */
  startTimeoutMs: number;
  /** SIGTERM → SIGKILL, ms. */
  stopTimeoutMs: number;
  /** Delay before the 2nd restart in a row, ms; the 1st is immediate. */
  backoffInitialMs: number;
  /** Growth of the delay per restart in a row. */
  backoffMultiplier: number;
  /** Largest delay, ms; also the delay of every restart while crash-looping. */
  backoffMaxMs: number;
  /** More restarts than this within budgetWindowMs → crash-looping (alert). */
  budgetRestarts: number;
  budgetWindowMs: number;
  /** Healthy this long → the backoff starts over and crash-looping ends, ms. */
  healthyResetMs: number;
  /** Warning events above these (0: no check). */
  maxRssBytes: number;
  maxCpuPercent: number;
}

export const POLICY_DEFAULTS = {
  /** Two checks a second: with the threshold below, a hang is acted on within ~2 s. */
  checkIntervalMs: 500,
  /** containerd answers ~150 ms after its start: seen healthy then, not at the next 500 ms tick. */
  startupCheckIntervalMs: 100,
  /** Two in a row: one slow answer on a loaded master is not a hang. */
  failureThreshold: 2,
  /** Long enough for containerd or kubelet to open their sockets on a slow disk; ends early at the first passing check. */
  startupGraceMs: 15_000,
  startTimeoutMs: 10_000,
  /** containerd and kubelet stop within a second or two; a wedged one is killed after this. */
  stopTimeoutMs: 5_000,
  backoffInitialMs: 250,
  backoffMultiplier: 2,
  /** kubelet crash-loops by design until configured: retry every 10 s, as its systemd unit does. */
  backoffMaxMs: 10_000,
  /** 5 restarts in 5 min, as monit's usual "5 restarts within 5 cycles" but in time, not poll cycles. */
  budgetRestarts: 5,
  budgetWindowMs: 300_000,
  healthyResetMs: 60_000,
  maxRssBytes: 0,
  maxCpuPercent: 0,
} as const satisfies PolicyConfig;
