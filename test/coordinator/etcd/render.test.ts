import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import YAML from 'yaml';
import { parseManifest } from '../../../agent/manifests/parse.js';
import { podServices } from '../../../agent/manifests/pod-services.js';
import { parseClusterSpec, type ClusterSpec } from '../../../coordinator/cluster/spec.js';
import { clientUrl, peerUrl, renderEtcdManifest, type EtcdRenderInput } from '../../../coordinator/etcd/render.js';
import { OperatorError } from '../../../proto/common/errors.js';

function spec(etcd: Record<string, unknown> = {}): ClusterSpec {
  return parseClusterSpec(
    JSON.stringify({
      apiVersion: 'belay.dev/v1alpha1',
      kind: 'Cluster',
      metadata: { name: 'prod' },
      spec: {
        masters: [
          { name: 'm1', address: '10.0.0.11' },
          { name: 'm2', address: '10.0.0.12' },
          { name: 'm3', address: 'fd00::13' },
        ],
        etcd,
      },
    }),
  );
}

const S = spec();
const m1 = { name: 'm1', peerUrl: 'https://10.0.0.11:2380' };
const m2 = { name: 'm2', peerUrl: 'https://10.0.0.12:2380' };
const m3 = { name: 'm3', peerUrl: 'https://[fd00::13]:2380' };

function input(o: Partial<EtcdRenderInput> = {}): EtcdRenderInput {
  return { spec: S, master: 'm1', root: '/', state: 'new', initialCluster: [m1], ...o };
}

interface Container {
  image: string;
  command: string[];
  livenessProbe: Record<string, unknown>;
  startupProbe: Record<string, unknown>;
  readinessProbe: Record<string, unknown>;
  volumeMounts: { name: string; mountPath: string }[];
}
interface Pod {
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: { hostNetwork: boolean; priorityClassName: string; containers: Container[]; volumes: { name: string; hostPath: { path: string; type: string } }[] };
}

function pod(text: string): Pod {
  return YAML.parse(text) as Pod;
}
function container(text: string): Container {
  const c = pod(text).spec.containers[0];
  assert.ok(c);
  return c;
}
/** --k=v flags as a map, asserting none repeats. */
function flags(text: string): Map<string, string> {
  const [cmd, ...rest] = container(text).command;
  assert.equal(cmd, 'etcd');
  const m = new Map<string, string>();
  for (const f of rest) {
    const match = /^--([^=]+)=(.*)$/.exec(f);
    assert.ok(match, f);
    assert.ok(!m.has(match[1] ?? ''), `flag ${f} repeats`);
    m.set(match[1] ?? '', match[2] ?? '');
  }
  return m;
}

function throwsOperator(fn: () => unknown, code: string, mention: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof OperatorError, String(e));
    assert.equal(e.code, code, e.message);
    assert.ok(e.message.includes(mention), e.message);
    assert.notEqual(e.hint, '');
    return true;
  });
}

describe('renderEtcdManifest', () => {
  test('a new member: every flag, with the paths exactly as kubeadm puts them under root "/"', () => {
    const f = flags(renderEtcdManifest(input()));
    assert.deepEqual(Object.fromEntries(f), {
      name: 'm1',
      'data-dir': '/var/lib/etcd',
      'listen-client-urls': 'https://10.0.0.11:2379',
      'advertise-client-urls': 'https://10.0.0.11:2379',
      'listen-peer-urls': 'https://10.0.0.11:2380',
      'initial-advertise-peer-urls': 'https://10.0.0.11:2380',
      'initial-cluster': 'm1=https://10.0.0.11:2380',
      'initial-cluster-state': 'new',
      'initial-cluster-token': 'prod',
      'listen-metrics-urls': 'http://10.0.0.11:2381',
      'client-cert-auth': 'true',
      'peer-client-cert-auth': 'true',
      'cert-file': '/etc/kubernetes/pki/etcd/server.crt',
      'key-file': '/etc/kubernetes/pki/etcd/server.key',
      'peer-cert-file': '/etc/kubernetes/pki/etcd/peer.crt',
      'peer-key-file': '/etc/kubernetes/pki/etcd/peer.key',
      'trusted-ca-file': '/etc/kubernetes/pki/etcd/ca.crt',
      'peer-trusted-ca-file': '/etc/kubernetes/pki/etcd/ca.crt',
      'snapshot-count': '10000',
      'quota-backend-bytes': String(2 * 1024 ** 3),
      'heartbeat-interval': '100',
      'election-timeout': '1000',
      'experimental-initial-corrupt-check': 'true',
      'pre-vote': 'true',
    });
  });

  test('a joining member: state existing, the initial cluster in the order given, its own URLs', () => {
    const f = flags(renderEtcdManifest(input({ master: 'm2', state: 'existing', initialCluster: [m1, m2] })));
    assert.equal(f.get('name'), 'm2');
    assert.equal(f.get('initial-cluster-state'), 'existing');
    assert.equal(f.get('initial-cluster'), 'm1=https://10.0.0.11:2380,m2=https://10.0.0.12:2380');
    assert.equal(f.get('listen-client-urls'), 'https://10.0.0.12:2379');
    assert.equal(f.get('initial-advertise-peer-urls'), 'https://10.0.0.12:2380');
  });

  test('root other than "/" prefixes every host path: flags, mounts and hostPath volumes', () => {
    const text = renderEtcdManifest(input({ root: '/tmp/x/m1/' }));
    const f = flags(text);
    assert.equal(f.get('data-dir'), '/tmp/x/m1/var/lib/etcd');
    for (const k of ['cert-file', 'key-file', 'peer-cert-file', 'peer-key-file', 'trusted-ca-file', 'peer-trusted-ca-file']) {
      assert.match(f.get(k) ?? '', /^\/tmp\/x\/m1\/etc\/kubernetes\/pki\/etcd\/[a-z]+\.(crt|key)$/, k);
    }
    const p = pod(text);
    assert.deepEqual(p.spec.volumes, [
      { name: 'etcd-data', hostPath: { path: '/tmp/x/m1/var/lib/etcd', type: 'DirectoryOrCreate' } },
      { name: 'etcd-certs', hostPath: { path: '/tmp/x/m1/etc/kubernetes/pki/etcd', type: 'DirectoryOrCreate' } },
    ]);
    assert.deepEqual(container(text).volumeMounts, [
      { name: 'etcd-data', mountPath: '/tmp/x/m1/var/lib/etcd' },
      { name: 'etcd-certs', mountPath: '/tmp/x/m1/etc/kubernetes/pki/etcd' },
    ]);
  });

  test('a dataDir with .. stays under the root', () => {
    const f = flags(renderEtcdManifest(input({ spec: spec({ dataDir: '/../../srv/./etcd' }), root: '/tmp/x/m1' })));
    assert.equal(f.get('data-dir'), '/tmp/x/m1/srv/etcd');
  });

  test('IPv6: addresses in brackets in every URL, the probe host bare', () => {
    const text = renderEtcdManifest(input({ master: 'm3', state: 'existing', initialCluster: [m1, m3] }));
    const f = flags(text);
    assert.equal(f.get('listen-client-urls'), 'https://[fd00::13]:2379');
    assert.equal(f.get('listen-peer-urls'), 'https://[fd00::13]:2380');
    assert.equal(f.get('listen-metrics-urls'), 'http://[fd00::13]:2381');
    assert.equal(f.get('initial-cluster'), 'm1=https://10.0.0.11:2380,m3=https://[fd00::13]:2380');
    assert.deepEqual(container(text).livenessProbe.httpGet, { host: 'fd00::13', path: '/health', port: 2381, scheme: 'HTTP' });
    assert.equal(peerUrl(S, 'm3'), 'https://[fd00::13]:2380');
    assert.equal(clientUrl(S, 'm3'), 'https://[fd00::13]:2379');
  });

  test("extraArgs come after belay's flags, sorted; one naming a flag belay sets replaces it in place", () => {
    // (the spec refuses extraArgs for flags it has its own field for; the corrupt check is one it does not)
    const s = spec({
      extraArgs: { 'max-txn-ops': '256', 'auto-compaction-retention': '8', 'experimental-initial-corrupt-check': 'false', 'log-level': 'warn' },
    });
    const cmd = container(renderEtcdManifest(input({ spec: s }))).command;
    assert.deepEqual(cmd.slice(-3), ['--auto-compaction-retention=8', '--log-level=warn', '--max-txn-ops=256']);
    assert.equal(cmd.filter((c) => c.startsWith('--experimental-initial-corrupt-check=')).length, 1);
    assert.equal(flags(renderEtcdManifest(input({ spec: s }))).get('experimental-initial-corrupt-check'), 'false');
  });

  test("the pod: kubeadm's metadata, host network, probes on the metrics port, requests, image from the spec", () => {
    const text = renderEtcdManifest(input({ spec: spec({ image: 'registry.k8s.io/etcd:3.4.23-0', metricsPort: 12381 }) }));
    const p = pod(text);
    assert.equal(p.metadata.name, 'etcd');
    assert.equal(p.metadata.namespace, 'kube-system');
    assert.deepEqual(p.metadata.labels, { component: 'etcd', tier: 'control-plane' });
    assert.deepEqual(p.metadata.annotations, { 'kubeadm.kubernetes.io/etcd.advertise-client-urls': 'https://10.0.0.11:2379' });
    assert.equal(p.spec.hostNetwork, true);
    assert.equal(p.spec.priorityClassName, 'system-node-critical');
    const c = container(text);
    assert.equal(c.image, 'registry.k8s.io/etcd:3.4.23-0');
    const get = { host: '10.0.0.11', path: '/health', port: 12381, scheme: 'HTTP' };
    assert.deepEqual(c.livenessProbe, { httpGet: get, initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 15, failureThreshold: 8 });
    assert.deepEqual(c.startupProbe, { httpGet: get, initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 15, failureThreshold: 24 });
    assert.deepEqual(c.readinessProbe, { httpGet: get, periodSeconds: 2 });
    assert.match(text, /seccompProfile:\n\s+type: RuntimeDefault/);
    assert.match(text, /requests:\n\s+cpu: 100m\n\s+memory: 100Mi/);
  });

  test('deterministic: the same input gives the same bytes', () => {
    const a = renderEtcdManifest(input({ spec: spec({ extraArgs: { b: '1', a: '2' } }), state: 'existing', master: 'm2', initialCluster: [m1, m2] }));
    const b = renderEtcdManifest(input({ spec: spec({ extraArgs: { a: '2', b: '1' } }), state: 'existing', master: 'm2', initialCluster: [m1, m2] }));
    assert.equal(a, b);
    assert.equal(renderEtcdManifest(input()), renderEtcdManifest(input()));
  });

  test("passes the agent's own manifest validation, and the host runtime runs it with its health check and readiness", () => {
    const text = renderEtcdManifest(input({ root: '/tmp/x/m1' }));
    const parsed = parseManifest('etcd.yaml', text);
    assert.deepEqual(parsed.problems, []);
    assert.equal(parsed.valid, true);
    assert.equal(parsed.podName, 'etcd');
    assert.equal(parsed.namespace, 'kube-system');
    assert.deepEqual(parsed.hostPaths, [
      { name: 'etcd-data', path: '/tmp/x/m1/var/lib/etcd' },
      { name: 'etcd-certs', path: '/tmp/x/m1/etc/kubernetes/pki/etcd' },
    ]);
    const { defs, problems } = podServices(parsed.pod, { host: (p) => p, logDir: '/logs' });
    assert.deepEqual(problems, []);
    assert.equal(defs.length, 1);
    const [d] = defs;
    assert.equal(d?.name, 'etcd/etcd');
    assert.equal(d?.command?.[0], 'etcd');
    assert.deepEqual(d?.health, { type: 'http', url: 'http://10.0.0.11:2381/health' });
    assert.deepEqual(d?.readiness?.check, { type: 'http', url: 'http://10.0.0.11:2381/health' });
    assert.equal(d?.readiness?.periodMs, 2_000);
    assert.equal(d?.policy.failureThreshold, 8);
    // kubelet's startup budget: delay 10 s + 24 × 10 s
    assert.equal(d?.policy.startupGraceMs, 250_000);
  });

  test('refuses a master not in the spec, an initial cluster without it or with a name twice, and a peer URL the spec disagrees with', () => {
    throwsOperator(
      () => renderEtcdManifest(input({ master: 'm9', initialCluster: [{ name: 'm9', peerUrl: 'https://10.0.0.19:2380' }] })),
      'ETCD_RENDER_UNKNOWN_MASTER',
      'm9',
    );
    throwsOperator(() => renderEtcdManifest(input({ master: 'm2', state: 'existing', initialCluster: [m1] })), 'ETCD_RENDER_NOT_IN_INITIAL_CLUSTER', 'm2');
    throwsOperator(() => renderEtcdManifest(input({ initialCluster: [] })), 'ETCD_RENDER_NOT_IN_INITIAL_CLUSTER', 'empty');
    throwsOperator(() => renderEtcdManifest(input({ state: 'existing', initialCluster: [m1, m2, m1] })), 'ETCD_RENDER_DUPLICATE_MEMBER', 'm1');
    throwsOperator(
      () => renderEtcdManifest(input({ initialCluster: [{ name: 'm1', peerUrl: 'https://10.0.0.99:2380' }] })),
      'ETCD_RENDER_PEER_URL_MISMATCH',
      '10.0.0.99',
    );
    throwsOperator(() => peerUrl(S, 'm9'), 'ETCD_RENDER_UNKNOWN_MASTER', 'm9');
    throwsOperator(() => renderEtcdManifest(input({ root: 'relative/root' })), 'PATH_NOT_ABSOLUTE', 'relative/root');
  });
});
