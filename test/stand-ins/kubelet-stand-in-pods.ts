import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';

/** The kubelet stand-in's pod runner: static pods as processes, with restarts, readiness probes, hostPath volumes and kubelet's log layout. */

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

export interface PodManifest {
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { containers: ContainerSpec[]; volumes?: { name: string; hostPath?: { path: string; type?: string } }[]; terminationGracePeriodSeconds?: number };
}

interface Terminated {
  exitCode: number;
  reason: string;
  startedAt: string;
  finishedAt: string;
}

export function log(message: string): void {
  process.stderr.write(`${new Date().toISOString()} kubelet-stand-in: ${message}\n`);
}

/** Kubernetes times: RFC 3339 in whole seconds. */
export function seconds(d = new Date()): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}

/** The manifest, or why it is not one a kubelet would run. */
export function parseManifest(bytes: Buffer): PodManifest | string {
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
      const logFile = path.join(this.pod.node.podLogDir, `${this.pod.namespace}_${this.pod.name}_${this.pod.uid}`, this.spec.name, '0.log');
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
export class StaticPod {
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
    /** The node's name (in the pod's name and spec) and where container logs go (--pod-log-dir). */
    readonly node: { name: string; podLogDir: string },
  ) {
    // kubelet's uid for a static pod is a hash of it too: a changed file is a new pod.
    this.uid = crypto.createHash('md5').update(bytes).digest('hex').slice(0, 32);
    this.name = `${manifest.metadata.name}-${node.name}`;
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
      spec: { ...this.manifest.spec, nodeName: this.node.name },
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
