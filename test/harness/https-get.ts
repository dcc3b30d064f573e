import https from 'node:https';

/** One HTTPS request on a fresh connection; `tls` has the CA (or rejectUnauthorized: false) and any client certificate. */
export function httpsRequest(url: string, tls: https.RequestOptions, o: { method?: string; body?: unknown } = {}): Promise<{ code: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: o.method ?? 'GET', agent: false, timeout: 5_000, ...(o.body === undefined ? {} : { headers: { 'content-type': 'application/json' } }), ...tls },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url}: timed out`)));
    req.on('error', reject);
    req.end(o.body === undefined ? undefined : JSON.stringify(o.body));
  });
}
