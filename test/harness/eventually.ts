/** Polls `check` until it returns without throwing, or rethrows its last error after timeoutMs. */
export async function eventually<T>(check: () => T | Promise<T>, o: { timeoutMs: number; intervalMs?: number }): Promise<T> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, o.intervalMs ?? 100));
    }
  }
}
