/**
 * kube-apiserver stand-in, for tests and the demo only: there is no
 * kube-apiserver binary on these machines. belay's `host` runtime runs the
 * rendered kube-apiserver.yaml's command from PATH; test/stand-ins/bin puts
 * this program there. It behaves like kube-apiserver where belay looks:
 * - flags by kube-apiserver's names (an unknown one exits 1, as pflag does);
 * - /version from the image tag in BELAY_IMAGE (a tag containing
 *   "stand-in-never-ready" gives a version whose /readyz never passes);
 * - /livez while running; /readyz and /healthz while its etcd answers;
 * - configmaps and leases stored as JSON in the real etcd (through etcd's v3
 *   JSON gateway), with resourceVersion compare-and-swap, for client certs of
 *   --client-ca-file only;
 * - starts listening BELAY_STAND_IN_START_MS (3000) after start, as the real
 *   one listens only once its storage is set up;
 * - SIGTERM: /readyz fails at once, serving goes on for
 *   --shutdown-delay-duration, then in-flight requests drain and it exits 0.
 * Usage:
 *   test/stand-ins/bin/kube-apiserver --advertise-address=127.0.0.1 --secure-port=6443 \
 *     --tls-cert-file=apiserver.crt --tls-private-key-file=apiserver.key --client-ca-file=ca.crt \
 *     --etcd-servers=https://127.0.0.1:2379 --etcd-cafile=etcd/ca.crt \
 *     --etcd-certfile=apiserver-etcd-client.crt --etcd-keyfile=apiserver-etcd-client.key
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { knownFlags } from '../../coordinator/kube/flags.js';
import { fail, parseDurationMs, parseFlags } from './stand-in-flags.js';

/** Between background etcd health checks, as the brief of /readyz wants it prompt. */
const ETCD_CHECK_INTERVAL_MS = 500;
/** A health check not answered in this time counts as failed (a stopped etcd never answers). */
const ETCD_CHECK_TIMEOUT_MS = 1_000;
/** For API reads and writes, like kube-apiserver's etcd request timeout (shorter: tests want quick answers). */
const ETCD_REQUEST_TIMEOUT_MS = 5_000;
/** kube-apiserver's limit on draining in-flight requests after it stops listening. */
const DRAIN_TIMEOUT_MS = 60_000;
/** etcd refuses values over 1.5 MiB by default anyway. */
const MAX_BODY_BYTES = 3 * 1024 * 1024;
/** pflag booleans may stand alone (`--allow-privileged`); every other flag takes a value. */
const BOOL_FLAGS = new Set([
  'allow-privileged',
  'anonymous-auth',
  'enable-aggregator-routing',
  'enable-bootstrap-token-auth',
  'profiling',
  'enable-priority-and-fairness',
  'enable-garbage-collector',
  'help',
]);

function log(message: string): void {
  process.stderr.write(`${new Date().toISOString()} kube-apiserver-stand-in: ${message}\n`);
}

/** The tag of an image reference ("registry.k8s.io/kube-apiserver:v1.31.2" → "v1.31.2"), digest ignored. */
function imageTag(image: string): string | undefined {
  const ref = image.split('@')[0] ?? '';
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? ref.slice(colon + 1) : undefined;
}

// --- configuration ---------------------------------------------------------

const gitVersion = imageTag(process.env.BELAY_IMAGE ?? '') ?? 'v0.0.0-stand-in';
const neverReady = gitVersion.includes('stand-in-never-ready');
const flags = parseFlags('kube-apiserver', process.argv.slice(2), knownFlags('kube-apiserver', gitVersion), BOOL_FLAGS);
// --version and --help answer and exit, as the real binary's do.
if (flags.has('version')) {
  process.stdout.write(`Kubernetes ${gitVersion}\n`);
  process.exit(0);
}
if (flags.has('help') || flags.has('h')) {
  process.stdout.write(`kube-apiserver stand-in (tests only): see the header of ${new URL(import.meta.url).pathname}\n`);
  process.exit(0);
}

function required(name: string): string {
  const value = flags.get(name);
  if (value === undefined || value === '') fail(`kube-apiserver-stand-in: --${name} is required (the stand-in serves TLS and stores in etcd only)`);
  return value;
}

function readFile(flag: string): Buffer {
  const file = required(flag);
  try {
    return fs.readFileSync(file);
  } catch (err) {
    fail(`kube-apiserver-stand-in: --${flag}=${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

const bindAddress = flags.get('bind-address') ?? flags.get('advertise-address') ?? '0.0.0.0';
const securePort = Number(flags.get('secure-port') ?? '6443');
if (!Number.isInteger(securePort) || securePort < 1 || securePort > 65535)
  fail(`kube-apiserver-stand-in: --secure-port=${flags.get('secure-port')}: not a port number`);
const shutdownDelayMs = parseDurationMs(flags.get('shutdown-delay-duration') ?? '0s');
if (shutdownDelayMs === undefined) fail(`kube-apiserver-stand-in: --shutdown-delay-duration=${flags.get('shutdown-delay-duration')}: not a duration like 5s`);
const etcdServers = required('etcd-servers')
  .split(',')
  .map((s) => {
    try {
      return new URL(s.trim());
    } catch {
      fail(`kube-apiserver-stand-in: --etcd-servers: "${s}" is not a URL like https://127.0.0.1:2379`);
    }
  });
const etcdAgent = new https.Agent({ keepAlive: true, ca: readFile('etcd-cafile'), cert: readFile('etcd-certfile'), key: readFile('etcd-keyfile') });
const serverTls = { cert: readFile('tls-cert-file'), key: readFile('tls-private-key-file'), ca: readFile('client-ca-file') };

// --- etcd through its v3 JSON gateway ----------------------------------------

/** What etcd's gateway answers (proto3 JSON: int64 as strings, zero values left out). */
interface KeyValue {
  key: string;
  value?: string;
  mod_revision?: string;
}
interface EtcdReply {
  header?: { revision?: string };
  kvs?: KeyValue[];
  succeeded?: boolean;
  deleted?: string;
  prev_kvs?: KeyValue[];
  health?: string;
}

class EtcdError extends Error {}

/** One request to one etcd server; rejects on network errors, timeouts and non-200 answers. */
function etcdRequest(server: URL, path: string, body: unknown, timeoutMs: number): Promise<EtcdReply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(
      new URL(path, server),
      { method: payload === undefined ? 'GET' : 'POST', agent: etcdAgent, timeout: timeoutMs, headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode !== 200) return reject(new EtcdError(`etcd ${server.host}${path}: HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
          try {
            resolve(JSON.parse(text) as EtcdReply);
          } catch {
            reject(new EtcdError(`etcd ${server.host}${path}: not JSON: ${text.slice(0, 200)}`));
          }
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new EtcdError(`etcd ${server.host}${path}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** The server that answered last goes first, the others after it: like the etcd client's endpoint failover. */
let preferredServer = 0;
async function etcd(path: string, body: unknown): Promise<EtcdReply> {
  let lastError: unknown;
  for (let i = 0; i < etcdServers.length; i++) {
    const index = (preferredServer + i) % etcdServers.length;
    try {
      const reply = await etcdRequest(etcdServers[index] as URL, path, body, ETCD_REQUEST_TIMEOUT_MS);
      preferredServer = index;
      return reply;
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError instanceof Error ? lastError : new EtcdError(String(lastError));
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const unb64 = (s: string | undefined): string => Buffer.from(s ?? '', 'base64').toString();

/** The end of a prefix range: the prefix with its last byte incremented ("/a/" → "/a0"). */
function prefixEnd(prefix: string): string {
  const bytes = Buffer.from(prefix);
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) + 1;
  return bytes.toString('base64');
}

// --- readiness -------------------------------------------------------------

let etcdHealthy = false;
let shuttingDown = false;
let draining = false;

/** Any server answering {"health":"true"} counts, as kube-apiserver's etcd check passes when its client can reach one. */
async function checkEtcd(): Promise<string | undefined> {
  const answers = await Promise.allSettled(etcdServers.map((s) => etcdRequest(s, '/health', undefined, ETCD_CHECK_TIMEOUT_MS)));
  if (answers.some((a) => a.status === 'fulfilled' && a.value.health === 'true')) return undefined;
  return answers.map((a) => (a.status === 'rejected' ? String((a.reason as Error).message) : `unhealthy: ${JSON.stringify(a.value)}`)).join('; ');
}

let checking = false;
let checkedOnce = false;
const etcdTimer = setInterval(() => {
  if (checking) return;
  checking = true;
  void checkEtcd().then((problem) => {
    checking = false;
    // Log the first result and transitions, not repeats.
    if (!checkedOnce || (problem === undefined) !== etcdHealthy) log(problem === undefined ? 'etcd check passed' : `etcd check failed: ${problem}`);
    checkedOnce = true;
    etcdHealthy = problem === undefined;
  });
}, ETCD_CHECK_INTERVAL_MS);

/** kube-apiserver's health answer: "ok", or one [+]/[-] line per check and a verdict, with 500 on failure. */
function healthAnswer(endpoint: 'livez' | 'readyz' | 'healthz', verbose: boolean): { code: number; body: string } {
  const checks: [string, boolean][] = [
    ['ping', true],
    ['log', true],
  ];
  if (endpoint !== 'livez') {
    checks.push(['etcd', etcdHealthy]);
    if (neverReady) checks.push(['poststarthook/stand-in-never-ready', false]);
  }
  if (endpoint === 'readyz') checks.push(['etcd-readiness', etcdHealthy], ['shutdown', !shuttingDown]);
  const ok = checks.every(([, pass]) => pass);
  if (ok && !verbose) return { code: 200, body: 'ok' };
  const lines = checks.map(([name, pass]) => (pass ? `[+]${name} ok` : `[-]${name} failed: reason withheld`));
  return { code: ok ? 200 : 500, body: `${lines.join('\n')}\n${endpoint} check ${ok ? 'passed' : 'failed'}\n` };
}

// --- the API ---------------------------------------------------------------

interface Resource {
  plural: string;
  kind: string;
  apiVersion: string;
}
const ROUTES: [RegExp, Resource][] = [
  [/^\/api\/v1\/namespaces\/([^/]+)\/configmaps(?:\/([^/]+))?$/, { plural: 'configmaps', kind: 'ConfigMap', apiVersion: 'v1' }],
  [/^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/([^/]+)\/leases(?:\/([^/]+))?$/, { plural: 'leases', kind: 'Lease', apiVersion: 'coordination.k8s.io/v1' }],
];

interface Meta {
  name?: unknown;
  namespace?: unknown;
  resourceVersion?: unknown;
  uid?: unknown;
  creationTimestamp?: unknown;
  [k: string]: unknown;
}
interface KubeObject {
  metadata?: Meta;
  [k: string]: unknown;
}

interface Answer {
  code: number;
  body: unknown;
}

/** A Kubernetes Status error, as kube-apiserver returns it. */
function status(code: number, reason: string, message: string, details?: Record<string, unknown>): Answer {
  return { code, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code } };
}

/** The stored object as clients see it: resourceVersion is etcd's mod_revision, never stored. */
function fromEtcd(kv: KeyValue): KubeObject {
  const obj = JSON.parse(unb64(kv.value)) as KubeObject;
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: kv.mod_revision ?? '0' } };
}

async function readBody(req: http.IncomingMessage): Promise<KubeObject | Answer> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > MAX_BODY_BYTES) return status(413, 'RequestEntityTooLarge', 'request entity too large');
    chunks.push(chunk);
  }
  try {
    const obj = JSON.parse(Buffer.concat(chunks).toString()) as unknown;
    if (typeof obj === 'object' && obj !== null && !Array.isArray(obj)) return obj as KubeObject;
  } catch {
    // answered below
  }
  return status(400, 'BadRequest', 'the request body is not a JSON object (the stand-in takes JSON only)');
}

function isAnswer(x: KubeObject | Answer): x is Answer {
  return typeof (x as Answer).code === 'number' && 'body' in x;
}

async function serveApi(req: http.IncomingMessage, r: Resource, namespace: string, name: string | undefined): Promise<Answer> {
  const prefix = `/registry/${r.plural}/${namespace}/`;
  const method = req.method ?? 'GET';
  const notFound = (n: string): Answer => status(404, 'NotFound', `${r.plural} "${n}" not found`, { name: n, kind: r.plural });

  if (name === undefined && method === 'GET') {
    const reply = await etcd('/v3/kv/range', { key: b64(prefix), range_end: prefixEnd(prefix) });
    return {
      code: 200,
      body: {
        kind: `${r.kind}List`,
        apiVersion: r.apiVersion,
        metadata: { resourceVersion: reply.header?.revision ?? '0' },
        items: (reply.kvs ?? []).map(fromEtcd),
      },
    };
  }
  if (name === undefined && method === 'POST') {
    const obj = await readBody(req);
    if (isAnswer(obj)) return obj;
    const n = obj.metadata?.name;
    if (typeof n !== 'string' || !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(n)) {
      return status(
        422,
        'Invalid',
        `${r.kind} "${typeof n === 'string' ? n : ''}" is invalid: metadata.name: Required value: a lowercase DNS subdomain name is required`,
        { name: n, kind: r.plural },
      );
    }
    if (obj.metadata?.namespace !== undefined && obj.metadata.namespace !== namespace) {
      return status(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
    }
    const stored = {
      ...obj,
      apiVersion: r.apiVersion,
      kind: r.kind,
      metadata: { ...obj.metadata, namespace, uid: crypto.randomUUID(), creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z') },
    };
    delete stored.metadata.resourceVersion;
    const key = b64(prefix + n);
    // Create only if the key has never been created (create_revision 0), as kube-apiserver's storage does.
    const reply = await etcd('/v3/kv/txn', {
      compare: [{ key, result: 'EQUAL', target: 'CREATE', create_revision: '0' }],
      success: [{ request_put: { key, value: b64(JSON.stringify(stored)) } }],
    });
    if (!reply.succeeded) return status(409, 'AlreadyExists', `${r.plural} "${n}" already exists`, { name: n, kind: r.plural });
    return { code: 201, body: { ...stored, metadata: { ...stored.metadata, resourceVersion: reply.header?.revision ?? '0' } } };
  }
  if (name === undefined) return status(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method} ${r.plural})`);

  const key = b64(prefix + name);
  if (method === 'GET') {
    const kv = (await etcd('/v3/kv/range', { key })).kvs?.[0];
    return kv ? { code: 200, body: fromEtcd(kv) } : notFound(name);
  }
  if (method === 'PUT') {
    const obj = await readBody(req);
    if (isAnswer(obj)) return obj;
    if (obj.metadata?.name !== name)
      return status(400, 'BadRequest', `the name of the object (${String(obj.metadata?.name)}) does not match the name on the URL (${name})`);
    const wanted = obj.metadata.resourceVersion;
    if (wanted !== undefined && wanted !== '' && (typeof wanted !== 'string' || !/^\d+$/.test(wanted))) {
      return status(400, 'BadRequest', `metadata.resourceVersion: Invalid value: ${JSON.stringify(wanted)}: must be the resourceVersion of a read`);
    }
    const current = (await etcd('/v3/kv/range', { key })).kvs?.[0];
    if (!current) return notFound(name);
    const old = fromEtcd(current);
    // uid and creationTimestamp belong to the server; the rest is the client's.
    const stored = {
      ...obj,
      apiVersion: r.apiVersion,
      kind: r.kind,
      metadata: { ...obj.metadata, namespace, uid: old.metadata?.uid, creationTimestamp: old.metadata?.creationTimestamp },
    };
    delete stored.metadata.resourceVersion;
    // Without a resourceVersion the update is unconditional, but still must not interleave with another write.
    const expected = typeof wanted === 'string' && wanted !== '' ? wanted : (current.mod_revision ?? '0');
    const reply = await etcd('/v3/kv/txn', {
      compare: [{ key, result: 'EQUAL', target: 'MOD', mod_revision: expected }],
      success: [{ request_put: { key, value: b64(JSON.stringify(stored)) } }],
    });
    if (!reply.succeeded) {
      return status(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${r.plural} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name, kind: r.plural },
      );
    }
    return { code: 200, body: { ...stored, metadata: { ...stored.metadata, resourceVersion: reply.header?.revision ?? '0' } } };
  }
  if (method === 'DELETE') {
    const reply = await etcd('/v3/kv/deleterange', { key, prev_kv: true });
    const prev = reply.prev_kvs?.[0];
    if (!prev) return notFound(name);
    return {
      code: 200,
      body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, kind: r.plural, uid: fromEtcd(prev).metadata?.uid } },
    };
  }
  return status(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method} ${r.plural})`);
}

// --- the server ------------------------------------------------------------

function send(res: http.ServerResponse, code: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const headers: http.OutgoingHttpHeaders = {
    'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    'content-length': Buffer.byteLength(text),
  };
  // While draining, a finished request must not keep its connection open.
  if (draining) headers.connection = 'close';
  res.writeHead(code, headers).end(text);
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://stand-in');
  const path = url.pathname;
  if (path === '/livez' || path === '/readyz' || path === '/healthz') {
    const a = healthAnswer(path.slice(1) as 'livez' | 'readyz' | 'healthz', url.searchParams.has('verbose'));
    return send(res, a.code, a.body);
  }
  if (path === '/version') {
    const [, major = '0', minor = '0'] = /^v(\d+)\.(\d+)/.exec(gitVersion) ?? [];
    return send(res, 200, {
      major,
      minor,
      gitVersion,
      gitCommit: 'stand-in',
      gitTreeState: 'clean',
      buildDate: '1970-01-01T00:00:00Z',
      goVersion: 'stand-in',
      compiler: 'gc',
      platform: 'linux/amd64',
    });
  }
  if (path === '/stand-in/sleep') {
    // Stand-in only: a slow request, to show in-flight requests finish during shutdown.
    // Headers go out at once so that a client knows the request is in flight.
    const ms = Number(url.searchParams.get('ms') ?? '1000');
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', ...(draining ? { connection: 'close' } : {}) });
    res.flushHeaders();
    setTimeout(() => res.end(`slept ${ms} ms\n`), ms);
    return;
  }
  for (const [pattern, resource] of ROUTES) {
    const m = pattern.exec(path);
    if (!m) continue;
    // Client certificates of --client-ca-file only; kube-apiserver with anonymous auth off answers 401.
    if (!(req.socket as TLSSocket).authorized) return send(res, 401, status(401, 'Unauthorized', 'Unauthorized').body);
    try {
      const a = await serveApi(req, resource, decodeURIComponent(m[1] ?? ''), m[2] === undefined ? undefined : decodeURIComponent(m[2]));
      return send(res, a.code, a.body);
    } catch (err) {
      log(`${req.method} ${path}: ${(err as Error).message}`);
      return send(res, 500, status(500, 'InternalError', `Internal error occurred: ${(err as Error).message}`).body);
    }
  }
  send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource').body);
}

// Requests a client certificate without requiring one: health and version are anonymous.
const server = https.createServer({ ...serverTls, requestCert: true, rejectUnauthorized: false }, (req, res) => {
  // A request that finishes while draining leaves an idle keep-alive connection: close it, or close() waits for its timeout.
  res.on('finish', () => draining && setImmediate(() => server.closeIdleConnections()));
  // As Go's http.Server once shutting down (keep-alives off): every answer from SIGTERM on closes its
  // connection, so a client reconnects (through the balancer, to another apiserver) instead of
  // reusing a connection this server is about to close under it.
  if (shuttingDown) res.setHeader('Connection', 'close');
  void handle(req, res);
});
server.on('error', (err) => fail(`kube-apiserver-stand-in: serving on ${bindAddress}:${securePort}: ${err.message}`));
// kube-apiserver does not listen until its storage and caches are set up: seconds after start.
// Emulated (BELAY_STAND_IN_START_MS, 3000 by default), so that a restart leaves the gap a real one
// leaves, longer than haproxy's connection retries hide.
const startMs = Number(process.env.BELAY_STAND_IN_START_MS ?? 3_000);
setTimeout(() => {
  if (shuttingDown) process.exit(0);
  server.listen(securePort, bindAddress, () => {
    log(
      `a stand-in for tests, not the real kube-apiserver: serving ${gitVersion} on https://${bindAddress}:${securePort}, etcd ${etcdServers.map((s) => s.host).join(',')}${neverReady ? ' (never ready)' : ''}`,
    );
  });
}, startMs);

/** kube-apiserver's SIGTERM sequence: not ready at once, serve on for the delay, stop listening, drain, exit 0. */
function shutdown(signal: string): void {
  if (shuttingDown) return;
  shuttingDown = true;
  log(`${signal}: /readyz fails from now on; serving for --shutdown-delay-duration (${shutdownDelayMs} ms)`);
  setTimeout(() => {
    draining = true;
    clearInterval(etcdTimer);
    log('shutdown delay over: no new connections; draining in-flight requests');
    server.close(() => {
      log('all requests done: exiting');
      etcdAgent.destroy();
      process.exit(0);
    });
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), DRAIN_TIMEOUT_MS).unref();
  }, shutdownDelayMs);
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
