import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { createEtcdCa, etcdMemberFiles } from '../../coordinator/pki/etcd.js';
import { etcdFlags, freePort } from './etcd.js';
import { eventually } from './eventually.js';
import { spawnForTest, type SpawnedProcess } from './spawn-for-test.js';

/** Real etcd with client TLS and client-cert auth, as a kube-apiserver meets it under kubeadm. */

/** The etcd PKI in kubeadm's layout: what etcd serves with, and what the apiserver dials it with. */
export interface EtcdTlsFiles {
  ca: string;
  server: string;
  serverKey: string;
  client: string;
  clientKey: string;
}

export interface TlsEtcd {
  proc: SpawnedProcess;
  /** https://127.0.0.1:<client port> */
  endpoint: string;
  files: EtcdTlsFiles;
}

/**
 * One member on 127.0.0.1, its PKI from belay's etcd.ts under `dir`/pki and
 * its data under `dir`/etcd; resolves once /health says true. SIGKILLed after the test.
 */
export async function startTlsEtcd(t: TestContext, dir: string): Promise<TlsEtcd> {
  const pki = path.join(dir, 'pki');
  for (const f of await etcdMemberFiles(await createEtcdCa('stand-in-test'), { name: 'm1', address: '127.0.0.1' })) {
    const p = path.join(pki, f.path);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, f.content, { mode: 0o600 });
  }
  const files = {
    ca: path.join(pki, 'etcd/ca.crt'),
    server: path.join(pki, 'etcd/server.crt'),
    serverKey: path.join(pki, 'etcd/server.key'),
    client: path.join(pki, 'apiserver-etcd-client.crt'),
    clientKey: path.join(pki, 'apiserver-etcd-client.key'),
  };

  const [client, peer] = [await freePort(), await freePort()];
  const endpoint = `https://127.0.0.1:${client}`;
  // etcd.ts's plain member, its client URLs moved to TLS.
  const tls = [`--cert-file=${files.server}`, `--key-file=${files.serverKey}`, `--trusted-ca-file=${files.ca}`, '--client-cert-auth=true'];
  const proc = spawnForTest(
    t,
    'etcd',
    etcdFlags(dir, client, peer, tls).map((f) => (f.endsWith(`http://127.0.0.1:${client}`) ? f.replace('http://', 'https://') : f)),
  );

  const creds = { ca: fs.readFileSync(files.ca), cert: fs.readFileSync(files.client), key: fs.readFileSync(files.clientKey) };
  await eventually(
    async () => {
      assert.equal(proc.child.exitCode, null, `etcd exited:\n${proc.stderr()}`);
      assert.match(await get(`${endpoint}/health`, creds), /"health":"true"/);
    },
    { timeoutMs: 15_000, intervalMs: 100 },
  );
  return { proc, endpoint, files };
}

/** One GET on a fresh connection: its body, whatever the status. */
function get(url: string, tls: https.RequestOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { agent: false, timeout: 5_000, ...tls }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve(text));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: timed out`)));
    req.on('error', reject);
  });
}
