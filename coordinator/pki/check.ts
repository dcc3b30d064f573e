import crypto from 'node:crypto';
import YAML from 'yaml';
import { OperatorError } from '../../proto/common/errors.js';
import { type ClusterSpec, type SpecMaster } from '../cluster/spec.js';
import { specMaster } from '../cluster/spec-fields.js';
import { checkCert, normalizeIp, type CertCheck } from './ca.js';
import { apiserverSans } from './control-plane.js';

/**
 * The logic of `belayctl pki check`: what is wrong with one master's
 * certificates, judged against the spec and the cluster's CAs. Works from
 * what the master's agent shows (ReadPki): certificates, public keys and
 * kubeconfigs as text, but of every private key only the sha256 of its
 * public half, so that no private key leaves its master for a check. Pure
 * but for certificate parsing.
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

/** One file as the master's agent shows it (ReadPki's PkiPublicFile). */
export interface PublicPkiFile {
  /** A certificate or public key (PEM), or a kubeconfig without its client-key-data; empty for a private key. */
  content: string;
  /** A private key's, or a kubeconfig's client key's: sha256 (hex) of the DER SubjectPublicKeyInfo of its public half; empty when there is none. */
  publicKeySha256?: string;
  /** Why the agent could not read or parse the file; empty when it could. */
  error?: string;
}

export interface MasterPkiCheck {
  spec: ClusterSpec;
  master: string;
  /**
   * The master's files by path relative to /etc/kubernetes ('pki/apiserver.crt',
   * 'pki/apiserver.key', 'pki/etcd/server.crt', 'admin.conf'); an absent path is a missing file.
   */
  files: Readonly<Record<string, PublicPkiFile>>;
  /** The cluster's own CAs (and sa.pub), as the coordinator stores them: what the master's files must agree with. */
  trusted: { caPem: string; frontProxyCaPem: string; etcdCaPem: string; serviceAccountPublicKeyPem?: string };
  now: Date;
  /** A certificate ending within this many days is a warning (PKI_CHECK_DEFAULTS.warnDays). */
  warnDays?: number;
  /** false on a master that is no etcd member (yet): only its etcd client files are expected. */
  etcdMember?: boolean;
  /** The certificate (PEM) the master's kube-apiserver serves now; undefined when it was not reached (not checked). */
  servedApiserverPem?: string | undefined;
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
  /** Its private key's file; none for etcd/ca.crt, whose key stays off the masters (ca.key and front-proxy-ca.key are there: the controller-manager signs with them). */
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

/** The etcd CA key: belay keeps it in etcd only, so that one stolen master cannot mint etcd certificates for the others. */
const ETCD_CA_KEY = 'pki/etcd/ca.key';

const DAY_MS = 86_400_000;
const CA_NAMES: Record<TrustedCa, string> = { caPem: 'Kubernetes CA', frontProxyCaPem: 'front-proxy CA', etcdCaPem: 'etcd CA' };

/** Every finding on the master, in CHECKED_CERTS order, then sa.key/sa.pub, kubeconfigs, other certificates and unreadable files. */
export async function checkMasterPki(input: MasterPkiCheck): Promise<PkiFinding[]> {
  const master = specMaster(input.spec, input.master);
  if (!master) {
    throw new OperatorError({
      code: 'PKI_UNKNOWN_MASTER',
      message: `${input.master} is not a master of cluster ${input.spec.metadata.name}`,
      hint: `give one of ${input.spec.spec.masters.map((m) => m.name).join(', ')}`,
    });
  }
  // A bad trusted CA is the caller's fault: it must not read as a finding on the master's files.
  for (const [which, pem] of Object.entries({
    caPem: input.trusted.caPem,
    frontProxyCaPem: input.trusted.frontProxyCaPem,
    etcdCaPem: input.trusted.etcdCaPem,
  })) {
    if (!isCaCertificate(pem)) {
      throw new OperatorError({
        code: 'PKI_CA_UNREADABLE',
        message: `the trusted ${CA_NAMES[which as TrustedCa]} is not a PEM CA certificate`,
        hint: "give the CA as the coordinator stores it (the shared set's ca.crt, front-proxy-ca.crt, etcd/ca.crt)",
      });
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
    if (e)
      find(
        file,
        e.severity,
        `${file} ${e.message}`,
        c.isCa ? `replace the CA and reissue everything it signed, before ${c.notAfter.toISOString()}` : fix,
        e.daysLeft,
      );
  };
  /** Files the checks below looked at; any other the agent could not read is reported at the end. */
  const looked = new Set<string>();
  /** The file, or a finding saying why there is nothing to judge (missing, unreadable). */
  const present = (file: string, fix: string): PublicPkiFile | undefined => {
    looked.add(file);
    const f = input.files[file];
    if (f === undefined) find(file, 'error', `${file} is missing`, fix);
    else if (f.error) find(file, 'error', `${file} could not be read on ${master.name}: ${f.error}`, fix);
    else return f;
    return undefined;
  };

  for (const rule of CHECKED_CERTS) {
    const file = `pki/${rule.file}`;
    const keyFile = rule.key === undefined ? undefined : `pki/${rule.key}`;
    if (rule.memberOnly && input.etcdMember === false) continue;
    const fix = issue(rule.target);
    const f = present(file, fix);
    if (!f) {
      if (keyFile !== undefined) present(keyFile, fix);
      continue;
    }
    const c = await tryCheck(f.content, input.trusted[rule.ca]);
    if (!c) {
      find(file, 'error', `${file} is not a PEM certificate`, fix);
      if (keyFile !== undefined) present(keyFile, fix);
      continue;
    }
    if (!c.signedByCa || (rule.isCa === true && !c.isCa)) {
      find(
        file,
        'error',
        rule.isCa ? `${file} is not this cluster's ${CA_NAMES[rule.ca]}` : `${file} (CN ${c.commonName}) is not signed by the ${CA_NAMES[rule.ca]}`,
        fix,
      );
    }
    for (const m of missingSans(rule.file, c, input.spec, master)) {
      find(file, 'error', `${file} lacks the SAN ${m.san} (${m.why}): clients dialing it there fail TLS verification`, fix);
    }
    expiry(file, c, fix);
    if (keyFile !== undefined) {
      const k = present(keyFile, fix);
      if (k && !sameKey(k.publicKeySha256, certKeySha256(f.content))) find(keyFile, 'error', `${keyFile} is not the private key of ${file}`, fix);
    }
  }
  // kube-apiserver reads apiserver.crt at start only: a certificate issued since (a master joined, a
  // balancer address added, a renewal) is not served until it restarts.
  const onDisk = input.files['pki/apiserver.crt'];
  if (
    input.servedApiserverPem !== undefined &&
    onDisk &&
    !onDisk.error &&
    fingerprint(onDisk.content) !== undefined &&
    fingerprint(input.servedApiserverPem) !== fingerprint(onDisk.content)
  ) {
    const c = await tryCheck(input.servedApiserverPem, input.trusted.caPem);
    const missing = c ? missingSans('apiserver.crt', c, input.spec, master) : [];
    find(
      'pki/apiserver.crt',
      missing.length > 0 ? 'error' : 'warning',
      `the kube-apiserver on ${master.name} serves another certificate than pki/apiserver.crt (it reads the file at start only)${missing.length > 0 ? `: the served one lacks ${missing.map((m) => m.san).join(', ')}, so clients dialing it there fail TLS verification` : ''}`,
      'belayctl rollout restart apiserver',
    );
  }

  looked.add(ETCD_CA_KEY);
  if (input.files[ETCD_CA_KEY] !== undefined) {
    find(
      ETCD_CA_KEY,
      'warning',
      `${ETCD_CA_KEY} is on ${master.name}: belay keeps the etcd CA key in etcd only, and anyone who reads this file can mint etcd certificates (the etcd data is theirs)`,
      `remove /etc/kubernetes/${ETCD_CA_KEY} on ${master.name}: nothing on a master needs it`,
    );
  }

  for (const f of checkServiceAccount(input, present, issue('shared'))) find(f.file, 'error', f.message, issue('shared'));

  for (const name of CHECKED_KUBECONFIGS) {
    const fix = issue('kubeconfigs');
    const f = present(name, fix);
    if (!f) continue;
    const k = readKubeconfig(f.content);
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
    if (!f.publicKeySha256) find(name, 'error', `${name}: no client-key-data for its current context`, fix);
    else if (!sameKey(f.publicKeySha256, certKeySha256(k.certPem)))
      find(name, 'error', `${name}: client-key-data is not the private key of its client certificate (CN ${c.commonName})`, fix);
    expiry(name, c, fix);
  }

  // Certificates belay does not know: only their dates can be judged.
  const known = new Set(CHECKED_CERTS.map((r) => `pki/${r.file}`));
  const sorted = Object.entries(input.files).sort(([a], [b]) => a.localeCompare(b));
  for (const [file, f] of sorted) {
    if (!file.startsWith('pki/') || !file.endsWith('.crt') || known.has(file)) continue;
    looked.add(file);
    if (f.error) {
      find(file, 'error', `${file} could not be read on ${master.name}: ${f.error}`, `replace ${file} or remove it`);
      continue;
    }
    const c = await tryCheck(f.content, f.content);
    if (c) expiry(file, c, `renew ${file} or remove it`);
    else find(file, 'error', `${file} is not a PEM certificate`, `replace ${file} or remove it`);
  }
  // Whatever else the agent could not read (a key of an unknown certificate, a file over its size limit, too many files).
  for (const [file, f] of sorted) {
    if (looked.has(file) || !f.error) continue;
    find(file, 'error', `${file} could not be read on ${master.name}: ${f.error}`, `look at /etc/kubernetes/${file} on ${master.name}`);
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
/**
 * The SANs a served apiserver certificate lacks for `master` (each with why it is wanted); the leader
 * restarts apiservers that serve one issued before their master's current certificate.
 */
export async function servedApiserverLacks(pem: string, caPem: string, spec: ClusterSpec, master: SpecMaster): Promise<{ san: string; why: string }[]> {
  const c = await tryCheck(pem, caPem);
  return c ? missingSans('apiserver.crt', c, spec, master) : [];
}

function missingSans(file: string, c: CertCheck, spec: ClusterSpec, master: SpecMaster): { san: string; why: string }[] {
  const address = normalizeIp(master.address);
  let want: { san: string; ip: boolean; why: string }[];
  if (file === 'apiserver.crt') {
    const lb = spec.spec.loadBalancer.address === undefined ? undefined : normalizeIp(spec.spec.loadBalancer.address);
    const sans = apiserverSans(spec, master);
    // In static-pod mode every master's balancer sends clients to any master's apiserver (apiserverSans).
    const other = (san: string): SpecMaster | undefined => spec.spec.masters.find((m) => m.name !== master.name && safeNormalizeIp(m.address) === san);
    want = [
      ...sans.dnsNames.map((san) => ({ san, ip: false, why: san === master.name ? "the master's name" : 'a name of the kubernetes Service' })),
      ...sans.ipAddresses.map((san) => ({
        san,
        ip: true,
        why:
          san === address
            ? "the master's address"
            : san === lb
              ? 'spec.loadBalancer.address'
              : other(san)
                ? `the address of ${other(san)?.name ?? ''}, whose balancer sends clients to every master`
                : 'the kubernetes Service IP in spec.networking.serviceSubnet',
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
function checkServiceAccount(
  input: MasterPkiCheck,
  present: (file: string, fix: string) => PublicPkiFile | undefined,
  fix: string,
): { file: string; message: string }[] {
  const key = present('pki/sa.key', fix);
  const pubFile = present('pki/sa.pub', fix);
  const out: { file: string; message: string }[] = [];
  const pub = pubFile === undefined ? undefined : spkiSha256(() => crypto.createPublicKey(pubFile.content));
  if (pubFile !== undefined && !pub) out.push({ file: 'pki/sa.pub', message: 'pki/sa.pub is not a PEM public key' });
  if (key && pub && !sameKey(key.publicKeySha256, pub))
    out.push({ file: 'pki/sa.key', message: 'pki/sa.key is not the private key of pki/sa.pub: tokens it signs fail verification' });
  const trustedPem = input.trusted.serviceAccountPublicKeyPem;
  const trusted = trustedPem === undefined ? undefined : spkiSha256(() => crypto.createPublicKey(trustedPem));
  if (pub && trusted && pub !== trusted) {
    out.push({ file: 'pki/sa.pub', message: "pki/sa.pub is not the cluster's service-account key: tokens signed on the other masters fail here" });
  }
  return out;
}

/**
 * sha256 (hex) of the DER SubjectPublicKeyInfo of `key`'s public half: what
 * ReadPki gives for a private key, computed the same way here for a
 * certificate's or a public key's.
 */
/** sha256 of a PEM certificate's DER; undefined when it is not one. */
function fingerprint(pem: string): string | undefined {
  try {
    return new crypto.X509Certificate(pem).fingerprint256;
  } catch {
    return undefined;
  }
}

export function publicKeySha256(key: crypto.KeyObject): string {
  const pub = key.type === 'private' ? crypto.createPublicKey(key) : key;
  return crypto
    .createHash('sha256')
    .update(pub.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

function spkiSha256(load: () => crypto.KeyObject): string | undefined {
  try {
    return publicKeySha256(load());
  } catch {
    return undefined;
  }
}

function certKeySha256(certPem: string): string | undefined {
  return spkiSha256(() => new crypto.X509Certificate(certPem).publicKey);
}

/** Both known and equal: an empty sha (no key, or one the agent could not read) matches nothing. */
function sameKey(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && a !== '' && b !== undefined && a.toLowerCase() === b.toLowerCase();
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
