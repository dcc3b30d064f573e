import https from 'node:https';

/**
 * A bounded client loop against the apiservers through the balancers, as a
 * kubectl-like client would send them: GETs over TLS with the admin
 * certificate, round-robin over the balancer addresses; one connection per
 * request, or with keepAlive connections kept and reused as client-go's
 * are (an apiserver that shuts down answers "Connection: close"). Stops by
 * itself after maxRequests or when stopped; counts what failed and why.
 *
 * With keepAlive, a GET whose kept connection was closed by the server
 * before any answer came back (the server closed it as idle while the
 * request was on its way: HTTP/1.1 has no way to avoid that race) is sent
 * once more on a new connection, as Go's net/http (client-go's transport)
 * does for an idempotent request on a reused connection. Counted in
 * `retriedStale`, not hidden.
 */

export interface LoadTarget {
  host: string;
  port: number;
}

export interface LoadResult {
  sent: number;
  ok: number;
  failed: number;
  /** keepAlive: requests sent again after their reused connection was closed before any answer (see above). */
  retriedStale: number;
  /** Failure reason → count (HTTP status or error code). */
  errors: Record<string, number>;
  /** The first failures, with when and where. */
  samples: string[];
  durationMs: number;
}

export interface Load {
  stop(): Promise<LoadResult>;
  /** Resolves when maxRequests have been sent and answered. */
  done: Promise<LoadResult>;
  now(): LoadResult;
}

export function startLoad(o: {
  targets: LoadTarget[];
  tls: { ca: Buffer; cert: Buffer; key: Buffer };
  path: string;
  maxRequests: number;
  concurrency?: number;
  timeoutMs?: number;
  keepAlive?: boolean;
}): Load {
  const agents = new Map(
    o.targets.map((t) => [
      t,
      o.keepAlive ? new https.Agent({ keepAlive: true, maxSockets: o.concurrency ?? 4, ca: o.tls.ca, cert: o.tls.cert, key: o.tls.key }) : undefined,
    ]),
  );
  const started = performance.now();
  const r: LoadResult = { sent: 0, ok: 0, failed: 0, retriedStale: 0, errors: {}, samples: [], durationMs: 0 };
  let stopped = false;
  let next = 0;
  const fail = (why: string, t: LoadTarget): void => {
    r.failed++;
    r.errors[why] = (r.errors[why] ?? 0) + 1;
    if (r.samples.length < 10) r.samples.push(`${((performance.now() - started) / 1000).toFixed(2)} s ${t.host}:${t.port}: ${why}`);
  };
  const one = (t: LoadTarget, retry = true): Promise<void> =>
    new Promise((resolve) => {
      let answered = false;
      const req = https.get(
        {
          host: t.host,
          port: t.port,
          path: o.path,
          ca: o.tls.ca,
          cert: o.tls.cert,
          key: o.tls.key,
          agent: agents.get(t) ?? false,
          timeout: o.timeoutMs ?? 10_000,
        },
        (res) => {
          answered = true;
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) r.ok++;
            else fail(`HTTP ${res.statusCode ?? '?'}`, t);
            resolve();
          });
          res.on('error', (err: NodeJS.ErrnoException) => {
            fail(err.code ?? err.message, t);
            resolve();
          });
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (retry && req.reusedSocket && !answered && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) {
          r.retriedStale++;
          void one(t, false).then(resolve);
          return;
        }
        fail(err.code ?? err.message, t);
        resolve();
      });
    });
  const worker = async (): Promise<void> => {
    while (!stopped && r.sent < o.maxRequests) {
      const t = o.targets[next++ % o.targets.length];
      if (!t) return;
      r.sent++;
      await one(t);
    }
  };
  const all = Promise.all(Array.from({ length: o.concurrency ?? 4 }, worker)).then(() => {
    for (const a of agents.values()) a?.destroy();
    return { ...r, durationMs: performance.now() - started };
  });
  return {
    done: all,
    now: () => ({ ...r, durationMs: performance.now() - started }),
    stop: async () => {
      stopped = true;
      return all;
    },
  };
}
