import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import YAML from 'yaml';
import { parseManifest } from '../../../agent/manifests/parse.js';
import { podServices } from '../../../agent/manifests/pod-services.js';
import { parseClusterSpec, type ClusterSpec } from '../../../coordinator/cluster/spec.js';
import {
  etcdServers,
  renderApiserverManifest,
  renderControllerManagerManifest,
  renderSchedulerManifest,
  shutdownDelaySeconds,
  type ControlPlaneRenderInput,
} from '../../../coordinator/controlplane/render.js';
import { OperatorError } from '../../../proto/common/errors.js';

function spec(extra: Record<string, unknown> = {}): ClusterSpec {
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
        ...extra,
      },
    }),
  );
}

const S = spec();
type Render = (i: ControlPlaneRenderInput) => string;
const RENDERERS: [string, Render][] = [
  ['kube-apiserver', renderApiserverManifest],
  ['kube-scheduler', renderSchedulerManifest],
  ['kube-controller-manager', renderControllerManagerManifest],
];

interface Probe {
  httpGet: { host: string; path: string; port: number; scheme: string };
  periodSeconds: number;
  failureThreshold: number;
}
interface Container {
  name: string;
  image: string;
  command: string[];
  livenessProbe: Probe;
  readinessProbe: Probe;
  startupProbe: Probe;
  volumeMounts: { name: string; mountPath: string }[];
}
interface Pod {
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    hostNetwork: boolean;
    priorityClassName: string;
    terminationGracePeriodSeconds?: number;
    containers: Container[];
    volumes: { name: string; hostPath: { path: string; type: string } }[];
  };
}

function pod(text: string): Pod {
  return YAML.parse(text) as Pod;
}
function container(text: string): Container {
  const c = pod(text).spec.containers[0];
  assert.ok(c);
  return c;
}
/** --k=v flags as a map, asserting they are sorted and none repeats. */
function flags(text: string, name: string): Map<string, string> {
  const [cmd, ...rest] = container(text).command;
  assert.equal(cmd, name);
  assert.deepEqual(rest, [...rest].sort(), 'flags are sorted, as kubeadm sorts them');
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
function withSpec(edit: (s: ClusterSpec) => void): ClusterSpec {
  const s = structuredClone(S);
  edit(s);
  return s;
}

describe('every control-plane manifest', () => {
  for (const [name, render] of RENDERERS) {
    test(`${name}: kubeadm's shape: labels, priority, host network, image`, () => {
      const text = render({ spec: S, master: 'm1', root: '/' });
      const p = pod(text);
      assert.equal(p.metadata.name, name);
      assert.equal(p.metadata.namespace, 'kube-system');
      assert.deepEqual(p.metadata.labels, { component: name, tier: 'control-plane' });
      assert.equal(p.spec.hostNetwork, true);
      assert.equal(p.spec.priorityClassName, 'system-node-critical');
      assert.equal(container(text).image, `registry.k8s.io/${name}:v1.31.0`);
    });

    test(`${name}: same input, same bytes`, () => {
      const a = render({ spec: S, master: 'm2', root: '/srv/m2' });
      assert.equal(render({ spec: spec(), master: 'm2', root: '/srv/m2' }), a);
      assert.notEqual(render({ spec: S, master: 'm1', root: '/srv/m2' }), a);
    });

    test(`${name}: every host path in flags and volumes is under the root`, () => {
      const root = '/tmp/belay/m3';
      const text = render({ spec: S, master: 'm3', root });
      const paths = [...flags(text, name).values()].filter((v) => v.startsWith('/'));
      const p = pod(text);
      paths.push(...p.spec.volumes.map((v) => v.hostPath.path), ...container(text).volumeMounts.map((m) => m.mountPath));
      assert.ok(paths.length >= 2);
      for (const path of paths) assert.ok(path.startsWith(`${root}/`), path);
      // On a real master the paths are kubeadm's.
      const real = render({ spec: S, master: 'm3', root: '/' });
      for (const v of pod(real).spec.volumes) assert.ok(!v.hostPath.path.startsWith('/tmp'), v.hostPath.path);
      assert.ok(real.includes('/etc/kubernetes/'));
    });

    test(`${name}: binds and probes the master's own address over HTTPS`, () => {
      const text = render({ spec: S, master: 'm3', root: '/' });
      assert.equal(flags(text, name).get('bind-address'), 'fd00::13');
      const c = container(text);
      for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
        assert.equal(probe.httpGet.host, 'fd00::13');
        assert.equal(probe.httpGet.scheme, 'HTTPS');
        assert.equal(String(probe.httpGet.port), flags(text, name).get('secure-port'));
      }
      assert.equal(c.readinessProbe.periodSeconds, 1);
      assert.equal(c.startupProbe.failureThreshold, 24);
    });

    test(`${name}: the agent's manifest validation accepts it`, () => {
      const parsed = parseManifest(`${name}.yaml`, render({ spec: S, master: 'm2', root: '/tmp/belay/m2' }));
      assert.deepEqual(parsed.problems, []);
      assert.equal(parsed.valid, true);
      assert.equal(parsed.podName, name);
      assert.equal(parsed.namespace, 'kube-system');
    });

    test(`${name}: the host runtime runs it with health and readiness checks`, () => {
      const parsed = parseManifest(`${name}.yaml`, render({ spec: S, master: 'm2', root: '/tmp/belay/m2' }));
      const { defs, problems } = podServices(parsed.pod, { host: (p) => p, logDir: '/tmp/belay/m2/var/log/belay' });
      assert.deepEqual(problems, []);
      assert.equal(defs.length, 1);
      const d = defs[0];
      assert.ok(d);
      assert.equal(d.command?.[0], name);
      assert.ok(d.health, 'health check from the liveness probe');
      assert.ok(d.readiness, 'readiness from the readiness probe');
      assert.match(JSON.stringify(d.health), /"url":"https:\/\/10\.0\.0\.12:\d+\/(livez|healthz)"/);
      assert.match(JSON.stringify(d.readiness), /"url":"https:\/\/10\.0\.0\.12:\d+\/(readyz|healthz)"/);
    });

    test(`${name}: an unknown master is refused`, () => {
      throwsOperator(() => render({ spec: S, master: 'm9', root: '/' }), 'CONTROLPLANE_RENDER_UNKNOWN_MASTER', 'm9');
    });

    // The spec refuses these already (below); the renderer checks again, for a spec that bypassed parsing.
    const field = name === 'kube-apiserver' ? 'apiserver' : name === 'kube-scheduler' ? 'scheduler' : 'controllerManager';
    const withArgs = (extraArgs: Record<string, string>): ClusterSpec =>
      withSpec((x) => {
        x.spec[field].extraArgs = extraArgs;
      });

    test(`${name}: a typo in extraArgs is refused, naming the closest flag`, () => {
      throwsOperator(
        () => render({ spec: withArgs({ 'log-flush-frequncy': '5s' }), master: 'm1', root: '/' }),
        'CONTROLPLANE_RENDER_BAD_EXTRA_ARGS',
        '"log-flush-frequency"',
      );
      assert.throws(
        () => spec({ [field]: { extraArgs: { 'log-flush-frequncy': '5s' } } }),
        new RegExp(`spec\\.${field}\\.extraArgs\\.log-flush-frequncy: .*did you mean "log-flush-frequency"`),
      );
    });

    test(`${name}: an owned flag in extraArgs is refused`, () => {
      throwsOperator(
        () => render({ spec: withArgs({ 'bind-address': '0.0.0.0' }), master: 'm1', root: '/' }),
        'CONTROLPLANE_RENDER_BAD_EXTRA_ARGS',
        'bind-address: is set by belay',
      );
      assert.throws(
        () => spec({ [field]: { extraArgs: { 'bind-address': '0.0.0.0' } } }),
        new RegExp(`spec\\.${field}\\.extraArgs\\.bind-address: .*is set by belay`),
      );
    });

    test(`${name}: an image without a tag is refused`, () => {
      for (const image of ['registry.k8s.io/some-image', 'registry:5000/some-image']) {
        const s = withSpec((x) => {
          x.spec.apiserver.image = image;
          x.spec.scheduler.image = image;
          x.spec.controllerManager.image = image;
        });
        throwsOperator(() => render({ spec: s, master: 'm1', root: '/' }), 'CONTROLPLANE_RENDER_IMAGE_WITHOUT_TAG', image);
      }
      const ok = `registry:5000/${name}:v1.31.2@sha256:${'a'.repeat(64)}`;
      const s = withSpec((x) => {
        x.spec.apiserver.image = ok;
        x.spec.scheduler.image = ok;
        x.spec.controllerManager.image = ok;
      });
      assert.equal(container(render({ spec: s, master: 'm1', root: '/' })).image, ok);
    });
  }
});

describe('renderApiserverManifest', () => {
  test('etcd-servers: the local member first, then the others in spec order', () => {
    for (const [master, first] of [
      ['m1', 'https://10.0.0.11:2379'],
      ['m2', 'https://10.0.0.12:2379'],
      ['m3', 'https://[fd00::13]:2379'],
    ] as const) {
      const servers =
        flags(renderApiserverManifest({ spec: S, master, root: '/' }), 'kube-apiserver')
          .get('etcd-servers')
          ?.split(',') ?? [];
      assert.equal(servers[0], first);
      assert.deepEqual([...servers].sort(), ['https://10.0.0.11:2379', 'https://10.0.0.12:2379', 'https://[fd00::13]:2379']);
      assert.deepEqual(servers, etcdServers(S, master));
    }
    assert.deepEqual(etcdServers(S, 'm2'), ['https://10.0.0.12:2379', 'https://10.0.0.11:2379', 'https://[fd00::13]:2379']);
  });

  test('an apiserver with no etcd member is refused', () => {
    const s = withSpec((x) => {
      x.spec.masters = [];
    });
    throwsOperator(() => renderApiserverManifest({ spec: s, master: 'm1', root: '/' }), 'CONTROLPLANE_RENDER_NO_ETCD', 'no etcd member');
  });

  test("kubeadm's flags with belay's HA settings", () => {
    const f = flags(renderApiserverManifest({ spec: S, master: 'm2', root: '/' }), 'kube-apiserver');
    const expected: Record<string, string> = {
      'advertise-address': '10.0.0.12',
      'bind-address': '10.0.0.12',
      'secure-port': '6443',
      'endpoint-reconciler-type': 'lease',
      'etcd-cafile': '/etc/kubernetes/pki/etcd/ca.crt',
      'etcd-certfile': '/etc/kubernetes/pki/apiserver-etcd-client.crt',
      'etcd-keyfile': '/etc/kubernetes/pki/apiserver-etcd-client.key',
      'service-cluster-ip-range': '10.96.0.0/12',
      'client-ca-file': '/etc/kubernetes/pki/ca.crt',
      'tls-cert-file': '/etc/kubernetes/pki/apiserver.crt',
      'tls-private-key-file': '/etc/kubernetes/pki/apiserver.key',
      'kubelet-client-certificate': '/etc/kubernetes/pki/apiserver-kubelet-client.crt',
      'kubelet-client-key': '/etc/kubernetes/pki/apiserver-kubelet-client.key',
      'proxy-client-cert-file': '/etc/kubernetes/pki/front-proxy-client.crt',
      'proxy-client-key-file': '/etc/kubernetes/pki/front-proxy-client.key',
      'requestheader-client-ca-file': '/etc/kubernetes/pki/front-proxy-ca.crt',
      'requestheader-allowed-names': 'front-proxy-client',
      'service-account-issuer': 'https://kubernetes.default.svc.cluster.local',
      'service-account-key-file': '/etc/kubernetes/pki/sa.pub',
      'service-account-signing-key-file': '/etc/kubernetes/pki/sa.key',
      'allow-privileged': 'true',
      'authorization-mode': 'Node,RBAC',
      'enable-admission-plugins': 'NodeRestriction',
      'shutdown-delay-duration': '2s',
    };
    for (const [k, v] of Object.entries(expected)) assert.equal(f.get(k), v, k);
  });

  test('kubeadm probes on the secure port, and the advertise-address annotation', () => {
    const s = spec({ apiserver: { securePort: 7443 }, networking: { dnsDomain: 'corp.example' } });
    const text = renderApiserverManifest({ spec: s, master: 'm3', root: '/' });
    const c = container(text);
    assert.deepEqual([c.livenessProbe.httpGet.path, c.readinessProbe.httpGet.path, c.startupProbe.httpGet.path], ['/livez', '/readyz', '/livez']);
    assert.equal(c.livenessProbe.httpGet.port, 7443);
    assert.equal(c.livenessProbe.failureThreshold, 8);
    assert.equal(pod(text).metadata.annotations?.['kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint'], '[fd00::13]:7443');
    assert.equal(flags(text, 'kube-apiserver').get('service-account-issuer'), 'https://kubernetes.default.svc.corp.example');
  });

  test('the shutdown delay outlasts the balancer noticing, and the grace period outlasts the delay', () => {
    for (const [checkIntervalMs, fall, seconds] of [
      [500, 2, 2],
      [2000, 3, 8],
      [300, 1, 1],
      [700, 4, 4],
    ] as const) {
      const s = spec({ loadBalancer: { checkIntervalMs, fall } });
      assert.equal(shutdownDelaySeconds(s), seconds);
      assert.ok(seconds * 1000 >= (fall + 1) * checkIntervalMs);
      const text = renderApiserverManifest({ spec: s, master: 'm1', root: '/' });
      assert.equal(flags(text, 'kube-apiserver').get('shutdown-delay-duration'), `${seconds}s`);
      assert.equal(pod(text).spec.terminationGracePeriodSeconds, seconds + 30);
    }
  });

  test('extraArgs are added sorted, and override a belay default in place', () => {
    const s = spec({ apiserver: { extraArgs: { 'audit-log-path': '-', 'authorization-mode': 'Node,RBAC,Webhook', v: '2' } } });
    const f = flags(renderApiserverManifest({ spec: s, master: 'm1', root: '/' }), 'kube-apiserver');
    assert.equal(f.get('audit-log-path'), '-');
    assert.equal(f.get('authorization-mode'), 'Node,RBAC,Webhook');
    assert.equal(f.get('v'), '2');
  });

  test('--audit-log-pat is refused, naming audit-log-path', () => {
    const s = withSpec((x) => {
      x.spec.apiserver.extraArgs = { 'audit-log-pat': '/var/log/kubernetes/audit.log' };
    });
    throwsOperator(() => renderApiserverManifest({ spec: s, master: 'm1', root: '/' }), 'CONTROLPLANE_RENDER_BAD_EXTRA_ARGS', 'did you mean "audit-log-path"');
  });

  test('etcd-servers in extraArgs is refused: an apiserver pointed at no member of this cluster', () => {
    assert.throws(
      () => spec({ apiserver: { extraArgs: { 'etcd-servers': 'https://10.0.0.99:2379' } } }),
      /spec\.apiserver\.extraArgs\.etcd-servers: .*is set by belay/,
    );
    const s = withSpec((x) => {
      x.spec.apiserver.extraArgs = { 'etcd-servers': 'https://10.0.0.99:2379' };
    });
    throwsOperator(() => renderApiserverManifest({ spec: s, master: 'm1', root: '/' }), 'CONTROLPLANE_RENDER_BAD_EXTRA_ARGS', 'etcd-servers');
  });
});

describe('renderSchedulerManifest', () => {
  test("kubeadm's flags, on the master's address and the scheduler's port", () => {
    const f = flags(renderSchedulerManifest({ spec: S, master: 'm1', root: '/' }), 'kube-scheduler');
    assert.deepEqual(Object.fromEntries(f), {
      'authentication-kubeconfig': '/etc/kubernetes/scheduler.conf',
      'authorization-kubeconfig': '/etc/kubernetes/scheduler.conf',
      'bind-address': '10.0.0.11',
      kubeconfig: '/etc/kubernetes/scheduler.conf',
      'leader-elect': 'true',
      'secure-port': '10259',
    });
    const c = container(renderSchedulerManifest({ spec: S, master: 'm1', root: '/' }));
    assert.deepEqual([c.livenessProbe.httpGet.path, c.readinessProbe.httpGet.path, c.startupProbe.httpGet.path], ['/healthz', '/healthz', '/healthz']);
  });
});

describe('renderControllerManagerManifest', () => {
  test("kubeadm's flags; node CIDRs only with a pod subnet", () => {
    const f = flags(renderControllerManagerManifest({ spec: S, master: 'm1', root: '/' }), 'kube-controller-manager');
    assert.equal(f.get('secure-port'), '10257');
    assert.equal(f.get('bind-address'), '10.0.0.11');
    assert.equal(f.get('kubeconfig'), '/etc/kubernetes/controller-manager.conf');
    assert.equal(f.get('cluster-signing-cert-file'), '/etc/kubernetes/pki/ca.crt');
    assert.equal(f.get('cluster-signing-key-file'), '/etc/kubernetes/pki/ca.key');
    assert.equal(f.get('root-ca-file'), '/etc/kubernetes/pki/ca.crt');
    assert.equal(f.get('service-account-private-key-file'), '/etc/kubernetes/pki/sa.key');
    assert.equal(f.get('requestheader-client-ca-file'), '/etc/kubernetes/pki/front-proxy-ca.crt');
    assert.equal(f.get('use-service-account-credentials'), 'true');
    assert.equal(f.get('controllers'), '*,bootstrapsigner,tokencleaner');
    assert.equal(f.get('leader-elect'), 'true');
    assert.equal(f.get('cluster-name'), 'prod');
    for (const k of ['allocate-node-cidrs', 'cluster-cidr', 'service-cluster-ip-range', 'flex-volume-plugin-dir']) assert.ok(!f.has(k), k);

    const withPods = flags(
      renderControllerManagerManifest({ spec: spec({ networking: { podSubnet: '10.244.0.0/16' } }), master: 'm1', root: '/' }),
      'kube-controller-manager',
    );
    assert.equal(withPods.get('allocate-node-cidrs'), 'true');
    assert.equal(withPods.get('cluster-cidr'), '10.244.0.0/16');
    assert.equal(withPods.get('service-cluster-ip-range'), '10.96.0.0/12');
  });

  test("kubeadm's volumes, sorted by name; the flexvolume dir writable and, under a root, in the flags", () => {
    const text = renderControllerManagerManifest({ spec: S, master: 'm1', root: '/r' });
    const p = pod(text);
    assert.deepEqual(
      p.spec.volumes.map((v) => v.name),
      ['ca-certs', 'etc-ca-certificates', 'flexvolume-dir', 'k8s-certs', 'kubeconfig', 'usr-local-share-ca-certificates', 'usr-share-ca-certificates'],
    );
    const flex = container(text).volumeMounts.find((m) => m.name === 'flexvolume-dir');
    assert.deepEqual(flex, { name: 'flexvolume-dir', mountPath: '/r/usr/libexec/kubernetes/kubelet-plugins/volume/exec' });
    assert.equal(flags(text, 'kube-controller-manager').get('flex-volume-plugin-dir'), flex?.mountPath);
  });
});

describe('rollout restart: restartedAt', () => {
  for (const [name, render] of RENDERERS) {
    test(`${name}: the annotation kubectl rollout restart sets, and nothing else changes; unset, no annotation added`, () => {
      const key = name === 'kube-apiserver' ? 'apiserver' : name === 'kube-scheduler' ? 'scheduler' : 'controllerManager';
      const at = '2026-11-26T07:30:00.000Z';
      const restarted = spec({ [key]: { restartedAt: at } });
      const before = pod(render({ spec: S, master: 'm2', root: '/' }));
      const after = pod(render({ spec: restarted, master: 'm2', root: '/' }));
      assert.equal(after.metadata.annotations?.['kubectl.kubernetes.io/restartedAt'], at);
      const { 'kubectl.kubernetes.io/restartedAt': _, ...rest } = after.metadata.annotations ?? {};
      assert.deepEqual(Object.keys(rest).length > 0 ? rest : undefined, before.metadata.annotations, 'the other annotations as before');
      assert.deepEqual(after.spec, before.spec, 'the pod spec as before');
      // Without it the scheduler and controller-manager have no annotations at all, as before restarts existed.
      if (name !== 'kube-apiserver') assert.equal(before.metadata.annotations, undefined);
    });
  }
  test('a restartedAt that is not an RFC 3339 time is refused by the spec', () => {
    assert.throws(() => spec({ apiserver: { restartedAt: 'yesterday' } }), /restartedAt.*RFC 3339/);
  });
});
