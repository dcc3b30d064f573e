import fs from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../proto/common/atomic-file.js';
import { OperatorError } from '../../proto/common/errors.js';
import { checkDays, createCa, issueCert, normalizeIp } from './ca.js';

export { checkCert, type CertCheck } from './ca.js';

export interface PkiNode {
  /** DNS-1123 label; the certificate's CN and DNS SAN, and the file name. */
  name: string;
  /** The IP its peers dial; the certificate's IP SAN. */
  address: string;
}

export interface InitPkiOptions {
  outDir: string;
  nodes: PkiNode[];
  /** Validity of the node and admin certificates. */
  days?: number;
  /** Validity of the CA; longer than `days` so that leaves can be reissued under it. */
  caDays?: number;
  /** Goes into the CA's subject (O=) to tell clusters' CAs apart. */
  clusterName?: string;
  /** Replace an existing CA. Every certificate it signed stops being trusted. */
  force?: boolean;
}

export const PKI_DEFAULTS = {
  /** Node and admin certificates: a year, renewed with the CA's key well before. */
  days: 365,
  /** The CA: ten years; replacing it means reissuing and redistributing everything. */
  caDays: 3650,
  clusterName: 'belay',
} as const;

const KEY_MODE = 0o600;
const CERT_MODE = 0o644;
const DIR_MODE = 0o700;
/** Names whose files would collide with the CA's or the admin's. */
const RESERVED_NAMES = new Set(['ca', 'admin']);
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const NODE_LIST_HINT = 'give --nodes as NAME=ADDRESS pairs separated by commas, e.g. m1=10.0.0.11,m2=10.0.0.12';

/**
 * Makes the cluster PKI in `outDir`: ca.crt/ca.key, NAME.crt/NAME.key per
 * node (server and client: a node's daemons both serve and call), and
 * admin.crt/admin.key (client only, for belayctl). Refuses to replace an
 * existing CA unless `force`: a new CA silently cuts every node off.
 * Returns the paths written.
 */
export async function initPki(o: InitPkiOptions): Promise<{ files: string[] }> {
  const days = o.days ?? PKI_DEFAULTS.days;
  const caDays = o.caDays ?? PKI_DEFAULTS.caDays;
  checkDays(days, 'certificate validity');
  checkDays(caDays, 'CA validity');
  const nodes = checkNodes(o.nodes);
  if (days > caDays) {
    throw new OperatorError({
      code: 'PKI_BAD_DAYS',
      message: `certificates of ${days} days would outlive the ${caDays}-day CA`,
      hint: `use --days ${caDays} or less`,
    });
  }
  const outDir = path.resolve(o.outDir);
  if (!o.force) await refuseExistingCa(outDir);

  const ca = await createCa({ clusterName: o.clusterName ?? PKI_DEFAULTS.clusterName, days: caDays });
  const leaves = [
    ...(await Promise.all(
      nodes.map(async (n) => ({
        name: n.name,
        ...(await issueCert(ca, { commonName: n.name, dnsNames: [n.name], ipAddresses: [n.address], usages: ['server', 'client'], days })),
      })),
    )),
    { name: 'admin', ...(await issueCert(ca, { commonName: 'admin', dnsNames: [], ipAddresses: [], usages: ['client'], days })) },
  ];

  await makeDir(outDir);
  // The CA goes last, key at the very end: an interrupted run leaves no ca.key,
  // so a rerun is not mistaken for replacing a working CA.
  const writes: [string, string, number][] = [
    ...leaves.flatMap((l): [string, string, number][] => [
      [`${l.name}.crt`, l.certPem, CERT_MODE],
      [`${l.name}.key`, l.keyPem, KEY_MODE],
    ]),
    ['ca.crt', ca.certPem, CERT_MODE],
    ['ca.key', ca.keyPem, KEY_MODE],
  ];
  for (const [name, data, mode] of writes) {
    const target = path.join(outDir, name);
    try {
      await writeFileAtomic(target, data, mode);
    } catch (cause) {
      throw new OperatorError({
        code: 'PKI_WRITE_FAILED',
        message: `cannot write ${target} (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`,
        hint: `check that ${outDir} is writable and its disk has space`,
        cause,
      });
    }
  }

  const order = ['ca', ...nodes.map((n) => n.name), 'admin'];
  return { files: order.flatMap((n) => [path.join(outDir, `${n}.crt`), path.join(outDir, `${n}.key`)]) };
}

/** Parses "m1=127.0.1.1,m2=127.0.1.2" (as `belayctl pki init --nodes` takes it). */
export function parseNodeList(text: string): PkiNode[] {
  if (text.trim() === '') {
    throw new OperatorError({ code: 'PKI_BAD_NODE_LIST', message: 'the node list is empty', hint: NODE_LIST_HINT });
  }
  const nodes = text.split(',').map((raw, i) => {
    const entry = raw.trim();
    const eq = entry.indexOf('=');
    if (entry === '') {
      throw new OperatorError({ code: 'PKI_BAD_NODE_LIST', message: `entry ${i + 1} of node list "${text}" is empty`, hint: NODE_LIST_HINT });
    }
    if (eq <= 0 || eq === entry.length - 1) {
      throw new OperatorError({ code: 'PKI_BAD_NODE_LIST', message: `node list entry "${entry}" is not NAME=ADDRESS`, hint: NODE_LIST_HINT });
    }
    return { name: entry.slice(0, eq).trim(), address: entry.slice(eq + 1).trim() };
  });
  return checkNodes(nodes);
}

/** Validates names and addresses, refuses duplicates, and returns the nodes with normalized addresses. */
function checkNodes(nodes: PkiNode[]): PkiNode[] {
  const byName = new Map<string, PkiNode>();
  const byAddress = new Map<string, PkiNode>();
  return nodes.map((n) => {
    if (n.name.length > 63 || !DNS_LABEL.test(n.name)) {
      throw new OperatorError({
        code: 'PKI_BAD_NODE_NAME',
        message: `node name "${n.name}" is not a DNS-1123 label`,
        hint: 'use lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters, e.g. m1',
      });
    }
    if (RESERVED_NAMES.has(n.name)) {
      throw new OperatorError({
        code: 'PKI_BAD_NODE_NAME',
        message: `node name "${n.name}" is reserved (its files would overwrite ${n.name}.crt)`,
        hint: 'name the node something else, e.g. m1',
      });
    }
    let address: string;
    try {
      address = normalizeIp(n.address);
    } catch (err) {
      if (!(err instanceof OperatorError)) throw err;
      throw new OperatorError({ code: 'PKI_BAD_NODE_ADDRESS', message: `node ${n.name}: ${err.message}`, hint: err.hint });
    }
    const sameName = byName.get(n.name);
    if (sameName) {
      throw new OperatorError({
        code: 'PKI_DUPLICATE_NODE',
        message: `node name ${n.name} is given twice (${sameName.address} and ${n.address})`,
        hint: 'give each master once, with its own name',
      });
    }
    const sameAddress = byAddress.get(address);
    if (sameAddress) {
      throw new OperatorError({
        code: 'PKI_DUPLICATE_NODE',
        message: `nodes ${sameAddress.name} and ${n.name} have the same address ${n.address}`,
        hint: 'give each master its own address',
      });
    }
    const node = { name: n.name, address };
    byName.set(node.name, node);
    byAddress.set(address, node);
    return node;
  });
}

async function refuseExistingCa(outDir: string): Promise<void> {
  for (const name of ['ca.key', 'ca.crt']) {
    const p = path.join(outDir, name);
    const exists = await fs.lstat(p).then(
      () => true,
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return false;
        throw new OperatorError({
          code: 'PKI_WRITE_FAILED',
          message: `cannot look at ${p} (${err.code ?? err.message})`,
          hint: `check the permissions of ${outDir}`,
          cause: err,
        });
      },
    );
    if (exists) {
      throw new OperatorError({
        code: 'PKI_EXISTS',
        message: `not replacing the cluster CA: ${p} exists`,
        hint: `a new CA cuts off every certificate the old one signed; to replace it anyway, back up ${outDir} and rerun with --force`,
        unsafe: true,
      });
    }
  }
}

async function makeDir(dir: string): Promise<void> {
  try {
    // Mode applies to directories made here only: an existing one keeps its owner's choice.
    await fs.mkdir(dir, { recursive: true, mode: DIR_MODE });
  } catch (cause) {
    throw new OperatorError({
      code: 'PKI_WRITE_FAILED',
      message: `cannot make directory ${dir} (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`,
      hint: 'choose a directory you can write to',
      cause,
    });
  }
}
