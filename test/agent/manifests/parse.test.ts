import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { parseManifest } from '../../../agent/manifests/parse.js';
import { POD, lineOf, problem, problemsOf } from './manifest-cases.js';

const fixture = (name: string): string => fs.readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

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
