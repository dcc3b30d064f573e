/**
 * Random numbers for the pure cores. Production passes Math.random-backed
 * rng(); simulations pass seededRng(seed) so that a failing run replays
 * exactly (SIM_SEED).
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

export function rngFrom(next: () => number): Rng {
  return { next, int: (n) => Math.floor(next() * n) };
}

/** Math.random; for the I/O shells only. */
export function systemRng(): Rng {
  return rngFrom(Math.random);
}

/** mulberry32: tiny, fast, good enough for simulation and jitter. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return rngFrom(() => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  });
}

/** Fisher–Yates shuffle in place. */
export function shuffle<T>(rng: Rng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = items[i] as T;
    items[i] = items[j] as T;
    items[j] = tmp;
  }
  return items;
}
