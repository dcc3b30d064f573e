import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { before, describe, test } from 'node:test';
import YAML from 'yaml';
import { parseClusterSpec, type ClusterSpec } from '../../../coordinator/cluster/spec.js';
import { issueCert, type Ca } from '../../../coordinator/pki/ca.js';
import { checkMasterPki, publicKeySha256, type MasterPkiCheck, type PkiFinding, type PublicPkiFile } from '../../../coordinator/pki/check.js';
import { apiserverSans, createControlPlanePki, masterControlPlaneFiles, toStored, type ControlPlanePki } from '../../../coordinator/pki/control-plane.js';
import { createEtcdCa, etcdMemberFiles } from '../../../coordinator/pki/etcd.js';
import { OperatorError } from '../../../proto/common/errors.js';

const DAY_MS = 86_400_000;
const M1 = { name: 'm1', address: '10.0.0.11' };

/**
 * What the master's agent shows of these texts (ReadPki): certificates and
 * public keys as they are, private keys as the sha256 of their public half,
 * kubeconfigs without client-key-data. The check never sees a private key.
 */
function shown(pki: Record<string, string>, kubeconfigs: Record<string, string>): Record<string, PublicPkiFile> {
  const sha = (keyPem: string): PublicPkiFile => {
    try {
      return { content: '', publicKeySha256: publicKeySha256(crypto.createPrivateKey(keyPem)) };
    } catch {
      return { content: '', error: 'not a PEM private key' };
    }
  };
  const out: Record<string, PublicPkiFile> = {};
  for (const [rel, text] of Object.entries(pki)) out[`pki/${rel}`] = rel.endsWith('.key') ? sha(text) : { content: text };
  for (const [name, text] of Object.entries(kubeconfigs)) {
    const doc = YAML.parse(text) as { users?: { user?: Record<string, string> }[] } | null;
    const user = doc?.users?.[0]?.user;
    const keyData = user?.['client-key-data'];
    if (user) delete user['client-key-data'];
    out[name] = {
      content: doc ? YAML.stringify(doc) : text,
      ...(keyData ? { publicKeySha256: sha(Buffer.from(keyData, 'base64').toString()).publicKeySha256 ?? '' } : {}),
    };
  }
  return out;
}

describe('pki check', () => {
  let pki: ControlPlanePki;
  let etcdCa: Ca;
  let spec: ClusterSpec;
  let files: Record<string, string>;
  let kubeconfigs: Record<string, string>;

  before(async () => {
    spec = parseClusterSpec(`apiVersion: belay.dev/v1alpha1
kind: Cluster
metadata: {name: prod}
spec:
  masters: [{name: m1, address: 10.0.0.11}, {name: m2, address: 10.0.0.12}, {name: m3, address: 10.0.0.13}]
  loadBalancer: {address: 10.0.0.100}
`);
    [pki, etcdCa] = await Promise.all([createControlPlanePki('prod'), createEtcdCa('prod')]);
    const [own, etcd] = await Promise.all([masterControlPlaneFiles(pki, spec, 'm1'), etcdMemberFiles(etcdCa, M1)]);
    files = { ...toStored(pki), ...Object.fromEntries([...own.pki, ...etcd].map((f) => [f.path, f.content])) };
    kubeconfigs = Object.fromEntries(own.kubeconfigs.map((f) => [f.path, f.content]));
  });

  /** The check's input for m1, from private texts (`pki`, `kubeconfigs`) as the agent would show them. */
  function input(
    o: Partial<Omit<MasterPkiCheck, 'files'>> & {
      pki?: Record<string, string>;
      kubeconfigs?: Record<string, string>;
      extra?: Record<string, PublicPkiFile>;
    } = {},
  ): MasterPkiCheck {
    const { pki: p = files, kubeconfigs: k = kubeconfigs, extra = {}, ...rest } = o;
    return {
      spec,
      master: 'm1',
      files: { ...shown(p, k), ...extra },
      trusted: {
        caPem: pki.ca.certPem,
        frontProxyCaPem: pki.frontProxyCa.certPem,
        etcdCaPem: etcdCa.certPem,
        serviceAccountPublicKeyPem: pki.serviceAccount.publicKeyPem,
      },
      now: new Date(),
      ...rest,
    };
  }

  /** files with `base`.crt/.key replaced by a fresh pair. */
  async function replaced(
    base: string,
    ca: Ca,
    p: Omit<Parameters<typeof issueCert>[1], 'usages' | 'days'> & { days?: number },
  ): Promise<Record<string, string>> {
    const c = await issueCert(ca, { usages: ['server'], days: 365, ...p });
    return { ...files, [`${base}.crt`]: c.certPem, [`${base}.key`]: c.keyPem };
  }

  const brief = (fs: PkiFinding[]): string[] => fs.map((f) => `${f.severity} ${f.file}`);

  test('a complete, fresh set for the master has no findings, judged without any private key', async () => {
    const i = input();
    assert.doesNotMatch(JSON.stringify(i.files), /PRIVATE KEY|client-key-data/);
    assert.match(i.files['pki/apiserver.key']?.publicKeySha256 ?? '', /^[0-9a-f]{64}$/);
    assert.deepEqual(await checkMasterPki(i), []);
  });

  test("apiserver.crt without another master's address (static-pod balancer mode) names that master", async () => {
    const sans = apiserverSans(spec, M1);
    const pkiFiles = await replaced('apiserver', pki.ca, {
      commonName: 'kube-apiserver',
      dnsNames: sans.dnsNames,
      ipAddresses: sans.ipAddresses.filter((a) => a !== '10.0.0.12'),
    });
    const found = await checkMasterPki(input({ pki: pkiFiles }));
    assert.deepEqual(brief(found), ['error pki/apiserver.crt']);
    assert.match(found[0]?.message ?? '', /lacks the SAN 10\.0\.0\.12 \(the address of m2, whose balancer sends clients to every master\)/);
  });

  test("a kubeconfig's client key is compared with its client certificate by the public key's sha256", async () => {
    const other = await issueCert(pki.ca, { commonName: 'x', dnsNames: [], ipAddresses: [], usages: ['client'], days: 30 });
    const doc = YAML.parse(kubeconfigs['admin.conf'] ?? '') as { users: { user: Record<string, string> }[] };
    const user = doc.users[0]?.user ?? {};
    user['client-key-data'] = Buffer.from(other.keyPem).toString('base64');
    const wrongKey = YAML.stringify(doc);
    delete user['client-key-data'];
    const noKey = YAML.stringify(doc);
    const found = await checkMasterPki(input({ kubeconfigs: { ...kubeconfigs, 'admin.conf': wrongKey, 'scheduler.conf': noKey } }));
    assert.deepEqual(brief(found), ['error scheduler.conf', 'error admin.conf']);
    assert.match(found[0]?.message ?? '', /no client-key-data for its current context/);
    assert.match(found[1]?.message ?? '', /client-key-data is not the private key of its client certificate \(CN kubernetes-admin\)/);
    assert.equal(found[1]?.fix, 'belayctl pki issue kubeconfigs --node m1');
  });

  test('files the agent could not read are errors with its reason; an etcd CA key on the master is a warning', async () => {
    const found = await checkMasterPki(
      input({
        extra: {
          'pki/apiserver.key': { content: '', error: 'not a PEM private key' },
          'pki/front-proxy-client.crt': { content: '', error: 'over the 65536-byte limit: not read' },
          'pki/custom.key': { content: '', error: 'not a PEM private key' },
          pki: { content: '', error: 'more than 200 files: the rest were not read' },
          'pki/etcd/ca.key': { content: '', publicKeySha256: publicKeySha256(crypto.createPrivateKey(etcdCa.keyPem)) },
        },
      }),
    );
    assert.deepEqual(brief(found), [
      'error pki/apiserver.key',
      'error pki/front-proxy-client.crt',
      'warning pki/etcd/ca.key',
      'error pki',
      'error pki/custom.key',
    ]);
    assert.match(found[0]?.message ?? '', /pki\/apiserver\.key could not be read on m1: not a PEM private key/);
    assert.equal(found[0]?.fix, 'belayctl pki issue apiserver --node m1');
    assert.match(found[2]?.message ?? '', /belay keeps the etcd CA key in etcd only/);
    assert.match(found[2]?.fix ?? '', /remove \/etc\/kubernetes\/pki\/etcd\/ca\.key on m1/);
    assert.match(found[3]?.message ?? '', /more than 200 files/);
  });

  test('apiserver.crt issued without the balancer address: an error naming the cert, the SAN and the fix', async () => {
    const sans = apiserverSans(spec, M1);
    const pkiFiles = await replaced('apiserver', pki.ca, {
      commonName: 'kube-apiserver',
      dnsNames: sans.dnsNames,
      ipAddresses: sans.ipAddresses.filter((a) => a !== '10.0.0.100'),
    });
    const found = await checkMasterPki(input({ pki: pkiFiles }));
    assert.equal(found.length, 1, JSON.stringify(found));
    const [f] = found;
    assert.equal(f?.master, 'm1');
    assert.equal(f?.file, 'pki/apiserver.crt');
    assert.equal(f?.severity, 'error');
    assert.match(f?.message ?? '', /10\.0\.0\.100/);
    assert.match(f?.message ?? '', /spec\.loadBalancer\.address/);
    assert.equal(f?.fix, 'belayctl pki issue apiserver --node m1');
  });

  test('the apiserver serving another certificate than apiserver.crt (issued since it started): a restart is the fix; an error when the served one lacks a SAN', async () => {
    const sans = apiserverSans(spec, M1);
    // The file on disk is right; the apiserver started before it was issued, with one lacking m3's address (m3 joined since).
    const old = await issueCert(pki.ca, {
      usages: ['server'],
      days: 365,
      commonName: 'kube-apiserver',
      dnsNames: sans.dnsNames,
      ipAddresses: sans.ipAddresses.filter((a) => a !== '10.0.0.13'),
    });
    const stale = await checkMasterPki(input({ servedApiserverPem: old.certPem }));
    assert.deepEqual(brief(stale), ['error pki/apiserver.crt']);
    assert.match(
      stale[0]?.message ?? '',
      /the kube-apiserver on m1 serves another certificate than pki\/apiserver\.crt \(it reads the file at start only\): the served one lacks 10\.0\.0\.13/,
    );
    assert.equal(stale[0]?.fix, 'belayctl rollout restart apiserver');
    // Renewed only (same SANs): a warning.
    const renewed = await issueCert(pki.ca, {
      usages: ['server'],
      days: 365,
      commonName: 'kube-apiserver',
      dnsNames: sans.dnsNames,
      ipAddresses: sans.ipAddresses,
    });
    assert.deepEqual(brief(await checkMasterPki(input({ servedApiserverPem: renewed.certPem }))), ['warning pki/apiserver.crt']);
    // Serving the file itself, or not reached: nothing to say.
    assert.deepEqual(await checkMasterPki(input({ servedApiserverPem: files['apiserver.crt'] })), []);
    assert.deepEqual(await checkMasterPki(input({ servedApiserverPem: undefined })), []);
  });

  test("apiserver.crt without the service IP and an etcd server certificate without the master's address", async () => {
    const noServiceIp = await replaced('apiserver', pki.ca, {
      commonName: 'kube-apiserver',
      dnsNames: apiserverSans(spec, M1).dnsNames,
      ipAddresses: apiserverSans(spec, M1).ipAddresses.filter((ip) => ip !== '10.96.0.1'),
    });
    const a = await checkMasterPki(input({ pki: noServiceIp }));
    assert.deepEqual(brief(a), ['error pki/apiserver.crt']);
    assert.match(a[0]?.message ?? '', /10\.96\.0\.1 \(the kubernetes Service IP/);

    const etcdServer = await replaced('etcd/server', etcdCa, { commonName: 'm1', dnsNames: ['m1', 'localhost'], ipAddresses: ['127.0.0.1'] });
    const e = await checkMasterPki(input({ pki: etcdServer }));
    assert.deepEqual(brief(e), ['error pki/etcd/server.crt']);
    assert.match(e[0]?.message ?? '', /10\.0\.0\.11 \(the master's address\)/);
    assert.equal(e[0]?.fix, 'belayctl pki issue etcd --node m1');
  });

  test('a certificate ending in 10 days is a warning with the days left; the window is configurable', async () => {
    const sans = apiserverSans(spec, M1);
    const soon = await replaced('apiserver', pki.ca, { commonName: 'kube-apiserver', ...sans, days: 10 });
    const found = await checkMasterPki(input({ pki: soon }));
    assert.deepEqual(brief(found), ['warning pki/apiserver.crt']);
    assert.ok(found[0]?.daysLeft === 9 || found[0]?.daysLeft === 10, String(found[0]?.daysLeft));
    assert.match(found[0]?.message ?? '', /expires on .* in (9|10) days/);
    assert.equal(found[0]?.fix, 'belayctl pki issue apiserver --node m1');
    assert.deepEqual(await checkMasterPki(input({ pki: soon, warnDays: 5 })), []);
  });

  test('a year and a month on, every leaf and kubeconfig certificate is an expiry error; the CAs are not', async () => {
    const found = await checkMasterPki(input({ now: new Date(Date.now() + 400 * DAY_MS) }));
    assert.ok(
      found.every((f) => f.severity === 'error' && f.daysLeft !== undefined && f.daysLeft < 0),
      JSON.stringify(found),
    );
    assert.deepEqual(found.map((f) => f.file).sort(), [
      'admin.conf',
      'controller-manager.conf',
      'pki/apiserver-etcd-client.crt',
      'pki/apiserver-kubelet-client.crt',
      'pki/apiserver.crt',
      'pki/etcd/belay-coordinator.crt',
      'pki/etcd/healthcheck-client.crt',
      'pki/etcd/peer.crt',
      'pki/etcd/server.crt',
      'pki/front-proxy-client.crt',
      'scheduler.conf',
    ]);
    assert.match(found.find((f) => f.file === 'pki/apiserver.crt')?.message ?? '', /expired on .* \(3[45] days ago\)/);
    assert.equal(found.find((f) => f.file === 'admin.conf')?.fix, 'belayctl pki issue kubeconfigs --node m1');
  });

  test('a CA near its end is a warning whose fix is replacing the CA', async () => {
    const found = await checkMasterPki(input({ now: new Date(Date.now() + 3640 * DAY_MS) }));
    const ca = found.find((f) => f.file === 'pki/ca.crt');
    assert.equal(ca?.severity, 'warning');
    assert.match(ca?.fix ?? '', /replace the CA and reissue everything it signed/);
    assert.deepEqual(
      found
        .filter((f) => f.severity === 'warning')
        .map((f) => f.file)
        .sort(),
      ['pki/ca.crt', 'pki/etcd/ca.crt', 'pki/front-proxy-ca.crt'],
    );
  });

  test('certificates signed by another CA are errors: a leaf, a kubeconfig, the master copy of a CA', async () => {
    const other = await createControlPlanePki('prod');
    const sans = apiserverSans(spec, M1);
    const foreign = await replaced('apiserver', other.ca, { commonName: 'kube-apiserver', ...sans });
    const otherFiles = await masterControlPlaneFiles(other, spec, 'm1');
    const foreignAdmin = otherFiles.kubeconfigs.find((f) => f.path === 'admin.conf')?.content ?? '';
    const found = await checkMasterPki(input({ pki: { ...foreign, 'ca.crt': other.ca.certPem }, kubeconfigs: { ...kubeconfigs, 'admin.conf': foreignAdmin } }));
    assert.deepEqual(brief(found), ['error pki/ca.crt', 'error pki/ca.key', 'error pki/apiserver.crt', 'error admin.conf', 'error admin.conf']);
    assert.match(found[0]?.message ?? '', /is not this cluster's Kubernetes CA/);
    assert.equal(found[0]?.fix, 'belayctl pki issue shared --node m1');
    assert.match(found[1]?.message ?? '', /pki\/ca\.key is not the private key of pki\/ca\.crt/);
    assert.match(found[2]?.message ?? '', /\(CN kube-apiserver\) is not signed by the Kubernetes CA/);
    assert.match(found[3]?.message ?? '', /trusts another CA/);
    assert.match(found[4]?.message ?? '', /client certificate \(CN kubernetes-admin\) is not signed/);
  });

  test('front-proxy-client signed by the cluster CA instead of the front-proxy CA is an error', async () => {
    const wrong = await replaced('front-proxy-client', pki.ca, { commonName: 'front-proxy-client', dnsNames: [], ipAddresses: [] });
    const found = await checkMasterPki(input({ pki: wrong }));
    assert.deepEqual(brief(found), ['error pki/front-proxy-client.crt']);
    assert.match(found[0]?.message ?? '', /not signed by the front-proxy CA/);
  });

  test('missing files are errors; a master that is no etcd member is not asked for etcd server files', async () => {
    const { 'front-proxy-client.key': _k, 'sa.pub': _p, 'etcd/server.crt': _s, ...rest } = files;
    const { 'scheduler.conf': _c, ...otherConfs } = kubeconfigs;
    const found = await checkMasterPki(input({ pki: rest, kubeconfigs: otherConfs }));
    assert.deepEqual(brief(found), ['error pki/front-proxy-client.key', 'error pki/etcd/server.crt', 'error pki/sa.pub', 'error scheduler.conf']);
    for (const f of found) assert.match(f.message, /is missing/);
    assert.equal(found[0]?.fix, 'belayctl pki issue apiserver --node m1');

    const {
      'etcd/server.crt': _a,
      'etcd/server.key': _b,
      'etcd/peer.crt': _c2,
      'etcd/peer.key': _d,
      'etcd/healthcheck-client.crt': _e,
      'etcd/healthcheck-client.key': _f,
      ...clientOnly
    } = files;
    assert.deepEqual(await checkMasterPki(input({ pki: clientOnly, etcdMember: false })), []);
  });

  test("a foreign sa.pub, a key that is not its certificate's, and unreadable text are errors", async () => {
    const other = await createControlPlanePki('prod');
    const found = await checkMasterPki(
      input({
        pki: { ...files, 'sa.pub': other.serviceAccount.publicKeyPem, 'apiserver.key': files['etcd/server.key'] ?? '', 'etcd/peer.crt': 'not a certificate' },
        kubeconfigs: { ...kubeconfigs, 'controller-manager.conf': 'apiVersion: v1\nkind: Config\n' },
      }),
    );
    assert.deepEqual(brief(found), [
      'error pki/apiserver.key',
      'error pki/etcd/peer.crt',
      'error pki/sa.key',
      'error pki/sa.pub',
      'error controller-manager.conf',
    ]);
    assert.match(found[1]?.message ?? '', /not a PEM certificate/);
    assert.match(found[2]?.message ?? '', /not the private key of pki\/sa\.pub/);
    assert.match(found[3]?.message ?? '', /not the cluster's service-account key/);
    assert.match(found[4]?.message ?? '', /no certificate-authority-data/);
  });

  test('an extra certificate on the host is judged by its dates only', async () => {
    const extra = await issueCert(pki.ca, { commonName: 'custom', dnsNames: [], ipAddresses: [], usages: ['client'], days: 3 });
    const found = await checkMasterPki(input({ pki: { ...files, 'custom.crt': extra.certPem } }));
    assert.deepEqual(brief(found), ['warning pki/custom.crt']);
  });

  test('a master not in the spec, or a trusted CA that is no CA, is refused rather than reported', async () => {
    await assert.rejects(checkMasterPki(input({ master: 'm9' })), (e: unknown) => e instanceof OperatorError && e.code === 'PKI_UNKNOWN_MASTER');
    const trusted = { ...input().trusted, etcdCaPem: files['etcd/server.crt'] ?? '' };
    await assert.rejects(
      checkMasterPki(input({ trusted })),
      (e: unknown) => e instanceof OperatorError && e.code === 'PKI_CA_UNREADABLE' && /etcd CA/.test(e.message),
    );
  });
});
