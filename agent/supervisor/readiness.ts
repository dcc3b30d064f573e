import type { HealthCheck } from './probes.js';

/**
 * A readiness probe as kubelet runs it: not ready when the process starts;
 * ready after successThreshold passes in a row; not ready again after
 * failureThreshold failures in a row. Readiness never restarts anything: it
 * only says whether the container should get traffic (the balancer, a
 * rollout's "ready" gate). A new process starts not ready. Pure.
 */
export interface ReadinessProbe {
  check: HealthCheck;
  /** Wait after the process starts before the first check, ms (initialDelaySeconds). */
  initialDelayMs: number;
  /** Between checks, ms (periodSeconds, default 10 s). */
  periodMs: number;
  /** A check not answered by then failed, ms (timeoutSeconds, default 1 s). */
  timeoutMs: number;
  /** Passes in a row to become ready (successThreshold, default 1). */
  successThreshold: number;
  /** Failures in a row to become not ready (failureThreshold, default 3). */
  failureThreshold: number;
}

export class ReadinessTracker {
  private ready_ = false;
  private passes = 0;
  private failures = 0;
  private reason_ = 'not checked yet';

  constructor(private readonly probe: Pick<ReadinessProbe, 'successThreshold' | 'failureThreshold'>) {}

  get ready(): boolean {
    return this.ready_;
  }

  /** Why it is not ready ('' when ready). */
  get reason(): string {
    return this.ready_ ? '' : this.reason_;
  }

  /** A new process (or none): not ready until it proves otherwise. */
  reset(reason: string): boolean {
    const changed = this.ready_;
    this.ready_ = false;
    this.passes = 0;
    this.failures = 0;
    this.reason_ = reason;
    return changed;
  }

  /** Records one check; returns true when readiness changed. */
  record(ok: boolean, reason: string): boolean {
    if (ok) {
      this.failures = 0;
      this.passes++;
      if (!this.ready_ && this.passes >= Math.max(1, this.probe.successThreshold)) {
        this.ready_ = true;
        return true;
      }
      return false;
    }
    this.passes = 0;
    this.failures++;
    this.reason_ = `readiness probe failed: ${reason}`;
    if (this.ready_ && this.failures >= Math.max(1, this.probe.failureThreshold)) {
      this.ready_ = false;
      return true;
    }
    return false;
  }
}
