import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import YAML from 'yaml';
import { isRunning } from '../../proto/common/proc.js';
import { belayctl, runBin } from '../harness/belayctl.js';

function httpsGet(host: string, port: number, p: string, tls: { ca: Buffer; cert: Buffer; key: Buffer }): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host, port, path: p, ...tls, timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${host}:${port}${p}: ${res.statusCode ?? '?'} ${body}`))));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

interface Ps {
  dir: string;
  processes: { master: string; role: string; pid: number; startTicks: number; address: string; root: string; running: boolean }[];
}

test('belayctl dev up / ps / env / down, as an operator runs them', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-dev-e2e-'));
  const base = `127.4.${1 + Math.floor(Math.random() * 250)}.1`;
  t.after(async () => {
    await belayctl(['dev', 'down', '--root', dir, '--grace', '2000']);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  // when 3 masters are started (with etcd bootstrapped, as the demo does)
  const up = await runBin('belayctl', ['dev', 'up', '--masters', '3', '--root', dir, '--base-address', base, '--report-interval', '1000'], {
    timeoutMs: 180_000,
  });
  assert.equal(up.code, 0, up.stderr);
  assert.match(up.stderr, /etcd: 3 healthy members \(m1, m2, m3\)/);
  // and the control plane behind the balancers (the test stand-ins: no kube-apiserver here)
  assert.match(up.stderr, /no kube-apiserver on PATH: the control plane runs belay's test stand-ins/);
  assert.match(up.stderr, /control plane: 3 × \(haproxy, kube-apiserver, kube-controller-manager, kube-scheduler\) ready/);
  // then the last line is an export a shell can eval
  const last = up.stdout.trim().split('\n').at(-1) ?? '';
  const env = Object.fromEntries([...last.matchAll(/(BELAY_\w+)=(\S+)/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
  assert.match(last, /^export BELAY_ENDPOINT=\S+ BELAY_CA=\S+ BELAY_CERT=\S+ BELAY_KEY=\S+$/);
  assert.equal(env.BELAY_ENDPOINT, `${base}:7702`);
  // and belayctl reaches the cluster with exactly those variables
  const st = await belayctl(['status', '-o', 'json'], env);
  assert.equal(st.code, 0, st.stderr);
  const status = JSON.parse(st.stdout) as { nodes: { agentConnected: boolean }[]; etcdPhase: string };
  assert.equal(status.nodes.filter((n) => n.agentConnected).length, 3);
  assert.equal(status.etcdPhase, 'healthy');
  const table = await belayctl(['status'], env);
  assert.match(table.stdout, /control plane: kube-apiserver 3\/3 ready, kube-controller-manager 3\/3 ready, kube-scheduler 3\/3 ready, haproxy 3\/3 ready/);
  // every master's balancer answers with an apiserver whose certificate carries that master's address
  const admin = YAML.parse(fs.readFileSync(path.join(dir, 'm1', 'etc', 'kubernetes', 'admin.conf'), 'utf8')) as {
    clusters: { cluster: { 'certificate-authority-data': string } }[];
    users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
  };
  const b64 = (x: string | undefined): Buffer => Buffer.from(x ?? '', 'base64');
  const tls = {
    ca: b64(admin.clusters[0]?.cluster['certificate-authority-data']),
    cert: b64(admin.users[0]?.user['client-certificate-data']),
    key: b64(admin.users[0]?.user['client-key-data']),
  };
  for (let i = 1; i <= 3; i++) {
    for (let j = 0; j < 3; j++) {
      const version = await httpsGet(base.replace(/\.1$/, `.${i}`), 8443, '/version', tls);
      assert.match(version, /"gitVersion":"v1\.31\.0"/);
    }
  }
  // dev env prints the same line again
  assert.equal((await belayctl(['dev', 'env', '--root', dir])).stdout.trim(), last);
  // a second dev up on the same dir is refused
  const again = await belayctl(['dev', 'up', '--root', dir, '--base-address', base]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already running in/);

  // ps -o json lists every process per master with role, pid, address and root
  const ps = JSON.parse((await belayctl(['-o', 'json', 'dev', 'ps', '--root', dir])).stdout) as Ps;
  assert.equal(ps.processes.length, 6);
  for (const [i, m] of ['m1', 'm2', 'm3'].entries()) {
    const mine = ps.processes.filter((p) => p.master === m);
    assert.deepEqual(mine.map((p) => p.role).sort(), ['agent', 'coordinator']);
    for (const p of mine) {
      assert.equal(p.address, base.replace(/\.1$/, `.${i + 1}`));
      assert.equal(p.root, path.join(dir, m));
      assert.equal(p.running, true);
    }
  }

  // when it is brought down
  const down = await belayctl(['dev', 'down', '--root', dir]);
  assert.equal(down.code, 0, down.stderr);
  assert.match(down.stdout, /stopped 6 processes/);
  // then every process is gone, and the logs are kept
  for (const p of ps.processes) assert.equal(isRunning(p.pid, p.startTicks), false, `${p.master} ${p.role} still runs`);
  assert.ok(fs.existsSync(path.join(dir, 'm1', 'var', 'log', 'belay', 'agent.log')));
  assert.match(fs.readFileSync(path.join(dir, 'm1', 'var', 'log', 'belay', 'coordinator.log'), 'utf8'), /"message":"stopped"/);
  // and --purge removes the directory it made
  const purge = await belayctl(['dev', 'down', '--root', dir, '--purge']);
  assert.equal(purge.code, 0);
  assert.equal(fs.existsSync(dir), false);
});

test('dev down --purge leaves a directory dev up did not make', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-not-dev-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'precious'), 'keep me');
  const r = await belayctl(['dev', 'down', '--root', dir, '--purge']);
  assert.equal(r.code, 0);
  assert.equal(fs.readFileSync(path.join(dir, 'precious'), 'utf8'), 'keep me');
});
