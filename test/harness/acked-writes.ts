import fs from 'node:fs';
import path from 'node:path';
import { EtcdCluster } from '../../coordinator/etcd/client.js';
import type { TestCluster } from './cluster.js';

/**
 * The acknowledged-writes checker: a bounded loop of puts through every
 * member (etcd's client picks one and fails over), each key written once
 * with a known value; every put etcd acknowledged must be readable, with its
 * value, after the fault and the repair. A write that failed or timed out
 * may or may not have happened (etcd says so too): it is counted, not checked.
 */

export interface AckedWritesResult {
  attempted: number;
  acked: number;
  failed: number;
  /** Acknowledged keys missing or with another value at the end. */
  lost: string[];
}

export interface AckedWrites {
  /** Stops the loop (waits for the put in flight) and reads every acknowledged key back, linearizably. */
  stopAndVerify(): Promise<AckedWritesResult>;
  /** Acknowledged so far. */
  readonly acked: number;
  /** The last put's error, for a failing test's message. */
  readonly lastError: string;
}

/** The etcd client of the test cluster, with master `via`'s healthcheck client certificate. */
export function testEtcdClient(c: TestCluster, via = c.state.masters[0]?.name ?? 'm1'): EtcdCluster {
  const m = c.state.masters.find((x) => x.name === via);
  if (!m) throw new Error(`no master ${via}`);
  const pki = path.join(m.root, 'etc/kubernetes/pki/etcd');
  return new EtcdCluster(
    c.state.masters.map((x) => `https://${x.address}:2379`),
    {
      ca: fs.readFileSync(path.join(pki, 'ca.crt')),
      cert: fs.readFileSync(path.join(pki, 'healthcheck-client.crt')),
      key: fs.readFileSync(path.join(pki, 'healthcheck-client.key')),
    },
    3_000,
  );
}

/** Starts the loop: one put every `everyMs` (default 20 ms), at most `max` (default 20,000), stopping by itself at either bound. */
export function startAckedWrites(c: TestCluster, o: { prefix?: string; everyMs?: number; max?: number } = {}): AckedWrites {
  const prefix = o.prefix ?? '/acked/';
  const max = o.max ?? 20_000;
  const client = testEtcdClient(c);
  const acked: number[] = [];
  let attempted = 0;
  let failed = 0;
  let lastError = '';
  let stop = false;
  const loop = (async () => {
    for (let i = 0; i < max && !stop; i++) {
      attempted++;
      try {
        // etcd3 retries a failed call on another member; bound the whole put so that the loop never stalls
        // (a put given up on may still apply: it counts as failed, its key is not checked).
        let timer: NodeJS.Timeout | undefined;
        const put = Promise.resolve(client.kv.put(`${prefix}${String(i).padStart(6, '0')}`).value(`v${i}`));
        put.catch(() => undefined);
        await Promise.race([put, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('put not answered in 5 s')), 5_000)))]).finally(() =>
          clearTimeout(timer),
        );
        acked.push(i);
      } catch (err) {
        failed++;
        lastError = String(err);
      }
      await new Promise((r) => setTimeout(r, o.everyMs ?? 20));
    }
  })();
  return {
    get acked() {
      return acked.length;
    },
    get lastError() {
      return lastError;
    },
    async stopAndVerify() {
      stop = true;
      await loop;
      try {
        const kvs = await client.kv.getAll().prefix(prefix).strings();
        const lost = acked.map((i) => `${prefix}${String(i).padStart(6, '0')}`).filter((k, n) => kvs[k] !== `v${acked[n] ?? -1}`);
        return { attempted, acked: acked.length, failed, lost };
      } finally {
        client.close();
      }
    },
  };
}
