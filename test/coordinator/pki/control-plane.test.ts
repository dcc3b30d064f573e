import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import YAML from 'yaml';
import { parseClusterSpec, type ClusterSpec } from '../../../coordinator/cluster/spec.js';
import { checkCert } from '../../../coordinator/pki/ca.js';
import {
  apiserverSans,
  createControlPlanePki,
  masterControlPlaneFiles,
  serviceIp,
  sharedFiles,
  sharedPkiFromFiles,
  toStored,
  type ControlPlanePki,
  type KubeconfigFileSpec,
  type MasterControlPlaneFiles,
} from '../../../coordinator/pki/control-plane.js';
import type { PkiFileSpec } from '../../../coordinator/pki/etcd.js';
import { OperatorError } from '../../../proto/common/errors.js';

const DAY_MS = 86_400_000;

function clusterSpec(o: { masters: string; extra?: string }): ClusterSpec {
  return parseClusterSpec(`apiVersion: belay.dev/v1alpha1
kind: Cluster
metadata: {name: prod}
spec:
  masters: ${o.masters}
${o.extra ?? ''}`);
}

const THREE = '[{name: m1, address: 10.0.0.11}, {name: m2, address: 10.0.0.12}, {name: m3, address: 10.0.0.13}]';

function file<T extends PkiFileSpec | KubeconfigFileSpec>(files: T[], p: string): T {
  const f = files.find((x) => x.path === p);
  assert.ok(f, `${p} missing from ${files.map((x) => x.path).join(', ')}`);
  return f;
}

function sans(pem: string): { dns: string[]; ip: string[] } {
  const items = new x509.X509Certificate(pem).getExtension(x509.SubjectAlternativeNameExtension)?.names.items ?? [];
  return { dns: items.filter((n) => n.type === 'dns').map((n) => n.value), ip: items.filter((n) => n.type === 'ip').map((n) => n.value) };
}

function subject(pem: string): { cn: string | undefined; o: string | undefined } {
  const c = new x509.X509Certificate(pem);
  return { cn: c.subjectName.getField('CN')[0], o: c.subjectName.getField('O')[0] };
}

interface Kubeconfig {
  apiVersion: string;
  kind: string;
  'current-context': string;
  clusters: { name: string; cluster: { server: string; 'certificate-authority-data': string } }[];
  contexts: { name: string; context: { cluster: string; user: string } }[];
  users: { name: string; user: { 'client-certificate-data': string; 'client-key-data': string } }[];
}

const unbase64 = (s: string): string => Buffer.from(s, 'base64').toString();

describe('control-plane PKI', () => {
  let pki: ControlPlanePki;
  let spec: ClusterSpec;
  let m1: MasterControlPlaneFiles;
  let m2: MasterControlPlaneFiles;

  before(async () => {
    pki = await createControlPlanePki('prod');
    spec = clusterSpec({ masters: THREE, extra: '  loadBalancer: {address: 10.0.0.100, port: 8443}' });
    [m1, m2] = await Promise.all([masterControlPlaneFiles(pki, spec, 'm1'), masterControlPlaneFiles(pki, spec, 'm2')]);
  });

  test("the CAs are kubeadm's: CN kubernetes and front-proxy-ca, O=<cluster>, ten years", async () => {
    for (const [ca, cn] of [
      [pki.ca, 'kubernetes'],
      [pki.frontProxyCa, 'front-proxy-ca'],
    ] as const) {
      const c = await checkCert(ca.certPem, ca.certPem);
      assert.equal(c.commonName, cn);
      assert.equal(c.isCa, true);
      assert.equal(ca.cert.subjectName.getField('O')[0], 'prod');
      const days = (c.notAfter.getTime() - Date.now()) / DAY_MS;
      assert.ok(days > 3649 && days <= 3650, `${cn} valid ${days} days`);
    }
  });

  test('shared files: kubeadm names, keys 0600, certificates and sa.pub 0644', () => {
    const files = sharedFiles(pki);
    assert.deepEqual(
      files.map((f) => f.path),
      ['ca.crt', 'ca.key', 'front-proxy-ca.crt', 'front-proxy-ca.key', 'sa.key', 'sa.pub'],
    );
    for (const f of files) assert.equal(f.mode, f.path.endsWith('.key') ? 0o600 : 0o644, f.path);
    assert.match(file(files, 'sa.key').content, /^-----BEGIN PRIVATE KEY-----\n/);
    assert.match(file(files, 'sa.pub').content, /^-----BEGIN PUBLIC KEY-----\n/);
  });

  test('a token signed with sa.key verifies with sa.pub, and not with another key', () => {
    const files = sharedFiles(pki);
    const payload = Buffer.from('header.claims');
    const signature = crypto.sign('sha256', payload, crypto.createPrivateKey(file(files, 'sa.key').content));
    assert.equal(crypto.verify('sha256', payload, crypto.createPublicKey(file(files, 'sa.pub').content), signature), true);
    const other = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey;
    assert.equal(crypto.verify('sha256', payload, other, signature), false);
  });

  test('stored and loaded back, the shared set is the same and still issues', async () => {
    const stored = toStored(pki);
    const loaded = await sharedPkiFromFiles(JSON.parse(JSON.stringify(stored)) as Record<string, string>);
    assert.deepEqual(toStored(loaded), stored);
    const again = await masterControlPlaneFiles(loaded, spec, 'm3');
    assert.equal((await checkCert(file(again.pki, 'apiserver.crt').content, pki.ca.certPem)).signedByCa, true);
  });

  test('loading refuses a missing file, a key of another certificate, one CA twice, a foreign sa.pub', async () => {
    const other = await createControlPlanePki('prod');
    const stored: Record<string, string> = toStored(pki);
    const refused = async (files: Record<string, string>, code: string, what: string): Promise<void> => {
      await assert.rejects(sharedPkiFromFiles(files), (e: unknown) => e instanceof OperatorError && e.code === code && e.hint !== '', what);
    };
    const { 'sa.pub': _, ...noPub } = stored;
    await refused(noPub, 'PKI_SHARED_INCOMPLETE', 'no sa.pub');
    await refused({ ...stored, 'ca.key': other.ca.keyPem }, 'PKI_CA_KEY_MISMATCH', 'foreign ca.key');
    await refused({ ...stored, 'front-proxy-ca.crt': pki.ca.certPem, 'front-proxy-ca.key': pki.ca.keyPem }, 'PKI_SHARED_SAME_CA', 'one CA for both');
    await refused({ ...stored, 'sa.pub': other.serviceAccount.publicKeyPem }, 'PKI_SA_KEY_MISMATCH', 'foreign sa.pub');
    await refused({ ...stored, 'sa.key': 'garbage' }, 'PKI_SA_UNREADABLE', 'garbage sa.key');
  });

  test('service IP: the first address of the service subnet, IPv4 and IPv6', () => {
    assert.equal(serviceIp('10.96.0.0/12'), '10.96.0.1');
    assert.equal(serviceIp('172.20.0.0/16'), '172.20.0.1');
    assert.equal(serviceIp('fd00::/108'), 'fd00::1');
    // host bits are ignored, as kubeadm ignores them
    assert.equal(serviceIp('10.100.7.9/12'), '10.96.0.1');
    assert.equal(serviceIp('fd00:0:0:0:0:0:1:0/112'), 'fd00::1:1');
    assert.equal(serviceIp('192.168.10.0/30'), '192.168.10.1');
    for (const bad of ['10.0.0.0/32', '10.0.0.0/31', 'fd00::/127', '10.0.0.0', '10.0.0.0/x', 'nope/8', '10.0.0.0/8/8']) {
      assert.throws(
        () => serviceIp(bad),
        (e: unknown) => e instanceof OperatorError && e.code === 'PKI_BAD_SUBNET',
        bad,
      );
    }
  });

  test("apiserver.crt: exactly the kubernetes Service names, the master name, service IP, master and balancer addresses (every master's balancer in static-pod mode); serverAuth only", async () => {
    const pem = file(m1.pki, 'apiserver.crt').content;
    assert.deepEqual(sans(pem), {
      dns: ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'm1'],
      ip: ['10.96.0.1', '10.0.0.11', '10.0.0.100', '10.0.0.12', '10.0.0.13'],
    });
    const c = await checkCert(pem, pki.ca.certPem);
    assert.deepEqual(c.usages, ['server']);
    assert.equal(c.signedByCa, true);
    assert.equal(c.commonName, 'kube-apiserver');
    const days = (c.notAfter.getTime() - Date.now()) / DAY_MS;
    assert.ok(days > 364 && days <= 365, `valid ${days} days`);
  });

  test('apiserver SANs follow the spec: no balancer address, another subnet and domain, IPv6', () => {
    const s = clusterSpec({ masters: '[{name: m1, address: "FD00:0::11"}]', extra: '  networking: {serviceSubnet: "fd00:96::/108", dnsDomain: corp.example}' });
    assert.deepEqual(apiserverSans(s, { name: 'm1', address: 'FD00:0::11' }), {
      dnsNames: ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.corp.example', 'm1'],
      ipAddresses: ['fd00:96::1', 'fd00::11'],
    });
    // static-pod mode (the default): a client dialing any master's balancer may reach m2's apiserver
    const noLb = clusterSpec({ masters: THREE });
    assert.deepEqual(apiserverSans(noLb, { name: 'm2', address: '10.0.0.12' }).ipAddresses, ['10.96.0.1', '10.0.0.12', '10.0.0.11', '10.0.0.13']);
    // an external balancer: only its address and the master's own
    const external = clusterSpec({
      masters: THREE,
      extra: '  loadBalancer: {mode: external, address: 10.0.0.100, runtimeApi: {master: m1, socket: /run/haproxy/admin.sock}}',
    });
    assert.deepEqual(apiserverSans(external, { name: 'm2', address: '10.0.0.12' }).ipAddresses, ['10.96.0.1', '10.0.0.12', '10.0.0.100']);
  });

  test("a master's files: its own leaves only, keys 0600, never a CA or service-account key", () => {
    assert.deepEqual(
      m1.pki.map((f) => f.path),
      ['apiserver.crt', 'apiserver.key', 'apiserver-kubelet-client.crt', 'apiserver-kubelet-client.key', 'front-proxy-client.crt', 'front-proxy-client.key'],
    );
    assert.deepEqual(
      m1.kubeconfigs.map((f) => f.path),
      ['scheduler.conf', 'controller-manager.conf', 'admin.conf'],
    );
    for (const f of m1.pki) assert.equal(f.mode, f.path.endsWith('.key') ? 0o600 : 0o644, f.path);
    for (const f of m1.kubeconfigs) assert.equal(f.mode, 0o600, f.path);
    const secrets = [pki.ca.keyPem, pki.frontProxyCa.keyPem, pki.serviceAccount.privateKeyPem];
    const everything = [...m1.pki, ...m1.kubeconfigs].map((f) => f.content).join('\n');
    for (const s of secrets) {
      assert.ok(!everything.includes(s.trim()), 'holds a shared key');
      assert.ok(!everything.includes(Buffer.from(s).toString('base64')), 'embeds a shared key');
    }
    // m2's keys are its own: none of m1's appears in m2's files
    const m2All = [...m2.pki, ...m2.kubeconfigs].map((f) => f.content).join('\n');
    for (const k of m1.pki.filter((f) => f.path.endsWith('.key'))) assert.ok(!m2All.includes(k.content.trim()), k.path);
    assert.ok(sans(file(m2.pki, 'apiserver.crt').content).ip.includes('10.0.0.12'));
    assert.ok(!sans(file(m2.pki, 'apiserver.crt').content).dns.includes('m1'));
  });

  test('each key is the key of its certificate', () => {
    for (const base of ['apiserver', 'apiserver-kubelet-client', 'front-proxy-client']) {
      const cert = new crypto.X509Certificate(file(m1.pki, `${base}.crt`).content);
      assert.ok(cert.checkPrivateKey(crypto.createPrivateKey(file(m1.pki, `${base}.key`).content)), base);
    }
  });

  test('front-proxy-client is signed by the front-proxy CA and not by the cluster CA', async () => {
    const pem = file(m1.pki, 'front-proxy-client.crt').content;
    const byFrontProxy = await checkCert(pem, pki.frontProxyCa.certPem);
    assert.equal(byFrontProxy.signedByCa, true);
    assert.equal(byFrontProxy.commonName, 'front-proxy-client');
    assert.deepEqual(byFrontProxy.usages, ['client']);
    assert.equal((await checkCert(pem, pki.ca.certPem)).signedByCa, false);
  });

  test('apiserver-kubelet-client: CN kube-apiserver-kubelet-client, O=system:masters, clientAuth, by the cluster CA', async () => {
    const pem = file(m1.pki, 'apiserver-kubelet-client.crt').content;
    assert.deepEqual(subject(pem), { cn: 'kube-apiserver-kubelet-client', o: 'system:masters' });
    const c = await checkCert(pem, pki.ca.certPem);
    assert.equal(c.signedByCa, true);
    assert.deepEqual(c.usages, ['client']);
    assert.deepEqual(sans(pem), { dns: [], ip: [] });
  });

  test("kubeconfigs: kubeadm's shape, the local apiserver or the balancer, a client certificate by the cluster CA with the right CN and O", async () => {
    const want: [string, string, string | undefined, string][] = [
      ['scheduler.conf', 'system:kube-scheduler', undefined, 'https://10.0.0.11:6443'],
      ['controller-manager.conf', 'system:kube-controller-manager', undefined, 'https://10.0.0.11:6443'],
      ['admin.conf', 'kubernetes-admin', 'system:masters', 'https://10.0.0.100:8443'],
    ];
    for (const [path, user, group, server] of want) {
      const k = YAML.parse(file(m1.kubeconfigs, path).content) as Kubeconfig;
      assert.equal(k.apiVersion, 'v1', path);
      assert.equal(k.kind, 'Config', path);
      assert.deepEqual(
        k.clusters.map((c) => [c.name, c.cluster.server]),
        [['prod', server]],
        path,
      );
      assert.equal(unbase64(k.clusters[0]?.cluster['certificate-authority-data'] ?? ''), pki.ca.certPem, path);
      assert.deepEqual(k.contexts, [{ name: `${user}@prod`, context: { cluster: 'prod', user } }], path);
      assert.equal(k['current-context'], `${user}@prod`, path);
      assert.deepEqual(
        k.users.map((u) => u.name),
        [user],
        path,
      );
      const certPem = unbase64(k.users[0]?.user['client-certificate-data'] ?? '');
      const keyPem = unbase64(k.users[0]?.user['client-key-data'] ?? '');
      assert.deepEqual(subject(certPem), { cn: user, o: group }, path);
      const c = await checkCert(certPem, pki.ca.certPem);
      assert.equal(c.signedByCa, true, path);
      assert.deepEqual(c.usages, ['client'], path);
      assert.ok(new crypto.X509Certificate(certPem).checkPrivateKey(crypto.createPrivateKey(keyPem)), path);
    }
  });

  test("admin.conf without a balancer address points at the master's balancer port; IPv6 in brackets", async () => {
    const s = clusterSpec({ masters: '[{name: m1, address: "fd00::11"}]', extra: '  networking: {serviceSubnet: "fd00:96::/108"}' });
    const files = await masterControlPlaneFiles(pki, s, 'm1');
    const server = (p: string): string | undefined => (YAML.parse(file(files.kubeconfigs, p).content) as Kubeconfig).clusters[0]?.cluster.server;
    assert.equal(server('admin.conf'), 'https://[fd00::11]:8443');
    assert.equal(server('scheduler.conf'), 'https://[fd00::11]:6443');
    assert.deepEqual(sans(file(files.pki, 'apiserver.crt').content).ip, ['fd00:96::1', 'fd00::11']);
  });

  test('an unknown master is refused with the known ones in the hint', async () => {
    await assert.rejects(
      masterControlPlaneFiles(pki, spec, 'm9'),
      (e: unknown) => e instanceof OperatorError && e.code === 'PKI_UNKNOWN_MASTER' && e.hint.includes('m1, m2, m3'),
    );
  });
});

describe('apiserver.crt in a real TLS handshake', () => {
  const servers: https.Server[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  async function serve(address: string, cert: string, key: string): Promise<number> {
    const server = https.createServer({ cert, key }, (_req, res) => res.end('ok'));
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, address, resolve);
    });
    return (server.address() as AddressInfo).port;
  }

  function get(host: string, port: number, ca: string): Promise<string> {
    return new Promise((resolve, reject) => {
      https
        .get({ host, port, ca, agent: false }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve(body));
        })
        .on('error', reject);
    });
  }

  test("a client trusting ca.crt reaches the apiserver at the master's address, and refuses it at an address not in the SANs", async () => {
    // given m1 at 127.0.0.1, serving apiserver.crt there and (misplaced) at 127.0.0.2
    const pki = await createControlPlanePki('prod');
    const spec = clusterSpec({ masters: '[{name: m1, address: 127.0.0.1}]' });
    const files = await masterControlPlaneFiles(pki, spec, 'm1');
    const cert = file(files.pki, 'apiserver.crt').content;
    const key = file(files.pki, 'apiserver.key').content;
    const good = await serve('127.0.0.1', cert, key);
    const bad = await serve('127.0.0.2', cert, key);
    // when / then
    assert.equal(await get('127.0.0.1', good, pki.ca.certPem), 'ok');
    await assert.rejects(get('127.0.0.2', bad, pki.ca.certPem), (e: NodeJS.ErrnoException) => e.code === 'ERR_TLS_CERT_ALTNAME_INVALID');
    // and a client trusting another CA refuses the right address too
    const other = await createControlPlanePki('prod');
    await assert.rejects(get('127.0.0.1', good, other.ca.certPem), (e: NodeJS.ErrnoException) => e.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });
});
