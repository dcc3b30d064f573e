import YAML from 'yaml';
import { CONTROL_PLANE_DEFAULTS } from '../cluster/defaults.js';
import { componentAnnotations, componentImage as specImage } from '../cluster/spec-fields.js';
import type { ClusterSpec } from '../cluster/spec.js';
import { clientUrl } from '../etcd/render.js';
import { OperatorError } from '../../proto/common/errors.js';
import { underRoot, urlHost } from '../render/host-paths.js';
import type { ControlPlaneComponent } from '../kube/flag-names.js';
import { describeExtraArgProblem, validateExtraArgs } from '../kube/flags.js';

/**
 * kube-apiserver, kube-scheduler and kube-controller-manager static Pods for
 * one master, shaped as `kubeadm init` v1.31 writes them
 * (cmd/kubeadm/app/phases/controlplane/manifests.go, util/staticpod): same
 * flags (sorted, as kubeadm sorts them), pki layout, probes, resources and
 * volumes, so that kubeadm-era runbooks apply. Differences, all because
 * several masters share one machine in tests or because of HA:
 * - every component binds the master's address, and probes it there
 *   (kubeadm: scheduler and controller-manager on 127.0.0.1);
 * - the apiserver talks to every etcd member, its own first, elects endpoints
 *   by lease, and delays its shutdown until the balancer has marked it down;
 * - scheduler and controller-manager get a readiness probe, because the host
 *   runtime reports readiness only from one (rollouts wait for it).
 * Every host path, in flags and hostPath volumes, is under `root`. Pure: same
 * input, same bytes.
 */

export interface ControlPlaneRenderInput {
  spec: ClusterSpec;
  /** Name in spec.spec.masters. */
  master: string;
  /** The master agent's --root ("/" on a real master: paths exactly as kubeadm's). */
  root: string;
}

const KUBERNETES_DIR = '/etc/kubernetes';
const PKI_DIR = '/etc/kubernetes/pki';
/** kube-controller-manager's default --flex-volume-plugin-dir, which kubeadm mounts. */
const FLEXVOLUME_DIR = '/usr/libexec/kubernetes/kubelet-plugins/volume/exec';
/**
 * The host's CA bundles, as kubeadm mounts them on Debian and Ubuntu. kubeadm
 * adds the last three only where they exist; a pure renderer cannot look, so
 * all of them (DirectoryOrCreate leaves an empty directory where missing).
 */
const CA_CERT_DIRS: readonly (readonly [string, string])[] = [
  ['ca-certs', '/etc/ssl/certs'],
  ['etc-ca-certificates', '/etc/ca-certificates'],
  ['usr-local-share-ca-certificates', '/usr/local/share/ca-certificates'],
  ['usr-share-ca-certificates', '/usr/share/ca-certificates'],
];

/** kubeadm's probes (staticpod.LivenessProbe, ReadinessProbe, StartupProbe with its 4-minute control-plane timeout). */
const LIVENESS = { initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 15, failureThreshold: 8 } as const;
const READINESS = { periodSeconds: 1, timeoutSeconds: 15, failureThreshold: 3 } as const;
const STARTUP = { initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 15, failureThreshold: 24 } as const;

/**
 * What kubeadm leaves to kubelet's default (30 s) for the whole shutdown;
 * belay gives it to the draining after the shutdown delay.
 */
const DRAIN_SECONDS = 30;

/** system-node-critical's value: kubeadm writes it too, as the mirror pod gets no admission. */
const SYSTEM_NODE_CRITICAL_PRIORITY = 2_000_001_000;

/**
 * --shutdown-delay-duration, whole seconds: after SIGTERM the apiserver fails
 * /readyz but keeps serving this long. haproxy needs up to one check interval
 * until its next check, then `fall` failed checks, to mark it down; only then
 * may it stop serving, or requests in flight through the balancer fail
 * (docs/measured-behaviour.md, "Taking an apiserver out without a failed
 * request": failing /readyz while still serving for longer than the detection
 * window was the one way with no failed request in TCP mode). So
 * (fall + 1) × checkIntervalMs, rounded up.
 */
export function shutdownDelaySeconds(spec: ClusterSpec): number {
  const lb = spec.spec.loadBalancer;
  return Math.ceil(((lb.fall + 1) * lb.checkIntervalMs) / 1000);
}

/** Every etcd member's client URL, the master's own first (the apiserver tries them in order), then spec order. */
export function etcdServers(spec: ClusterSpec, master: string): string[] {
  // The spec refuses an empty list; an apiserver without etcd would only crash-loop.
  if (spec.spec.masters.length === 0) {
    throw new OperatorError({
      code: 'CONTROLPLANE_RENDER_NO_ETCD',
      message: `cannot render kube-apiserver for ${master}: it would point at no etcd member (spec.masters is empty)`,
      hint: 'list the masters in spec.masters (belayctl apply -f)',
    });
  }
  const self = mustMaster(spec, master, 'kube-apiserver');
  return [self, ...spec.spec.masters.filter((m) => m.name !== self.name)].map((m) => clientUrl(spec, m.name));
}

export function renderApiserverManifest(i: ControlPlaneRenderInput): string {
  const component = 'kube-apiserver';
  const { spec, root } = i;
  const servers = etcdServers(spec, i.master);
  const address = mustMaster(spec, i.master, component).address;
  const port = spec.spec.apiserver.securePort;
  const pki = underRoot(root, PKI_DIR);
  const delay = shutdownDelaySeconds(spec);
  const flags = new Map<string, string>([
    ['advertise-address', address],
    ['allow-privileged', 'true'],
    ['authorization-mode', 'Node,RBAC'],
    // Several masters share one machine in tests: each binds its own address.
    ['bind-address', address],
    ['client-ca-file', `${pki}/ca.crt`],
    ['enable-admission-plugins', 'NodeRestriction'],
    ['enable-bootstrap-token-auth', 'true'],
    // The kubernetes Service lists only apiservers that renew their lease: a dead one drops out.
    ['endpoint-reconciler-type', 'lease'],
    ['etcd-cafile', `${pki}/etcd/ca.crt`],
    ['etcd-certfile', `${pki}/apiserver-etcd-client.crt`],
    ['etcd-keyfile', `${pki}/apiserver-etcd-client.key`],
    ['etcd-servers', servers.join(',')],
    ['kubelet-client-certificate', `${pki}/apiserver-kubelet-client.crt`],
    ['kubelet-client-key', `${pki}/apiserver-kubelet-client.key`],
    ['kubelet-preferred-address-types', 'InternalIP,ExternalIP,Hostname'],
    ['proxy-client-cert-file', `${pki}/front-proxy-client.crt`],
    ['proxy-client-key-file', `${pki}/front-proxy-client.key`],
    ['requestheader-allowed-names', 'front-proxy-client'],
    ['requestheader-client-ca-file', `${pki}/front-proxy-ca.crt`],
    ['requestheader-extra-headers-prefix', 'X-Remote-Extra-'],
    ['requestheader-group-headers', 'X-Remote-Group'],
    ['requestheader-username-headers', 'X-Remote-User'],
    ['secure-port', String(port)],
    ['service-account-issuer', `https://kubernetes.default.svc.${spec.spec.networking.dnsDomain}`],
    ['service-account-key-file', `${pki}/sa.pub`],
    ['service-account-signing-key-file', `${pki}/sa.key`],
    ['service-cluster-ip-range', spec.spec.networking.serviceSubnet],
    ['shutdown-delay-duration', `${delay}s`],
    ['tls-cert-file', `${pki}/apiserver.crt`],
    ['tls-private-key-file', `${pki}/apiserver.key`],
  ]);
  const probe = httpsProbe(address, port);
  return renderPod({
    component,
    image: componentImage(spec, component),
    command: command(component, flags, spec.spec.apiserver.extraArgs, i),
    annotations: { 'kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint': `${urlHost(address)}:${port}`, ...componentAnnotations(spec, component) },
    probes: { livenessProbe: probe('/livez', LIVENESS), readinessProbe: probe('/readyz', READINESS), startupProbe: probe('/livez', STARTUP) },
    cpu: '250m',
    volumes: [...caCertVolumes(root), hostDir('k8s-certs', underRoot(root, PKI_DIR))],
    terminationGracePeriodSeconds: delay + DRAIN_SECONDS,
  });
}

export function renderSchedulerManifest(i: ControlPlaneRenderInput): string {
  const component = 'kube-scheduler';
  const address = mustMaster(i.spec, i.master, component).address;
  // kubeadm leaves the port at its default; it is explicit here because the probes depend on it.
  const port = CONTROL_PLANE_DEFAULTS.schedulerSecurePort;
  const kubeconfig = underRoot(i.root, `${KUBERNETES_DIR}/scheduler.conf`);
  const flags = new Map<string, string>([
    ['authentication-kubeconfig', kubeconfig],
    ['authorization-kubeconfig', kubeconfig],
    ['bind-address', address],
    ['kubeconfig', kubeconfig],
    ['leader-elect', 'true'],
    ['secure-port', String(port)],
  ]);
  return renderPod({
    component,
    image: componentImage(i.spec, component),
    annotations: componentAnnotations(i.spec, component),
    command: command(component, flags, i.spec.spec.scheduler.extraArgs, i),
    probes: healthzProbes(address, port),
    cpu: '100m',
    volumes: [{ name: 'kubeconfig', path: kubeconfig, type: 'FileOrCreate', readOnly: true }],
  });
}

export function renderControllerManagerManifest(i: ControlPlaneRenderInput): string {
  const component = 'kube-controller-manager';
  const { spec, root } = i;
  const address = mustMaster(spec, i.master, component).address;
  const port = CONTROL_PLANE_DEFAULTS.controllerManagerSecurePort;
  const pki = underRoot(root, PKI_DIR);
  const kubeconfig = underRoot(root, `${KUBERNETES_DIR}/controller-manager.conf`);
  const flexvolume = underRoot(root, FLEXVOLUME_DIR);
  const { podSubnet, serviceSubnet } = spec.spec.networking;
  const flags = new Map<string, string>([
    ['authentication-kubeconfig', kubeconfig],
    ['authorization-kubeconfig', kubeconfig],
    ['bind-address', address],
    ['client-ca-file', `${pki}/ca.crt`],
    ['cluster-name', spec.metadata.name],
    ['cluster-signing-cert-file', `${pki}/ca.crt`],
    ['cluster-signing-key-file', `${pki}/ca.key`],
    ['controllers', '*,bootstrapsigner,tokencleaner'],
    ['kubeconfig', kubeconfig],
    ['leader-elect', 'true'],
    ['requestheader-client-ca-file', `${pki}/front-proxy-ca.crt`],
    ['root-ca-file', `${pki}/ca.crt`],
    ['secure-port', String(port)],
    ['service-account-private-key-file', `${pki}/sa.key`],
    ['use-service-account-credentials', 'true'],
  ]);
  // As kubeadm: node CIDRs only with a pod subnet, and the service range (kept out of node CIDRs) with it.
  if (podSubnet !== undefined) {
    flags.set('allocate-node-cidrs', 'true');
    flags.set('cluster-cidr', podSubnet);
    flags.set('service-cluster-ip-range', serviceSubnet);
  }
  // The default on a real master: explicit only under another root, so that the flag matches the volume.
  if (flexvolume !== FLEXVOLUME_DIR) flags.set('flex-volume-plugin-dir', flexvolume);
  return renderPod({
    component,
    image: componentImage(spec, component),
    annotations: componentAnnotations(spec, component),
    command: command(component, flags, spec.spec.controllerManager.extraArgs, i),
    probes: healthzProbes(address, port),
    cpu: '200m',
    volumes: [
      ...caCertVolumes(root),
      { name: 'flexvolume-dir', path: flexvolume, type: 'DirectoryOrCreate', readOnly: false },
      hostDir('k8s-certs', pki),
      { name: 'kubeconfig', path: kubeconfig, type: 'FileOrCreate', readOnly: true },
    ],
  });
}

interface HostVolume {
  name: string;
  path: string;
  type: 'DirectoryOrCreate' | 'FileOrCreate';
  readOnly: boolean;
}

interface PodParts {
  component: ControlPlaneComponent;
  image: string;
  command: string[];
  annotations?: Record<string, string>;
  probes: Record<string, object>;
  cpu: string;
  volumes: HostVolume[];
  terminationGracePeriodSeconds?: number;
}

function renderPod(p: PodParts): string {
  // kubeadm sorts volumes and mounts by name (staticpod.VolumeMapToSlice).
  const volumes = [...p.volumes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: p.component,
      namespace: 'kube-system',
      labels: { component: p.component, tier: 'control-plane' },
      // None when empty: the manifest a spec without annotations renders stays byte for byte what it was.
      ...(p.annotations && Object.keys(p.annotations).length > 0 ? { annotations: p.annotations } : {}),
    },
    spec: {
      hostNetwork: true,
      priority: SYSTEM_NODE_CRITICAL_PRIORITY,
      priorityClassName: 'system-node-critical',
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      ...(p.terminationGracePeriodSeconds !== undefined ? { terminationGracePeriodSeconds: p.terminationGracePeriodSeconds } : {}),
      containers: [
        {
          name: p.component,
          image: p.image,
          imagePullPolicy: 'IfNotPresent',
          // The host runtime runs command from PATH; kubelet runs it in the image.
          command: p.command,
          ...p.probes,
          resources: { requests: { cpu: p.cpu } },
          volumeMounts: volumes.map((v) => ({ name: v.name, mountPath: v.path, ...(v.readOnly ? { readOnly: true } : {}) })),
        },
      ],
      volumes: volumes.map((v) => ({ name: v.name, hostPath: { path: v.path, type: v.type } })),
    },
  };
  return YAML.stringify(pod, { lineWidth: 0 });
}

/**
 * `[name, --flag=value…]`, sorted by flag as kubeadm sorts them. As kubeadm's
 * extraArgs, a valid extra flag overrides belay's value in place (flags
 * belay owns are refused), so no flag appears twice.
 */
function command(component: ControlPlaneComponent, flags: Map<string, string>, extraArgs: Record<string, string>, i: ControlPlaneRenderInput): string[] {
  const problems = validateExtraArgs(component, i.spec.spec.kubernetesVersion, extraArgs);
  if (problems.length > 0) {
    throw new OperatorError({
      code: 'CONTROLPLANE_RENDER_BAD_EXTRA_ARGS',
      message: `cannot render ${component} for ${i.master}: ${problems.map((p) => describeExtraArgProblem(component, p)).join('; ')}`,
      hint: `fix spec.${specField(component)}.extraArgs and apply the spec again (belayctl apply -f)`,
    });
  }
  for (const [k, v] of Object.entries(extraArgs)) flags.set(k.replace(/^-+/, ''), v);
  return [component, ...[...flags.keys()].sort().map((k) => `--${k}=${flags.get(k) ?? ''}`)];
}

function specField(component: ControlPlaneComponent): string {
  return component === 'kube-apiserver' ? 'apiserver' : component === 'kube-scheduler' ? 'scheduler' : 'controllerManager';
}

/** componentImage of spec.ts, refused without a tag. */
function componentImage(spec: ClusterSpec, component: ControlPlaneComponent): string {
  const image = specImage(spec, component);
  // The spec refuses these already; a tagless image would run whatever "latest" is on each master.
  const name = image.split('@')[0] ?? '';
  const colon = name.lastIndexOf(':');
  if (colon <= 0 || !/^:\w[\w.-]{0,127}$/.test(name.slice(colon))) {
    throw new OperatorError({
      code: 'CONTROLPLANE_RENDER_IMAGE_WITHOUT_TAG',
      message: `cannot render ${component}: its image ${image} has no tag`,
      hint: `give spec.${specField(component)}.image with a tag, e.g. registry.k8s.io/${component}:${spec.spec.kubernetesVersion}`,
    });
  }
  return image;
}

function httpsProbe(host: string, port: number) {
  return (path: string, timing: object) => ({ httpGet: { host, path, port, scheme: 'HTTPS' }, ...timing });
}

/**
 * kubeadm's /healthz liveness and startup probes, plus a readiness probe with
 * kubeadm's readiness timings: not in kubeadm's manifests, but the host
 * runtime reports readiness only from a readiness probe, and a rollout waits
 * for it.
 */
function healthzProbes(address: string, port: number): Record<string, object> {
  const probe = httpsProbe(address, port);
  return { livenessProbe: probe('/healthz', LIVENESS), readinessProbe: probe('/healthz', READINESS), startupProbe: probe('/healthz', STARTUP) };
}

function caCertVolumes(root: string): HostVolume[] {
  return CA_CERT_DIRS.map(([name, path]) => hostDir(name, underRoot(root, path)));
}

function hostDir(name: string, path: string): HostVolume {
  return { name, path, type: 'DirectoryOrCreate', readOnly: true };
}

function mustMaster(spec: ClusterSpec, name: string, component: ControlPlaneComponent): { name: string; address: string } {
  const m = spec.spec.masters.find((x) => x.name === name);
  if (!m) {
    throw new OperatorError({
      code: 'CONTROLPLANE_RENDER_UNKNOWN_MASTER',
      message: `cannot render ${component} for ${name}: it is not in spec.masters (${spec.spec.masters.map((x) => x.name).join(', ') || 'none'})`,
      hint: `add ${name} to spec.masters (belayctl apply -f), or check the agent's node name`,
    });
  }
  return m;
}
