import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import YAML from 'yaml';
import { parseClusterSpec } from '../../coordinator/cluster/spec.js';
import { peerUrl, renderEtcdManifest } from '../../coordinator/etcd/render.js';
import { createEtcdCa, etcdMemberFiles, type PkiFileSpec } from '../../coordinator/pki/etcd.js';
import { freePort } from '../harness/etcd.js';
import { eventually } from '../harness/eventually.js';
import { requireBinary } from '../harness/runtimes.js';

/** On Linux all of 127.0.0.0/8 routes to lo: an address of its own, as a master has. */
const ADDRESS = '127.0.1.1';

function writePki(pkiDir: string, files: PkiFileSpec[]): void {
  for (const f of files) {
    const p = path.join(pkiDir, f.path);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, f.content, { mode: f.mode });
  }
}

/** `etcdctl endpoint health` over TLS with the given client certificate (none if omitted); 3.4 prints its verdict on stderr. */
function health(endpoint: string, caFile: string, client?: { cert: string; key: string }): Promise<{ healthy: boolean; output: string }> {
  const args = [
    `--endpoints=${endpoint}`,
    `--cacert=${caFile}`,
    ...(client ? [`--cert=${client.cert}`, `--key=${client.key}`] : []),
    '--dial-timeout=1s',
    '--command-timeout=2s',
    'endpoint',
    'health',
  ];
  return new Promise((resolve) => {
    execFile('etcdctl', args, { env: { ...process.env, ETCDCTL_API: '3' }, timeout: 10_000 }, (err, stdout, stderr) => {
      const output = stdout + stderr;
      resolve({ healthy: !err && /is healthy/.test(output), output });
    });
  });
}

/** GET on etcd's peer port (its /members handler) with a peer certificate: the status, or the TLS error. */
function peerGet(url: string, tlsFiles: { ca: string; cert: string; key: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      `${url}/members`,
      { ca: fs.readFileSync(tlsFiles.ca), cert: fs.readFileSync(tlsFiles.cert), key: fs.readFileSync(tlsFiles.key), timeout: 5_000 },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

function metricsHealth(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

test('real etcd on the rendered flags and the etcd PKI: mutual TLS on client and peer ports', { timeout: 30_000 }, async (t) => {
  if (!requireBinary(t, 'etcd', 'etcd-server') || !requireBinary(t, 'etcdctl', 'etcd-client')) return;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-etcd-tls-'));
  // Filled once etcd runs; the hook below kills it whatever happened.
  const proc: { etcd?: ChildProcess } = {};
  let stderr = '';
  t.after(async () => {
    const { etcd } = proc;
    if (etcd && etcd.exitCode === null && etcd.signalCode === null) {
      etcd.kill('SIGKILL');
      await once(etcd, 'exit');
    }
    fs.rmSync(root, { recursive: true, force: true });
  });

  // given: the PKI of m1 under root, and etcd's command line as the renderer writes it
  const [clientPort, peerPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const spec = parseClusterSpec(
    JSON.stringify({
      apiVersion: 'belay.dev/v1alpha1',
      kind: 'Cluster',
      metadata: { name: 'tls-test' },
      spec: { masters: [{ name: 'm1', address: ADDRESS }], etcd: { clientPort, peerPort, metricsPort } },
    }),
  );
  const ca = await createEtcdCa('tls-test');
  const pki = path.join(root, 'etc/kubernetes/pki');
  writePki(pki, await etcdMemberFiles(ca, { name: 'm1', address: ADDRESS }));
  const manifest = YAML.parse(
    renderEtcdManifest({ spec, master: 'm1', root, state: 'new', initialCluster: [{ name: 'm1', peerUrl: peerUrl(spec, 'm1') }] }),
  ) as {
    spec: { containers: { command: string[] }[] };
  };
  const [cmd, ...flags] = manifest.spec.containers[0]?.command ?? [];
  assert.equal(cmd, 'etcd');
  assert.ok(flags.includes(`--cert-file=${pki}/etcd/server.crt`), flags.join(' '));

  // when: etcd runs
  const etcd = spawn('etcd', flags, { stdio: ['ignore', 'ignore', 'pipe'] });
  proc.etcd = etcd;
  etcd.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-8_000);
  });
  const endpoint = `https://${ADDRESS}:${clientPort}`;
  const caFile = path.join(pki, 'etcd/ca.crt');
  const pair = (base: string) => ({ cert: path.join(pki, `${base}.crt`), key: path.join(pki, `${base}.key`) });
  await eventually(
    async () => {
      assert.equal(etcd.exitCode, null, `etcd exited:\n${stderr}`);
      const h = await health(endpoint, caFile, pair('etcd/healthcheck-client'));
      assert.ok(h.healthy, h.output);
    },
    { timeoutMs: 10_000, intervalMs: 200 },
  );

  // then
  await t.test('healthcheck-client, belay-coordinator and apiserver-etcd-client are let in', async () => {
    for (const base of ['etcd/healthcheck-client', 'etcd/belay-coordinator', 'apiserver-etcd-client']) {
      const h = await health(endpoint, caFile, pair(base));
      assert.ok(h.healthy, `${base}: ${h.output}`);
    }
  });

  await t.test("the probes' /health answers plain HTTP on the metrics port", async () => {
    assert.equal(await metricsHealth(`http://${ADDRESS}:${metricsPort}/health`), 200);
  });

  const other = await createEtcdCa('other');
  const foreign = path.join(root, 'foreign');
  writePki(foreign, await etcdMemberFiles(other, { name: 'm1', address: ADDRESS }));
  const foreignPair = (base: string) => ({ cert: path.join(foreign, `${base}.crt`), key: path.join(foreign, `${base}.key`) });

  await t.test('a client without a certificate, or with one of another etcd CA, is refused', async () => {
    const [none, stranger] = await Promise.all([health(endpoint, caFile), health(endpoint, caFile, foreignPair('etcd/healthcheck-client'))]);
    assert.equal(none.healthy, false, none.output);
    assert.equal(stranger.healthy, false, stranger.output);
  });

  await t.test("the peer port takes m1's peer certificate, and refuses the same name's from another etcd CA", async () => {
    const url = peerUrl(spec, 'm1');
    assert.equal(await peerGet(url, { ca: caFile, ...pair('etcd/peer') }), 200);
    // etcd answers the handshake with a TLS alert: "bad certificate" (42), or "unknown ca" (48).
    await assert.rejects(peerGet(url, { ca: caFile, ...foreignPair('etcd/peer') }), /alert (bad certificate|unknown ca)/);
  });
});
