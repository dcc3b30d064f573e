import assert from 'node:assert/strict';
import fs from 'node:fs';
import type https from 'node:https';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { createCa, issueCert } from '../../coordinator/pki/ca.js';
import { freePort } from '../harness/etcd.js';
import { eventually } from '../harness/eventually.js';
import { httpsRequest } from '../harness/https-get.js';
import { requireBinary, tempDir } from '../harness/runtimes.js';
import { spawnForTest, type SpawnedProcess } from '../harness/spawn-for-test.js';
import { startTlsEtcd } from '../harness/tls-etcd.js';

/** The wrappers that tests and the demo put on PATH. */
const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bin');
const ADDRESS = '127.0.0.1';
/** Short leader-election periods (client-go's are 15s/10s/2s) so that a failover takes about a second. */
const FAST_ELECTION = ['--leader-elect-lease-duration=4s', '--leader-elect-renew-deadline=3s', '--leader-elect-retry-period=500ms'];

const get = (url: string, tls: https.RequestOptions): Promise<{ code: number; text: string }> => httpsRequest(url, tls);

/** The wrappers read BELAY_IMAGE: the developer's must not reach them. */
const start = (t: TestContext, file: string, args: string[]): SpawnedProcess => spawnForTest(t, file, args, { BELAY_IMAGE: undefined });

/**
 * etcd with client TLS, the kube-apiserver stand-in on it, and a kubeconfig
 * for the components as kubeadm writes scheduler.conf (inline base64 PEMs).
 */
async function controlPlane(t: TestContext, dir: string): Promise<{ apiserver: string; kubeconfig: string; admin: https.RequestOptions }> {
  const pki = path.join(dir, 'pki');
  const write = (rel: string, content: string): string => {
    const p = path.join(pki, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content, { mode: 0o600 });
    return p;
  };
  const etcd = await startTlsEtcd(t, dir);
  const ca = await createCa({ clusterName: 'stand-in-test', days: 30 });
  const serving = await issueCert(ca, { commonName: 'kube-apiserver', dnsNames: ['localhost'], ipAddresses: [ADDRESS], usages: ['server'], days: 30 });
  const scheduler = await issueCert(ca, { commonName: 'system:kube-scheduler', dnsNames: [], ipAddresses: [], usages: ['client'], days: 30 });
  const admin = await issueCert(ca, {
    commonName: 'kubernetes-admin',
    organization: 'system:masters',
    dnsNames: [],
    ipAddresses: [],
    usages: ['client'],
    days: 30,
  });
  write('ca.crt', ca.certPem);

  const port = await freePort();
  const apiserver = `https://${ADDRESS}:${port}`;
  const kubeApiserver = start(t, path.join(BIN, 'kube-apiserver'), [
    `--advertise-address=${ADDRESS}`,
    `--secure-port=${port}`,
    `--tls-cert-file=${write('apiserver.crt', serving.certPem)}`,
    `--tls-private-key-file=${write('apiserver.key', serving.keyPem)}`,
    `--client-ca-file=${pki}/ca.crt`,
    `--etcd-servers=${etcd.endpoint}`,
    `--etcd-cafile=${etcd.files.ca}`,
    `--etcd-certfile=${etcd.files.client}`,
    `--etcd-keyfile=${etcd.files.clientKey}`,
  ]);
  await eventually(
    async () => {
      assert.equal(etcd.proc.child.exitCode, null, `etcd exited:\n${etcd.proc.stderr()}`);
      assert.equal(kubeApiserver.child.exitCode, null, `kube-apiserver stand-in exited:\n${kubeApiserver.stderr()}`);
      assert.equal((await get(`${apiserver}/readyz`, { ca: ca.certPem })).code, 200);
    },
    { timeoutMs: 20_000, intervalMs: 100 },
  );

  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  const kubeconfig = path.join(dir, 'scheduler.conf');
  fs.writeFileSync(
    kubeconfig,
    YAML.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'kubernetes', cluster: { server: apiserver, 'certificate-authority-data': b64(ca.certPem) } }],
      contexts: [{ name: 'system:kube-scheduler@kubernetes', context: { cluster: 'kubernetes', user: 'system:kube-scheduler' } }],
      'current-context': 'system:kube-scheduler@kubernetes',
      users: [{ name: 'system:kube-scheduler', user: { 'client-certificate-data': b64(scheduler.certPem), 'client-key-data': b64(scheduler.keyPem) } }],
    }),
  );
  return { apiserver, kubeconfig, admin: { ca: ca.certPem, cert: admin.certPem, key: admin.keyPem } };
}

interface Leader {
  identity: string;
  leading: boolean;
}

test('kube-scheduler and kube-controller-manager stand-ins: flags, health, leader election through the apiserver stand-in', { timeout: 60_000 }, async (t) => {
  if (!requireBinary(t, 'etcd', 'etcd-server')) return;
  const dir = tempDir(t, 'belay-component-stand-in-');
  const cp = await controlPlane(t, dir);
  const selfSigned: https.RequestOptions = { rejectUnauthorized: false };
  const leaseOf = async (name: string): Promise<string> => {
    const r = await get(`${cp.apiserver}/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${name}`, cp.admin);
    assert.equal(r.code, 200, r.text);
    return (JSON.parse(r.text) as { spec: { holderIdentity?: string } }).spec.holderIdentity ?? '';
  };

  // given: two schedulers and a controller-manager, with kubeadm's flags
  const ports = [await freePort(), await freePort(), await freePort()] as const;
  const kubeconfigs = [`--kubeconfig=${cp.kubeconfig}`, `--authentication-kubeconfig=${cp.kubeconfig}`, `--authorization-kubeconfig=${cp.kubeconfig}`];
  const schedulers = ports.slice(0, 2).map((port) => ({
    url: `https://${ADDRESS}:${port}`,
    proc: start(t, path.join(BIN, 'kube-scheduler'), [
      `--bind-address=${ADDRESS}`,
      `--secure-port=${port}`,
      ...kubeconfigs,
      '--leader-elect=true',
      ...FAST_ELECTION,
    ]),
  }));
  const controllerManager = start(t, path.join(BIN, 'kube-controller-manager'), [
    '--allocate-node-cidrs=true',
    `--bind-address=${ADDRESS}`,
    `--secure-port=${ports[2]}`,
    ...kubeconfigs,
    '--cluster-cidr=10.244.0.0/16',
    '--cluster-name=kubernetes',
    '--controllers=*,bootstrapsigner,tokencleaner',
    '--leader-elect=true',
    '--service-cluster-ip-range=10.96.0.0/12',
    '--use-service-account-credentials=true',
    ...FAST_ELECTION,
  ]);
  const leaderOf = async (url: string): Promise<Leader> => JSON.parse((await get(`${url}/stand-in/leader`, selfSigned)).text) as Leader;

  await t.test('an unknown flag exits 1 with the message kube-scheduler prints', async () => {
    const p = start(t, path.join(BIN, 'kube-scheduler'), [`--kubeconfig=${cp.kubeconfig}`, '--no-such-flag=1']);
    assert.deepEqual(await p.exited, [1, null]);
    assert.match(p.stderr(), /^Error: unknown flag: --no-such-flag$/m);
  });

  await t.test('/healthz and /livez answer ok over HTTPS on the bind address and secure port', async () => {
    for (const s of schedulers) {
      await eventually(
        async () => {
          assert.equal(s.proc.child.exitCode, null, s.proc.stderr());
          assert.deepEqual(await get(`${s.url}/healthz`, selfSigned), { code: 200, text: 'ok' });
        },
        { timeoutMs: 15_000, intervalMs: 100 },
      );
      assert.equal((await get(`${s.url}/livez`, selfSigned)).code, 200);
    }
  });

  await t.test('of two schedulers exactly one leads; when it is stopped, the other takes over within seconds', async () => {
    // then: one leader, and the lease names it
    const [leader, follower] = await eventually(
      async () => {
        const states = await Promise.all(schedulers.map((s) => leaderOf(s.url)));
        assert.deepEqual(states.map((s) => s.leading).sort(), [false, true]);
        assert.equal(await leaseOf('kube-scheduler'), states.find((s) => s.leading)?.identity);
        return states[0]?.leading ? [schedulers[0], schedulers[1]] : [schedulers[1], schedulers[0]];
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    assert.ok(leader && follower);
    assert.match(leader.proc.stderr(), /successfully acquired lease kube-system\/kube-scheduler/);
    assert.doesNotMatch(follower.proc.stderr(), /successfully acquired lease/);
    assert.equal((await leaderOf(follower.url)).leading, false, 'still one leader');

    // when: the leader is stopped
    const stoppedAt = Date.now();
    leader.proc.child.kill('SIGTERM');
    assert.deepEqual(await leader.proc.exited, [0, null]);
    t.diagnostic(`leader exited ${Date.now() - stoppedAt} ms after SIGTERM`);
    assert.match(leader.proc.stderr(), /released lease kube-system\/kube-scheduler/);

    // then: the follower takes the released lease
    const identity = (await leaderOf(follower.url)).identity;
    await eventually(
      async () => {
        assert.equal((await leaderOf(follower.url)).leading, true);
        assert.equal(await leaseOf('kube-scheduler'), identity);
      },
      { timeoutMs: 5_000, intervalMs: 100 },
    );
    t.diagnostic(`follower led ${Date.now() - stoppedAt} ms after SIGTERM to the leader`);
    assert.match(follower.proc.stderr(), /successfully acquired lease kube-system\/kube-scheduler/);
  });

  await t.test('the controller-manager takes kubeadm flags and its own lease, kube-system/kube-controller-manager', async () => {
    const url = `https://${ADDRESS}:${ports[2]}`;
    await eventually(
      async () => {
        assert.equal(controllerManager.child.exitCode, null, controllerManager.stderr());
        const state = await leaderOf(url);
        assert.equal(state.leading, true);
        assert.equal(await leaseOf('kube-controller-manager'), state.identity);
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    assert.match(controllerManager.stderr(), /successfully acquired lease kube-system\/kube-controller-manager/);
  });
});
