import crypto from 'node:crypto';
import net from 'node:net';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { OperatorError } from '../../proto/common/errors.js';
import { type ClusterSpec, type SpecMaster } from '../cluster/spec.js';
import { specMaster } from '../cluster/spec-fields.js';
import { caFromPem, createCa, issueCert, normalizeIp, type Ca, type IssuedCert, type LeafParams } from './ca.js';
import type { PkiFileSpec } from './etcd.js';

/**
 * The control plane's PKI in kubeadm's layout (kubeadm's certs and
 * kubeconfig phases), so that a belay master looks like a kubeadm master to
 * the components, kubectl and runbooks. Two parts:
 * - the shared set kubeadm makes once at init and copies to every joining
 *   control-plane node: the cluster CA, the front-proxy CA and the
 *   service-account key pair (the controller-manager signs CSRs with ca.key
 *   and tokens with sa.key, so every master running it needs them);
 * - each master's own leaves and kubeconfigs, never shared and never holding
 *   a CA key, so a master's files can be reissued alone.
 */

export interface ServiceAccountKeys {
  /** PKCS#8 PEM: the controller-manager signs service-account tokens with it. */
  readonly privateKeyPem: string;
  /** SPKI "PUBLIC KEY" PEM: the apiservers verify tokens with it. */
  readonly publicKeyPem: string;
}

export interface ControlPlanePki {
  /** CN "kubernetes": signs the apiserver's serving certificate and every client certificate the apiserver trusts. */
  readonly ca: Ca;
  /** CN "front-proxy-ca": signs front-proxy-client only; the apiserver trusts it for request-header authentication. */
  readonly frontProxyCa: Ca;
  readonly serviceAccount: ServiceAccountKeys;
}

/** A kubeconfig written by belay. */
export interface KubeconfigFileSpec {
  /** Relative to /etc/kubernetes, e.g. 'scheduler.conf'. */
  path: string;
  content: string;
  mode: number;
}

export interface MasterControlPlaneFiles {
  /** Relative to /etc/kubernetes/pki. */
  pki: PkiFileSpec[];
  /** Relative to /etc/kubernetes. */
  kubeconfigs: KubeconfigFileSpec[];
}

export const CONTROL_PLANE_PKI_DEFAULTS = {
  /** Both CAs, as kubeadm's: ten years; replacing one means reissuing everything it signed. */
  caDays: 3650,
  /** Leaves and kubeconfig client certificates, as kubeadm's: a year, renewed under the same CA. */
  days: 365,
} as const;

/** The files of the shared set, relative to /etc/kubernetes/pki. */
export const SHARED_FILES = ['ca.crt', 'ca.key', 'front-proxy-ca.crt', 'front-proxy-ca.key', 'sa.key', 'sa.pub'] as const;
export type SharedFile = (typeof SHARED_FILES)[number];

const KEY_MODE = 0o600;
const CERT_MODE = 0o644;
/** kubeadm writes kubeconfigs 0600: they embed a private key. */
const KUBECONFIG_MODE = 0o600;
/**
 * kubeadm ≥1.29 puts admin.conf and apiserver-kubelet-client in
 * O=kubeadm:cluster-admins, a group that only a ClusterRoleBinding kubeadm
 * creates makes powerful. belay creates no such binding, so it keeps
 * system:masters, which the apiserver authorizes without any RBAC object.
 */
const ADMIN_GROUP = 'system:masters';

const generateKeyPair = promisify(crypto.generateKeyPair);

/** Makes the shared set: both CAs and the service-account key pair. */
export async function createControlPlanePki(clusterName: string): Promise<ControlPlanePki> {
  const [ca, frontProxyCa, serviceAccount] = await Promise.all([
    createCa({ clusterName, commonName: 'kubernetes', days: CONTROL_PLANE_PKI_DEFAULTS.caDays }),
    createCa({ clusterName, commonName: 'front-proxy-ca', days: CONTROL_PLANE_PKI_DEFAULTS.caDays }),
    createServiceAccountKeys(),
  ]);
  return { ca, frontProxyCa, serviceAccount };
}

/**
 * ECDSA P-256 rather than kubeadm's RSA 2048: kube-apiserver verifies ES256
 * tokens with --service-account-key-file and the controller-manager signs
 * them with --service-account-private-key-file; it is the key type of the
 * rest of belay's PKI, and made in a millisecond instead of a hundred.
 */
async function createServiceAccountKeys(): Promise<ServiceAccountKeys> {
  const { privateKey, publicKey } = await generateKeyPair('ec', {
    namedCurve: 'prime256v1',
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/** The shared set as files: keys 0600, certificates and sa.pub 0644. */
export function sharedFiles(pki: ControlPlanePki): PkiFileSpec[] {
  const content: Record<SharedFile, string> = {
    'ca.crt': pki.ca.certPem,
    'ca.key': pki.ca.keyPem,
    'front-proxy-ca.crt': pki.frontProxyCa.certPem,
    'front-proxy-ca.key': pki.frontProxyCa.keyPem,
    'sa.key': pki.serviceAccount.privateKeyPem,
    'sa.pub': pki.serviceAccount.publicKeyPem,
  };
  return SHARED_FILES.map((path) => ({ path, content: content[path], mode: path.endsWith('.key') ? KEY_MODE : CERT_MODE }));
}

/** The shared set as the coordinator stores it: PEM text by file name. */
export function toStored(pki: ControlPlanePki): Record<SharedFile, string> {
  return Object.fromEntries(sharedFiles(pki).map((f) => [f.path, f.content])) as Record<SharedFile, string>;
}

/**
 * The shared set from its PEM texts by file name (what `toStored` made, or a
 * kubeadm master's /etc/kubernetes/pki): every file present, each key the
 * key of its certificate, two distinct CAs. OperatorError naming the file otherwise.
 */
export async function sharedPkiFromFiles(files: Readonly<Record<string, string>>): Promise<ControlPlanePki> {
  const missing = SHARED_FILES.filter((f) => (files[f] ?? '').trim() === '');
  if (missing.length > 0) {
    throw new OperatorError({
      code: 'PKI_SHARED_INCOMPLETE',
      message: `the control-plane PKI lacks ${missing.join(', ')}`,
      hint: "restore the shared files (ca, front-proxy-ca, sa) from a backup or from a master's /etc/kubernetes/pki; making new ones cuts off every certificate and token issued so far",
    });
  }
  const text = (f: SharedFile): string => files[f] ?? '';
  const ca = await caFromPem(text('ca.crt'), text('ca.key'), { cert: 'ca.crt', key: 'ca.key' });
  const frontProxyCa = await caFromPem(text('front-proxy-ca.crt'), text('front-proxy-ca.key'), { cert: 'front-proxy-ca.crt', key: 'front-proxy-ca.key' });
  // One CA for both would let any client certificate assert request-header identities to the apiserver.
  if (Buffer.from(ca.cert.publicKey.rawData).equals(Buffer.from(frontProxyCa.cert.publicKey.rawData))) {
    throw new OperatorError({
      code: 'PKI_SHARED_SAME_CA',
      message: 'ca.crt and front-proxy-ca.crt have the same key',
      hint: 'the front-proxy CA must be a CA of its own: restore the original front-proxy-ca.crt/.key',
    });
  }
  return { ca, frontProxyCa, serviceAccount: serviceAccountFromPem(text('sa.key'), text('sa.pub')) };
}

function serviceAccountFromPem(keyPem: string, pubPem: string): ServiceAccountKeys {
  let priv: crypto.KeyObject;
  let pub: crypto.KeyObject;
  try {
    priv = crypto.createPrivateKey(keyPem);
  } catch (cause) {
    throw new OperatorError({
      code: 'PKI_SA_UNREADABLE',
      message: 'sa.key is not a PEM private key',
      hint: "restore the sa.key the apiservers' sa.pub belongs to",
      cause,
    });
  }
  try {
    pub = crypto.createPublicKey(pubPem);
  } catch (cause) {
    throw new OperatorError({
      code: 'PKI_SA_UNREADABLE',
      message: 'sa.pub is not a PEM public key',
      hint: 'restore sa.pub, or derive it: openssl pkey -in sa.key -pubout -out sa.pub',
      cause,
    });
  }
  const spki = (k: crypto.KeyObject): Buffer => k.export({ type: 'spki', format: 'der' });
  if (!spki(crypto.createPublicKey(priv)).equals(spki(pub))) {
    throw new OperatorError({
      code: 'PKI_SA_KEY_MISMATCH',
      message: 'sa.pub is not the public key of sa.key',
      hint: 'restore the pair written together, or derive sa.pub: openssl pkey -in sa.key -pubout -out sa.pub',
    });
  }
  return { privateKeyPem: priv.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKeyPem: pub.export({ type: 'spki', format: 'pem' }).toString() };
}

/**
 * The apiserver's serving SANs, as kubeadm's: the in-cluster names of the
 * `kubernetes` Service, the master's name; its service IP, the master's
 * address and the balancer's address when the spec has one. In static-pod
 * mode every master's balancer (on its own address) sends a client to any
 * master's apiserver, so every master's address is in every certificate.
 */
export function apiserverSans(spec: ClusterSpec, master: SpecMaster): { dnsNames: string[]; ipAddresses: string[] } {
  const lb = spec.spec.loadBalancer;
  const balancers = lb.mode === 'static-pod' ? spec.spec.masters.map((m) => normalizeIp(m.address)) : [];
  return {
    dnsNames: unique(['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', `kubernetes.default.svc.${spec.spec.networking.dnsDomain}`, master.name]),
    ipAddresses: unique([
      serviceIp(spec.spec.networking.serviceSubnet),
      normalizeIp(master.address),
      ...(lb.address === undefined ? [] : [normalizeIp(lb.address)]),
      ...balancers,
    ]),
  };
}

/**
 * What master `name` needs of its own: its apiserver's serving and client
 * leaves, and the scheduler's, controller-manager's and admin's kubeconfigs.
 */
export async function masterControlPlaneFiles(pki: ControlPlanePki, spec: ClusterSpec, name: string): Promise<MasterControlPlaneFiles> {
  const master = specMaster(spec, name);
  if (!master) {
    throw new OperatorError({
      code: 'PKI_UNKNOWN_MASTER',
      message: `${name} is not a master of cluster ${spec.metadata.name}`,
      hint: `give one of ${spec.spec.masters.map((m) => m.name).join(', ')}, or add it to spec.masters first`,
    });
  }
  const none = { dnsNames: [], ipAddresses: [] };
  const [apiserver, kubeletClient, frontProxyClient, scheduler, controllerManager, admin] = await Promise.all([
    leaf(pki.ca, { commonName: 'kube-apiserver', ...apiserverSans(spec, master), usages: ['server'] }),
    leaf(pki.ca, { commonName: 'kube-apiserver-kubelet-client', organization: ADMIN_GROUP, ...none, usages: ['client'] }),
    leaf(pki.frontProxyCa, { commonName: 'front-proxy-client', ...none, usages: ['client'] }),
    leaf(pki.ca, { commonName: 'system:kube-scheduler', ...none, usages: ['client'] }),
    leaf(pki.ca, { commonName: 'system:kube-controller-manager', ...none, usages: ['client'] }),
    leaf(pki.ca, { commonName: 'kubernetes-admin', organization: ADMIN_GROUP, ...none, usages: ['client'] }),
  ]);
  // kubeadm points the scheduler and controller-manager at their own master's
  // apiserver, so they keep working when the balancer is down; admin at the balancer.
  const local = httpsUrl(master.address, spec.spec.apiserver.securePort);
  const balanced = httpsUrl(spec.spec.loadBalancer.address ?? master.address, spec.spec.loadBalancer.port);
  const kubeconfig = (path: string, user: string, server: string, c: IssuedCert): KubeconfigFileSpec => ({
    path,
    content: renderKubeconfig({ clusterName: spec.metadata.name, server, caPem: pki.ca.certPem, user, cert: c }),
    mode: KUBECONFIG_MODE,
  });
  return {
    pki: [...pair('apiserver', apiserver), ...pair('apiserver-kubelet-client', kubeletClient), ...pair('front-proxy-client', frontProxyClient)],
    kubeconfigs: [
      kubeconfig('scheduler.conf', 'system:kube-scheduler', local, scheduler),
      kubeconfig('controller-manager.conf', 'system:kube-controller-manager', local, controllerManager),
      kubeconfig('admin.conf', 'kubernetes-admin', balanced, admin),
    ],
  };
}

/** kubeadm's kubeconfig shape: one cluster, one user, one context USER@CLUSTER, all data embedded. */
function renderKubeconfig(o: { clusterName: string; server: string; caPem: string; user: string; cert: IssuedCert }): string {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  const context = `${o.user}@${o.clusterName}`;
  return YAML.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: o.clusterName, cluster: { server: o.server, 'certificate-authority-data': b64(o.caPem) } }],
      contexts: [{ name: context, context: { cluster: o.clusterName, user: o.user } }],
      'current-context': context,
      preferences: {},
      users: [{ name: o.user, user: { 'client-certificate-data': b64(o.cert.certPem), 'client-key-data': b64(o.cert.keyPem) } }],
    },
    { lineWidth: 0 },
  );
}

/**
 * The first address of `cidr` (network + 1): the ClusterIP of the
 * `kubernetes` Service, which pods dial the apiserver at. 10.96.0.0/12 →
 * 10.96.0.1, fd00::/108 → fd00::1. Host bits in `cidr` are ignored, as kubeadm does.
 */
export function serviceIp(cidr: string): string {
  const [base = '', bitsText = '', ...rest] = cidr.split('/');
  const version = net.isIP(base);
  const width = version === 6 ? 128 : 32;
  const bits = Number(bitsText);
  // A /31 or /32 (/127, /128) has no address left for a Service.
  if (version === 0 || rest.length > 0 || bitsText === '' || !Number.isInteger(bits) || bits < 0 || bits > width - 2) {
    throw new OperatorError({
      code: 'PKI_BAD_SUBNET',
      message: `service subnet "${cidr}" is not a CIDR with room for a Service address`,
      hint: 'set spec.networking.serviceSubnet to a CIDR such as 10.96.0.0/12 or fd00::/108',
    });
  }
  const hostBits = BigInt(width - bits);
  const network = (ipToBigInt(base, version) >> hostBits) << hostBits;
  return bigIntToIp(network + 1n, version);
}

function ipToBigInt(address: string, version: number): bigint {
  if (version === 4) return address.split('.').reduce((n, octet) => (n << 8n) | BigInt(Number(octet)), 0n);
  // normalizeIp has turned an IPv4 tail into hex groups, so only "::" is left to expand.
  const [head = '', tail] = normalizeIp(address).split('::');
  const groups = (s: string | undefined): string[] => (s === undefined || s === '' ? [] : s.split(':'));
  const h = groups(head);
  const t = groups(tail);
  const all = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return all.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function bigIntToIp(n: bigint, version: number): string {
  const count = version === 4 ? 4 : 8;
  const size = version === 4 ? 8n : 16n;
  const parts: string[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const part = (n >> (size * BigInt(i))) & ((1n << size) - 1n);
    parts.push(version === 4 ? part.toString(10) : part.toString(16));
  }
  return normalizeIp(parts.join(version === 4 ? '.' : ':'));
}

function httpsUrl(address: string, port: number): string {
  const host = net.isIPv6(address) ? `[${normalizeIp(address)}]` : address;
  return `https://${host}:${port}`;
}

function leaf(ca: Ca, p: Omit<LeafParams, 'days'>): Promise<IssuedCert> {
  return issueCert(ca, { ...p, days: CONTROL_PLANE_PKI_DEFAULTS.days });
}

function pair(base: string, c: IssuedCert): PkiFileSpec[] {
  return [
    { path: `${base}.crt`, content: c.certPem, mode: CERT_MODE },
    { path: `${base}.key`, content: c.keyPem, mode: KEY_MODE },
  ];
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}
