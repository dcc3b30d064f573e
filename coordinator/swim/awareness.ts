// Lifeguard's local health multiplier (Lifeguard §IV-A; memberlist
// awareness.go): evidence that *we* are the slow one (our probes fail without
// our helpers' nacks either, we have to refute suspicions of ourselves, our
// event loop stalls) raises a score that stretches our probe interval, probe
// timeout and suspicion timeouts, so that a degraded node slows down instead
// of accusing healthy ones.

export class Awareness {
  private value = 0;

  constructor(private readonly max: number) {}

  /** 0 (healthy) .. max. */
  get score(): number {
    return this.value;
  }

  apply(delta: number): void {
    this.value = Math.min(this.max, Math.max(0, this.value + delta));
  }

  /** `ms` stretched by the local health multiplier (score + 1). */
  scale(ms: number): number {
    return ms * (this.value + 1);
  }
}
