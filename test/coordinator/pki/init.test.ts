import assert from 'node:assert/strict';
import { once } from 'node:events';
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import tls from 'node:tls';
import { caFromPem, issueCert, loadCa } from '../../../coordinator/pki/ca.js';
import { checkCert, initPki, parseNodeList } from '../../../coordinator/pki/init.js';
import { OperatorError } from '../../../proto/common/errors.js';

const NODES = [
  { name: 'm1', address: '127.0.0.1' },
  { name: 'm2', address: '127.0.0.2' },
  { name: 'm3', address: 'fd00::13' },
];

const tmpDirs: string[] = [];
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-pki-'));
  tmpDirs.push(d);
  return d;
}
after(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

const read = (dir: string, f: string): string => fs.readFileSync(path.join(dir, f), 'utf8');
const mode = (p: string): number => fs.statSync(p).mode & 0o777;

/** Asserts `fn` throws an OperatorError with `code` whose message contains each of `mentions`. */
async function rejectsOperator(fn: () => unknown, code: string, ...mentions: string[]): Promise<OperatorError> {
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof OperatorError, `expected OperatorError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  for (const m of mentions) assert.ok(caught.message.includes(m), `"${caught.message}" should mention "${m}"`);
  return caught;
}

describe('initPki', () => {
  let root: string;
  let out: string;
  let files: string[];

  before(async () => {
    root = tmpDir();
    out = path.join(root, 'made', 'pki');
    ({ files } = await initPki({ outDir: out, nodes: NODES }));
  });

  test('writes every file, keys 0600, certs 0644, a new directory 0700, no temp files left', () => {
    const names = ['ca', 'm1', 'm2', 'm3', 'admin'].flatMap((n) => [`${n}.crt`, `${n}.key`]);
    assert.deepEqual(
      files,
      names.map((n) => path.join(out, n)),
    );
    assert.deepEqual(fs.readdirSync(out).sort(), [...names].sort());
    for (const f of files) assert.equal(mode(f), f.endsWith('.key') ? 0o600 : 0o644, f);
    assert.equal(mode(out), 0o700);
    for (const f of files.filter((p) => p.endsWith('.key'))) assert.match(fs.readFileSync(f, 'utf8'), /^-----BEGIN PRIVATE KEY-----\n/);
  });

  test('the CA is a CA, named belay-ca, valid about ten years', async () => {
    const c = await checkCert(read(out, 'ca.crt'), read(out, 'ca.crt'));
    assert.equal(c.commonName, 'belay-ca');
    assert.equal(c.isCa, true);
    assert.equal(c.signedByCa, true);
    const days = (c.notAfter.getTime() - Date.now()) / 86_400_000;
    assert.ok(days > 3649 && days <= 3650, `CA valid ${days} days`);
  });

  test('each node certificate names the node and its address, is signed by the CA, serves and calls', async () => {
    const caPem = read(out, 'ca.crt');
    const ca = new crypto.X509Certificate(caPem);
    for (const n of NODES) {
      const pem = read(out, `${n.name}.crt`);
      const c = await checkCert(pem, caPem);
      assert.equal(c.commonName, n.name);
      assert.deepEqual(c.dnsNames, [n.name]);
      assert.deepEqual(c.ipAddresses, [n.address]);
      assert.deepEqual(c.usages, ['server', 'client']);
      assert.equal(c.isCa, false);
      assert.equal(c.signedByCa, true);
      assert.ok(c.notBefore.getTime() < Date.now() - 60_000, 'notBefore is backdated for clock skew');
      const days = (c.notAfter.getTime() - Date.now()) / 86_400_000;
      assert.ok(days > 364 && days <= 365, `valid ${days} days`);

      // The same facts as OpenSSL (under Node's X509Certificate) reads them.
      const x = new crypto.X509Certificate(pem);
      assert.equal(x.checkIssued(ca), true);
      assert.equal(x.verify(ca.publicKey), true);
      assert.equal(x.checkIP(n.address), n.address);
      assert.equal(x.checkHost(n.name), n.name);
      assert.equal(x.checkHost('localhost'), undefined);
      assert.equal(x.checkPrivateKey(crypto.createPrivateKey(read(out, `${n.name}.key`))), true);
      assert.match(x.serialNumber, /^[0-7][0-9A-F]{31}$/, 'a positive 16-byte serial');
    }
  });

  test('serial numbers differ', () => {
    const serials = ['ca', 'm1', 'm2', 'm3', 'admin'].map((n) => new crypto.X509Certificate(read(out, `${n}.crt`)).serialNumber);
    assert.equal(new Set(serials).size, serials.length);
  });

  test('admin is client only, with no SANs', async () => {
    const c = await checkCert(read(out, 'admin.crt'), read(out, 'ca.crt'));
    assert.equal(c.commonName, 'admin');
    assert.deepEqual(c.usages, ['client']);
    assert.deepEqual(c.dnsNames, []);
    assert.deepEqual(c.ipAddresses, []);
    assert.equal(c.signedByCa, true);
  });

  test('a certificate from another CA is not signed by this one', async () => {
    const other = tmpDir();
    await initPki({ outDir: other, nodes: NODES });
    assert.equal((await checkCert(read(other, 'm1.crt'), read(out, 'ca.crt'))).signedByCa, false);
    assert.equal((await checkCert(read(out, 'm1.crt'), read(other, 'ca.crt'))).signedByCa, false);
    assert.equal((await checkCert(read(other, 'm1.crt'), read(other, 'ca.crt'))).signedByCa, true);
  });

  test('refuses to replace an existing CA unless forced', async () => {
    // given a PKI
    const dir = tmpDir();
    await initPki({ outDir: dir, nodes: NODES });
    const caKey = read(dir, 'ca.key');

    // when init runs again, then it refuses and leaves the CA alone
    const err = await rejectsOperator(() => initPki({ outDir: dir, nodes: NODES }), 'PKI_EXISTS', path.join(dir, 'ca.key'));
    assert.match(err.hint, /--force/);
    assert.equal(err.unsafe, true);
    assert.equal(read(dir, 'ca.key'), caKey);

    // when the CA key was taken offline, the certificate alone still counts
    fs.rmSync(path.join(dir, 'ca.key'));
    await rejectsOperator(() => initPki({ outDir: dir, nodes: NODES }), 'PKI_EXISTS', path.join(dir, 'ca.crt'));

    // when forced, then a new CA replaces the old one
    await initPki({ outDir: dir, nodes: NODES, force: true });
    assert.notEqual(read(dir, 'ca.key'), caKey);
    assert.equal((await checkCert(read(dir, 'm1.crt'), read(dir, 'ca.crt'))).signedByCa, true);
  });

  test('certificates may last as long as the CA, and end with it', async () => {
    const dir = tmpDir();
    await initPki({ outDir: dir, nodes: NODES.slice(0, 1), days: 10, caDays: 10 });
    const ca = await checkCert(read(dir, 'ca.crt'), read(dir, 'ca.crt'));
    const leaf = await checkCert(read(dir, 'm1.crt'), read(dir, 'ca.crt'));
    assert.ok(leaf.notAfter <= ca.notAfter);
    assert.ok(ca.notAfter.getTime() - leaf.notAfter.getTime() < 1_000);
  });

  test('bad input is refused before anything is written', async () => {
    const dir = path.join(tmpDir(), 'never');
    await rejectsOperator(() => initPki({ outDir: dir, nodes: NODES, days: Number('x') }), 'PKI_BAD_DAYS', 'NaN');
    await rejectsOperator(() => initPki({ outDir: dir, nodes: NODES, days: 0 }), 'PKI_BAD_DAYS', '0');
    await rejectsOperator(() => initPki({ outDir: dir, nodes: NODES, days: 4000 }), 'PKI_BAD_DAYS', '4000');
    await rejectsOperator(() => initPki({ outDir: dir, nodes: [{ name: 'M1', address: '127.0.0.1' }] }), 'PKI_BAD_NODE_NAME', 'M1');
    await rejectsOperator(() => initPki({ outDir: dir, nodes: [{ name: 'ca', address: '127.0.0.1' }] }), 'PKI_BAD_NODE_NAME', '"ca"');
    await rejectsOperator(() => initPki({ outDir: dir, nodes: [{ name: 'm1', address: 'm1.example' }] }), 'PKI_BAD_NODE_ADDRESS', 'm1.example');
    assert.equal(fs.existsSync(dir), false);
  });
});

describe('parseNodeList', () => {
  test('reads NAME=ADDRESS pairs, IPv6 included, spaces tolerated', () => {
    assert.deepEqual(parseNodeList('m1=127.0.1.1,m2=127.0.1.2'), [
      { name: 'm1', address: '127.0.1.1' },
      { name: 'm2', address: '127.0.1.2' },
    ]);
    assert.deepEqual(parseNodeList(' m1 = fd00::1 , m2=FD00:0:0::2,m-3=::ffff:10.0.0.3'), [
      { name: 'm1', address: 'fd00::1' },
      { name: 'm2', address: 'fd00::2' },
      { name: 'm-3', address: '::ffff:a00:3' },
    ]);
  });

  const bad: [string, string, string][] = [
    ['', 'PKI_BAD_NODE_LIST', 'empty'],
    ['m1=127.0.0.1,,m2=127.0.0.2', 'PKI_BAD_NODE_LIST', 'entry 2'],
    ['m1', 'PKI_BAD_NODE_LIST', '"m1"'],
    ['m1=', 'PKI_BAD_NODE_LIST', '"m1="'],
    ['=127.0.0.1', 'PKI_BAD_NODE_LIST', '"=127.0.0.1"'],
    ['M1=127.0.0.1', 'PKI_BAD_NODE_NAME', '"M1"'],
    ['m_1=127.0.0.1', 'PKI_BAD_NODE_NAME', '"m_1"'],
    ['-m1=127.0.0.1', 'PKI_BAD_NODE_NAME', '"-m1"'],
    [`${'m'.repeat(64)}=127.0.0.1`, 'PKI_BAD_NODE_NAME', 'm'.repeat(64)],
    ['admin=127.0.0.1', 'PKI_BAD_NODE_NAME', '"admin"'],
    ['m1=127.0.0', 'PKI_BAD_NODE_ADDRESS', '"127.0.0"'],
    ['m1=127.0.0.256', 'PKI_BAD_NODE_ADDRESS', '127.0.0.256'],
    ['m1=fe80::1%eth0', 'PKI_BAD_NODE_ADDRESS', 'fe80::1%eth0'],
    ['m1=0.0.0.0', 'PKI_BAD_NODE_ADDRESS', '0.0.0.0'],
    ['m1=127.0.0.1,m1=127.0.0.2', 'PKI_DUPLICATE_NODE', 'm1'],
    ['m1=127.0.0.1,m2=127.0.0.1', 'PKI_DUPLICATE_NODE', '127.0.0.1'],
    ['m1=fd00::1,m2=fd00:0::1', 'PKI_DUPLICATE_NODE', 'm2'],
  ];
  for (const [input, code, mention] of bad) {
    test(`refuses ${JSON.stringify(input)} with ${code}`, async () => {
      const err = await rejectsOperator(() => parseNodeList(input), code, mention);
      assert.ok(err.hint.length > 0);
    });
  }
});

describe('ca', () => {
  test('a CA loaded back from its files issues certificates under the same key', async () => {
    // given a PKI on disk
    const dir = tmpDir();
    await initPki({ outDir: dir, nodes: NODES.slice(0, 1) });

    // when the CA is loaded and issues a new certificate
    const ca = await loadCa(path.join(dir, 'ca.crt'), path.join(dir, 'ca.key'));
    const leaf = await issueCert(ca, {
      commonName: 'm9',
      dnsNames: ['m9', 'm9.example.org'],
      ipAddresses: ['10.0.0.9', '2001:db8::9'],
      usages: ['server'],
      days: 30,
    });

    // then it chains to the CA on disk
    const c = await checkCert(leaf.certPem, read(dir, 'ca.crt'));
    assert.deepEqual(
      [c.commonName, c.dnsNames, c.ipAddresses, c.usages, c.signedByCa],
      ['m9', ['m9', 'm9.example.org'], ['10.0.0.9', '2001:db8::9'], ['server'], true],
    );
    assert.match(leaf.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
  });

  test('refuses a CA key that does not belong to the certificate, a non-CA, and a leaf outliving the CA', async () => {
    const a = tmpDir();
    const b = tmpDir();
    await initPki({ outDir: a, nodes: NODES.slice(0, 1) });
    await initPki({ outDir: b, nodes: NODES.slice(0, 1) });
    await rejectsOperator(() => caFromPem(read(a, 'ca.crt'), read(b, 'ca.key')), 'PKI_CA_KEY_MISMATCH', 'ca.key');
    await rejectsOperator(() => caFromPem(read(a, 'm1.crt'), read(a, 'm1.key')), 'PKI_NOT_A_CA', 'CN=m1');
    await rejectsOperator(() => loadCa(path.join(a, 'nope.crt'), path.join(a, 'ca.key')), 'PKI_CA_UNREADABLE', 'nope.crt', 'ENOENT');
    const ca = await loadCa(path.join(a, 'ca.crt'), path.join(a, 'ca.key'));
    await rejectsOperator(() => issueCert(ca, { commonName: 'm9', dnsNames: [], ipAddresses: [], usages: ['client'], days: 3651 }), 'PKI_OUTLIVES_CA', '3651');
    await rejectsOperator(
      () => issueCert(ca, { commonName: 'm9', dnsNames: ['bad_name'], ipAddresses: [], usages: ['client'], days: 1 }),
      'PKI_BAD_NAME',
      'bad_name',
    );
    await rejectsOperator(() => issueCert(ca, { commonName: 'm9', dnsNames: [], ipAddresses: [], usages: [], days: 1 }), 'PKI_BAD_USAGE');
  });
});

/**
 * The point of the PKI: Node's TLS (under grpc-js too) accepts these files
 * for mutual TLS, checks the server's IP SAN, and refuses clients that have
 * no certificate or one from another CA.
 */
describe('mutual TLS with the issued files', () => {
  let ours: string;
  let theirs: string;
  let server: tls.Server;
  let port: number;
  const clientErrors: Error[] = [];
  /** CNs of the clients the server accepted, in order. */
  const accepted: string[] = [];

  before(async () => {
    ours = tmpDir();
    theirs = tmpDir();
    await initPki({ outDir: ours, nodes: NODES });
    await initPki({ outDir: theirs, nodes: NODES });
    ({ server, port } = await serve(ours, 'm1'));
    server.on('tlsClientError', (err) => clientErrors.push(err));
    server.on('secureConnection', (sock: tls.TLSSocket) => accepted.push(String(sock.getPeerCertificate().subject.CN)));
  });
  after(() => server.close());

  async function serve(dir: string, node: string): Promise<{ server: tls.Server; port: number }> {
    const s = tls.createServer(
      { cert: read(dir, `${node}.crt`), key: read(dir, `${node}.key`), ca: read(dir, 'ca.crt'), requestCert: true, rejectUnauthorized: true },
      (sock) => sock.end(`hello ${String(sock.getPeerCertificate().subject.CN)}\n`),
    );
    s.listen(0, '127.0.0.1');
    await once(s, 'listening');
    return { server: s, port: (s.address() as AddressInfo).port };
  }

  interface Dialed {
    authorized: boolean;
    data: string;
    err?: NodeJS.ErrnoException;
  }

  function dial(toPort: number, o: tls.ConnectionOptions): Promise<Dialed> {
    return new Promise((resolve) => {
      const r: Dialed = { authorized: false, data: '' };
      const sock = tls.connect({ host: '127.0.0.1', port: toPort, ...o });
      sock.on('secureConnect', () => (r.authorized = sock.authorized));
      sock.on('data', (b: Buffer) => (r.data += b.toString()));
      sock.on('error', (err: NodeJS.ErrnoException) => (r.err = err));
      sock.on('close', () => resolve(r));
    });
  }

  const admin = (dir: string): tls.ConnectionOptions => ({ cert: read(dir, 'admin.crt'), key: read(dir, 'admin.key') });

  test('the admin certificate connects to a node dialed by IP, and by name', async () => {
    // when admin dials 127.0.0.1, which is the IP SAN of m1's certificate
    const byIp = await dial(port, { ca: read(ours, 'ca.crt'), ...admin(ours) });
    // then both sides verified each other: the server saw CN=admin
    assert.equal(byIp.err, undefined);
    assert.equal(byIp.authorized, true);
    assert.equal(byIp.data, 'hello admin\n');

    // and by the node's DNS SAN
    const byName = await dial(port, { ca: read(ours, 'ca.crt'), servername: 'm1', ...admin(ours) });
    assert.equal(byName.err, undefined);
    assert.equal(byName.data, 'hello admin\n');
  });

  test('a node certificate works as a client too', async () => {
    const r = await dial(port, { ca: read(ours, 'ca.crt'), cert: read(ours, 'm2.crt'), key: read(ours, 'm2.key') });
    assert.equal(r.err, undefined);
    assert.equal(r.data, 'hello m2\n');
  });

  test('a client refuses a server whose certificate is for another address', async () => {
    // given m2's certificate (IP SAN 127.0.0.2) served at 127.0.0.1
    const wrong = await serve(ours, 'm2');
    try {
      // when admin dials 127.0.0.1, then the IP check fails
      const r = await dial(wrong.port, { ca: read(ours, 'ca.crt'), ...admin(ours) });
      assert.equal(r.err?.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
      assert.equal(r.data, '');
    } finally {
      wrong.server.close();
    }
  });

  // Under TLS 1.3 the client finishes its side of the handshake before the
  // server has judged the client's certificate, so "refused" is seen on the
  // server: no secureConnection, a tlsClientError, and the client gets no data.
  test('a client without a certificate is refused', async () => {
    const [acceptedBefore, errorsBefore] = [accepted.length, clientErrors.length];
    const refused = once(server, 'tlsClientError');
    const r = await dial(port, { ca: read(ours, 'ca.crt') });
    await refused;
    assert.equal(r.data, '');
    assert.equal(accepted.length, acceptedBefore);
    assert.equal(clientErrors.length, errorsBefore + 1);
    assert.match(String(clientErrors.at(-1)?.message), /peer did not return a certificate/);
    assert.equal(r.err?.code, 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
  });

  test('a client with a certificate from another CA is refused', async () => {
    const [acceptedBefore, errorsBefore] = [accepted.length, clientErrors.length];
    const refused = once(server, 'tlsClientError');
    const r = await dial(port, { ca: read(ours, 'ca.crt'), ...admin(theirs) });
    await refused;
    assert.equal(r.data, '');
    assert.equal(accepted.length, acceptedBefore);
    assert.equal(clientErrors.length, errorsBefore + 1);

    // and the same client with our admin certificate is let in (the refusal was about the CA)
    assert.equal((await dial(port, { ca: read(ours, 'ca.crt'), ...admin(ours) })).data, 'hello admin\n');
    assert.equal(accepted.at(-1), 'admin');
  });

  test('a client that trusts another CA refuses the server', async () => {
    const acceptedBefore = accepted.length;
    const r = await dial(port, { ca: read(theirs, 'ca.crt'), ...admin(ours) });
    assert.equal(r.data, '');
    assert.equal(r.authorized, false);
    // Both CAs are named "CN=belay-ca, O=belay"; OpenSSL reports the mismatch as one of these.
    assert.match(String(r.err?.code), /SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT|CERT_SIGNATURE_FAILURE/);
    assert.equal(accepted.length, acceptedBefore);
  });
});
