import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import winston from 'winston';
import YAML from 'yaml';
import { PKI_READ_LIMITS } from '../../../agent/pki/read-public.js';
import { pkiReadHandlers } from '../../../agent/rpc/pki-read.js';
import { parseClusterSpec } from '../../../coordinator/cluster/spec.js';
import { checkMasterPki, type PublicPkiFile } from '../../../coordinator/pki/check.js';
import { createControlPlanePki, masterControlPlaneFiles, sharedFiles, type ControlPlanePki } from '../../../coordinator/pki/control-plane.js';
import { createEtcdCa, etcdMemberFiles } from '../../../coordinator/pki/etcd.js';
import type { Ca } from '../../../coordinator/pki/ca.js';
import { HostPaths } from '../../../proto/common/paths.js';
import type { AgentClient } from '../../../proto/gen/belay/v1/Agent.js';
import type { ReadPkiResponse__Output } from '../../../proto/gen/belay/v1/ReadPkiResponse.js';
import { agentRpcServers } from '../../harness/agent-rpc-server.js';

/** ReadPki through a real gRPC server on 127.0.0.1, reading a kubeadm-layout /etc/kubernetes under a temp --root. */

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-pki-read-'));
const rpc = agentRpcServers();
after(() => {
  rpc.close();
  fs.rmSync(tmpRoot, { recursive: true, force: true });
});

interface Agent {
  root: string;
  /** <root>/etc/kubernetes */
  k8s: string;
  client: AgentClient;
  logText: () => string;
}

let seq = 0;
async function startAgent(): Promise<Agent> {
  const root = path.join(tmpRoot, `case-${++seq}`);
  fs.mkdirSync(root, { recursive: true });
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const log = winston.createLogger({ level: 'debug', format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] });
  const client = await rpc.serve(pkiReadHandlers({ node: 'm1', paths: new HostPaths(root), log }));
  return { root, k8s: path.join(root, 'etc/kubernetes'), client, logText: () => lines.join('') };
}

function readPki(a: Agent): Promise<ReadPkiResponse__Output> {
  return new Promise((resolve, reject) =>
    a.client.ReadPki({}, { deadline: Date.now() + 10_000 }, (err, res) => (err || !res ? reject(err ?? new Error('empty')) : resolve(res))),
  );
}

function write(file: string, content: string | Buffer, mode = 0o644): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content, { mode });
}

const spkiSha = (keyPem: string): string =>
  crypto
    .createHash('sha256')
    .update(crypto.createPublicKey(crypto.createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' }))
    .digest('hex');

/** Base64 bodies of every PEM private key written, to look for in the answer: none may appear, whole or in part. */
function keyBodies(texts: string[]): string[] {
  const out: string[] = [];
  for (const t of texts) {
    for (const m of t.matchAll(/-----BEGIN [A-Z ]*PRIVATE KEY-----([\s\S]*?)-----END/g)) {
      const body = (m[1] ?? '').replace(/\s+/g, '');
      out.push(body, body.slice(8, 48));
    }
  }
  return out;
}

describe('ReadPki', () => {
  let pki: ControlPlanePki;
  let etcdCa: Ca;
  const spec = parseClusterSpec(`apiVersion: belay.dev/v1alpha1
kind: Cluster
metadata: {name: prod}
spec:
  masters: [{name: m1, address: 10.0.0.11}, {name: m2, address: 10.0.0.12}, {name: m3, address: 10.0.0.13}]
`);
  /** Every private key written in a case, as PEM. */
  let secrets: string[];

  before(async () => {
    [pki, etcdCa] = await Promise.all([createControlPlanePki('prod'), createEtcdCa('prod')]);
  });

  /** The whole set for m1, as the leader writes it (deploy.ts and the etcd reconciler). */
  async function install(a: Agent): Promise<void> {
    const [own, etcd] = await Promise.all([masterControlPlaneFiles(pki, spec, 'm1'), etcdMemberFiles(etcdCa, { name: 'm1', address: '10.0.0.11' })]);
    secrets = [];
    for (const f of [...sharedFiles(pki), ...own.pki, ...etcd]) {
      write(path.join(a.k8s, 'pki', f.path), f.content, f.mode);
      if (f.path.endsWith('.key')) secrets.push(f.content);
    }
    for (const f of own.kubeconfigs) {
      write(path.join(a.k8s, f.path), f.content, f.mode);
      const user = (YAML.parse(f.content) as { users: { user: Record<string, string> }[] }).users[0]?.user ?? {};
      // scheduler.conf, controller-manager.conf, admin.conf: admin's key is the last one.
      secrets.push(Buffer.from(user['client-key-data'] ?? '', 'base64').toString());
    }
  }

  test('certificates and public keys as they are, keys and kubeconfig client keys as sha256 only: no private key material in the answer', async () => {
    // given m1's whole kubeadm-layout set
    const a = await startAgent();
    await install(a);
    // when the PKI is read
    const res = await readPki(a);
    // then every file is there, in path order, relative to /etc/kubernetes
    const byPath = new Map(res.files.map((f) => [f.path, f]));
    assert.deepEqual(
      res.files.map((f) => f.path),
      [
        'pki/apiserver-etcd-client.crt',
        'pki/apiserver-etcd-client.key',
        'pki/apiserver-kubelet-client.crt',
        'pki/apiserver-kubelet-client.key',
        'pki/apiserver.crt',
        'pki/apiserver.key',
        'pki/ca.crt',
        'pki/ca.key',
        'pki/etcd/belay-coordinator.crt',
        'pki/etcd/belay-coordinator.key',
        'pki/etcd/ca.crt',
        'pki/etcd/healthcheck-client.crt',
        'pki/etcd/healthcheck-client.key',
        'pki/etcd/peer.crt',
        'pki/etcd/peer.key',
        'pki/etcd/server.crt',
        'pki/etcd/server.key',
        'pki/front-proxy-ca.crt',
        'pki/front-proxy-ca.key',
        'pki/front-proxy-client.crt',
        'pki/front-proxy-client.key',
        'pki/sa.key',
        'pki/sa.pub',
        'admin.conf',
        'controller-manager.conf',
        'scheduler.conf',
      ],
    );
    assert.ok(
      res.files.every((f) => f.error === ''),
      JSON.stringify(res.files.filter((f) => f.error)),
    );
    assert.equal(byPath.get('pki/ca.crt')?.content, pki.ca.certPem);
    assert.equal(byPath.get('pki/sa.pub')?.content, pki.serviceAccount.publicKeyPem);
    assert.equal(byPath.get('pki/ca.key')?.content, '');
    assert.equal(byPath.get('pki/ca.key')?.publicKeySha256, spkiSha(pki.ca.keyPem));
    assert.equal(byPath.get('pki/sa.key')?.publicKeySha256, spkiSha(pki.serviceAccount.privateKeyPem));
    const admin = byPath.get('admin.conf');
    const doc = YAML.parse(admin?.content ?? '') as { users: { user: Record<string, string> }[]; clusters: { cluster: Record<string, string> }[] };
    assert.deepEqual(Object.keys(doc.users[0]?.user ?? {}), ['client-certificate-data']);
    assert.ok(doc.clusters[0]?.cluster['certificate-authority-data']);
    assert.match(admin?.publicKeySha256 ?? '', /^[0-9a-f]{64}$/);
    assert.equal(admin?.publicKeySha256, spkiSha(secrets.at(-1) ?? ''));

    // and nothing of any private key, in the answer or the log
    const wire = JSON.stringify(res);
    assert.doesNotMatch(wire, /PRIVATE KEY|client-key-data/);
    for (const body of keyBodies(secrets)) {
      assert.equal(wire.includes(body), false, 'a private key body is in the answer');
      assert.equal(a.logText().includes(body), false, 'a private key body is in the log');
    }
    for (const s of secrets) assert.equal(wire.includes(Buffer.from(s).toString('base64').slice(0, 40)), false);

    // and the check, fed this answer, finds nothing wrong
    const files = Object.fromEntries(res.files.map((f): [string, PublicPkiFile] => [f.path, f]));
    const found = await checkMasterPki({
      spec,
      master: 'm1',
      files,
      trusted: {
        caPem: pki.ca.certPem,
        frontProxyCaPem: pki.frontProxyCa.certPem,
        etcdCaPem: etcdCa.certPem,
        serviceAccountPublicKeyPem: pki.serviceAccount.publicKeyPem,
      },
      now: new Date(),
    });
    assert.deepEqual(found, []);
  });

  test('a master without /etc/kubernetes answers with no files', async () => {
    const a = await startAgent();
    assert.deepEqual((await readPki(a)).files, []);
  });

  test('symlinks are skipped, other file kinds ignored; broken, oversized and key-carrying files are named with why, never sent', async () => {
    // given odd files beside a few good ones
    const a = await startAgent();
    const outside = path.join(a.root, 'elsewhere');
    write(path.join(outside, 'stolen.key'), pki.ca.keyPem, 0o600);
    write(path.join(outside, 'x.crt'), pki.ca.certPem);
    fs.mkdirSync(path.join(a.k8s, 'pki'), { recursive: true });
    fs.symlinkSync(path.join(outside, 'stolen.key'), path.join(a.k8s, 'pki', 'link.key'));
    fs.symlinkSync(outside, path.join(a.k8s, 'pki', 'linkdir'));
    fs.symlinkSync(path.join(outside, 'x.crt'), path.join(a.k8s, 'link.conf'));
    write(path.join(a.k8s, 'pki', 'ca.crt'), pki.ca.certPem);
    write(path.join(a.k8s, 'pki', 'apiserver.csr'), 'a request');
    write(path.join(a.k8s, 'pki', 'bundle.crt'), pki.ca.certPem + pki.ca.keyPem);
    write(path.join(a.k8s, 'pki', 'broken.key'), 'not a key', 0o600);
    write(path.join(a.k8s, 'pki', 'huge.crt'), 'x'.repeat(PKI_READ_LIMITS.maxFileBytes + 1));
    write(
      path.join(a.k8s, 'kubelet.conf'),
      'apiVersion: v1\nusers:\n- name: u\n  user:\n    client-certificate: /var/lib/kubelet/pki/kubelet-client-current.pem\n    token: s3cr3t-token\n',
    );
    write(path.join(a.k8s, 'garbage.conf'), `: : not yaml ${pki.ca.keyPem}`);
    fs.mkdirSync(path.join(a.k8s, 'manifests'), { recursive: true });
    write(path.join(a.k8s, 'manifests', 'etcd.yaml'), 'kind: Pod\n');
    // when read
    const res = await readPki(a);
    // then
    const brief = res.files.map((f) => `${f.path} ${f.error || (f.content ? 'content' : f.publicKeySha256 ? 'sha' : 'empty')}`);
    assert.deepEqual(brief, [
      'pki/broken.key not a PEM private key (or an encrypted one)',
      'pki/bundle.crt holds a private key: not sent (keep keys in .key files of their own)',
      'pki/ca.crt content',
      `pki/huge.crt ${PKI_READ_LIMITS.maxFileBytes + 1} bytes, over the ${PKI_READ_LIMITS.maxFileBytes}-byte limit: not read`,
      'garbage.conf not a kubeconfig (no YAML mapping): not sent',
      'kubelet.conf content',
    ]);
    const kubelet = res.files.find((f) => f.path === 'kubelet.conf');
    assert.doesNotMatch(kubelet?.content ?? '', /s3cr3t-token/);
    assert.match(kubelet?.content ?? '', /client-certificate: \/var\/lib\/kubelet/);
    assert.equal(kubelet?.publicKeySha256, '');
    assert.doesNotMatch(JSON.stringify(res), /PRIVATE KEY/);
    for (const body of keyBodies([pki.ca.keyPem])) assert.equal(JSON.stringify(res).includes(body), false);
  });

  test(`at most ${PKI_READ_LIMITS.maxFiles} files are read; the answer says the rest were not`, async () => {
    const a = await startAgent();
    const cert = pki.frontProxyCa.certPem;
    for (let i = 0; i < PKI_READ_LIMITS.maxFiles + 20; i++) write(path.join(a.k8s, 'pki', 'many', `c${String(i).padStart(3, '0')}.crt`), cert);
    write(path.join(a.k8s, 'admin.conf'), 'apiVersion: v1\n');
    const res = await readPki(a);
    assert.equal(res.files.length, PKI_READ_LIMITS.maxFiles + 1);
    assert.equal(res.files.at(-1)?.path, 'pki');
    assert.match(res.files.at(-1)?.error ?? '', /more than 200 files in \/etc\/kubernetes\/pki and \/etc\/kubernetes\/\*\.conf: the rest were not read/);
    assert.equal(
      res.files.some((f) => f.path === 'admin.conf'),
      false,
    );
  });

  test(`an answer stays under ${PKI_READ_LIMITS.maxAnswerBytes} content bytes: the files past it are named, not sent`, async () => {
    const a = await startAgent();
    const big = `${pki.ca.certPem}${'#'.repeat(PKI_READ_LIMITS.maxFileBytes - pki.ca.certPem.length - 10)}\n`;
    const n = Math.ceil(PKI_READ_LIMITS.maxAnswerBytes / big.length) + 3;
    for (let i = 0; i < n; i++) write(path.join(a.k8s, 'pki', 'big', `c${String(i).padStart(3, '0')}.crt`), big);
    const res = await readPki(a);
    const sent = res.files.filter((f) => f.content !== '');
    assert.ok(sent.reduce((sum, f) => sum + Buffer.byteLength(f.content), 0) <= PKI_READ_LIMITS.maxAnswerBytes);
    assert.equal(res.files.length, n);
    assert.ok(
      res.files.slice(sent.length).every((f) => f.error === `not sent: the answer would exceed ${PKI_READ_LIMITS.maxAnswerBytes} bytes`),
      JSON.stringify(res.files.slice(sent.length).map((f) => f.error)),
    );
  });
});
