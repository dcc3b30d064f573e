import YAML from 'yaml';
import type { ClusterSpec } from '../cluster/spec.js';
import { OperatorError } from '../../proto/common/errors.js';
import { underRoot, urlHost } from '../render/host-paths.js';

/**
 * etcd's static Pod for one master, shaped as kubeadm's stacked etcd
 * (etcd.yaml of `kubeadm init`): same flags, pki layout, probes and volumes,
 * so that kubeadm-era runbooks apply. Two differences: etcd listens on the
 * master's address only (kubeadm adds 127.0.0.1, but several masters share
 * one machine in tests), and a readiness probe so the host runtime reports
 * readiness. Pure: same input, same bytes.
 */

export interface EtcdRenderInput {
  spec: ClusterSpec;
  /** Name in spec.spec.masters. */
  master: string;
  /** The master agent's --root: every host path in the manifest (flags and hostPath volumes) is put under it ("/" on a real master: paths exactly as kubeadm's). */
  root: string;
  /** new: the bootstrap member alone; existing: joining members; the initial cluster is exactly these members (name → peer URL), which must include master. */
  state: 'new' | 'existing';
  initialCluster: { name: string; peerUrl: string }[];
}

/** kubeadm's etcd pki dir; the files are those of pki/etcd.ts. */
const PKI_DIR = '/etc/kubernetes/pki/etcd';

/** kubeadm's probe timings (etcd can take minutes to replay a large WAL: the startup probe allows 4). */
const LIVENESS = { initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 15, failureThreshold: 8 } as const;
const STARTUP = { initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 15, failureThreshold: 24 } as const;
/** Not in kubeadm's etcd.yaml: the host runtime reports readiness from it, so a member that lost its leader shows within seconds. */
const READINESS = { periodSeconds: 2 } as const;

export function peerUrl(spec: ClusterSpec, master: string): string {
  return `https://${urlHost(mustMaster(spec, master).address)}:${spec.spec.etcd.peerPort}`;
}

export function clientUrl(spec: ClusterSpec, master: string): string {
  return `https://${urlHost(mustMaster(spec, master).address)}:${spec.spec.etcd.clientPort}`;
}

export function renderEtcdManifest(i: EtcdRenderInput): string {
  const { spec, master } = i;
  const address = mustMaster(spec, master).address;
  checkInitialCluster(i);
  const e = spec.spec.etcd;
  const dataDir = underRoot(i.root, e.dataDir);
  const pkiDir = underRoot(i.root, PKI_DIR);
  const client = clientUrl(spec, master);
  const peer = peerUrl(spec, master);

  const flags = new Map<string, string>([
    ['name', master],
    ['data-dir', dataDir],
    ['listen-client-urls', client],
    ['advertise-client-urls', client],
    ['listen-peer-urls', peer],
    ['initial-advertise-peer-urls', peer],
    ['initial-cluster', i.initialCluster.map((m) => `${m.name}=${m.peerUrl}`).join(',')],
    ['initial-cluster-state', i.state],
    // A member started with another cluster's token refuses to join this one.
    ['initial-cluster-token', spec.metadata.name],
    ['listen-metrics-urls', `http://${urlHost(address)}:${e.metricsPort}`],
    ['client-cert-auth', 'true'],
    ['peer-client-cert-auth', 'true'],
    ['cert-file', `${pkiDir}/server.crt`],
    ['key-file', `${pkiDir}/server.key`],
    ['peer-cert-file', `${pkiDir}/peer.crt`],
    ['peer-key-file', `${pkiDir}/peer.key`],
    ['trusted-ca-file', `${pkiDir}/ca.crt`],
    ['peer-trusted-ca-file', `${pkiDir}/ca.crt`],
    ['snapshot-count', String(e.snapshotCount)],
    ['quota-backend-bytes', String(e.quotaBackendBytes)],
    ['heartbeat-interval', String(e.heartbeatIntervalMs)],
    ['election-timeout', String(e.electionTimeoutMs)],
    // Checks the data against the other members' before serving (kubeadm sets it too).
    ['experimental-initial-corrupt-check', 'true'],
    // etcd 3.5's default, off in 3.4: a member cut off and back must not call an election that deposes a
    // healthy leader (and with it the coordinators' lease; docs/measured-behaviour.md, "Pre-vote").
    ['pre-vote', 'true'],
  ]);
  // As kubeadm's extraArgs: a flag set here overrides belay's value in place
  // (the spec refuses names, URLs and TLS), so no flag appears twice.
  for (const k of Object.keys(e.extraArgs).sort()) flags.set(k, e.extraArgs[k] ?? '');

  const health = (probe: object) => ({ httpGet: { host: address, path: '/health', port: e.metricsPort, scheme: 'HTTP' }, ...probe });
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'etcd',
      namespace: 'kube-system',
      labels: { component: 'etcd', tier: 'control-plane' },
      annotations: { 'kubeadm.kubernetes.io/etcd.advertise-client-urls': client },
    },
    spec: {
      hostNetwork: true,
      priorityClassName: 'system-node-critical',
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'etcd',
          image: e.image,
          imagePullPolicy: 'IfNotPresent',
          // The host runtime runs command from PATH; kubelet runs it in the image.
          command: ['etcd', ...[...flags].map(([k, v]) => `--${k}=${v}`)],
          livenessProbe: health(LIVENESS),
          startupProbe: health(STARTUP),
          readinessProbe: health(READINESS),
          resources: { requests: { cpu: '100m', memory: '100Mi' } },
          volumeMounts: [
            { name: 'etcd-data', mountPath: dataDir },
            { name: 'etcd-certs', mountPath: pkiDir },
          ],
        },
      ],
      volumes: [
        { name: 'etcd-data', hostPath: { path: dataDir, type: 'DirectoryOrCreate' } },
        { name: 'etcd-certs', hostPath: { path: pkiDir, type: 'DirectoryOrCreate' } },
      ],
    },
  };
  return YAML.stringify(pod, { lineWidth: 0 });
}

function mustMaster(spec: ClusterSpec, name: string): { name: string; address: string } {
  // Not specMaster: a type-only import keeps spec.ts's node:* imports out of this pure module.
  const m = spec.spec.masters.find((x) => x.name === name);
  if (!m) {
    throw new OperatorError({
      code: 'ETCD_RENDER_UNKNOWN_MASTER',
      message: `cannot render etcd for ${name}: it is not in spec.masters (${spec.spec.masters.map((x) => x.name).join(', ')})`,
      hint: `add ${name} to spec.masters (belayctl apply -f), or check the agent's node name`,
    });
  }
  return m;
}

function checkInitialCluster(i: EtcdRenderInput): void {
  const seen = new Set<string>();
  for (const m of i.initialCluster) {
    if (seen.has(m.name)) {
      throw new OperatorError({
        code: 'ETCD_RENDER_DUPLICATE_MEMBER',
        message: `cannot render etcd for ${i.master}: the initial cluster names ${m.name} twice (${i.initialCluster.map((x) => x.name).join(', ')})`,
        hint: 'list each etcd member once: compare with `etcdctl member list`',
      });
    }
    seen.add(m.name);
  }
  const self = i.initialCluster.find((m) => m.name === i.master);
  if (!self) {
    throw new OperatorError({
      code: 'ETCD_RENDER_NOT_IN_INITIAL_CLUSTER',
      message: `cannot render etcd for ${i.master}: the initial cluster (${i.initialCluster.map((x) => x.name).join(', ') || 'empty'}) does not include it`,
      hint: `add ${i.master} first (etcdctl member add --learner) and render with the member list that results`,
    });
  }
  // etcd refuses to start when its own entry differs from --initial-advertise-peer-urls.
  const own = peerUrl(i.spec, i.master);
  if (self.peerUrl !== own) {
    throw new OperatorError({
      code: 'ETCD_RENDER_PEER_URL_MISMATCH',
      message: `cannot render etcd for ${i.master}: the initial cluster gives it ${self.peerUrl}, but the spec puts its peer URL at ${own}`,
      hint: `update the member's peer URL (etcdctl member update) or the master's address in the spec so that they agree`,
    });
  }
}
