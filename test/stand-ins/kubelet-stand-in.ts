/**
 * kubelet stand-in, for tests only, NOT kubelet: there is no kubelet binary
 * on these machines. Like kubelet it serves GET /healthz on a local port, and,
 * like kubelet without its container runtime, it reports unhealthy while the
 * runtime's socket does not answer. Usage:
 *   node --import tsx test/stand-ins/kubelet-stand-in.ts --port 10248 --runtime-socket /run/containerd/containerd.sock
 *
 * With --pod-manifest-path it also does what belay's `kubelet` runtime relies
 * on: it runs the static pods of that dir and serves kubelet's authenticated
 * GET /pods on --secure-port:
 *   node --import tsx test/stand-ins/kubelet-stand-in.ts --port 10248 --pod-manifest-path /etc/kubernetes/manifests \
 *     --root-dir /var/lib/kubelet --client-ca-file /etc/kubernetes/pki/ca.crt --node-name m1
 * - *.yaml, *.yml and *.json files, not dot-files (belay renames dot-temp
 *   files into place), watched and rescanned every --file-check-frequency;
 *   a file that is not a Pod is logged and its running pod is left alone;
 * - a changed file is a new pod (new uid): the old one is stopped, then the
 *   new one started; a removed file's pod is stopped;
 * - containers run as processes, command + args from PATH, the image handed
 *   over as BELAY_IMAGE, as belay's `host` runtime runs them; restarted with
 *   back-off; readiness probes; hostPath DirectoryOrCreate/FileOrCreate made;
 *   logs in kubelet's /var/log/pods layout;
 * - a self-signed serving certificate under --root-dir/pki, made at first start
 *   as kubelet makes one when given none; clients authenticate with a
 *   certificate of --client-ca-file, which may appear later.
 * Left out: CRI and images, mirror pods in an apiserver, the authorization
 * webhook (any authenticated client may read), other restart policies,
 * liveness and startup probes, every API but /pods and /healthz.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { parseArgs } from 'node:util';
import YAML from 'yaml';
import { parseDurationMs } from './stand-in-flags.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '10248' },
    'runtime-socket': { type: 'string' },
    'fail-with': { type: 'string' },
    'pod-manifest-path': { type: 'string' },
    'file-check-frequency': { type: 'string', default: '20s' },
    'node-name': { type: 'string' },
    // kubelet's own name for it.
    'hostname-override': { type: 'string' },
    'root-dir': { type: 'string', default: '/var/lib/kubelet' },
    'secure-port': { type: 'string', default: '10250' },
    address: { type: 'string', default: '127.0.0.1' },
    'client-ca-file': { type: 'string' },
    'pod-log-dir': { type: 'string', default: '/var/log/pods' },
  },
});
if (values['fail-with']) {
  // A bad flag: kubelet exits at once with an error, as it does until it is configured.
  process.stderr.write(`kubelet-stand-in: ${values['fail-with']}\n`);
  process.exit(1);
}

function runtimeAnswers(): Promise<boolean> {
  const socket = values['runtime-socket'];
  if (!socket) return Promise.resolve(true);
  return new Promise((resolve) => {
    const c = net.connect(socket);
    const done = (ok: boolean): void => {
      c.destroy();
      resolve(ok);
    };
    c.setTimeout(200, () => done(false));
    c.once('connect', () => done(true));
    c.once('error', () => done(false));
  });
}

const server = http.createServer((req, res) => {
  if (req.url !== '/healthz') {
    res.writeHead(404).end();
    return;
  }
  void runtimeAnswers().then((ok) => res.writeHead(ok ? 200 : 500).end(ok ? 'ok' : 'container runtime is down'));
});
server.listen(Number(values.port), '127.0.0.1');
const manifestDir = values['pod-manifest-path'];

// --- static pods -------------------------------------------------------------

/** kubelet's back-off is 10 s doubling to 5 min; tests cannot wait that long. */
const BACKOFF_INITIAL_MS = 1_000;
const BACKOFF_MAX_MS = 10_000;
/** Until a readiness probe first passes it is repeated this often (or every period, if shorter), so that a pod is Ready soon after it can be. */
const FIRST_READY_POLL_MS = 500;
/** kubelet's defaults (k8s.io/api core/v1). */
const PROBE_DEFAULTS = { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3, successThreshold: 1 } as const;
const DEFAULT_GRACE_SECONDS = 30;
/** kubelet retries a failed volume set-up; so does the stand-in, this often. */
const VOLUME_RETRY_MS = 2_000;
const CLIENT_CA_POLL_MS = 1_000;
const MAX_PODS = 100;
const MANIFEST_NAME = /\.(ya?ml|json)$/;
/** Fewer rescans when a rename fires two events. */
const WATCH_DEBOUNCE_MS = 20;

interface Probe {
  httpGet?: { path?: string; port?: number | string; host?: string; scheme?: string; httpHeaders?: { name: string; value: string }[] };
  tcpSocket?: { port?: number | string; host?: string };
  exec?: { command?: string[] };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
  successThreshold?: number;
}

interface ContainerSpec {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string }[];
  workingDir?: string;
  ports?: { name?: string; containerPort?: number }[];
  readinessProbe?: Probe;
}

interface PodManifest {
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { containers: ContainerSpec[]; volumes?: { name: string; hostPath?: { path: string; type?: string } }[]; terminationGracePeriodSeconds?: number };
}

interface Terminated {
  exitCode: number;
  reason: string;
  startedAt: string;
  finishedAt: string;
}

function log(message: string): void {
  process.stderr.write(`${new Date().toISOString()} kubelet-stand-in: ${message}\n`);
}

/** Kubernetes times: RFC 3339 in whole seconds. */
function seconds(d = new Date()): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}

/** The manifest, or why it is not one a kubelet would run. */
function parseManifest(bytes: Buffer): PodManifest | string {
  let doc: unknown;
  try {
    doc = YAML.parse(bytes.toString('utf8'));
  } catch (err) {
    return `not YAML: ${(err as Error).message.split('\n')[0] ?? ''}`;
  }
  const pod = doc as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown }; spec?: { containers?: unknown } } | null;
  if (typeof pod !== 'object' || pod === null || pod.kind !== 'Pod' || pod.apiVersion !== 'v1') return 'not a v1 Pod';
  if (typeof pod.metadata?.name !== 'string' || pod.metadata.name === '') return 'no metadata.name';
  const containers = pod.spec?.containers;
  if (!Array.isArray(containers) || containers.length === 0 || containers.some((c) => typeof (c as { name?: unknown } | null)?.name !== 'string'))
    return 'no spec.containers with names';
  return doc as PodManifest;
}

function probePort(v: number | string | undefined, c: ContainerSpec): number | undefined {
  return typeof v === 'number' ? v : c.ports?.find((p) => p.name === v)?.containerPort;
}

/** One probe run, as kubelet's prober does it; false on failure or after timeoutMs. */
function runProbe(p: Probe, c: ContainerSpec, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let cleanUp = (): void => undefined;
    const timer = setTimeout(() => done(false), timeoutMs);
    function done(ok: boolean): void {
      clearTimeout(timer);
      cleanUp();
      cleanUp = () => undefined;
      resolve(ok);
    }
    if (p.httpGet) {
      const port = probePort(p.httpGet.port, c);
      if (port === undefined) return done(false);
      const path = p.httpGet.path ?? '/';
      const headers = { 'User-Agent': 'kube-probe/stand-in', ...Object.fromEntries((p.httpGet.httpHeaders ?? []).map((h) => [h.name, h.value])) };
      // Static pods share the host's network: no host means the node itself. kubelet does not verify an HTTPS probe's certificate.
      const o = { host: p.httpGet.host ?? '127.0.0.1', port, path: path.startsWith('/') ? path : `/${path}`, headers, agent: false } as const;
      const onResponse = (res: http.IncomingMessage): void => {
        res.resume();
        done((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 400);
      };
      const req = (p.httpGet.scheme ?? 'HTTP').toUpperCase() === 'HTTPS' ? https.get({ ...o, rejectUnauthorized: false }, onResponse) : http.get(o, onResponse);
      req.on('error', () => done(false));
      cleanUp = () => req.destroy();
    } else if (p.tcpSocket) {
      const port = probePort(p.tcpSocket.port, c);
      if (port === undefined) return done(false);
      const s = net.connect({ host: p.tcpSocket.host ?? '127.0.0.1', port });
      s.once('connect', () => done(true));
      s.once('error', () => done(false));
      cleanUp = () => s.destroy();
    } else if (p.exec?.command?.[0] !== undefined) {
      const [file, ...args] = p.exec.command;
      const child = spawn(file, args, { env, stdio: 'ignore' });
      child.once('error', () => done(false));
      child.once('exit', (code) => done(code === 0));
      cleanUp = () => child.kill('SIGKILL');
    } else {
      done(false);
    }
  });
}

class Container {
  state: 'waiting' | 'running' | 'backoff' | 'terminated' = 'waiting';
  restartCount = 0;
  ready = false;
  private child?: ChildProcess;
  private startedAt = new Date();
  private lastTermination?: Terminated;
  private backoffMs = BACKOFF_INITIAL_MS;
  private restartTimer?: NodeJS.Timeout;
  private probeTimer?: NodeJS.Timeout;
  /** Bumped to cancel the probes of an earlier run. */
  private probeRun = 0;
  private stopRequested = false;
  private onTerminated?: () => void;

  constructor(
    private readonly pod: StaticPod,
    readonly spec: ContainerSpec,
  ) {}

  private get env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, ...(this.spec.image ? { BELAY_IMAGE: this.spec.image } : {}) };
    for (const e of this.spec.env ?? []) if (e.value !== undefined) env[e.name] = e.value;
    return env;
  }

  start(): void {
    const [file, ...rest] = this.spec.command ?? [];
    if (file === undefined || this.stopRequested) return;
    this.startedAt = new Date();
    try {
      const logFile = path.join(podLogDir, `${this.pod.namespace}_${this.pod.name}_${this.pod.uid}`, this.spec.name, '0.log');
      fs.mkdirSync(path.dirname(logFile), { recursive: true });
      const fd = fs.openSync(logFile, 'a', 0o640);
      try {
        // Not detached: the containers share the stand-in's process group, so killing that group ends
        // its pods too. A real kubelet's containers outlive it; the stand-in's must not outlive a test.
        this.child = spawn(file, [...rest, ...(this.spec.args ?? [])], { env: this.env, cwd: this.spec.workingDir, stdio: ['ignore', fd, fd] });
      } finally {
        fs.closeSync(fd);
      }
    } catch (err) {
      log(`container ${this.pod.name}/${this.spec.name}: cannot start: ${(err as Error).message}`);
      this.terminated(128, 'StartError');
      return;
    }
    const child = this.child;
    child.once('error', (err) => {
      if (child.pid !== undefined || this.child !== child) return;
      log(`container ${this.pod.name}/${this.spec.name}: cannot start ${file}: ${err.message}`);
      this.terminated(128, 'StartError');
    });
    child.once('exit', (code, signal) => {
      if (this.child !== child) return;
      this.terminated(code ?? 128 + (signal ? os.constants.signals[signal] : 0), code === 0 ? 'Completed' : 'Error');
    });
    this.state = 'running';
    this.startProbing();
    this.pod.update();
  }

  /** SIGTERM, SIGKILL after graceMs; resolves once the process is gone. */
  stop(graceMs: number): Promise<void> {
    this.stopRequested = true;
    clearTimeout(this.restartTimer);
    this.stopProbing();
    const child = this.child;
    if (child === undefined) {
      if (this.lastTermination !== undefined) this.state = 'terminated';
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
      this.onTerminated = () => {
        clearTimeout(kill);
        resolve();
      };
      child.kill('SIGTERM');
    });
  }

  private terminated(exitCode: number, reason: string): void {
    const ranMs = Date.now() - this.startedAt.getTime();
    this.child = undefined;
    this.stopProbing();
    this.lastTermination = { exitCode, reason, startedAt: seconds(this.startedAt), finishedAt: seconds() };
    if (this.stopRequested) {
      this.state = 'terminated';
      this.onTerminated?.();
    } else {
      // kubelet starts over once a container has run for a while.
      if (ranMs >= BACKOFF_MAX_MS) this.backoffMs = BACKOFF_INITIAL_MS;
      log(`container ${this.pod.name}/${this.spec.name} exited (${exitCode}): restarting in ${this.backoffMs} ms`);
      this.state = 'backoff';
      this.restartTimer = setTimeout(() => {
        this.restartCount++;
        this.start();
      }, this.backoffMs);
      this.backoffMs = Math.min(2 * this.backoffMs, BACKOFF_MAX_MS);
    }
    this.pod.update();
  }

  /** kubelet's readiness: thresholds of consecutive results; without a probe, ready while running. */
  private startProbing(): void {
    const p = this.spec.readinessProbe;
    this.ready = p === undefined;
    if (p === undefined) return;
    const run = ++this.probeRun;
    const periodMs = (p.periodSeconds ?? PROBE_DEFAULTS.periodSeconds) * 1000;
    const timeoutMs = (p.timeoutSeconds ?? PROBE_DEFAULTS.timeoutSeconds) * 1000;
    let successes = 0;
    let failures = 0;
    let passedOnce = false;
    const tick = async (): Promise<void> => {
      const ok = await runProbe(p, this.spec, this.env, timeoutMs);
      if (run !== this.probeRun) return;
      successes = ok ? successes + 1 : 0;
      failures = ok ? 0 : failures + 1;
      passedOnce ||= ok;
      if (successes >= (p.successThreshold ?? PROBE_DEFAULTS.successThreshold)) this.ready = true;
      if (failures >= (p.failureThreshold ?? PROBE_DEFAULTS.failureThreshold)) this.ready = false;
      this.pod.update();
      this.probeTimer = setTimeout(() => void tick(), passedOnce ? periodMs : Math.min(periodMs, FIRST_READY_POLL_MS));
    };
    this.probeTimer = setTimeout(() => void tick(), (p.initialDelaySeconds ?? PROBE_DEFAULTS.initialDelaySeconds) * 1000);
  }

  private stopProbing(): void {
    this.probeRun++;
    clearTimeout(this.probeTimer);
    this.ready = false;
  }

  status(): object {
    const s = this.state;
    const t = this.lastTermination;
    const state =
      s === 'running'
        ? { running: { startedAt: seconds(this.startedAt) } }
        : s === 'terminated' && t
          ? { terminated: t }
          : s === 'backoff'
            ? {
                waiting: {
                  reason: 'CrashLoopBackOff',
                  message: `back-off restarting failed container=${this.spec.name} pod=${this.pod.name}_${this.pod.namespace}(${this.pod.uid})`,
                },
              }
            : { waiting: { reason: 'ContainerCreating' } };
    return {
      name: this.spec.name,
      image: this.spec.image ?? '',
      ready: this.ready,
      started: s === 'running',
      restartCount: this.restartCount,
      state,
      lastState: t && s !== 'terminated' ? { terminated: t } : {},
    };
  }
}

/** One version of one manifest file: a changed file is a new StaticPod, as kubelet sees a new pod. */
class StaticPod {
  readonly uid: string;
  readonly name: string;
  readonly namespace: string;
  readonly containers: Container[];
  started = false;
  stopping = false;
  private readonly seen = new Date().toISOString();
  private startTime?: string;
  private failure?: string;
  private ready = { status: false, since: seconds() };
  private volumeError?: string;
  private volumeTimer?: NodeJS.Timeout;
  private stopped?: Promise<void>;

  constructor(
    readonly file: string,
    readonly hash: string,
    bytes: Buffer,
    private readonly manifest: PodManifest,
  ) {
    // kubelet's uid for a static pod is a hash of it too: a changed file is a new pod.
    this.uid = crypto.createHash('md5').update(bytes).digest('hex').slice(0, 32);
    this.name = `${manifest.metadata.name}-${nodeName}`;
    this.namespace = manifest.metadata.namespace ?? 'default';
    this.containers = manifest.spec.containers.map((c) => new Container(this, c));
  }

  get fullName(): string {
    return `${this.namespace}/${this.name}`;
  }

  start(): void {
    this.started = true;
    this.startTime ??= seconds();
    const missing = this.containers.find((c) => (c.spec.command ?? []).length === 0);
    if (missing) {
      // There are no images to take an entrypoint from.
      this.failure = `container ${missing.spec.name} has no command: the stand-in runs command + args from PATH and has no images`;
      log(`pod ${this.fullName}: ${this.failure}`);
      return;
    }
    try {
      this.setUpVolumes();
    } catch (err) {
      const message = (err as Error).message;
      if (message !== this.volumeError) log(`pod ${this.fullName}: volume set-up failed, retrying: ${message}`);
      this.volumeError = message;
      this.volumeTimer = setTimeout(() => this.start(), VOLUME_RETRY_MS);
      return;
    }
    for (const c of this.containers) c.start();
  }

  /** kubelet makes the hostPaths of these two types; it does not make a file's parent dir. */
  private setUpVolumes(): void {
    for (const v of this.manifest.spec.volumes ?? []) {
      if (v.hostPath?.type === 'DirectoryOrCreate') fs.mkdirSync(v.hostPath.path, { recursive: true, mode: 0o755 });
      if (v.hostPath?.type === 'FileOrCreate') fs.closeSync(fs.openSync(v.hostPath.path, 'a', 0o644));
    }
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping = true;
      clearTimeout(this.volumeTimer);
      this.update();
      const graceMs = (this.manifest.spec.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS) * 1000;
      await Promise.all(this.containers.map((c) => c.stop(graceMs)));
    })();
    return this.stopped;
  }

  /** Called on every container change: moves the Ready condition's transition time. */
  update(): void {
    const ready = !this.stopping && this.failure === undefined && this.containers.every((c) => c.ready);
    if (ready !== this.ready.status) this.ready = { status: ready, since: seconds() };
  }

  toJson(): object {
    const m = this.manifest.metadata;
    const notReady = this.containers.filter((c) => !c.ready).map((c) => c.spec.name);
    const condition = (type: string): object => ({
      type,
      status: this.ready.status ? 'True' : 'False',
      lastProbeTime: null,
      lastTransitionTime: this.ready.since,
      ...(this.ready.status ? {} : { reason: 'ContainersNotReady', message: `containers with unready status: [${notReady.join(' ')}]` }),
    });
    const phase = this.failure !== undefined ? 'Failed' : this.containers.some((c) => c.state === 'waiting') ? 'Pending' : 'Running';
    return {
      metadata: {
        name: this.name,
        namespace: this.namespace,
        uid: this.uid,
        annotations: { ...m.annotations, 'kubernetes.io/config.hash': this.uid, 'kubernetes.io/config.seen': this.seen, 'kubernetes.io/config.source': 'file' },
        ...(m.labels ? { labels: m.labels } : {}),
      },
      spec: { ...this.manifest.spec, nodeName },
      status: {
        phase,
        ...(this.failure !== undefined ? { reason: 'StandInCannotRun', message: this.failure } : {}),
        conditions: [condition('Ready'), condition('ContainersReady')],
        containerStatuses: this.containers.map((c) => c.status()),
        ...(this.startTime ? { startTime: this.startTime } : {}),
      },
    };
  }
}

// --- wiring ------------------------------------------------------------------

const nodeName = (values['node-name'] ?? values['hostname-override'] ?? os.hostname()).toLowerCase();
const podLogDir = values['pod-log-dir'];

async function runStaticPods(dir: string): Promise<void> {
  const checkMs = parseDurationMs(values['file-check-frequency']) ?? Number(values['file-check-frequency']) * 1000;
  const securePort = Number(values['secure-port']);
  if (!(checkMs > 0) || !Number.isInteger(securePort)) {
    process.stderr.write(
      `kubelet-stand-in: --file-check-frequency (${values['file-check-frequency']}) must be a positive duration, --secure-port (${values['secure-port']}) a port\n`,
    );
    process.exit(1);
  }
  /** The pod each manifest file runs now. */
  const byFile = new Map<string, StaticPod>();
  /** Every pod listed: those of byFile, those stopping, and new ones waiting for an old one of the same name to stop. */
  const pods = new Set<StaticPod>();
  /** The hash of a file's content that was rejected, so that it is logged once. */
  const rejected = new Map<string, string>();
  let shuttingDown = false;

  /** kubelet starts a static pod only once the pod of the same name before it has stopped. */
  const startWaiting = (): void => {
    if (shuttingDown) return;
    for (const p of pods) {
      if (!p.started && ![...pods].some((o) => o.stopping && o.fullName === p.fullName)) p.start();
    }
  };
  const stopPod = async (p: StaticPod): Promise<void> => {
    if (p.started) {
      log(`stopping pod ${p.fullName} (${p.uid})`);
      await p.stop();
    }
    pods.delete(p);
    startWaiting();
  };

  const apply = (file: string, bytes: Buffer): void => {
    const hash = crypto.createHash('sha256').update(bytes).digest('hex');
    const current = byFile.get(file);
    if (current?.hash === hash || rejected.get(file) === hash) return;
    const manifest = parseManifest(bytes);
    if (typeof manifest === 'string') {
      rejected.set(file, hash);
      log(`ignoring ${file}: ${manifest}${current ? `; pod ${current.fullName} keeps running` : ''}`);
      return;
    }
    if (current === undefined && byFile.size >= MAX_PODS) {
      // Not remembered as rejected: it may fit once another pod is gone.
      log(`ignoring ${file}: already running ${MAX_PODS} pods`);
      return;
    }
    rejected.delete(file);
    const pod = new StaticPod(file, hash, bytes, manifest);
    log(`${current ? 'changed' : 'new'} manifest ${file}: pod ${pod.fullName} (${pod.uid})`);
    if (current) void stopPod(current);
    byFile.set(file, pod);
    pods.add(pod);
    startWaiting();
  };

  let watcher: fs.FSWatcher | undefined;
  let debounce: NodeJS.Timeout | undefined;
  const scan = (): void => {
    if (shuttingDown) return;
    let names: string[];
    try {
      names = fs.readdirSync(dir).filter((n) => !n.startsWith('.') && MANIFEST_NAME.test(n));
    } catch (err) {
      // kubelet: a missing dir has no pods; another error changes nothing.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return;
      names = [];
    }
    const present = new Set<string>();
    for (const n of names.sort()) {
      const file = path.join(dir, n);
      let bytes: Buffer;
      try {
        if (!fs.statSync(file).isFile()) continue;
        bytes = fs.readFileSync(file);
      } catch {
        continue; // gone since readdir
      }
      present.add(file);
      apply(file, bytes);
    }
    for (const file of rejected.keys()) if (!present.has(file)) rejected.delete(file);
    for (const [file, p] of byFile) {
      if (present.has(file)) continue;
      log(`manifest ${file} removed`);
      byFile.delete(file);
      void stopPod(p);
    }
    // The dir may appear (or be replaced) after start.
    if (watcher === undefined) {
      try {
        watcher = fs.watch(dir, () => {
          clearTimeout(debounce);
          debounce = setTimeout(scan, WATCH_DEBOUNCE_MS);
        });
        watcher.on('error', () => {
          watcher?.close();
          watcher = undefined;
        });
      } catch {
        // not there yet: the periodic rescan tries again
      }
    }
  };

  const secure = await serveSecure(securePort, () => ({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [...pods].map((p) => p.toJson()) }));
  scan();
  const rescan = setInterval(scan, checkMs);

  const shutdown = (signal: string): void => {
    if (shuttingDown) return;
    log(`${signal}: stopping ${pods.size} pod(s)`);
    shuttingDown = true;
    clearInterval(rescan);
    clearTimeout(debounce);
    watcher?.close();
    secure.stopPolling();
    byFile.clear();
    void Promise.all([...pods].map((p) => stopPod(p))).then(() => process.exit(0));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/** kubelet's layout when it is given no certificate: --root-dir/pki/kubelet.{crt,key}, made once, reused. */
async function servingCert(): Promise<{ cert: string; key: string }> {
  const pki = path.join(values['root-dir'], 'pki');
  const certFile = path.join(pki, 'kubelet.crt');
  const keyFile = path.join(pki, 'kubelet.key');
  try {
    return { cert: fs.readFileSync(certFile, 'utf8'), key: fs.readFileSync(keyFile, 'utf8') };
  } catch {
    // not made yet
  }
  // @peculiar/x509 needs the Reflect metadata API loaded first; only this mode pays for either.
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(crypto.webcrypto as unknown as Crypto);
  // As client-go's GenerateSelfSignedCertKey: a CA "<host>-ca@<unix>" signing "<host>@<unix>", both in
  // the .crt; the leaf names the host only (no 127.0.0.1), so clients check it against the node name.
  // kubelet's keys are RSA 2048; P-256 is quicker to make.
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const unix = Math.floor(Date.now() / 1000);
  const notBefore = new Date(Date.now() - 3_600_000);
  const notAfter = new Date(Date.now() + 365 * 86_400_000);
  const caKeys = await crypto.webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${nodeName}-ca@${unix}`,
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature, true),
    ],
  });
  const keys = await crypto.webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: `CN=${nodeName}@${unix}`,
    issuer: ca.subject,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([net.isIP(nodeName) ? { type: 'ip', value: nodeName } : { type: 'dns', value: nodeName }]),
    ],
  });
  const der = await crypto.webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const key = crypto
    .createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' })
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const cert = `${leaf.toString('pem')}\n${ca.toString('pem')}\n`;
  fs.mkdirSync(pki, { recursive: true, mode: 0o755 });
  fs.writeFileSync(keyFile, key, { mode: 0o600 });
  fs.writeFileSync(certFile, cert, { mode: 0o644 });
  log(`made a self-signed serving certificate ${certFile} for ${nodeName}`);
  return { cert, key };
}

/**
 * The HTTPS API on --address:--secure-port: x509 client authentication
 * against --client-ca-file, re-read every second (belay writes the cluster
 * CA after kubelet starts); until it is there, every request is 401.
 */
async function serveSecure(port: number, podList: () => object): Promise<{ stopPolling(): void }> {
  const { cert, key } = await servingCert();
  const caFile = values['client-ca-file'];
  let clientCa: string | undefined;
  let caError: string | undefined;
  const secure = https.createServer({ cert, key, requestCert: true, rejectUnauthorized: false, requestTimeout: 10_000 }, (req, res) => {
    const send = (code: number, body: string, type = 'text/plain; charset=utf-8'): void => void res.writeHead(code, { 'content-type': type }).end(body);
    // kubelet (anonymous auth off) authenticates before anything else.
    if (clientCa === undefined || !(req.socket as TLSSocket).authorized) return send(401, 'Unauthorized');
    // Authorization: kubelet would ask the apiserver (a SubjectAccessReview for nodes/proxy); any authenticated client may read here.
    const url = new URL(req.url ?? '/', 'https://kubelet');
    if (req.method === 'GET' && (url.pathname === '/pods' || url.pathname === '/pods/')) return send(200, JSON.stringify(podList()), 'application/json');
    if (req.method === 'GET' && url.pathname === '/healthz') {
      void runtimeAnswers().then((ok) => send(ok ? 200 : 500, ok ? 'ok' : 'container runtime is down'));
      return;
    }
    send(404, '404 page not found');
  });
  const loadCa = (): void => {
    if (caFile === undefined) return;
    let pem: string;
    try {
      pem = fs.readFileSync(caFile, 'utf8');
    } catch {
      return; // not written yet, or gone: the last one read stays
    }
    if (pem === clientCa) return;
    try {
      secure.setSecureContext({ cert, key, ca: pem });
      clientCa = pem;
      caError = undefined;
      log(`client CA ${caFile} loaded`);
    } catch (err) {
      if (caError !== pem) log(`client CA ${caFile} not loaded: ${(err as Error).message}`);
      caError = pem;
    }
  };
  loadCa();
  const timer = setInterval(loadCa, CLIENT_CA_POLL_MS);
  await new Promise<void>((resolve, reject) => {
    secure.once('error', reject);
    secure.listen(port, values.address, () => resolve());
  });
  log(`a stand-in for tests, not kubelet: static pods of ${manifestDir ?? ''} as node ${nodeName}, API on https://${values.address}:${port}`);
  return { stopPolling: () => clearInterval(timer) };
}

if (manifestDir === undefined) {
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
} else {
  await runStaticPods(manifestDir);
}
