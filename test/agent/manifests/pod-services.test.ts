import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseManifest } from '../../../agent/manifests/parse.js';
import { podServices } from '../../../agent/manifests/pod-services.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const pod = (file: string, text?: string): unknown => {
  const p = parseManifest(file, text ?? fs.readFileSync(path.join(FIXTURES, file), 'utf8'));
  assert.ok(p.valid, JSON.stringify(p.problems));
  return p.pod;
};

test('kube-apiserver: command + args from PATH, HTTPS liveness without certificate checks, probe timings as kubelet reads them', () => {
  const { defs, problems } = podServices(pod('kube-apiserver.yaml'), { host: (p) => `/root${p}`, logDir: '/logs' });
  assert.deepEqual(problems, []);
  const [d] = defs;
  assert.equal(d?.name, 'kube-apiserver/kube-apiserver');
  assert.equal(d?.command?.[0], 'kube-apiserver');
  assert.ok(d?.command?.includes('--endpoint-reconciler-type=lease') || (d?.command?.length ?? 0) > 5);
  assert.deepEqual(d?.health, { type: 'http', url: 'https://10.0.0.11:6443/livez', insecureSkipVerify: true });
  assert.equal(d?.policy.failureThreshold, 8);
  assert.equal(d?.killMode, 'group');
  assert.equal(d?.logFile, '/logs/kube-system_kube-apiserver_kube-apiserver.log');
  // the fixture's readiness probe: /readyz over HTTPS, kubelet's timings
  assert.deepEqual(d?.readiness?.check, { type: 'http', url: 'https://10.0.0.11:6443/readyz', insecureSkipVerify: true });
  assert.equal(d?.readiness?.periodMs, 1_000);
  assert.equal(d?.readiness?.successThreshold, 1);
});

test('probe defaults, named ports, grace period, env, and what the host runtime cannot run', () => {
  const text = `apiVersion: v1
kind: Pod
metadata: { name: demo, namespace: kube-system }
spec:
  terminationGracePeriodSeconds: 7
  containers:
  - name: web
    image: x
    command: [demo-server]
    args: [--port=8080]
    env: [{ name: A, value: "1" }]
    workingDir: /srv
    ports: [{ name: http, containerPort: 8080 }]
    livenessProbe: { tcpSocket: { port: http } }
    readinessProbe: { httpGet: { port: http, path: ready }, initialDelaySeconds: 2, successThreshold: 2 }
  - name: noentry
    image: x
`;
  const { defs, problems } = podServices(pod('demo.yaml', text), { host: (p) => `/root${p}`, logDir: '/logs' });
  assert.equal(defs.length, 1);
  const [d] = defs;
  assert.deepEqual(d?.command, ['demo-server', '--port=8080']);
  assert.deepEqual(d?.env, { BELAY_IMAGE: 'x', A: '1' }, 'the image is handed to the process, the env as given');
  assert.equal(d?.cwd, '/root/srv');
  assert.deepEqual(d?.health, { type: 'tcp', host: '127.0.0.1', port: 8080 });
  assert.equal(d?.policy.checkIntervalMs, 10_000, 'periodSeconds defaults to 10');
  assert.equal(d?.policy.failureThreshold, 3);
  assert.equal(d?.checkTimeoutMs, 1_000);
  assert.equal(d?.policy.stopTimeoutMs, 7_000);
  assert.deepEqual(d?.readiness, {
    check: { type: 'http', url: 'http://127.0.0.1:8080/ready' },
    initialDelayMs: 2_000,
    periodMs: 10_000,
    timeoutMs: 1_000,
    successThreshold: 2,
    failureThreshold: 3,
  });
  assert.match(problems[0] ?? '', /container noentry has no command/);
});
