// @peculiar/x509 resolves its algorithms through tsyringe, which needs the
// Reflect metadata API before the library loads: keep this import first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import { OperatorError } from '../../proto/common/errors.js';

x509.cryptoProvider.set(crypto.webcrypto as unknown as Crypto);

/**
 * The cluster's own certificate authority: every daemon and belayctl trust
 * exactly this CA for mutual TLS (gRPC between agents, coordinators and
 * belayctl). Keys are ECDSA P-256: small, fast to make, accepted by Node's
 * TLS, grpc-js, etcd and Go clients alike.
 */
export interface Ca {
  readonly cert: x509.X509Certificate;
  readonly privateKey: CryptoKey;
  readonly certPem: string;
  readonly keyPem: string;
}

export type CertUsage = 'server' | 'client';

export interface LeafParams {
  /** Who the certificate names: a node name, or "admin" (peers read it as the caller's identity). */
  commonName: string;
  /** Subject O=, which Kubernetes reads as the holder's group (e.g. system:masters). */
  organization?: string;
  /** SAN DNS names a client may dial this certificate's holder by. */
  dnsNames: string[];
  /** SAN IP addresses (IPv4 or IPv6) a client may dial this certificate's holder at. */
  ipAddresses: string[];
  /** serverAuth and/or clientAuth. */
  usages: CertUsage[];
  /** Validity from now; must not outlast the CA. */
  days: number;
}

export interface IssuedCert {
  certPem: string;
  /** PKCS#8 ("BEGIN PRIVATE KEY"), as Node's tls and grpc-js take it. */
  keyPem: string;
}

export interface CertCheck {
  /** Subject CN, '' if the subject has none. */
  commonName: string;
  dnsNames: string[];
  ipAddresses: string[];
  usages: CertUsage[];
  isCa: boolean;
  notBefore: Date;
  notAfter: Date;
  /** The signature verifies with the CA's public key (validity dates not considered: see notAfter). */
  signedByCa: boolean;
}

/** Backdating notBefore lets a peer whose clock runs a little behind accept a certificate made just now. */
const CLOCK_SKEW_MS = 5 * 60_000;
const DAY_MS = 86_400_000;
/** An upper bound that keeps dates sane; nobody means a certificate for a century. */
const MAX_DAYS = 36_500;

const KEY_ALGORITHM: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const EKU_OID: Record<CertUsage, string> = { server: x509.ExtendedKeyUsage.serverAuth, client: x509.ExtendedKeyUsage.clientAuth };

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Makes a self-signed CA: "CN=<commonName: belay-ca>, O=<clusterName>", allowed to sign leaves only. */
export async function createCa(o: { clusterName: string; days: number; commonName?: string }): Promise<Ca> {
  if (!DNS_LABEL.test(o.clusterName)) {
    throw new OperatorError({
      code: 'PKI_BAD_CLUSTER_NAME',
      message: `cluster name "${o.clusterName}" is not a DNS label`,
      hint: 'use lowercase letters, digits and "-", at most 63 characters, e.g. prod-eu',
    });
  }
  checkDays(o.days, 'CA validity');
  const keys = await newKeyPair();
  const name: x509.JsonName = [{ CN: [o.commonName ?? 'belay-ca'] }, { O: [o.clusterName] }];
  const nowMs = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialHex(),
    name,
    notBefore: new Date(nowMs - CLOCK_SKEW_MS),
    notAfter: new Date(nowMs + o.days * DAY_MS),
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [
      // pathLength 0: this CA signs leaves, never another CA.
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, privateKey: keys.privateKey, certPem: certToPem(cert), keyPem: await keyToPem(keys.privateKey) };
}

/** The CA from its PEM texts; `where` names their origin in errors. */
export async function caFromPem(certPem: string, keyPem: string, where = { cert: 'ca.crt', key: 'ca.key' }): Promise<Ca> {
  let nodeCert: crypto.X509Certificate;
  let cert: x509.X509Certificate;
  try {
    nodeCert = new crypto.X509Certificate(certPem);
    cert = new x509.X509Certificate(certPem);
  } catch (cause) {
    throw new OperatorError({
      code: 'PKI_CA_UNREADABLE',
      message: `${where.cert} is not a PEM certificate`,
      hint: `point at the ca.crt written by "belayctl pki init"`,
      cause,
    });
  }
  if (!nodeCert.ca) {
    throw new OperatorError({
      code: 'PKI_NOT_A_CA',
      message: `${where.cert} (${nodeCert.subject.replace(/\n/g, ', ')}) is not a CA certificate`,
      hint: 'give the cluster CA (ca.crt), not a node or admin certificate',
    });
  }
  let keyObject: crypto.KeyObject;
  try {
    keyObject = crypto.createPrivateKey(keyPem);
  } catch (cause) {
    throw new OperatorError({
      code: 'PKI_CA_UNREADABLE',
      message: `${where.key} is not a PEM private key`,
      hint: `point at the ca.key written by "belayctl pki init"`,
      cause,
    });
  }
  if (!nodeCert.checkPrivateKey(keyObject)) {
    throw new OperatorError({
      code: 'PKI_CA_KEY_MISMATCH',
      message: `${where.key} is not the private key of ${where.cert}`,
      hint: 'give the ca.key written together with this ca.crt',
    });
  }
  const privateKey = await importSigningKey(keyObject, where.key);
  return { cert, privateKey, certPem: certToPem(cert), keyPem: keyObject.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** Reads a CA back from the ca.crt / ca.key files that `initPki` wrote. */
export async function loadCa(certPath: string, keyPath: string): Promise<Ca> {
  const read = async (p: string): Promise<string> => {
    try {
      return await fs.readFile(p, 'utf8');
    } catch (cause) {
      const why = (cause as NodeJS.ErrnoException).code ?? String(cause);
      throw new OperatorError({
        code: 'PKI_CA_UNREADABLE',
        message: `cannot read ${p} (${why})`,
        hint: 'run "belayctl pki init" first, or give the path of the existing CA',
        cause,
      });
    }
  };
  return caFromPem(await read(certPath), await read(keyPath), { cert: certPath, key: keyPath });
}

/** Issues a leaf certificate with a fresh key, signed by `ca`. */
export async function issueCert(ca: Ca, p: LeafParams): Promise<IssuedCert> {
  if (p.commonName.trim() === '' || p.commonName.length > 64) {
    throw new OperatorError({
      code: 'PKI_BAD_NAME',
      message: `common name "${p.commonName}" must have 1 to 64 characters`,
      hint: 'use the node name, e.g. m1',
    });
  }
  for (const d of p.dnsNames) {
    if (!isDnsName(d)) {
      throw new OperatorError({
        code: 'PKI_BAD_NAME',
        message: `DNS name "${d}" is not a valid host name`,
        hint: 'use lowercase DNS labels separated by dots, e.g. m1 or m1.example.org',
      });
    }
  }
  const ips = p.ipAddresses.map((a) => normalizeIp(a));
  if (p.usages.length === 0 || p.usages.some((u) => !(u in EKU_OID))) {
    throw new OperatorError({
      code: 'PKI_BAD_USAGE',
      message: `usages [${p.usages.join(', ')}] must be one or both of server, client`,
      hint: 'masters need both; belayctl needs client',
    });
  }
  checkDays(p.days, 'certificate validity');
  const nowMs = Date.now();
  let notAfter = new Date(nowMs + p.days * DAY_MS);
  // Within a day of the CA's end (as when both were made just now for the same
  // number of days), the leaf simply ends with its CA.
  if (notAfter > ca.cert.notAfter && notAfter.getTime() - ca.cert.notAfter.getTime() < DAY_MS) notAfter = ca.cert.notAfter;
  if (notAfter > ca.cert.notAfter) {
    throw new OperatorError({
      code: 'PKI_OUTLIVES_CA',
      message: `a ${p.days}-day certificate for ${p.commonName} would outlive the CA, valid until ${ca.cert.notAfter.toISOString()}`,
      hint: `use at most ${Math.floor((ca.cert.notAfter.getTime() - nowMs) / DAY_MS)} days, or make a new CA (belayctl pki init --force)`,
    });
  }

  const keys = await newKeyPair();
  const caKeyId = ca.cert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    // An EC key signs (ECDHE handshakes); keyEncipherment is an RSA key-transport usage it has no use for.
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension(p.usages.map((u) => EKU_OID[u])),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    caKeyId ? new x509.AuthorityKeyIdentifierExtension(caKeyId) : await x509.AuthorityKeyIdentifierExtension.create(ca.cert.publicKey),
  ];
  const sans = [...p.dnsNames.map((value) => ({ type: 'dns' as const, value })), ...ips.map((value) => ({ type: 'ip' as const, value }))];
  if (sans.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(sans));

  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialHex(),
    subject: [{ CN: [p.commonName] }, ...(p.organization === undefined ? [] : [{ O: [p.organization] }])],
    // The CA's own encoded name, so that chain building matches it byte for byte.
    issuer: ca.cert.subjectName,
    notBefore: new Date(nowMs - CLOCK_SKEW_MS),
    notAfter,
    publicKey: keys.publicKey,
    signingKey: ca.privateKey,
    signingAlgorithm: { name: ca.privateKey.algorithm.name, hash: 'SHA-256' },
    extensions,
  });
  return { certPem: certToPem(cert), keyPem: await keyToPem(keys.privateKey) };
}

/** What a certificate says, and whether `caPem`'s key signed it: for tests and `belayctl pki check`. */
export async function checkCert(certPem: string, caPem: string): Promise<CertCheck> {
  const cert = parseCert(certPem, 'certificate');
  const caCert = parseCert(caPem, 'CA certificate');
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const names = san?.names.items ?? [];
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
  const usages = (Object.keys(EKU_OID) as CertUsage[]).filter((u) => eku?.usages.includes(EKU_OID[u]) ?? false);
  let signedByCa: boolean;
  try {
    signedByCa = await cert.verify({ publicKey: caCert.publicKey, signatureOnly: true });
  } catch {
    // A key of another type (an RSA CA for an EC signature) cannot have signed it.
    signedByCa = false;
  }
  return {
    commonName: cert.subjectName.getField('CN')[0] ?? '',
    dnsNames: names.filter((n) => n.type === 'dns').map((n) => n.value),
    ipAddresses: names.filter((n) => n.type === 'ip').map((n) => n.value),
    usages,
    isCa: cert.getExtension(x509.BasicConstraintsExtension)?.ca ?? false,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    signedByCa,
  };
}

/**
 * `address` in the form a certificate's SAN stores and prints it: IPv6
 * compressed and lowercase, an embedded IPv4 tail in hex. Throws an
 * OperatorError naming the value if it is not a plain IP address.
 */
export function normalizeIp(address: string): string {
  const version = net.isIP(address);
  if (version === 0 || address.includes('%')) {
    throw new OperatorError({
      code: 'PKI_BAD_ADDRESS',
      message: `"${address}" is not an IP address${address.includes('%') ? ' (zone ids like %eth0 cannot go into a certificate)' : ''}`,
      hint: 'give an IPv4 address like 10.0.0.11 or an IPv6 address like fd00::11',
    });
  }
  const normalized = version === 4 ? address : new URL(`http://[${address}]/`).hostname.slice(1, -1);
  if (normalized === '0.0.0.0' || normalized === '::') {
    throw new OperatorError({
      code: 'PKI_BAD_ADDRESS',
      message: `"${address}" is the unspecified address, which nobody can dial`,
      hint: "give the address the node's peers reach it at",
    });
  }
  return normalized;
}

function isDnsName(s: string): boolean {
  return s.length <= 253 && s.split('.').every((label) => DNS_LABEL.test(label));
}

/** Throws an OperatorError unless `days` is a whole number of days in range. */
export function checkDays(days: number, what: string): void {
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) {
    throw new OperatorError({
      code: 'PKI_BAD_DAYS',
      message: `${what} of ${String(days)} days is not a whole number from 1 to ${MAX_DAYS}`,
      hint: 'give --days as a whole number of days, e.g. 365',
    });
  }
}

function parseCert(pem: string, what: string): x509.X509Certificate {
  try {
    return new x509.X509Certificate(pem);
  } catch (cause) {
    throw new OperatorError({
      code: 'PKI_CERT_UNREADABLE',
      message: `the ${what} is not a PEM certificate`,
      hint: 'give a file that starts with -----BEGIN CERTIFICATE-----',
      cause,
    });
  }
}

/** 16 random bytes with the top bit clear: a positive DER INTEGER of full length, unguessable (CA/B BR 7.1). */
function randomSerialHex(): string {
  const bytes = crypto.randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f || 0x01;
  return bytes.toString('hex');
}

async function newKeyPair(): Promise<CryptoKeyPair> {
  // Extractable: the private key is written out as PKCS#8.
  return crypto.webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
}

async function keyToPem(key: CryptoKey): Promise<string> {
  const der = await crypto.webcrypto.subtle.exportKey('pkcs8', key);
  return crypto
    .createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' })
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();
}

function certToPem(cert: x509.X509Certificate): string {
  const pem = cert.toString('pem');
  return pem.endsWith('\n') ? pem : pem + '\n';
}

/** A WebCrypto signing key from any PEM key Node reads (PKCS#8, SEC1 "EC PRIVATE KEY", PKCS#1 RSA). */
async function importSigningKey(key: crypto.KeyObject, where: string): Promise<CryptoKey> {
  const der = key.export({ type: 'pkcs8', format: 'der' });
  let algorithm: EcKeyImportParams | RsaHashedImportParams;
  if (key.asymmetricKeyType === 'ec') {
    const curve = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' }[key.asymmetricKeyDetails?.namedCurve ?? ''];
    if (!curve) {
      throw new OperatorError({
        code: 'PKI_CA_UNSUPPORTED',
        message: `${where}: EC curve ${key.asymmetricKeyDetails?.namedCurve ?? '?'} is not supported`,
        hint: 'use a P-256 CA (belayctl pki init makes one)',
      });
    }
    algorithm = { name: 'ECDSA', namedCurve: curve };
  } else if (key.asymmetricKeyType === 'rsa') {
    algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  } else {
    throw new OperatorError({
      code: 'PKI_CA_UNSUPPORTED',
      message: `${where}: ${key.asymmetricKeyType ?? 'unknown'} keys are not supported for a CA`,
      hint: 'use a P-256 CA (belayctl pki init makes one)',
    });
  }
  return crypto.webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign']);
}
