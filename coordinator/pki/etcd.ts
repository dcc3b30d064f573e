import { OperatorError } from '../../proto/common/errors.js';
import { createCa, issueCert, normalizeIp, type Ca, type IssuedCert, type LeafParams } from './ca.js';

/**
 * The etcd PKI in kubeadm's layout (kubeadm's certs phase), so that a belay
 * master looks like a kubeadm stacked-etcd master to kube-apiserver, etcdctl
 * and runbooks: its own CA (etcd trusts only it, not the cluster CA),
 * etcd/server and etcd/peer per member, etcd/healthcheck-client,
 * apiserver-etcd-client, plus belay's own client for the coordinator.
 * Paths are relative to /etc/kubernetes/pki.
 */

export interface PkiFileSpec {
  /** Relative to /etc/kubernetes/pki, e.g. 'etcd/server.crt'. */
  path: string;
  content: string;
  mode: number;
}

export interface EtcdMemberHost {
  /** The master's name: CN of its server and peer certificates, a DNS SAN. */
  name: string;
  /** The IP its peers and clients dial. */
  address: string;
}

export const ETCD_PKI_DEFAULTS = {
  /** The etcd CA, as kubeadm's: ten years; replacing it means reissuing every etcd certificate. */
  caDays: 3650,
  /** Leaves, as kubeadm's: a year, renewed under the same CA. */
  days: 365,
} as const;

const KEY_MODE = 0o600;
const CERT_MODE = 0o644;
/** X.509's upper bound on a CN (RFC 5280 ub-common-name). */
const MAX_CN = 64;
const COORDINATOR_CN_PREFIX = 'belay-coordinator-';

/** kubeadm's etcd CA subject CN is "etcd-ca"; O= tells clusters' CAs apart. */
export function createEtcdCa(clusterName: string): Promise<Ca> {
  return createCa({ clusterName, commonName: 'etcd-ca', days: ETCD_PKI_DEFAULTS.caDays });
}

/**
 * Everything a master running an etcd member needs. Never ca.key: each master
 * gets only its own keys, so one stolen master cannot mint certificates for
 * the others.
 */
export async function etcdMemberFiles(ca: Ca, m: EtcdMemberHost): Promise<PkiFileSpec[]> {
  const address = checkHost(m);
  // Both usages, as kubeadm's: a member serves and dials its peers with the peer
  // certificate, and its gRPC gateway dials its own client port with the server one.
  const sans = { dnsNames: [m.name, 'localhost'], ipAddresses: unique([address, '127.0.0.1', '::1']) };
  const [server, peer, healthcheck, client] = await Promise.all([
    leaf(ca, { commonName: m.name, ...sans, usages: ['server', 'client'] }),
    leaf(ca, { commonName: m.name, ...sans, usages: ['server', 'client'] }),
    leaf(ca, { commonName: 'kube-etcd-healthcheck-client', dnsNames: [], ipAddresses: [], usages: ['client'] }),
    clientFiles(ca, m.name),
  ]);
  return [
    ...client.slice(0, 1),
    ...pair('etcd/server', server),
    ...pair('etcd/peer', peer),
    ...pair('etcd/healthcheck-client', healthcheck),
    ...client.slice(1),
  ];
}

/** What a master needs to be an etcd client only (not, or not yet, a member). */
export async function etcdClientFiles(ca: Ca, m: EtcdMemberHost): Promise<PkiFileSpec[]> {
  checkHost(m);
  return clientFiles(ca, m.name);
}

async function clientFiles(ca: Ca, name: string): Promise<PkiFileSpec[]> {
  const [apiserver, coordinator] = await Promise.all([
    // O=system:masters as kubeadm issued it: etcd ignores it, tools that map subjects to groups do not.
    leaf(ca, { commonName: 'kube-apiserver-etcd-client', organization: 'system:masters', dnsNames: [], ipAddresses: [], usages: ['client'] }),
    leaf(ca, { commonName: `${COORDINATOR_CN_PREFIX}${name}`, dnsNames: [], ipAddresses: [], usages: ['client'] }),
  ]);
  return [
    { path: 'etcd/ca.crt', content: ca.certPem, mode: CERT_MODE },
    ...pair('apiserver-etcd-client', apiserver),
    ...pair('etcd/belay-coordinator', coordinator),
  ];
}

function leaf(ca: Ca, p: Omit<LeafParams, 'days'>): Promise<IssuedCert> {
  return issueCert(ca, { ...p, days: ETCD_PKI_DEFAULTS.days });
}

function pair(base: string, c: IssuedCert): PkiFileSpec[] {
  return [
    { path: `${base}.crt`, content: c.certPem, mode: CERT_MODE },
    { path: `${base}.key`, content: c.keyPem, mode: KEY_MODE },
  ];
}

/** The normalized address; the name must fit the coordinator's CN (issueCert checks it is a DNS name). */
function checkHost(m: EtcdMemberHost): string {
  if (COORDINATOR_CN_PREFIX.length + m.name.length > MAX_CN) {
    throw new OperatorError({
      code: 'PKI_BAD_NODE_NAME',
      message: `master name ${m.name} is ${m.name.length} characters: "${COORDINATOR_CN_PREFIX}${m.name}" would exceed the ${MAX_CN}-character limit of a certificate CN`,
      hint: `name masters with at most ${MAX_CN - COORDINATOR_CN_PREFIX.length} characters, e.g. m1`,
    });
  }
  return normalizeIp(m.address);
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}
