import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createCa, issueCert } from '../../coordinator/pki/ca.js';
import { freePort } from '../harness/etcd.js';
import { eventually } from '../harness/eventually.js';
import { httpsRequest } from '../harness/https-get.js';
import { requireBinary, tempDir } from '../harness/runtimes.js';
import { spawnForTest, type SpawnedProcess } from '../harness/spawn-for-test.js';
import { startTlsEtcd, type EtcdTlsFiles } from '../harness/tls-etcd.js';

/** The wrappers that tests and the demo put on PATH. */
const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bin');
const ADDRESS = '127.0.0.1';
const IMAGE = 'registry.k8s.io/kube-apiserver:v1.31.2';

interface Tls {
  ca: string;
  cert?: string;
  key?: string;
}
interface Reply {
  code: number;
  text: string;
}

/** One HTTPS request on a fresh connection; the body is sent as JSON. */
function call(url: string, tls: Tls, o: { method?: string; body?: unknown } = {}): Promise<Reply> {
  const files = { ca: fs.readFileSync(tls.ca), ...(tls.cert && tls.key ? { cert: fs.readFileSync(tls.cert), key: fs.readFileSync(tls.key) } : {}) };
  return httpsRequest(url, files, o);
}

/** The wrappers read BELAY_IMAGE: only the test's may reach them, not the developer's. */
const start = (t: TestContext, file: string, args: string[], env: Record<string, string | undefined> = {}): SpawnedProcess =>
  spawnForTest(t, file, args, { BELAY_IMAGE: undefined, ...env });

interface Pki {
  etcd: EtcdTlsFiles;
  ca: string;
  serving: { cert: string; key: string };
  admin: { cert: string; key: string };
}

/** kubeadm's layout under dir/pki, beside the etcd PKI: a cluster CA with the apiserver's serving cert and an admin client cert. */
async function writePki(dir: string, etcd: EtcdTlsFiles): Promise<Pki> {
  const pki = path.join(dir, 'pki');
  const write = (rel: string, content: string): string => {
    const p = path.join(pki, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content, { mode: 0o600 });
    return p;
  };
  const ca = await createCa({ clusterName: 'stand-in-test', days: 30 });
  const serving = await issueCert(ca, {
    commonName: 'kube-apiserver',
    dnsNames: ['localhost', 'kubernetes'],
    ipAddresses: [ADDRESS],
    usages: ['server'],
    days: 30,
  });
  const admin = await issueCert(ca, {
    commonName: 'kubernetes-admin',
    organization: 'system:masters',
    dnsNames: [],
    ipAddresses: [],
    usages: ['client'],
    days: 30,
  });
  return {
    etcd,
    ca: write('ca.crt', ca.certPem),
    serving: { cert: write('apiserver.crt', serving.certPem), key: write('apiserver.key', serving.keyPem) },
    admin: { cert: write('admin.crt', admin.certPem), key: write('admin.key', admin.keyPem) },
  };
}

/** kube-apiserver's flags as kubeadm's manifest passes them (the ones the stand-in uses). */
function apiserverFlags(pki: Pki, etcdEndpoint: string, port: number, extra: string[] = []): string[] {
  return [
    `--advertise-address=${ADDRESS}`,
    `--secure-port=${port}`,
    `--tls-cert-file=${pki.serving.cert}`,
    `--tls-private-key-file=${pki.serving.key}`,
    `--client-ca-file=${pki.ca}`,
    `--etcd-servers=${etcdEndpoint}`,
    `--etcd-cafile=${pki.etcd.ca}`,
    `--etcd-certfile=${pki.etcd.client}`,
    `--etcd-keyfile=${pki.etcd.clientKey}`,
    '--endpoint-reconciler-type=lease',
    '--shutdown-send-retry-after=true',
    ...extra,
  ];
}

function etcdctlGet(endpoint: string, pki: Pki, key: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const args = [
      `--endpoints=${endpoint}`,
      `--cacert=${pki.etcd.ca}`,
      `--cert=${pki.etcd.client}`,
      `--key=${pki.etcd.clientKey}`,
      'get',
      key,
      '--print-value-only',
    ];
    execFile('etcdctl', args, { env: { ...process.env, ETCDCTL_API: '3' }, timeout: 10_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`etcdctl get ${key}: ${stderr}`)) : resolve(stdout),
    );
  });
}

test('kube-apiserver stand-in: flags, version, health, a small API on real etcd with TLS, graceful shutdown', { timeout: 60_000 }, async (t) => {
  if (!requireBinary(t, 'etcd', 'etcd-server') || !requireBinary(t, 'etcdctl', 'etcd-client')) return;
  const dir = tempDir(t, 'belay-apiserver-stand-in-');
  const etcd = await startTlsEtcd(t, dir);
  const pki = await writePki(dir, etcd.files);
  const apiserverBin = path.join(BIN, 'kube-apiserver');

  // given: two stand-ins on the same etcd, a ready version and one that never gets ready
  const [port, neverPort] = [await freePort(), await freePort()];
  const apiserver = start(t, apiserverBin, apiserverFlags(pki, etcd.endpoint, port, ['--shutdown-delay-duration=1s']), { BELAY_IMAGE: IMAGE });
  const never = start(t, apiserverBin, apiserverFlags(pki, etcd.endpoint, neverPort), {
    BELAY_IMAGE: 'registry.k8s.io/kube-apiserver:v1.31.2-stand-in-never-ready',
  });
  const base = `https://${ADDRESS}:${port}`;
  const anonymous: Tls = { ca: pki.ca };
  const admin: Tls = { ca: pki.ca, ...pki.admin };
  await eventually(
    async () => {
      assert.equal(apiserver.child.exitCode, null, `kube-apiserver stand-in exited:\n${apiserver.stderr()}`);
      assert.equal((await call(`${base}/readyz`, anonymous)).code, 200);
    },
    { timeoutMs: 15_000, intervalMs: 100 },
  );

  await t.test('an unknown flag exits 1 with the message kube-apiserver prints', async () => {
    const p = start(t, apiserverBin, [...apiserverFlags(pki, etcd.endpoint, port), '--no-such-flag=1']);
    assert.deepEqual(await p.exited, [1, null]);
    assert.match(p.stderr(), /^Error: unknown flag: --no-such-flag$/m);
  });

  await t.test('a missing TLS flag exits 1 naming it', async () => {
    const p = start(
      t,
      apiserverBin,
      apiserverFlags(pki, etcd.endpoint, port).filter((f) => !f.startsWith('--tls-cert-file=')),
    );
    assert.deepEqual(await p.exited, [1, null]);
    assert.match(p.stderr(), /--tls-cert-file is required/);
  });

  await t.test('/version tells the tag of BELAY_IMAGE; /livez and /healthz answer ok', async () => {
    const v = await call(`${base}/version`, anonymous);
    assert.equal(v.code, 200);
    assert.deepEqual(JSON.parse(v.text), {
      major: '1',
      minor: '31',
      gitVersion: 'v1.31.2',
      gitCommit: 'stand-in',
      gitTreeState: 'clean',
      buildDate: '1970-01-01T00:00:00Z',
      goVersion: 'stand-in',
      compiler: 'gc',
      platform: 'linux/amd64',
    });
    assert.deepEqual(await call(`${base}/livez`, anonymous), { code: 200, text: 'ok' });
    assert.deepEqual(await call(`${base}/healthz`, anonymous), { code: 200, text: 'ok' });
    assert.match(apiserver.stderr(), /stand-in.*v1\.31\.2/);
  });

  await t.test('configmaps: create, get, list, update with a stale resourceVersion is 409, delete; the object is in etcd', async () => {
    const url = `${base}/api/v1/namespaces/default/configmaps`;
    const created = await call(url, admin, { method: 'POST', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm1' }, data: { a: '1' } } });
    assert.equal(created.code, 201, created.text);
    const rv1 = (JSON.parse(created.text) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    assert.equal((await call(url, admin, { method: 'POST', body: { metadata: { name: 'cm1' } } })).code, 409, 'a second create');

    const stored = JSON.parse(await etcdctlGet(etcd.endpoint, pki, '/registry/configmaps/default/cm1')) as { data: unknown; metadata: { namespace: string } };
    assert.deepEqual(stored.data, { a: '1' });
    assert.equal(stored.metadata.namespace, 'default');

    const got = JSON.parse((await call(`${url}/cm1`, admin)).text) as { data: unknown; metadata: { resourceVersion: string } };
    assert.deepEqual(got.data, { a: '1' });
    assert.equal(got.metadata.resourceVersion, rv1);
    const list = JSON.parse((await call(url, admin)).text) as { kind: string; items: { metadata: { name: string } }[] };
    assert.equal(list.kind, 'ConfigMapList');
    assert.deepEqual(
      list.items.map((i) => i.metadata.name),
      ['cm1'],
    );

    const updated = await call(`${url}/cm1`, admin, { method: 'PUT', body: { ...got, data: { a: '2' } } });
    assert.equal(updated.code, 200, updated.text);
    assert.notEqual((JSON.parse(updated.text) as { metadata: { resourceVersion: string } }).metadata.resourceVersion, rv1);
    const stale = await call(`${url}/cm1`, admin, { method: 'PUT', body: { ...got, data: { a: '3' } } });
    assert.equal(stale.code, 409);
    const conflict = JSON.parse(stale.text) as { kind: string; reason: string; code: number };
    assert.deepEqual([conflict.kind, conflict.reason, conflict.code], ['Status', 'Conflict', 409]);
    assert.deepEqual(
      (JSON.parse(await etcdctlGet(etcd.endpoint, pki, '/registry/configmaps/default/cm1')) as { data: unknown }).data,
      { a: '2' },
      'the stale write did not land',
    );

    assert.equal((await call(`${url}/cm1`, admin, { method: 'DELETE' })).code, 200);
    const gone = await call(`${url}/cm1`, admin);
    assert.equal(gone.code, 404);
    assert.equal((JSON.parse(gone.text) as { reason: string }).reason, 'NotFound');
    assert.equal(await etcdctlGet(etcd.endpoint, pki, '/registry/configmaps/default/cm1'), '');
  });

  await t.test('leases: create, then compare-and-swap on resourceVersion', async () => {
    const url = `${base}/apis/coordination.k8s.io/v1/namespaces/kube-system/leases`;
    const created = await call(url, admin, { method: 'POST', body: { metadata: { name: 'l1' }, spec: { holderIdentity: 'a', leaseDurationSeconds: 15 } } });
    assert.equal(created.code, 201, created.text);
    const lease = JSON.parse(created.text) as { kind: string; spec: object };
    assert.equal(lease.kind, 'Lease');
    assert.equal((await call(`${url}/l1`, admin, { method: 'PUT', body: { ...lease, spec: { holderIdentity: 'b' } } })).code, 200);
    assert.equal(
      (await call(`${url}/l1`, admin, { method: 'PUT', body: { ...lease, spec: { holderIdentity: 'c' } } })).code,
      409,
      'the second writer of the same read loses',
    );
    assert.equal((JSON.parse((await call(`${url}/l1`, admin)).text) as { spec: { holderIdentity: string } }).spec.holderIdentity, 'b');
  });

  await t.test("the API wants a client certificate of --client-ca-file: 401 without one or with another CA's", async () => {
    const other = await createCa({ clusterName: 'other', days: 30 });
    const stranger = await issueCert(other, { commonName: 'kubernetes-admin', dnsNames: [], ipAddresses: [], usages: ['client'], days: 30 });
    const strangerTls: Tls = { ca: pki.ca, cert: path.join(dir, 'stranger.crt'), key: path.join(dir, 'stranger.key') };
    fs.writeFileSync(strangerTls.cert ?? '', stranger.certPem);
    fs.writeFileSync(strangerTls.key ?? '', stranger.keyPem);
    for (const tls of [anonymous, strangerTls]) {
      const r = await call(`${base}/api/v1/namespaces/default/configmaps`, tls);
      assert.equal(r.code, 401);
      assert.equal((JSON.parse(r.text) as { reason: string }).reason, 'Unauthorized');
    }
  });

  await t.test('/readyz and /healthz fail within 2 s of etcd stopping, and pass again once it is back', async () => {
    // when: etcd stops answering (SIGSTOP: a hung member, connections stay open)
    etcd.proc.child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    try {
      const r = await eventually(
        async () => {
          const r = await call(`${base}/readyz`, anonymous);
          assert.equal(r.code, 500);
          return r;
        },
        { timeoutMs: 2_500, intervalMs: 50 },
      );
      // then
      t.diagnostic(`/readyz failed ${Date.now() - stoppedAt} ms after etcd stopped`);
      assert.match(r.text, /^\[-\]etcd failed: reason withheld$/m);
      assert.match(r.text, /readyz check failed/);
      assert.equal((await call(`${base}/healthz`, anonymous)).code, 500);
      assert.equal((await call(`${base}/livez`, anonymous)).code, 200, '/livez does not depend on etcd');
    } finally {
      etcd.proc.child.kill('SIGCONT');
    }
    await eventually(async () => assert.equal((await call(`${base}/readyz`, anonymous)).code, 200), { timeoutMs: 10_000, intervalMs: 100 });
  });

  await t.test('an image tag with stand-in-never-ready runs and lives but is never ready', async () => {
    const neverBase = `https://${ADDRESS}:${neverPort}`;
    // Once its etcd check passes, only the never-ready check is left failing.
    const r = await eventually(
      async () => {
        assert.equal(never.child.exitCode, null, never.stderr());
        const r = await call(`${neverBase}/readyz?verbose`, anonymous);
        assert.match(r.text, /^\[\+\]etcd ok$/m);
        return r;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    assert.equal(r.code, 500);
    assert.match(r.text, /^\[-\]poststarthook\/stand-in-never-ready failed: reason withheld$/m);
    assert.equal((await call(`${neverBase}/livez`, anonymous)).code, 200);
    assert.equal((JSON.parse((await call(`${neverBase}/version`, anonymous)).text) as { gitVersion: string }).gitVersion, 'v1.31.2-stand-in-never-ready');
  });

  await t.test('SIGTERM: /readyz fails at once, requests are served for the delay, in-flight ones finish, exit 0', async () => {
    // given: a slow request in flight (its headers arrived)
    const slow = await new Promise<{ body: Promise<string> }>((resolve, reject) => {
      const req = https.get(`${base}/stand-in/sleep?ms=3000`, { ca: fs.readFileSync(pki.ca), agent: false }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        resolve({ body: new Promise((done, failed) => res.on('end', () => done(text)).on('error', failed)) });
      });
      req.on('error', reject);
    });

    // when
    apiserver.child.kill('SIGTERM');
    const termAt = Date.now();

    // then: not ready at once, still serving during --shutdown-delay-duration=1s
    const r = await eventually(
      async () => {
        const r = await call(`${base}/readyz`, anonymous);
        assert.equal(r.code, 500);
        return r;
      },
      { timeoutMs: 500, intervalMs: 20 },
    );
    assert.match(r.text, /^\[-\]shutdown failed: reason withheld$/m);
    assert.equal((await call(`${base}/version`, anonymous)).code, 200);
    assert.ok(Date.now() - termAt < 1_000, 'answered within the shutdown delay');

    // then: after the delay, new connections are refused while the slow request still runs
    await eventually(
      async () => {
        await assert.rejects(call(`${base}/livez`, anonymous), /ECONNREFUSED/);
      },
      { timeoutMs: 2_500, intervalMs: 50 },
    );
    assert.equal(apiserver.child.exitCode, null, 'still draining');
    assert.equal(await slow.body, 'slept 3000 ms\n');
    assert.deepEqual(await apiserver.exited, [0, null]);
    assert.ok(Date.now() - termAt >= 1_000, 'stayed up for the shutdown delay');
  });
});
