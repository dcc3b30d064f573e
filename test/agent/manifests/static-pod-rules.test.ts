import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseManifest } from '../../../agent/manifests/parse.js';
import { POD, lineOf, problem } from './manifest-cases.js';

test('a probe takes exactly one handler', () => {
  const text = `${POD}    livenessProbe:
      httpGet: {port: 8080, path: /healthz}
      tcpSocket: {port: 8080}
`;
  const r = parseManifest('p.yaml', text);
  const p = problem(r, /handlers/);
  assert.equal(p.message, 'spec.containers[0].livenessProbe: has 2 handlers (httpGet, tcpSocket): a probe takes exactly one of exec, httpGet, tcpSocket, grpc');
  assert.deepEqual([p.line, p.column], [lineOf(text, 'livenessProbe:'), 5]);
  // Still inventoried, to show what is wrong.
  assert.deepEqual(r.containers[0]?.probes, ['liveness: 2 handlers (httpGet, tcpSocket) every 10s timeout 1s failure 3']);
  assert.equal(r.podName, 'probe-me');

  assert.match(problem(parseManifest('p.yaml', `${POD}    readinessProbe:\n      periodSeconds: 5\n`), /handler/).message, /has no handler/);
  const numbers = parseManifest(
    'p.yaml',
    `${POD}    startupProbe:\n      exec: {command: [true]}\n      periodSeconds: -1\n      timeoutSeconds: 1.5\n      successThreshold: 3\n`,
  );
  assert.match(problem(numbers, /periodSeconds/).message, /must be at least 0, not -1/);
  assert.match(problem(numbers, /timeoutSeconds/).message, /must be a whole number, not 1.5/);
  assert.match(problem(numbers, /successThreshold/).message, /must be 1 for a startup probe/);
  assert.match(problem(numbers, /command\[0\]/).message, /must be a string, not the boolean true: quote it, like "true"/);
  assert.match(
    problem(parseManifest('p.yaml', `${POD}    livenessProbe:\n      httpGet: {port: 70000}\n`), /port/).message,
    /must be at most 65535, not 70000/,
  );
  assert.match(
    problem(parseManifest('p.yaml', `${POD}    livenessProbe:\n      tcpSocket: {port: [1]}\n`), /port/).message,
    /must be a port number \(1-65535\) or a port name like "https"/,
  );
});

test('static pods may not refer to API objects', () => {
  const text = `${POD}    envFrom:
    - configMapRef: {name: settings}
    env:
    - name: TOKEN
      valueFrom:
        secretKeyRef: {name: creds, key: token}
  serviceAccountName: etcd
  imagePullSecrets:
  - name: registry
  ephemeralContainers:
  - name: debug
    image: busybox
  volumes:
  - name: certs
    secret:
      secretName: etcd-certs
  - name: settings
    configMap:
      name: settings
  - name: data
    persistentVolumeClaim:
      claimName: data
  - name: token
    projected:
      sources:
      - serviceAccountToken: {path: token}
`;
  const r = parseManifest('p.yaml', text);
  const secret = problem(r, /volumes\[0\]\.secret/);
  assert.equal(
    secret.message,
    'spec.volumes[0].secret: is a secret; a static pod cannot refer to API objects (kubelet runs it, but the API server refuses its mirror pod): use a hostPath volume with the files on the node',
  );
  assert.deepEqual([secret.line, secret.column], [lineOf(text, 'secret:'), 5]);
  assert.match(problem(r, /volumes\[1\]\.configMap/).message, /is a config map/);
  assert.match(problem(r, /volumes\[2\]\.persistentVolumeClaim/).message, /is a persistent volume claim/);
  assert.match(problem(r, /volumes\[3\]\.projected/).message, /is a projected volume/);
  assert.equal(problem(r, /serviceAccountName/).line, lineOf(text, 'serviceAccountName'));
  problem(r, /imagePullSecrets/);
  problem(r, /ephemeralContainers/);
  problem(r, /envFrom/);
  problem(r, /secretKeyRef/);
  const lines = r.problems.map((p) => p.line);
  assert.deepEqual(
    lines,
    [...lines].sort((a, b) => a - b),
    'problems in file order',
  );
});

test('hostPath volumes need an absolute path without ..', () => {
  const text = `${POD}    volumeMounts:
    - {name: data, mountPath: /var/lib/etcd}
  volumes:
  - name: data
    hostPath:
      path: var/lib/etcd
      type: DirectoryOrCreate
`;
  const p = problem(parseManifest('p.yaml', text), /hostPath\.path/);
  assert.equal(p.message, 'spec.volumes[0].hostPath.path: must be an absolute path on the node, like /etc/kubernetes/pki');
  assert.deepEqual([p.line, p.column], [lineOf(text, 'path: var'), 13]);
  assert.match(problem(parseManifest('p.yaml', text.replace('path: var/lib/etcd', 'path: /var/../etc')), /hostPath\.path/).message, /must not contain '\.\.'/);
  assert.match(problem(parseManifest('p.yaml', text.replace('DirectoryOrCreate', 'Dir')), /hostPath\.type/).message, /must be one of/);
  assert.equal(parseManifest('p.yaml', text.replace('path: var/lib/etcd', 'path: /var/lib/etcd')).valid, true);
});

test('cross-field rules: unique names, mounts of declared volumes, a volume has one source', () => {
  const text = `${POD}    volumeMounts:
    - {name: certs, mountPath: /etc/pki}
    - {name: cert, mountPath: /etc/pki}
  - name: main
    image: x
  volumes:
  - name: certs
    hostPath: {path: /etc/pki}
    emptyDir: {}
  - name: certs
    emptyDir: {}
`;
  const r = parseManifest('p.yaml', text);
  assert.match(problem(r, /matches no volume/).message, /"cert" matches no volume in spec\.volumes \(declared: "certs"\)/);
  problem(r, /mounted twice/);
  assert.match(problem(r, /container name/).message, /"main" is also used by spec\.containers\[0\]/);
  assert.match(problem(r, /2 sources/).message, /hostPath, emptyDir/);
  problem(r, /volume name "certs"/);
});

test('init containers: probes only on sidecars', () => {
  const text = `${POD}  initContainers:
  - name: init
    image: busybox
    readinessProbe:
      exec: {command: [true]}
`;
  assert.match(problem(parseManifest('p.yaml', text), /init container/).message, /sidecar/);
  assert.equal(
    parseManifest('p.yaml', text.replace('    readinessProbe:', '    restartPolicy: Always\n    readinessProbe:').replace('[true]', '["true"]')).valid,
    true,
  );
});
