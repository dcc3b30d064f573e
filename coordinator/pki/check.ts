import crypto from 'node:crypto';
import YAML from 'yaml';
import { OperatorError } from '../../proto/common/errors.js';
import { specMaster, type ClusterSpec, type SpecMaster } from '../cluster/spec.js';
import { checkCert, normalizeIp, type CertCheck } from './ca.js';
import { apiserverSans } from './control-plane.js';

/**
 * The logic of `belayctl pki check`: what is wrong with one master's
 * certificates, judged against the spec and the cluster's CAs. Takes texts,
 * not paths; the caller reads the files. Pure but for certificate parsing.
 */

export type FindingSeverity = 'error' | 'warning';

export interface PkiFinding {
  master: string;
  /** Relative to /etc/kubernetes: 'pki/apiserver.crt', 'admin.conf'. */
  file: string;
  /** error: broken now (expired, wrong CA, missing SAN or file); warning: expires within the window. */
  severity: FindingSeverity;
  message: string;
  /** The command or step that repairs it. */
  fix: string;
  /** Whole days until notAfter, negative once expired; only on expiry findings. */
  daysLeft?: number;
}

export interface MasterPkiCheck {
  spec: ClusterSpec;
  master: string;
  /** PEM texts by path relative to /etc/kubernetes/pki ('apiserver.crt', 'etcd/server.crt'); an absent path is a missing file. */
  pki: Readonly<Record<string, string>>;
  /** kubeconfig texts by path relative to /etc/kubernetes ('admin.conf'). */
  kubeconfigs: Readonly<Record<string, string>>;
  /** The cluster's own CAs (and sa.pub), as the coordinator stores them: what the master's files must agree with. */
  trusted: { caPem: string; frontProxyCaPem: string; etcdCaPem: string; serviceAccountPublicKeyPem?: string };
  now: Date;
  /** A certificate ending within this many days is a warning (PKI_CHECK_DEFAULTS.warnDays). */
  warnDays?: number;
  /** false on a master that is no etcd member (yet): only its etcd client files are expected. */
  etcdMember?: boolean;
}

export const PKI_CHECK_DEFAULTS = {
  /** Warn this long before a certificate ends: time for a renewal to be noticed, planned and rolled out. */
  warnDays: 30,
} as const;

type TrustedCa = 'caPem' | 'frontProxyCaPem' | 'etcdCaPem';

export interface CheckedCert {
  /** Relative to /etc/kubernetes/pki. */
  file: string;
  ca: TrustedCa;
  /** Its private key's file; none for etcd/ca.crt, whose key stays off the masters. */
  key?: string;
  isCa?: boolean;
  /** Only an etcd member has it. */
  memberOnly?: boolean;
  /** `belayctl pki issue TARGET --node NAME` writes it again. */
  target: 'shared' | 'apiserver' | 'etcd';
}

/** Every certificate a master has, in kubeadm's layout, with the CA it must chain to. */
export const CHECKED_CERTS: readonly CheckedCert[] = [
  { file: 'ca.crt', ca: 'caPem', key: 'ca.key', isCa: true, target: 'shared' },
  { file: 'front-proxy-ca.crt', ca: 'frontProxyCaPem', key: 'front-proxy-ca.key', isCa: true, target: 'shared' },
  { file: 'etcd/ca.crt', ca: 'etcdCaPem', isCa: true, target: 'etcd' },
  { file: 'apiserver.crt', ca: 'caPem', key: 'apiserver.key', target: 'apiserver' },
  { file: 'apiserver-kubelet-client.crt', ca: 'caPem', key: 'apiserver-kubelet-client.key', target: 'apiserver' },
  { file: 'front-proxy-client.crt', ca: 'frontProxyCaPem', key: 'front-proxy-client.key', target: 'apiserver' },
  { file: 'etcd/server.crt', ca: 'etcdCaPem', key: 'etcd/server.key', memberOnly: true, target: 'etcd' },
  { file: 'etcd/peer.crt', ca: 'etcdCaPem', key: 'etcd/peer.key', memberOnly: true, target: 'etcd' },
  { file: 'etcd/healthcheck-client.crt', ca: 'etcdCaPem', key: 'etcd/healthcheck-client.key', memberOnly: true, target: 'etcd' },
  { file: 'apiserver-etcd-client.crt', ca: 'etcdCaPem', key: 'apiserver-etcd-client.key', target: 'etcd' },
  { file: 'etcd/belay-coordinator.crt', ca: 'etcdCaPem', key: 'etcd/belay-coordinator.key', target: 'etcd' },
];

/** kubeconfigs relative to /etc/kubernetes; their client certificates chain to the cluster CA. */
export const CHECKED_KUBECONFIGS = ['scheduler.conf', 'controller-manager.conf', 'admin.conf'] as const;

const DAY_MS = 86_400_000;
const CA_NAMES: Record<TrustedCa, string> = { caPem: 'Kubernetes CA', frontProxyCaPem: 'front-proxy CA', etcdCaPem: 'etcd CA' };

/** Every finding on the master, in CHECKED_CERTS order, then sa.key/sa.pub, kubeconfigs, and other certificates. */
export async function checkMasterPki(input: MasterPkiCheck): Promise<PkiFinding[]> {
  const master = specMaster(input.spec, input.master);
  if (!master) {
    throw new OperatorError({ code: 'PKI_UNKNOWN_MASTER', message: `${input.master} is not a master of cluster ${input.spec.metadata.name}`, hint: `give one of ${input.spec.spec.masters.map((m) => m.name).join(', ')}` });
  }
  // A bad trusted CA is the caller's fault: it must not read as a finding on the master's files.
  for (const [which, pem] of Object.entries({ caPem: input.trusted.caPem, frontProxyCaPem: input.trusted.frontProxyCaPem, etcdCaPem: input.trusted.etcdCaPem })) {
    if (!isCaCertificate(pem)) {
      throw new OperatorError({ code: 'PKI_CA_UNREADABLE', message: `the trusted ${CA_NAMES[which as TrustedCa]} is not a PEM CA certificate`, hint: "give the CA as the coordinator stores it (the shared set's ca.crt, front-proxy-ca.crt, etcd/ca.crt)" });
    }
  }
  const out: PkiFinding[] = [];
  const find = (file: string, severity: FindingSeverity, message: string, fix: string, daysLeft?: number): void => {
    out.push({ master: master.name, file, severity, message, fix, ...(daysLeft === undefined ? {} : { daysLeft }) });
  };
  const issue = (target: string): string => `belayctl pki issue ${target} --node ${master.name}`;
  const expiry = (file: string, c: CertCheck, fix: string): void => {
    const e = expiryFinding(c, input.now, input.warnDays ?? PKI_CHECK_DEFAULTS.warnDays);
    // A CA cannot be renewed alone: whatever it signed must be reissued with it.
    if (e) find(file, e.severity, `${file} ${e.message}`, c.isCa ? `replace the CA and reissue everything it signed, before ${c.notAfter.toISOString()}` : fix, e.daysLeft);
  };

  for (const rule of CHECKED_CERTS) {
    if (rule.memberOnly && input.etcdMember === false) continue;
    const file = `pki/${rule.file}`;
    const fix = issue(rule.target);
    const pem = input.pki[rule.file];
    if (pem === undefined) {
      find(file, 'error', `${file} is missing`, fix);
      continue;
    }
    const c = await tryCheck(pem, input.trusted[rule.ca]);
    if (!c) {
      find(file, 'error', `${file} is not a PEM certificate`, fix);
      continue;
    }
    if (!c.signedByCa || (rule.isCa === true && !c.isCa)) {
      find(file, 'error', rule.isCa ? `${file} is not this cluster's ${CA_NAMES[rule.ca]}` : `${file} (CN ${c.commonName}) is not signed by the ${CA_NAMES[rule.ca]}`, fix);
    }
    for (const m of missingSans(rule.file, c, input.spec, master)) {
      find(file, 'error', `${file} lacks the SAN ${m.san} (${m.why}): clients dialing it there fail TLS verification`, fix);
    }
    expiry(file, c, fix);
    if (rule.key !== undefined) {
      const keyFile = `pki/${rule.key}`;
      const keyPem = input.pki[rule.key];
      if (keyPem === undefined) find(keyFile, 'error', `${keyFile} is missing`, fix);
      else if (!keyMatches(pem, keyPem)) find(keyFile, 'error', `${keyFile} is not the private key of ${file}`, fix);
    }
  }

  for (const f of checkServiceAccount(input)) find(f.file, 'error', f.message, issue('shared'));

  for (const name of CHECKED_KUBECONFIGS) {
    const fix = issue('kubeconfigs');
    const text = input.kubeconfigs[name];
    if (text === undefined) {
      find(name, 'error', `${name} is missing`, fix);
      continue;
    }
    const k = readKubeconfig(text);
    if (typeof k === 'string') {
      find(name, 'error', `${name}: ${k}`, fix);
      continue;
    }
    const embeddedCa = await tryCheck(k.caPem, input.trusted.caPem);
    if (!embeddedCa?.signedByCa) find(name, 'error', `${name} trusts another CA than the Kubernetes CA (certificate-authority-data)`, fix);
    const c = await tryCheck(k.certPem, input.trusted.caPem);
    if (!c) {
      find(name, 'error', `${name}: client-certificate-data is not a PEM certificate`, fix);
      continue;
    }
    if (!c.signedByCa) find(name, 'error', `${name}: the client certificate (CN ${c.commonName}) is not signed by the Kubernetes CA`, fix);
    expiry(name, c, fix);
  }

  // Certificates belay does not know: only their dates can be judged.
  const known = new Set(CHECKED_CERTS.map((r) => r.file));
  for (const [rel, pem] of Object.entries(input.pki).sort(([a], [b]) => a.localeCompare(b))) {
    if (!rel.endsWith('.crt') || known.has(rel)) continue;
    const c = await tryCheck(pem, pem);
    if (c) expiry(`pki/${rel}`, c, `renew pki/${rel} or remove it`);
    else find(`pki/${rel}`, 'error', `pki/${rel} is not a PEM certificate`, `replace pki/${rel} or remove it`);
  }
  return out;
}

function expiryFinding(c: CertCheck, now: Date, warnDays: number): { severity: FindingSeverity; message: string; daysLeft: number } | undefined {
  const leftMs = c.notAfter.getTime() - now.getTime();
  // Whole days, toward zero: "in 9 days" for 9.9, "35 days ago" for 35.4.
  const daysLeft = Math.trunc(leftMs / DAY_MS) || 0;
  const end = c.notAfter.toISOString();
  if (leftMs <= 0) return { severity: 'error', message: `expired on ${end} (${days(-daysLeft)} ago): peers reject it`, daysLeft };
  if (leftMs < warnDays * DAY_MS) return { severity: 'warning', message: `expires on ${end}, in ${days(daysLeft)}`, daysLeft };
  return undefined;
}

function days(n: number): string {
  return `${n} day${n === 1 ? '' : 's'}`;
}

/** The serving SANs the spec calls for and `c` lacks; etcd's serving certificates need the master's address. */
function missingSans(file: string, c: CertCheck, spec: ClusterSpec, master: SpecMaster): { san: string; why: string }[] {
  const address = normalizeIp(master.address);
  let want: { san: string; ip: boolean; why: string }[];
  if (file === 'apiserver.crt') {
    const lb = spec.spec.loadBalancer.address === undefined ? undefined : normalizeIp(spec.spec.loadBalancer.address);
    const sans = apiserverSans(spec, master);
    want = [
      ...sans.dnsNames.map((san) => ({ san, ip: false, why: san === master.name ? "the master's name" : 'a name of the kubernetes Service' })),
      ...sans.ipAddresses.map((san) => ({
        san,
        ip: true,
        why: san === address ? "the master's address" : san === lb ? 'spec.loadBalancer.address' : 'the kubernetes Service IP in spec.networking.serviceSubnet',
      })),
    ];
  } else if (file === 'etcd/server.crt' || file === 'etcd/peer.crt') {
    want = [{ san: address, ip: true, why: "the master's address" }];
  } else {
    return [];
  }
  const haveIps = new Set(c.ipAddresses.map(safeNormalizeIp));
  const haveDns = new Set(c.dnsNames.map((d) => d.toLowerCase()));
  return want.filter((w) => !(w.ip ? haveIps.has(w.san) : haveDns.has(w.san))).map(({ san, why }) => ({ san, why }));
}

/** sa.key and sa.pub present, a pair, and sa.pub the cluster's: a token signed on one master must verify on all. */
function checkServiceAccount(input: MasterPkiCheck): { file: string; message: string }[] {
  const keyPem = input.pki['sa.key'];
  const pubPem = input.pki['sa.pub'];
  const out: { file: string; message: string }[] = [];
  if (keyPem === undefined) out.push({ file: 'pki/sa.key', message: 'pki/sa.key is missing' });
  if (pubPem === undefined) out.push({ file: 'pki/sa.pub', message: 'pki/sa.pub is missing' });
  const pub = pubPem === undefined ? undefined : spkiDer(() => crypto.createPublicKey(pubPem));
  if (pubPem !== undefined && !pub) out.push({ file: 'pki/sa.pub', message: 'pki/sa.pub is not a PEM public key' });
  if (keyPem !== undefined) {
    const fromKey = spkiDer(() => crypto.createPublicKey(crypto.createPrivateKey(keyPem)));
    if (!fromKey) out.push({ file: 'pki/sa.key', message: 'pki/sa.key is not a PEM private key' });
    else if (pub && !fromKey.equals(pub)) out.push({ file: 'pki/sa.key', message: 'pki/sa.key is not the private key of pki/sa.pub: tokens it signs fail verification' });
  }
  const trustedPem = input.trusted.serviceAccountPublicKeyPem;
  const trusted = trustedPem === undefined ? undefined : spkiDer(() => crypto.createPublicKey(trustedPem));
  if (pub && trusted && !pub.equals(trusted)) {
    out.push({ file: 'pki/sa.pub', message: "pki/sa.pub is not the cluster's service-account key: tokens signed on the other masters fail here" });
  }
  return out;
}

function spkiDer(load: () => crypto.KeyObject): Buffer | undefined {
  try {
    return load().export({ type: 'spki', format: 'der' });
  } catch {
    return undefined;
  }
}

function keyMatches(certPem: string, keyPem: string): boolean {
  try {
    return new crypto.X509Certificate(certPem).checkPrivateKey(crypto.createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

async function tryCheck(pem: string, caPem: string): Promise<CertCheck | undefined> {
  try {
    return await checkCert(pem, caPem);
  } catch (e) {
    // Unreadable text is a finding; anything else is a bug.
    if (e instanceof OperatorError) return undefined;
    throw e;
  }
}

/** The CA and client certificate a kubeconfig embeds for its current context, or why they cannot be read. */
function readKubeconfig(text: string): { caPem: string; certPem: string } | string {
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch {
    return 'not valid YAML';
  }
  // Text from a host: walk it without assuming any shape.
  const field = (o: unknown, key: string): unknown => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[key] : undefined);
  const named = (list: unknown, name: unknown): unknown => {
    if (!Array.isArray(list)) return undefined;
    return list.find((i) => field(i, 'name') === name) ?? (list.length === 1 ? list[0] : undefined);
  };
  const context = field(named(field(doc, 'contexts'), field(doc, 'current-context')), 'context');
  const cluster = field(named(field(doc, 'clusters'), field(context, 'cluster')), 'cluster');
  const user = field(named(field(doc, 'users'), field(context, 'user')), 'user');
  const caData = field(cluster, 'certificate-authority-data');
  const certData = field(user, 'client-certificate-data');
  if (typeof caData !== 'string') return 'no certificate-authority-data for its current context';
  if (typeof certData !== 'string') return 'no client-certificate-data for its current context';
  return { caPem: Buffer.from(caData, 'base64').toString(), certPem: Buffer.from(certData, 'base64').toString() };
}

function safeNormalizeIp(a: string): string {
  try {
    return normalizeIp(a);
  } catch {
    return a;
  }
}

function isCaCertificate(pem: string): boolean {
  try {
    return new crypto.X509Certificate(pem).ca;
  } catch {
    return false;
  }
}
