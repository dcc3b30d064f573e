import net from 'node:net';
import YAML from 'yaml';
import { z } from 'zod';
import { ConfigError, validate } from '../../proto/common/config-file.js';
import { absPath, ipAddress, nodeName } from '../../proto/common/daemon-config.js';
import { validateExtraArgs } from '../kube/flags.js';
import { BACKUP_DEFAULTS, CONTROL_PLANE_DEFAULTS, DURATION, ETCD_DEFAULTS, PREFLIGHT_DEFAULTS, durationMs } from './defaults.js';

/**
 * The Cluster spec (docs/architecture.md, "Design"): what the operator wants, applied with
 * `belayctl apply -f`. Durations are written as Kubernetes writes them
 * ("30m", "5m", "24h", "500ms") and kept in ms. Every default is listed in
 * docs/config.md; keep the two in step.
 */

// Read everywhere through this file too.
export { BACKUP_DEFAULTS, CONTROL_PLANE_DEFAULTS, ETCD_DEFAULTS, PREFLIGHT_DEFAULTS, durationMs } from './defaults.js';

export const SPEC_API_VERSION = 'belay.dev/v1alpha1';
export const SPEC_KIND = 'Cluster';
/** Largest spec accepted, bytes: a spec is a few KiB. */
export const MAX_SPEC_BYTES = 256 * 1024;

const duration = (min: string) =>
  z
    .string({ message: 'must be a duration such as 30s, 5m or 24h' })
    .regex(DURATION, { message: 'must be a duration such as 500ms, 30s, 5m or 24h' })
    // zod runs every check even after the regex failed: only compare what parses.
    .refine((s) => !DURATION.test(s.trim()) || durationMs(s) >= durationMs(min), { message: `must be at least ${min}` });

const port = z
  .number({ message: 'must be a port number' })
  .int({ message: 'must be a whole number' })
  .min(1, { message: 'must be 1 to 65535' })
  .max(65535, { message: 'must be 1 to 65535' });
const extraArgs = z
  .record(z.string().regex(/^[a-z0-9][-a-z0-9]*$/, { message: 'must be a flag name without dashes, e.g. auto-compaction-retention' }), z.string())
  .default({});
/** NAME:TAG or NAME:TAG@sha256:DIGEST; the registry may have a port (registry:5000/etcd:3.5.15-0), so the tag is after the last colon with no slash after it. */
const image = z.string().refine(
  (s) => {
    const [name = '', digest] = s.split('@');
    const i = name.lastIndexOf(':');
    return !/\s/.test(s) && i > 0 && /^:[\w][\w.-]{0,127}$/.test(name.slice(i)) && (digest === undefined || /^sha256:[0-9a-f]{64}$/.test(digest));
  },
  { message: 'must be an image with a tag, e.g. registry.k8s.io/etcd:3.5.15-0' },
);

const etcdSchema = z.strictObject({
  image: image.default(ETCD_DEFAULTS.image),
  clientPort: port.default(ETCD_DEFAULTS.clientPort),
  peerPort: port.default(ETCD_DEFAULTS.peerPort),
  metricsPort: port.default(ETCD_DEFAULTS.metricsPort),
  dataDir: absPath.default(ETCD_DEFAULTS.dataDir),
  quotaBackendBytes: z
    .number()
    .int()
    .min(64 * 1024 ** 2, { message: 'must be at least 64 MiB' })
    .max(8 * 1024 ** 3, { message: "must be at most 8 GiB (etcd's suggested maximum)" })
    .default(ETCD_DEFAULTS.quotaBackendBytes),
  snapshotCount: z.number().int().min(100).default(ETCD_DEFAULTS.snapshotCount),
  heartbeatIntervalMs: z.number().int().min(10).default(ETCD_DEFAULTS.heartbeatIntervalMs),
  electionTimeoutMs: z.number().int().min(50).default(ETCD_DEFAULTS.electionTimeoutMs),
  learnerCatchUpTimeout: duration('10s').default(ETCD_DEFAULTS.learnerCatchUpTimeout),
  replaceAfter: duration('30s').default(ETCD_DEFAULTS.replaceAfter),
  /** Flags added to etcd's command line (name without the leading --). */
  extraArgs,
  preflight: z
    .strictObject({
      minFreeBytes: z.number().int().min(0).default(PREFLIGHT_DEFAULTS.minFreeBytes),
      minFreeInodes: z.number().int().min(0).default(PREFLIGHT_DEFAULTS.minFreeInodes),
      maxFsyncP99Ms: z.number().positive().default(PREFLIGHT_DEFAULTS.maxFsyncP99Ms),
      maxDbQuotaFraction: z.number().positive().max(1).default(PREFLIGHT_DEFAULTS.maxDbQuotaFraction),
      maxClockSkewMs: z.number().int().positive().default(PREFLIGHT_DEFAULTS.maxClockSkewMs),
      maxReportAgeMs: z.number().int().positive().default(PREFLIGHT_DEFAULTS.maxReportAgeMs),
    })
    .default({ ...PREFLIGHT_DEFAULTS }),
});

const backupSchema = z.strictObject({
  dir: absPath.default(BACKUP_DEFAULTS.dir),
  /** A second copy of every snapshot, ideally on other storage. */
  secondaryDir: absPath.optional(),
  interval: duration('1m').default(BACKUP_DEFAULTS.interval),
  retain: z.number().int().min(1).max(10_000).default(BACKUP_DEFAULTS.retain),
  /** Bytes the snapshots in each dir may take: the oldest go first beyond it (never the newest verified one). */
  maxBytes: z.number().int().positive().default(BACKUP_DEFAULTS.maxBytes),
  drillInterval: duration('1m').default(BACKUP_DEFAULTS.drillInterval),
});

/** kube-apiserver, kube-scheduler, kube-controller-manager: the image (registry.k8s.io/kube-NAME:kubernetesVersion if unset) and flags added to what belay renders. */
const componentSchema = z.strictObject({
  image: image.optional(),
  extraArgs,
  /** Set by `belayctl rollout restart`: rendered as kubectl's restartedAt annotation, so the manifest changes and the pods restart (new certificates). */
  restartedAt: z.string().datetime({ message: 'must be an RFC 3339 time such as 2026-11-26T07:30:00Z' }).optional(),
});
const cidr = z.string().refine(
  (s) => {
    const [a = '', bits, ...rest] = s.split('/');
    const n = Number(bits);
    return rest.length === 0 && net.isIP(a) !== 0 && Number.isInteger(n) && n >= 0 && n <= (net.isIPv6(a) ? 128 : 32);
  },
  { message: 'must be a CIDR such as 10.96.0.0/12' },
);

const specSchema = z
  .strictObject({
    apiVersion: z.literal(SPEC_API_VERSION, { message: `must be ${SPEC_API_VERSION}` }),
    kind: z.literal(SPEC_KIND, { message: `must be ${SPEC_KIND}` }),
    metadata: z.strictObject({ name: nodeName }),
    spec: z.strictObject({
      // 46 characters at most: belay-coordinator-NAME is a certificate's common name (64 at most).
      masters: z
        .array(
          z.strictObject({
            name: nodeName.refine((n) => n.length <= 46, { message: 'must be at most 46 characters (it goes into certificate names)' }),
            address: ipAddress,
          }),
        )
        .min(1, { message: 'must list at least one master' })
        .max(7, { message: 'must list at most 7 masters (etcd slows down with more voters)' }),
      runtime: z.enum(['kubelet', 'host'], { message: 'must be kubelet or host' }).default('kubelet'),
      etcd: etcdSchema.default(() => etcdSchema.parse({})),
      backup: backupSchema.default(() => backupSchema.parse({})),
      /** false: belay runs etcd only (an external etcd for kubeadm or another installer) and deploys no apiserver, scheduler, controller-manager or balancer. */
      controlPlane: z.strictObject({ enabled: z.boolean().default(true) }).default({ enabled: true }),
      kubernetesVersion: z
        .string()
        .regex(/^v\d+\.\d+\.\d+(-[\w.-]+)?$/, { message: 'must be a Kubernetes version such as v1.31.0' })
        .default(CONTROL_PLANE_DEFAULTS.kubernetesVersion),
      networking: z
        .strictObject({
          serviceSubnet: cidr.default(CONTROL_PLANE_DEFAULTS.serviceSubnet),
          podSubnet: cidr.optional(),
          dnsDomain: z
            .string()
            .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { message: 'must be a DNS domain such as cluster.local' })
            .default(CONTROL_PLANE_DEFAULTS.dnsDomain),
        })
        .default({ serviceSubnet: CONTROL_PLANE_DEFAULTS.serviceSubnet, dnsDomain: CONTROL_PLANE_DEFAULTS.dnsDomain }),
      apiserver: componentSchema
        .extend({ securePort: port.default(CONTROL_PLANE_DEFAULTS.apiserverSecurePort) })
        .default({ extraArgs: {}, securePort: CONTROL_PLANE_DEFAULTS.apiserverSecurePort }),
      scheduler: componentSchema.default({ extraArgs: {} }),
      controllerManager: componentSchema.default({ extraArgs: {} }),
      loadBalancer: z
        .strictObject({
          /** static-pod: haproxy runs on every master at its address and port; external: an haproxy belay does not run, driven through its runtime API socket. */
          mode: z.enum(['static-pod', 'external'], { message: 'must be static-pod or external' }).default('static-pod'),
          /** The address clients use (a VIP or the external balancer's): into the apiserver certificates' SANs and the kubeconfigs. */
          address: ipAddress.optional(),
          port: port.default(CONTROL_PLANE_DEFAULTS.loadBalancerPort),
          /** external mode: the runtime API socket (`stats socket ... level admin`), on the master whose agent reaches it. */
          runtimeApi: z.strictObject({ master: nodeName, socket: absPath }).optional(),
          checkIntervalMs: z.number().int().min(100).default(CONTROL_PLANE_DEFAULTS.checkIntervalMs),
          fall: z.number().int().min(1).default(CONTROL_PLANE_DEFAULTS.fall),
          rise: z.number().int().min(1).default(CONTROL_PLANE_DEFAULTS.rise),
        })
        .default({
          mode: 'static-pod',
          port: CONTROL_PLANE_DEFAULTS.loadBalancerPort,
          checkIntervalMs: CONTROL_PLANE_DEFAULTS.checkIntervalMs,
          fall: CONTROL_PLANE_DEFAULTS.fall,
          rise: CONTROL_PLANE_DEFAULTS.rise,
        }),
      rollout: z
        .strictObject({
          stableWindow: duration('1s').default(CONTROL_PLANE_DEFAULTS.stableWindow),
          readyTimeout: duration('10s').default(CONTROL_PLANE_DEFAULTS.readyTimeout),
        })
        .default({ stableWindow: CONTROL_PLANE_DEFAULTS.stableWindow, readyTimeout: CONTROL_PLANE_DEFAULTS.readyTimeout }),
    }),
  })
  .superRefine((c, ctx) => {
    const names = new Map<string, number>();
    const addresses = new Map<string, number>();
    for (const [i, m] of c.spec.masters.entries()) {
      const n = names.get(m.name);
      if (n !== undefined)
        ctx.addIssue({ code: 'custom', path: ['spec', 'masters', i, 'name'], message: `master ${m.name} is also spec.masters.${n}: give each master once` });
      names.set(m.name, i);
      const a = addresses.get(canonicalIp(m.address));
      if (a !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['spec', 'masters', i, 'address'],
          message: `${m.address} is also the address of spec.masters.${a}: give each master its own address`,
        });
      addresses.set(canonicalIp(m.address), i);
    }
    const e = c.spec.etcd;
    const ports = [
      ['clientPort', e.clientPort],
      ['peerPort', e.peerPort],
      ['metricsPort', e.metricsPort],
    ] as const;
    for (const [i, [f, p]] of ports.entries()) {
      const other = ports.slice(0, i).find(([, q]) => q === p);
      if (other) ctx.addIssue({ code: 'custom', path: ['spec', 'etcd', f], message: `is the same port as spec.etcd.${other[0]}: give each its own` });
    }
    const lb = c.spec.loadBalancer;
    if (lb.mode === 'external' && !lb.runtimeApi)
      ctx.addIssue({
        code: 'custom',
        path: ['spec', 'loadBalancer', 'runtimeApi'],
        message: 'is needed in external mode: the master whose agent reaches the haproxy runtime API socket, and the socket path',
      });
    if (lb.mode === 'external' && lb.runtimeApi && !names.has(lb.runtimeApi.master))
      ctx.addIssue({ code: 'custom', path: ['spec', 'loadBalancer', 'runtimeApi', 'master'], message: `${lb.runtimeApi.master} is not in spec.masters` });
    // The agent opens it under its --root and only under /run (agent/rpc/balancer.ts): anything else would block every rollout.
    if (lb.runtimeApi && (!lb.runtimeApi.socket.startsWith('/run/') || lb.runtimeApi.socket.split('/').includes('..'))) {
      ctx.addIssue({
        code: 'custom',
        path: ['spec', 'loadBalancer', 'runtimeApi', 'socket'],
        message: 'must be a host path under /run without ".." (the agent of runtimeApi.master opens it), e.g. /run/haproxy/admin.sock',
      });
    }
    // Without it the kubeconfigs would point at a master's own address and port, where nothing listens in external mode.
    if (lb.mode === 'external' && lb.address === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['spec', 'loadBalancer', 'address'],
        message: 'is needed in external mode: the address clients reach the external haproxy at (into the certificates and kubeconfigs)',
      });
    // Checked here, not first at a rollout or a new master's deploy: a spec the renderer refuses never gets stored.
    for (const [key, component] of [
      ['apiserver', 'kube-apiserver'],
      ['scheduler', 'kube-scheduler'],
      ['controllerManager', 'kube-controller-manager'],
    ] as const) {
      for (const p of validateExtraArgs(component, c.spec.kubernetesVersion, c.spec[key].extraArgs)) {
        ctx.addIssue({ code: 'custom', path: ['spec', key, 'extraArgs', p.flag], message: p.reason });
      }
    }
    if (lb.mode === 'static-pod' && lb.port === c.spec.apiserver.securePort)
      ctx.addIssue({
        code: 'custom',
        path: ['spec', 'loadBalancer', 'port'],
        message: `is spec.apiserver.securePort too: the balancer and the apiserver share each master's address, so give the balancer another port (8443 by default)`,
      });
    if (e.electionTimeoutMs < 5 * e.heartbeatIntervalMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['spec', 'etcd', 'electionTimeoutMs'],
        message: `must be at least 5 × heartbeatIntervalMs (${5 * e.heartbeatIntervalMs}), as etcd requires`,
      });
    }
    for (const owned of [
      'name',
      'data-dir',
      'initial-cluster',
      'initial-cluster-state',
      'initial-cluster-token',
      'listen-metrics-urls',
      'listen-client-urls',
      'listen-peer-urls',
      'advertise-client-urls',
      'initial-advertise-peer-urls',
      'cert-file',
      'key-file',
      'peer-cert-file',
      'peer-key-file',
      'trusted-ca-file',
      'peer-trusted-ca-file',
      'client-cert-auth',
      'peer-client-cert-auth',
      'quota-backend-bytes',
      'heartbeat-interval',
      'election-timeout',
      'snapshot-count',
    ]) {
      if (owned in e.extraArgs)
        ctx.addIssue({
          code: 'custom',
          path: ['spec', 'etcd', 'extraArgs', owned],
          message: 'is set by belay from the spec (names, URLs, TLS, or its own spec.etcd field): remove it',
        });
    }
  });

export type ClusterSpec = z.output<typeof specSchema>;
export type ClusterSpecInput = z.input<typeof specSchema>;
export type SpecMaster = ClusterSpec['spec']['masters'][number];

function canonicalIp(a: string): string {
  return net.isIPv6(a) ? new net.SocketAddress({ address: a, family: 'ipv6' }).address : a;
}

/** Parses and validates a spec (YAML or JSON text); ConfigError with one line per bad field, each naming it. */
export function parseClusterSpec(text: string, source = 'cluster.yaml'): ClusterSpec {
  if (Buffer.byteLength(text) > MAX_SPEC_BYTES)
    throw new ConfigError(source, [`the spec is ${Buffer.byteLength(text)} bytes, over the ${MAX_SPEC_BYTES}-byte limit: a Cluster spec is a few KiB`]);
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      source,
      doc.errors.map((e) => `line ${e.linePos?.[0].line ?? '?'} column ${e.linePos?.[0].col ?? '?'}: ${e.message.split('\n')[0] ?? ''}: fix the YAML syntax`),
    );
  }
  return validate(source, specSchema, doc.toJS() ?? {});
}

/** Sound but worth a look. */
export function specWarnings(s: ClusterSpec): string[] {
  const n = s.spec.masters.length;
  const w: string[] = [];
  if (n % 2 === 0)
    w.push(
      `${n} masters: quorum is ${Math.floor(n / 2) + 1}, so it tolerates ${Math.floor((n - 1) / 2)} failed master${Math.floor((n - 1) / 2) === 1 ? '' : 's'}, as ${n - 1} would; use 3, 5 or 7`,
    );
  if (n < 3) w.push(`${n} master${n === 1 ? '' : 's'}: no failure is tolerated; use 3, 5 or 7 for HA`);
  return w;
}

/** What a change of spec.loadBalancer does to a running control plane that the operator must finish by hand. */
export function balancerChangeWarnings(prev: ClusterSpec, next: ClusterSpec): string[] {
  if (!prev.spec.controlPlane.enabled || !next.spec.controlPlane.enabled) return [];
  const a = prev.spec.loadBalancer;
  const b = next.spec.loadBalancer;
  const w: string[] = [];
  if (a.mode === 'static-pod' && b.mode === 'external') {
    w.push(
      `loadBalancer.mode static-pod → external: belay no longer manages its haproxy pods, which keep running on every master (haproxy.yaml): once clients use the external balancer, remove each with belayctl manifests remove NODE haproxy.yaml`,
    );
  }
  if (a.mode === 'external' && b.mode === 'static-pod') {
    w.push(
      `loadBalancer.mode external → static-pod: belay starts haproxy on every master, on its address and port ${b.port}; the external haproxy is no longer drained by rollouts`,
    );
  }
  if (a.address !== b.address || a.mode !== b.mode) {
    w.push(
      'the apiserver certificates and kubeconfigs are issued again for the new balancer, and the leader restarts the apiservers one at a time to serve them',
    );
  }
  return w;
}

/** The spec as stored and shown: every default filled in, keys in schema order. */
export function formatClusterSpec(s: ClusterSpec): string {
  return YAML.stringify(s, { lineWidth: 0 });
}

/** Human lines: what `next` changes against `prev`. */
export function specChanges(prev: ClusterSpec | undefined, next: ClusterSpec): string[] {
  if (!prev) return ['new spec'];
  const out: string[] = [];
  const before = new Map(prev.spec.masters.map((m) => [m.name, m.address]));
  const after = new Map(next.spec.masters.map((m) => [m.name, m.address]));
  for (const [n, a] of after) {
    if (!before.has(n)) out.push(`master ${n} (${a}) added`);
    else if (before.get(n) !== a) out.push(`master ${n} moves from ${before.get(n) ?? ''} to ${a}`);
  }
  for (const [n, a] of before) if (!after.has(n)) out.push(`master ${n} (${a}) removed`);
  const flat = (o: unknown, p = ''): Map<string, string> => {
    const m = new Map<string, string>();
    if (o && typeof o === 'object' && !Array.isArray(o)) {
      for (const [k, v] of Object.entries(o)) for (const [kk, vv] of flat(v, p ? `${p}.${k}` : k)) m.set(kk, vv);
    } else m.set(p, JSON.stringify(o));
    return m;
  };
  const { masters: _a, ...restPrev } = prev.spec;
  const { masters: _b, ...restNext } = next.spec;
  const fp = flat({ metadata: prev.metadata, spec: restPrev });
  const fn = flat({ metadata: next.metadata, spec: restNext });
  for (const [k, v] of fn) if (fp.get(k) !== v) out.push(`${k}: ${fp.get(k) ?? '(unset)'} → ${v}`);
  for (const [k, v] of fp) if (!fn.has(k)) out.push(`${k}: ${v} → (unset)`);
  return out;
}
