import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { MAX_MANIFEST_BYTES, isManifestFileName, parseManifest, validManifestName, type ParsedManifest } from '../../../agent/manifests/parse.js';

const fixture = (name: string): string => fs.readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

/** A minimal valid static pod; tests splice their case into it. */
const POD = `apiVersion: v1
kind: Pod
metadata:
  name: probe-me
  namespace: kube-system
spec:
  hostNetwork: true
  containers:
  - name: main
    image: registry.k8s.io/pause:3.9
`;

function problemsOf(r: ParsedManifest): string {
  return r.problems.map((p) => `${p.line}:${p.column} ${p.message}`).join('\n');
}

/** The one problem whose message matches, with its position. */
function problem(r: ParsedManifest, re: RegExp): { line: number; column: number; message: string } {
  assert.equal(r.valid, false, 'expected an invalid manifest');
  const found = r.problems.filter((p) => re.test(p.message));
  assert.equal(found.length, 1, `expected one problem matching ${re}, got:\n${problemsOf(r)}`);
  return found[0] ?? { line: 0, column: 0, message: '' };
}

/** 1-based line of the first line of `text` containing `needle`. */
function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `${needle} not in text`);
  return i + 1;
}

test('etcd.yaml is valid and yields its inventory', () => {
  const r = parseManifest('etcd.yaml', fixture('etcd.yaml'));
  assert.equal(r.valid, true, problemsOf(r));
  assert.deepEqual(r.problems, []);
  assert.equal(r.podName, 'etcd');
  assert.equal(r.namespace, 'kube-system');
  assert.equal(r.containers.length, 1);
  const [etcd] = r.containers;
  assert.equal(etcd?.name, 'etcd');
  assert.equal(etcd?.image, 'registry.k8s.io/etcd:3.5.15-0');
  assert.deepEqual(etcd?.args, []);
  assert.equal(etcd?.command[0], 'etcd');
  assert.ok(etcd?.command.includes('--listen-metrics-urls=http://127.0.0.1:2381'));
  assert.equal(etcd?.command.length, 20);
  assert.deepEqual(etcd?.probes, [
    'liveness: httpGet http://127.0.0.1:2381/health?exclude=NOSPACE&serializable=true every 10s timeout 15s failure 8 delay 10s',
    'startup: httpGet http://127.0.0.1:2381/health?serializable=false every 10s timeout 15s failure 24 delay 10s',
  ]);
  assert.deepEqual(r.hostPaths, [
    { name: 'etcd-certs', path: '/etc/kubernetes/pki/etcd' },
    { name: 'etcd-data', path: '/var/lib/etcd' },
  ]);
  const pod = r.pod as { spec: { hostNetwork: boolean; priorityClassName: string } };
  assert.equal(pod.spec.hostNetwork, true);
  assert.equal(pod.spec.priorityClassName, 'system-node-critical');
});

test('kube-apiserver.yaml is valid and yields its inventory', () => {
  const r = parseManifest('kube-apiserver.yaml', fixture('kube-apiserver.yaml'));
  assert.equal(r.valid, true, problemsOf(r));
  assert.equal(r.podName, 'kube-apiserver');
  assert.equal(r.namespace, 'kube-system');
  const [api] = r.containers;
  assert.equal(api?.name, 'kube-apiserver');
  assert.equal(api?.image, 'registry.k8s.io/kube-apiserver:v1.30.6');
  assert.equal(api?.command[0], 'kube-apiserver');
  assert.ok(api?.command.includes('--etcd-servers=https://127.0.0.1:2379'));
  assert.deepEqual(api?.probes, [
    'liveness: httpGet https://10.0.0.11:6443/livez every 10s timeout 15s failure 8 delay 10s',
    'readiness: httpGet https://10.0.0.11:6443/readyz every 1s timeout 15s failure 3',
    'startup: httpGet https://10.0.0.11:6443/livez every 10s timeout 15s failure 24 delay 10s',
  ]);
  assert.deepEqual(
    r.hostPaths.map((h) => h.name),
    ['ca-certs', 'etc-ca-certificates', 'k8s-certs', 'usr-local-share-ca-certificates', 'usr-share-ca-certificates'],
  );
  assert.deepEqual(r.hostPaths[2], { name: 'k8s-certs', path: '/etc/kubernetes/pki' });
});

test('kube-controller-manager.yaml is valid and yields its inventory', () => {
  const r = parseManifest('kube-controller-manager.yaml', fixture('kube-controller-manager.yaml'));
  assert.equal(r.valid, true, problemsOf(r));
  assert.equal(r.podName, 'kube-controller-manager');
  assert.equal(r.namespace, 'kube-system');
  const [kcm] = r.containers;
  assert.equal(kcm?.image, 'registry.k8s.io/kube-controller-manager:v1.30.6');
  assert.ok(kcm?.command.includes('--controllers=*,bootstrapsigner,tokencleaner'));
  assert.deepEqual(kcm?.probes, [
    'liveness: httpGet https://127.0.0.1:10257/healthz every 10s timeout 15s failure 8 delay 10s',
    'startup: httpGet https://127.0.0.1:10257/healthz every 10s timeout 15s failure 24 delay 10s',
  ]);
  assert.equal(r.hostPaths.length, 7);
  assert.deepEqual(r.hostPaths[4], { name: 'kubeconfig', path: '/etc/kubernetes/controller-manager.conf' });
});

test('kube-scheduler.yaml is valid and yields its inventory', () => {
  const r = parseManifest('kube-scheduler.yaml', fixture('kube-scheduler.yaml'));
  assert.equal(r.valid, true, problemsOf(r));
  assert.equal(r.podName, 'kube-scheduler');
  assert.deepEqual(r.containers, [
    {
      name: 'kube-scheduler',
      image: 'registry.k8s.io/kube-scheduler:v1.30.6',
      command: [
        'kube-scheduler',
        '--authentication-kubeconfig=/etc/kubernetes/scheduler.conf',
        '--authorization-kubeconfig=/etc/kubernetes/scheduler.conf',
        '--bind-address=127.0.0.1',
        '--kubeconfig=/etc/kubernetes/scheduler.conf',
        '--leader-elect=true',
      ],
      args: [],
      probes: [
        'liveness: httpGet https://127.0.0.1:10259/healthz every 10s timeout 15s failure 8 delay 10s',
        'startup: httpGet https://127.0.0.1:10259/healthz every 10s timeout 15s failure 24 delay 10s',
      ],
    },
  ]);
  assert.deepEqual(r.hostPaths, [{ name: 'kubeconfig', path: '/etc/kubernetes/scheduler.conf' }]);
});

test('a JSON manifest is read as JSON, like kubelet, with the same inventory', () => {
  const yaml = fixture('kube-scheduler.yaml');
  const json = JSON.stringify(parseYaml(yaml), null, 2);
  const fromJson = parseManifest('kube-scheduler.json', json);
  const fromYaml = parseManifest('kube-scheduler.yaml', yaml);
  assert.equal(fromJson.valid, true, problemsOf(fromJson));
  assert.deepEqual({ ...fromJson, pod: undefined }, { ...fromYaml, pod: undefined });
  // Tabs are JSON whitespace.
  assert.equal(
    parseManifest(
      'a.json',
      json.replace(/^ +/gm, (s) => '\t'.repeat(s.length / 2)),
    ).valid,
    true,
  );
  // Flow-style YAML starting with '{' is not JSON, and kubelet refuses it.
  const flow = '{apiVersion: v1, kind: Pod, metadata: {name: x}, spec: {containers: [{name: c, image: i}]}}';
  assert.match(problem(parseManifest('a.yaml', flow), /not valid JSON/).message, /starting with '\{'/);
  // Positions of validation problems come from the text.
  const bad = json.replace('"image": "registry.k8s.io/kube-scheduler:v1.30.6"', '"image": ""');
  const p = problem(parseManifest('a.json', bad), /image: must not be empty/);
  assert.equal(p.line, lineOf(bad, '"image": ""'));
});

test('probes of every kind are summed up in one line each', () => {
  const text = `${POD}    readinessProbe:
      exec:
        command: [cat, /tmp/ready]
      periodSeconds: 5
      successThreshold: 2
    startupProbe:
      tcpSocket:
        host: 127.0.0.1
        port: 10259
      failureThreshold: 30
    livenessProbe:
      grpc:
        port: 2379
        service: etcd
      periodSeconds: 0
`;
  const r = parseManifest('p.yaml', text);
  assert.equal(r.valid, true, problemsOf(r));
  assert.deepEqual(r.containers[0]?.probes, [
    'liveness: grpc <pod IP>:2379 service etcd every 10s timeout 1s failure 3',
    'readiness: exec [cat /tmp/ready] every 5s timeout 1s failure 3 success 2',
    'startup: tcpSocket 127.0.0.1:10259 every 10s timeout 1s failure 30',
  ]);
  const named = parseManifest('p.yaml', `${POD}    livenessProbe:\n      httpGet: {port: metrics, path: healthz}\n`);
  assert.deepEqual(named.containers[0]?.probes, ['liveness: httpGet http://<pod IP>:metrics/healthz every 10s timeout 1s failure 3']);
});

test('the namespace defaults to "default", as kubelet does', () => {
  const r = parseManifest('p.yaml', POD.replace('  namespace: kube-system\n', ''));
  assert.equal(r.valid, true, problemsOf(r));
  assert.equal(r.namespace, 'default');
});

test('broken YAML is refused with the position of the error', () => {
  const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n   bad: [\n';
  const r = parseManifest('broken.yaml', text);
  assert.equal(r.valid, false);
  assert.ok(r.problems.length >= 1);
  assert.equal(r.problems[0]?.line, 4);
  assert.equal(r.problems[0]?.column, 9);
  assert.match(r.problems[0]?.message ?? '', /^is not valid YAML: /);
  assert.ok(
    r.problems.every((p) => !p.message.includes('\n')),
    'one line per problem',
  );
  assert.equal(r.podName, '');
  // A tab as indentation, a duplicated key.
  assert.equal(problem(parseManifest('t.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n\tname: x\n'), /not valid YAML/).line, 4);
  const dup = problem(parseManifest('d.yaml', POD.replace('  name: probe-me\n', '  name: probe-me\n  name: other\n')), /appears twice/);
  assert.deepEqual([dup.line, dup.column], [5, 3]);
  assert.match(dup.message, /key "name"/);
});

test('two documents are refused at the second; empty documents around one are fine', () => {
  const text = `${POD}---\n${POD}`;
  const p = problem(parseManifest('two.yaml', text), /2 YAML documents/);
  assert.equal(p.line, 12);
  assert.match(p.message, /kubelet runs only the first/);
  assert.match(p.message, /two\.yaml/);
  assert.equal(parseManifest('one.yaml', `---\n${POD}---\n`).valid, true);
  assert.equal(parseManifest('one.yaml', `# header\n---\n${POD}...\n`).valid, true);
});

test('only apiVersion v1, kind Pod', () => {
  const deploy = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n';
  const r = parseManifest('web.yaml', deploy);
  assert.equal(r.valid, false);
  assert.equal(r.problems.length, 2, problemsOf(r));
  assert.deepEqual([r.problems[0]?.line, r.problems[0]?.column], [1, 13]);
  assert.match(r.problems[0]?.message ?? '', /apiVersion: is the string "apps\/v1"; a static pod is apiVersion: v1, kind: Pod/);
  assert.deepEqual([r.problems[1]?.line, r.problems[1]?.column], [2, 7]);
  assert.match(r.problems[1]?.message ?? '', /kind: is the string "Deployment"; kubelet runs only kind: Pod/);
  assert.equal(r.podName, '', 'a Deployment has no pod name');

  const apps = problem(parseManifest('p.yaml', POD.replace('apiVersion: v1', 'apiVersion: apps/v1')), /apiVersion/);
  assert.equal(apps.line, 1);
  assert.match(problem(parseManifest('p.yaml', POD.replace('apiVersion: v1\n', '')), /apiVersion/).message, /missing/);
  assert.match(problem(parseManifest('p.yaml', '- a\n- b\n'), /not a Pod/).message, /is a list/);
  assert.match(problem(parseManifest('p.yaml', 'hello\n'), /not a Pod/).message, /the string "hello"/);
});

test('missing or empty containers are refused at spec', () => {
  const missing = POD.slice(0, POD.indexOf('  containers:'));
  const p = problem(parseManifest('p.yaml', missing), /spec\.containers/);
  assert.match(p.message, /is required/);
  assert.equal(p.line, lineOf(missing, 'spec:'));
  const empty = problem(parseManifest('p.yaml', `${missing}  containers: []\n`), /spec\.containers/);
  assert.match(empty.message, /needs at least 1 item/);
  assert.equal(empty.line, 8);
  assert.match(problem(parseManifest('p.yaml', `${missing}  containers:\n`), /spec\.containers/).message, /is required/);
});

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

test('types follow kubelet: YAML 1.1 booleans and numbers in string fields are refused with a hint', () => {
  const text = `${POD}    env:
    - name: ENABLED
      value: yes
    - name: PORT
      value: 8080
    - name: WHEN
      value: 2024-01-01
    args:
    - 12:30
    - on
`;
  const r = parseManifest('p.yaml', text);
  assert.equal(problem(r, /env\[0\]\.value/).message, 'spec.containers[0].env[0].value: must be a string, not the boolean true: quote it, like "yes"');
  assert.match(problem(r, /env\[1\]\.value/).message, /not the number 8080: quote it, like "8080"/);
  assert.match(problem(r, /args\[1\]/).message, /quote it, like "on"/);
  assert.equal(r.problems.length, 3, `timestamps and base-60 numbers stay strings, as in go-yaml:\n${problemsOf(r)}`);
});

test('names, labels, enums and quantities are checked', () => {
  const text = `apiVersion: v1
kind: Pod
metadata:
  name: Etcd_1
  namespace: kube.system
  labels:
    "bad key!": x
spec:
  hostNetwork: true
  restartPolicy: Sometimes
  terminationGracePeriodSeconds: -5
  containers:
  - name: etcd
    image: "registry.k8s.io/etcd:3.5.15-0 "
    imagePullPolicy: Maybe
    resources:
      requests: {cpu: lots, memory: 100Mi}
    ports:
    - containerPort: 2379
      hostPort: 2380
`;
  const r = parseManifest('p.yaml', text);
  assert.match(problem(r, /metadata\.name:/).message, /DNS subdomain/);
  assert.match(problem(r, /metadata\.namespace/).message, /DNS label/);
  assert.match(problem(r, /labels/).message, /metadata\.labels\["bad key!"\]: is not a valid key/);
  assert.match(problem(r, /restartPolicy/).message, /must be one of "Always", "OnFailure", "Never", not the string "Sometimes"/);
  problem(r, /terminationGracePeriodSeconds: must be at least 0/);
  problem(r, /image: must not start or end with a space/);
  problem(r, /imagePullPolicy/);
  assert.match(problem(r, /cpu/).message, /quantity like 100m/);
  assert.match(problem(r, /hostPort/).message, /is 2380 but containerPort is 2379: with hostNetwork they must be equal/);
  assert.equal(r.podName, 'Etcd_1', 'the inventory shows what is there');
});

test('a mapping as a key is refused, without a process warning', async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(w.message);
  process.on('warning', onWarning);
  try {
    const text = `${POD}  extra:\n    ? {x: 1}\n    : y\n`;
    const p = problem(parseManifest('p.yaml', text), /used as a key/);
    assert.deepEqual([p.line, p.column], [lineOf(text, '? {x'), 7]);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(warnings, []);
  } finally {
    process.off('warning', onWarning);
  }
});

test('unknown fields are tolerated, as kubelet decodes leniently', () => {
  const text = `${POD}    futureField: {anything: [1, 2]}
  someNewSpecField: true
status: {}
`;
  assert.equal(parseManifest('p.yaml', text).valid, true);
  const nulls = `${POD}    command:\n    args: null\n  volumes: ~\n`;
  assert.equal(parseManifest('p.yaml', nulls).valid, true, 'null is absent, as in Go');
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

test('anchors and aliases: fine in moderation, bombs and cycles refused', () => {
  const shared = `${POD}    livenessProbe: &probe
      httpGet: {host: 127.0.0.1, port: 2381, path: /health}
    startupProbe: *probe
`;
  const ok = parseManifest('p.yaml', shared);
  assert.equal(ok.valid, true, problemsOf(ok));
  assert.equal(ok.containers[0]?.probes.length, 2);

  const laughs = ['lol0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 10; i++)
    laughs.push(
      `lol${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(',')}]`,
    );
  const bomb = problem(parseManifest('p.yaml', `${POD}${laughs.join('\n')}\n`), /alias/);
  assert.ok(bomb.line > 0);

  const cycle = `${POD.replace('  name: probe-me', '  name: probe-me\n  self: &m {a: 1, me: *m}')}`;
  assert.match(problem(parseManifest('p.yaml', cycle), /alias/).message, /contains it/);
});

test('hostile shapes are refused quickly, before the YAML library recurses', () => {
  for (const [name, text] of [
    ['flow', `a: ${'['.repeat(10_000)}${']'.repeat(10_000)}`],
    ['block', `${'- '.repeat(10_000)}x`],
    ['indent', Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')],
    ['block scalars between', Array.from({ length: 500 }, (_, i) => `${' '.repeat(i)}k${i}:\n${' '.repeat(i + 1)}s: |\n${' '.repeat(i + 3)}text`).join('\n')],
    ['tokens', `a: [${'1,'.repeat(30_000)}]`],
    ['aliases', `a: &a x\nb: [${Array(500).fill('*a').join(',')}]`],
    ['documents', '---\na: 1\n'.repeat(100)],
  ] as const) {
    const started = performance.now();
    const r = parseManifest('x.yaml', text);
    const ms = performance.now() - started;
    assert.equal(r.valid, false, name);
    assert.equal(r.problems.length, 1, `${name}: ${problemsOf(r)}`);
    assert.ok((r.problems[0]?.line ?? 0) > 0, name);
    // A bound for blowups (a recursing or super-linear parser takes seconds to minutes on these), not a speed test: typically 1-30 ms.
    assert.ok(ms < 2_000, `${name} took ${ms.toFixed(0)} ms`);
  }
  assert.match(parseManifest('x.yaml', `a: ${'['.repeat(100)}`).problems[0]?.message ?? '', /nests deeper than 64 levels/);
});

test('a file over 1 MiB is refused by its size, unparsed', () => {
  const exact = `${POD}#${'x'.repeat(MAX_MANIFEST_BYTES - POD.length - 2)}\n`;
  assert.equal(Buffer.byteLength(exact), MAX_MANIFEST_BYTES);
  assert.equal(parseManifest('p.yaml', exact).valid, true);
  const over = `${exact}x`;
  const r = parseManifest('p.yaml', over);
  assert.equal(r.valid, false);
  assert.deepEqual(
    r.problems.map((p) => [p.line, p.column]),
    [[0, 0]],
  );
  assert.match(r.problems[0]?.message ?? '', /is 1048577 bytes, past the limit of 1048576 bytes \(1 MiB\)/);
  // Counted in UTF-8 bytes, not characters: 2, 3 and 4 bytes a character, and a lone surrogate (3, as U+FFFD).
  for (const ch of ['é', '€', '😀', '\ud800']) {
    const head = `${POD}#`;
    const fill = Math.floor((MAX_MANIFEST_BYTES - Buffer.byteLength(head) - 1) / Buffer.byteLength(ch));
    const text = `${head}${ch.repeat(fill)}${'x'.repeat(MAX_MANIFEST_BYTES - Buffer.byteLength(head) - 1 - fill * Buffer.byteLength(ch))}\n`;
    assert.equal(Buffer.byteLength(text), MAX_MANIFEST_BYTES);
    assert.doesNotMatch(parseManifest('p.yaml', text).problems[0]?.message ?? '', /past the limit/, ch);
    assert.match(parseManifest('p.yaml', `${text}x`).problems[0]?.message ?? '', /is 1048577 bytes, past the limit/, ch);
  }
  // A deep bomb past the limit is not even lexed.
  const started = performance.now();
  assert.match(parseManifest('p.yaml', '['.repeat(MAX_MANIFEST_BYTES * 5)).problems[0]?.message ?? '', /over 1048576 bytes/);
  assert.ok(performance.now() - started < 50);
});

test('empty, blank and comment-only files', () => {
  for (const text of ['', '\n\n', '   \t\n']) {
    const r = parseManifest('e.yaml', text);
    assert.deepEqual(r.problems, [{ line: 0, column: 0, message: 'is empty: a manifest holds one v1 Pod (apiVersion: v1, kind: Pod)' }]);
  }
  assert.match(problem(parseManifest('e.yaml', '# nothing here\n---\n'), /no YAML document/).message, /only comments/);
});

test('binary garbage is refused as not text, at its first bad byte', () => {
  const garbage = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0xff, 0xfe]).toString('latin1');
  const r = parseManifest('e.yaml', garbage);
  assert.deepEqual(r.problems, [{ line: 1, column: 1, message: 'contains the control character U+007F: a manifest is UTF-8 text (is this a binary file?)' }]);
  const latin1 = Buffer.from('apiVersion: v1\nkind: P\xf6d\n', 'latin1').toString('utf8');
  assert.deepEqual(parseManifest('e.yaml', latin1).problems, [
    { line: 2, column: 8, message: 'contains bytes that are not UTF-8 (shown as U+FFFD): save the file as UTF-8' },
  ]);
  assert.equal(problem(parseManifest('e.yaml', `${POD}    args: ["a\u0000b"]\n`), /U\+0000/).line, 11);
});

test('many problems are capped, the rest counted', () => {
  const envs = Array.from({ length: 40 }, (_, i) => `    - name: V${i}\n      value: ${i}`).join('\n');
  const r = parseManifest('p.yaml', `${POD}    env:\n${envs}\n`);
  assert.equal(r.problems.length, 20);
  assert.deepEqual(r.problems.at(-1), { line: 0, column: 0, message: 'and 21 more problems' });
});

test('parseManifest never throws, even on input that is not a string', () => {
  const r = parseManifest('x.yaml', 42 as unknown as string);
  assert.equal(r.valid, false);
  assert.ok(r.problems.length >= 1);
});

test('isManifestFileName: what the agent takes for a manifest', () => {
  const table: [string, boolean][] = [
    ['etcd.yaml', true],
    ['kube-apiserver.yml', true],
    ['scheduler.json', true],
    ['ETCD.YAML', true],
    ['a.b.yaml', true],
    ['../../etc/passwd', false],
    ['/etc/passwd', false],
    ['/etc/kubernetes/manifests/etcd.yaml', false],
    ['sub/etcd.yaml', false],
    ['.etcd.yaml', false],
    ['.etcd.yaml.tmp', false],
    ['.etcd.yaml.swp', false],
    ['etcd.yaml.swp', false],
    ['etcd.yaml~', false],
    ['#etcd.yaml#', false],
    ['etcd.yaml.bak', false],
    ['etcd.yaml.dpkg-old', false],
    ['etcd.txt', false],
    ['etcd', false],
    ['.yaml', false],
    ['', false],
    ['etcd\0.yaml', false],
    [`${'a'.repeat(250)}.yaml`, true],
    [`${'a'.repeat(251)}.yaml`, false],
    [`${'é'.repeat(125)}.yaml`, true],
    [`${'é'.repeat(126)}.yaml`, false],
  ];
  for (const [name, want] of table) assert.equal(isManifestFileName(name), want, JSON.stringify(name));
});

test('validManifestName: refusals an operator understands', () => {
  const refused: [string, RegExp][] = [
    ['../../etc/passwd', /^file name "\.\.\/\.\.\/etc\/passwd" must be a plain file name in the manifests dir, like etcd\.yaml$/],
    ['/etc/passwd', /is an absolute path/],
    ['..', /plain file name/],
    ['etcd..yaml', /plain file name/],
    ['a\\b.yaml', /plain file name/],
    ['.etcd.yaml.tmp', /starts with a dot: kubelet skips hidden files/],
    ['etcd.yaml.swp', /editor or package-manager leftover/],
    ['etcd.yaml~', /leftover/],
    ['#etcd.yaml#', /leftover/],
    ['etcd.txt', /must end in \.yaml, \.yml or \.json/],
    ['etcd\0.yaml', /control character U\+0000/],
    ['etcd\n.yaml', /"etcd\\n\.yaml" contains the control character U\+000A/],
    ['etcd\t.yaml', /control character U\+0009/],
    [' etcd.yaml', /starts or ends with a space/],
    ['', /is empty/],
    [`${'a'.repeat(300)}.yaml`, /305 bytes long; at most 255/],
  ];
  for (const [name, why] of refused) {
    const v = validManifestName(name);
    assert.equal(v.ok, false, JSON.stringify(name));
    if (!v.ok) assert.match(v.reason, why, JSON.stringify(name));
  }
  for (const name of ['etcd.yaml', 'kube-apiserver.yaml', 'my_pod-1.json', 'x.yml']) assert.deepEqual(validManifestName(name), { ok: true });
});
