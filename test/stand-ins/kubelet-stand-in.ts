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
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { serveSecure } from './kubelet-stand-in-https.js';
import { StaticPod, log, parseManifest } from './kubelet-stand-in-pods.js';
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

const MAX_PODS = 100;
const MANIFEST_NAME = /\.(ya?ml|json)$/;
/** Fewer rescans when a rename fires two events. */
const WATCH_DEBOUNCE_MS = 20;

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
    const pod = new StaticPod(file, hash, bytes, manifest, { name: nodeName, podLogDir });
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

  const secure = await serveSecure(securePort, () => ({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [...pods].map((p) => p.toJson()) }), {
    address: values.address,
    rootDir: values['root-dir'],
    clientCaFile: values['client-ca-file'],
    nodeName,
    manifestDir: dir,
    runtimeAnswers,
  });
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

if (manifestDir === undefined) {
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
} else {
  await runStaticPods(manifestDir);
}
