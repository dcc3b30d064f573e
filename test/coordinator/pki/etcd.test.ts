import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { before, describe, test } from 'node:test';
import { checkCert, type Ca } from '../../../coordinator/pki/ca.js';
import { createEtcdCa, etcdClientFiles, etcdMemberFiles, type PkiFileSpec } from '../../../coordinator/pki/etcd.js';
import { OperatorError } from '../../../proto/common/errors.js';

const DAY_MS = 86_400_000;
const SERVER = x509.ExtendedKeyUsage.serverAuth;
const CLIENT = x509.ExtendedKeyUsage.clientAuth;

function file(files: PkiFileSpec[], p: string): PkiFileSpec {
  const f = files.find((x) => x.path === p);
  assert.ok(f, `${p} missing from ${files.map((x) => x.path).join(', ')}`);
  return f;
}

function parse(files: PkiFileSpec[], p: string): x509.X509Certificate {
  return new x509.X509Certificate(file(files, p).content);
}

function ekus(c: x509.X509Certificate): string[] {
  return [...(c.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? [])].map(String).sort();
}

function sans(c: x509.X509Certificate): { dns: string[]; ip: string[] } {
  const items = c.getExtension(x509.SubjectAlternativeNameExtension)?.names.items ?? [];
  return { dns: items.filter((n) => n.type === 'dns').map((n) => n.value), ip: items.filter((n) => n.type === 'ip').map((n) => n.value) };
}

const LEAVES = ['etcd/server', 'etcd/peer', 'etcd/healthcheck-client', 'apiserver-etcd-client', 'etcd/belay-coordinator'];

describe('etcd PKI', () => {
  let ca: Ca;
  let member: PkiFileSpec[];
  let client: PkiFileSpec[];

  before(async () => {
    ca = await createEtcdCa('prod');
    member = await etcdMemberFiles(ca, { name: 'm1', address: '10.0.0.11' });
    client = await etcdClientFiles(ca, { name: 'm2', address: '10.0.0.12' });
  });

  test('the etcd CA is named etcd-ca, O=<cluster>, valid about ten years', async () => {
    const c = await checkCert(ca.certPem, ca.certPem);
    assert.equal(c.commonName, 'etcd-ca');
    assert.equal(ca.cert.subjectName.getField('O')[0], 'prod');
    assert.equal(c.isCa, true);
    const days = (c.notAfter.getTime() - Date.now()) / DAY_MS;
    assert.ok(days > 3649 && days <= 3650, `CA valid ${days} days`);
  });

  test("a member's files: kubeadm's paths, keys 0600, certs 0644, the CA's certificate but never its key", () => {
    assert.deepEqual(
      member.map((f) => f.path),
      ['etcd/ca.crt', ...LEAVES.flatMap((l) => [`${l}.crt`, `${l}.key`])],
    );
    for (const f of member) assert.equal(f.mode, f.path.endsWith('.key') ? 0o600 : 0o644, f.path);
    assert.equal(file(member, 'etcd/ca.crt').content, ca.certPem);
    for (const f of member) {
      assert.ok(!f.path.endsWith('ca.key'), f.path);
      assert.notEqual(f.content, ca.keyPem, `${f.path} holds the CA key`);
    }
    for (const f of member.filter((x) => x.path.endsWith('.key'))) assert.match(f.content, /^-----BEGIN PRIVATE KEY-----\n/);
  });

  test('server and peer: CN the master, SANs name, localhost, address, 127.0.0.1, ::1; serverAuth and clientAuth', () => {
    for (const p of ['etcd/server.crt', 'etcd/peer.crt']) {
      const c = parse(member, p);
      assert.equal(c.subjectName.getField('CN')[0], 'm1', p);
      assert.deepEqual(sans(c), { dns: ['m1', 'localhost'], ip: ['10.0.0.11', '127.0.0.1', '::1'] }, p);
      assert.deepEqual(ekus(c), [SERVER, CLIENT].sort(), p);
    }
  });

  test('client certificates: CNs as kubeadm names them, apiserver O=system:masters, clientAuth only, no SANs', () => {
    const want: [string, string, string | undefined][] = [
      ['etcd/healthcheck-client.crt', 'kube-etcd-healthcheck-client', undefined],
      ['apiserver-etcd-client.crt', 'kube-apiserver-etcd-client', 'system:masters'],
      ['etcd/belay-coordinator.crt', 'belay-coordinator-m1', undefined],
    ];
    for (const [p, cn, o] of want) {
      const c = parse(member, p);
      assert.equal(c.subjectName.getField('CN')[0], cn, p);
      assert.equal(c.subjectName.getField('O')[0], o, p);
      assert.deepEqual(ekus(c), [CLIENT], p);
      assert.deepEqual(sans(c), { dns: [], ip: [] }, p);
    }
  });

  test('every leaf chains to the etcd CA, is no CA, valid a year, and its key matches', async () => {
    for (const l of LEAVES) {
      const c = await checkCert(file(member, `${l}.crt`).content, ca.certPem);
      assert.equal(c.signedByCa, true, l);
      assert.equal(c.isCa, false, l);
      const days = (c.notAfter.getTime() - Date.now()) / DAY_MS;
      assert.ok(days > 364 && days <= 365, `${l} valid ${days} days`);
      assert.ok(
        new crypto.X509Certificate(file(member, `${l}.crt`).content).checkPrivateKey(crypto.createPrivateKey(file(member, `${l}.key`).content)),
        `${l}.key`,
      );
    }
  });

  test('client-only files: the CA certificate, apiserver-etcd-client and belay-coordinator; no server, peer or CA key', async () => {
    assert.deepEqual(
      client.map((f) => f.path),
      ['etcd/ca.crt', 'apiserver-etcd-client.crt', 'apiserver-etcd-client.key', 'etcd/belay-coordinator.crt', 'etcd/belay-coordinator.key'],
    );
    assert.equal(parse(client, 'etcd/belay-coordinator.crt').subjectName.getField('CN')[0], 'belay-coordinator-m2');
    for (const p of ['apiserver-etcd-client.crt', 'etcd/belay-coordinator.crt'])
      assert.equal((await checkCert(file(client, p).content, ca.certPem)).signedByCa, true, p);
    for (const f of client) assert.equal(f.mode, f.path.endsWith('.key') ? 0o600 : 0o644, f.path);
  });

  test('IPv6 address in the SANs as a certificate stores it; 127.0.0.1 is not listed twice', async () => {
    const v6 = await etcdMemberFiles(ca, { name: 'm3', address: 'FD00:0::13' });
    assert.deepEqual(sans(parse(v6, 'etcd/peer.crt')).ip, ['fd00::13', '127.0.0.1', '::1']);
    const lo = await etcdMemberFiles(ca, { name: 'm4', address: '127.0.0.1' });
    assert.deepEqual(sans(parse(lo, 'etcd/server.crt')).ip, ['127.0.0.1', '::1']);
  });

  test('refuses a bad address, a bad name, and a name too long for the coordinator CN, with a hint', async () => {
    const cases: [{ name: string; address: string }, string][] = [
      [{ name: 'm1', address: '10.0.0' }, 'PKI_BAD_ADDRESS'],
      [{ name: 'M_1', address: '10.0.0.1' }, 'PKI_BAD_NAME'],
      [{ name: 'm'.repeat(47), address: '10.0.0.1' }, 'PKI_BAD_NODE_NAME'],
    ];
    for (const [m, code] of cases) {
      await assert.rejects(etcdMemberFiles(ca, m), (e: unknown) => e instanceof OperatorError && e.code === code && e.hint !== '', `${m.name}/${m.address}`);
    }
    await assert.rejects(
      etcdClientFiles(ca, { name: 'm'.repeat(47), address: '10.0.0.1' }),
      (e: unknown) => e instanceof OperatorError && e.code === 'PKI_BAD_NODE_NAME',
    );
    // 46 characters is the longest that fits
    await etcdClientFiles(ca, { name: 'm'.repeat(46), address: '10.0.0.1' });
  });
});
