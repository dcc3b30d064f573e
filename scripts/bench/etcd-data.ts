import fs from 'node:fs';
import type { EtcdCluster as EtcdClusterT } from '../../coordinator/etcd/client.js';
import { sleep, type TlsFiles } from './common.js';

/** bench:etcd's data and waits, the same for belay's clusters and the plain one. */

/** etcd refuses member add until its leader has seen every voter for 5 s: both sides wait this long healthy before timing. */
export const SETTLE_MS = 6_000;

export function readTlsBuffers(t: TlsFiles): { ca: Buffer; cert: Buffer; key: Buffer } {
  return { ca: fs.readFileSync(t.ca), cert: fs.readFileSync(t.cert), key: fs.readFileSync(t.key) };
}

/** ~50 MB under /bench/, 4 puts in flight. */
export async function loadData(c: EtcdClusterT, values: Buffer[], prefix: string): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < values.length) {
        const i = next++;
        await c.kv.put(`${prefix}k${String(i).padStart(5, '0')}`).value(values[i] ?? Buffer.alloc(0));
      }
    }),
  );
}

/** Waits until every member answers status with one common leader, continuously for SETTLE_MS. */
export async function settle(c: EtcdClusterT, urls: string[], timeoutMs = 90_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  let since: number | undefined;
  for (;;) {
    const st = await Promise.all(urls.map((u) => c.status(u)));
    const ok = st.every((x) => x.ok) && new Set(st.map((x) => x.leaderId)).size === 1;
    if (!ok) since = undefined;
    else since ??= performance.now();
    if (since !== undefined && performance.now() - since >= SETTLE_MS) return Math.max(...st.map((x) => x.dbSizeBytes));
    if (performance.now() > deadline)
      throw new Error(
        `etcd members ${urls.join(', ')} not healthy together for ${SETTLE_MS} ms within ${timeoutMs} ms: ${st.map((x) => `${x.url} ${x.ok ? 'ok' : x.error}`).join('; ')}`,
      );
    await sleep(200);
  }
}
