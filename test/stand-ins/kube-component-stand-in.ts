/**
 * kube-scheduler and kube-controller-manager stand-in, for tests and the demo
 * only: neither binary is on these machines. belay's `host` runtime runs the
 * rendered manifests' commands from PATH; test/stand-ins/bin puts wrappers
 * there that pass `--component=NAME` first (consumed here, not a real flag).
 * It behaves like the real component where belay looks:
 * - flags by the component's names (an unknown one exits 1, as pflag does);
 * - HTTPS /healthz /livez /readyz on --bind-address:--secure-port with a
 *   self-signed certificate made at start, as the real ones do without one;
 * - with --leader-elect (the default) client-go's lease lock on
 *   kube-system/<component> through the apiserver of --kubeconfig; GET
 *   /stand-in/leader tells whether it leads (stand-in only);
 * - SIGTERM releases a held lease (--leader-elect-release-lease) and exits 0.
 * Usage:
 *   test/stand-ins/bin/kube-scheduler --kubeconfig=scheduler.conf --bind-address=127.0.0.1 --secure-port=10259
 *   node --import tsx test/stand-ins/kube-component-stand-in.ts --component=kube-controller-manager --kubeconfig=controller-manager.conf
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import YAML from 'yaml';
import type { ControlPlaneComponent } from '../../coordinator/kube/flag-names.js';
import { knownFlags } from '../../coordinator/kube/flags.js';
import { createCa, issueCert } from '../../coordinator/pki/ca.js';
import { fail, parseDurationMs, parseFlags } from './stand-in-flags.js';

const DEFAULT_PORTS: Record<string, number> = { 'kube-scheduler': 10259, 'kube-controller-manager': 10257 };
/** client-go's defaults for both components. */
const LEADER_ELECT_DEFAULTS = { leaseDuration: '15s', renewDeadline: '10s', retryPeriod: '2s' };
/** Releasing the lease at SIGTERM may not hold up the exit longer than this. */
const RELEASE_TIMEOUT_MS = 2_000;
/** pflag booleans may stand alone (`--leader-elect`); every other flag takes a value. */
const BOOL_FLAGS = new Set(['leader-elect', 'profiling', 'contention-profiling', 'allocate-node-cidrs', 'use-service-account-credentials', 'help']);

const [first, ...args] = process.argv.slice(2);
const component = componentOf(first);

/** Which component to be: the wrappers' `--component=NAME`, before the real flags. */
function componentOf(arg: string | undefined): ControlPlaneComponent {
  const m = /^--component=(kube-scheduler|kube-controller-manager)$/.exec(arg ?? '');
  if (m?.[1] === 'kube-scheduler' || m?.[1] === 'kube-controller-manager') return m[1];
  fail('kube-component-stand-in: the first argument must be --component=kube-scheduler or --component=kube-controller-manager');
}

function log(message: string): void {
  process.stderr.write(`${new Date().toISOString()} ${component}-stand-in: ${message}\n`);
}

// --- configuration ---------------------------------------------------------

/** The tag of BELAY_IMAGE ("registry.k8s.io/kube-scheduler:v1.31.2" → "v1.31.2"), digest ignored: which flag list applies. */
function imageVersion(image: string): string {
  const ref = image.split('@')[0] ?? '';
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? ref.slice(colon + 1) : 'v0.0.0-stand-in';
}

const version = imageVersion(process.env.BELAY_IMAGE ?? '');
const flags = parseFlags(component, args, knownFlags(component, version), BOOL_FLAGS);
// --version and --help answer and exit, as the real binary's do.
if (flags.has('version')) {
  process.stdout.write(`Kubernetes ${version}\n`);
  process.exit(0);
}
if (flags.has('help') || flags.has('h')) {
  process.stdout.write(`${component} stand-in (tests only): see the header of ${new URL(import.meta.url).pathname}\n`);
  process.exit(0);
}

function durationFlag(name: string, fallback: string): number {
  const text = flags.get(name) ?? fallback;
  const ms = parseDurationMs(text);
  if (ms === undefined || ms <= 0) fail(`${component}-stand-in: --${name}=${text}: not a positive duration like 15s`);
  return ms;
}

const bindAddress = flags.get('bind-address') ?? '0.0.0.0';
const securePort = Number(flags.get('secure-port') ?? DEFAULT_PORTS[component]);
if (!Number.isInteger(securePort) || securePort < 1 || securePort > 65535)
  fail(`${component}-stand-in: --secure-port=${flags.get('secure-port')}: not a port number`);
const leaderElect = (flags.get('leader-elect') ?? 'true') === 'true';
const releaseLease = (flags.get('leader-elect-release-lease') ?? 'true') === 'true';
const leaseDurationMs = durationFlag('leader-elect-lease-duration', LEADER_ELECT_DEFAULTS.leaseDuration);
const renewDeadlineMs = durationFlag('leader-elect-renew-deadline', LEADER_ELECT_DEFAULTS.renewDeadline);
const retryPeriodMs = durationFlag('leader-elect-retry-period', LEADER_ELECT_DEFAULTS.retryPeriod);
const leaseNamespace = flags.get('leader-elect-resource-namespace') ?? 'kube-system';
const leaseName = flags.get('leader-elect-resource-name') ?? component;
if ((flags.get('leader-elect-resource-lock') ?? 'leases') !== 'leases')
  fail(`${component}-stand-in: --leader-elect-resource-lock=${flags.get('leader-elect-resource-lock')}: the stand-in supports leases only`);
// Several masters on one machine share a hostname; their own addresses tell them apart in the lease.
const identity = `${bindAddress === '0.0.0.0' || bindAddress === '::' ? os.hostname() : bindAddress}_${crypto.randomUUID()}`;

// --- the apiserver, from a kubeconfig as kubeadm writes scheduler.conf -------

interface ApiServer {
  url: URL;
  agent: https.Agent;
}

function loadKubeconfig(file: string): ApiServer {
  const where = `--kubeconfig=${file}`;
  let doc: unknown;
  try {
    doc = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    fail(`${component}-stand-in: ${where}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  type Named<T> = { name?: string } & T;
  const k = doc as {
    'current-context'?: string;
    contexts?: Named<{ context?: { cluster?: string; user?: string } }>[];
    clusters?: Named<{ cluster?: { server?: string; 'certificate-authority-data'?: string; 'certificate-authority'?: string } }>[];
    users?: Named<{ user?: Record<string, string | undefined> }>[];
  };
  const context = k.contexts?.find((c) => c.name === k['current-context'])?.context ?? k.contexts?.[0]?.context;
  const cluster = (k.clusters?.find((c) => c.name === context?.cluster) ?? k.clusters?.[0])?.cluster;
  const user = (k.users?.find((u) => u.name === context?.user) ?? k.users?.[0])?.user ?? {};
  // Inline *-data (base64 PEM) as kubeadm writes it, or a file path relative to the kubeconfig.
  const pem = (data: string | undefined, file2: string | undefined, what: string): Buffer => {
    if (data) return Buffer.from(data, 'base64');
    if (file2) {
      try {
        return fs.readFileSync(path.resolve(path.dirname(file), file2));
      } catch (err) {
        fail(`${component}-stand-in: ${where}: ${what} ${file2}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
    }
    fail(`${component}-stand-in: ${where}: no ${what}(-data): the stand-in authenticates with a client certificate only`);
  };
  if (!cluster?.server) fail(`${component}-stand-in: ${where}: no cluster server URL`);
  return {
    url: new URL(cluster.server),
    agent: new https.Agent({
      keepAlive: true,
      ca: pem(cluster['certificate-authority-data'], cluster['certificate-authority'], 'certificate-authority'),
      cert: pem(user['client-certificate-data'], user['client-certificate'], 'client-certificate'),
      key: pem(user['client-key-data'], user['client-key'], 'client-key'),
    }),
  };
}

const kubeconfig = flags.get('kubeconfig');
if (!kubeconfig) fail(`${component}-stand-in: --kubeconfig is required (invalid configuration: no configuration has been provided)`);
const api = loadKubeconfig(kubeconfig);

/** Aborted at SIGTERM: ends the election loop's sleeps and requests at once. */
const stopping = new AbortController();

function call(method: string, urlPath: string, body?: unknown, timeoutMs = renewDeadlineMs, signal?: AbortSignal): Promise<{ code: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(
      new URL(urlPath, api.url),
      { method, agent: api.agent, timeout: timeoutMs, signal, headers: { 'content-type': 'application/json', accept: 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let json: unknown;
          try {
            json = JSON.parse(Buffer.concat(chunks).toString());
          } catch {
            json = undefined;
          }
          resolve({ code: res.statusCode ?? 0, json });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

// --- leader election, as client-go's leaderelection with a LeaseLock ------------

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}
interface Lease {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  spec?: LeaseSpec;
}

const leasesPath = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(leaseNamespace)}/leases`;
const leasePath = `${leasesPath}/${encodeURIComponent(leaseName)}`;
let leading = !leaderElect;
/** The lease as last read or written, and when it last changed in our eyes (client-go's observedTime: our clock, not the holder's). */
let observed: { lease: Lease; text: string; atMs: number } | undefined;

/** MicroTime, as client-go writes renewTime: RFC 3339 with microseconds. */
const microTime = (d: Date): string => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

function observe(lease: Lease): void {
  const text = JSON.stringify(lease.spec ?? {});
  if (observed?.text !== text) observed = { lease, text, atMs: Date.now() };
  else observed.lease = lease;
}

/** client-go's tryAcquireOrRenew: create the lease, take it if free or expired, renew it if ours. */
async function tryAcquireOrRenew(): Promise<boolean> {
  const now = new Date();
  const mine: LeaseSpec = {
    holderIdentity: identity,
    leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000),
    acquireTime: microTime(now),
    renewTime: microTime(now),
    leaseTransitions: 0,
  };
  const got = await call('GET', leasePath, undefined, renewDeadlineMs, stopping.signal);
  if (got.code === 404) {
    const created = await call(
      'POST',
      leasesPath,
      { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: leaseName, namespace: leaseNamespace }, spec: mine },
      renewDeadlineMs,
      stopping.signal,
    );
    if (created.code !== 201) return false;
    observe(created.json as Lease);
    return true;
  }
  if (got.code !== 200) return false;
  const lease = got.json as Lease;
  observe(lease);
  const old = lease.spec ?? {};
  const heldByOther = (old.holderIdentity ?? '') !== '' && old.holderIdentity !== identity;
  if (heldByOther && (observed?.atMs ?? 0) + (old.leaseDurationSeconds ?? 0) * 1000 > Date.now()) return false;
  if (old.holderIdentity === identity) {
    mine.acquireTime = old.acquireTime;
    mine.leaseTransitions = old.leaseTransitions ?? 0;
  } else {
    mine.leaseTransitions = (old.leaseTransitions ?? 0) + 1;
  }
  const updated = await call('PUT', leasePath, { ...lease, spec: mine }, renewDeadlineMs, stopping.signal);
  if (updated.code !== 200) return false;
  observe(updated.json as Lease);
  return true;
}

let lastError = '';
/** One attempt; a failed request counts as a failed attempt, as in client-go. */
async function attempt(): Promise<boolean> {
  try {
    const ok = await tryAcquireOrRenew();
    lastError = '';
    return ok;
  } catch (err) {
    const text = (err as Error).message;
    // Log a new error, not the same one every retry period.
    if (!stopping.signal.aborted && text !== lastError) log(`error retrieving or updating lease ${leaseNamespace}/${leaseName}: ${text}`);
    lastError = text;
    return false;
  }
}

async function pause(ms: number): Promise<void> {
  await sleep(ms, undefined, { signal: stopping.signal }).catch(() => undefined);
}

/** Acquire (every retry period, jittered like client-go's 1.2 factor), then renew until SIGTERM or a missed renew deadline. */
async function elect(): Promise<void> {
  log(`attempting to acquire leader lease ${leaseNamespace}/${leaseName}...`);
  while (!stopping.signal.aborted && !(await attempt())) await pause(retryPeriodMs * (1 + Math.random() * 1.2));
  if (stopping.signal.aborted) return;
  leading = true;
  log(`successfully acquired lease ${leaseNamespace}/${leaseName}`);
  let renewedAtMs = Date.now();
  while (!stopping.signal.aborted) {
    await pause(retryPeriodMs);
    if (stopping.signal.aborted) return;
    if (await attempt()) renewedAtMs = Date.now();
    else if (Date.now() - renewedAtMs > renewDeadlineMs && !stopping.signal.aborted) {
      // The real components exit here, and their supervisor restarts them.
      log(`failed to renew lease ${leaseNamespace}/${leaseName}: timed out waiting for the condition`);
      fail(`${component}-stand-in: leaderelection lost`);
    }
  }
}

/** client-go's release: an empty holder, so the next candidate takes the lease without waiting for it to expire. */
async function release(): Promise<void> {
  const lease = observed?.lease;
  if (!lease || lease.spec?.holderIdentity !== identity) return;
  const now = microTime(new Date());
  const spec: LeaseSpec = { leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: lease.spec.leaseTransitions ?? 0 };
  try {
    const r = await call('PUT', leasePath, { ...lease, spec }, RELEASE_TIMEOUT_MS);
    log(r.code === 200 ? `released lease ${leaseNamespace}/${leaseName}` : `releasing lease ${leaseNamespace}/${leaseName}: HTTP ${r.code}`);
  } catch (err) {
    log(`releasing lease ${leaseNamespace}/${leaseName}: ${(err as Error).message}`);
  }
}

// --- serving ---------------------------------------------------------------

/** Like the real components without --tls-cert-file: a throwaway CA and a leaf for localhost and the bind address. */
async function selfSignedCert(): Promise<{ cert: string; key: string }> {
  const stamp = Math.floor(Date.now() / 1000);
  const ca = await createCa({ clusterName: 'stand-in', commonName: `localhost-ca@${stamp}`, days: 365 });
  const ips = ['127.0.0.1', ...(bindAddress === '0.0.0.0' || bindAddress === '::' || bindAddress === '127.0.0.1' ? [] : [bindAddress])];
  const leaf = await issueCert(ca, { commonName: `localhost@${stamp}`, dnsNames: ['localhost'], ipAddresses: ips, usages: ['server'], days: 365 });
  return { cert: leaf.certPem + ca.certPem, key: leaf.keyPem };
}

const tls = await selfSignedCert();
const server = https.createServer(tls, (req, res) => {
  const url = new URL(req.url ?? '/', 'https://stand-in');
  if (url.pathname === '/healthz' || url.pathname === '/livez' || url.pathname === '/readyz') {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok');
  } else if (url.pathname === '/stand-in/leader') {
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ component, identity, leaderElect, leading, lease: `${leaseNamespace}/${leaseName}` }));
  } else {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
  }
});
server.on('error', (err) => fail(`${component}-stand-in: serving on ${bindAddress}:${securePort}: ${err.message}`));
let election = Promise.resolve();
server.listen(securePort, bindAddress, () => {
  log(
    `a stand-in for tests, not the real ${component}: ${version} serving on https://${bindAddress}:${securePort}, apiserver ${api.url.host}, identity ${identity}`,
  );
  if (leaderElect && !stopping.signal.aborted) election = elect();
});

async function shutdown(signal: string): Promise<void> {
  if (stopping.signal.aborted) return;
  log(`${signal}: stopping`);
  stopping.abort();
  await election;
  if (leading && releaseLease) await release();
  server.close();
  server.closeAllConnections();
  api.agent.destroy();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
