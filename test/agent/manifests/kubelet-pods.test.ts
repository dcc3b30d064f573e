import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kubeletPodStatus, podsOfManifest, runsManifest, type KubeletPod } from '../../../agent/manifests/kubelet-pods.js';

/** A manifest as belay renders kube-apiserver.yaml (the parts that matter here). */
function manifest(o: { image?: string; args?: string[]; restartedAt?: string } = {}) {
  return {
    metadata: {
      name: 'kube-apiserver',
      namespace: 'kube-system',
      annotations: { 'belay.io/component': 'kube-apiserver', ...(o.restartedAt ? { 'kubectl.kubernetes.io/restartedAt': o.restartedAt } : {}) },
    },
    spec: {
      containers: [
        {
          name: 'kube-apiserver',
          image: o.image ?? 'registry.k8s.io/kube-apiserver:v1.31.0',
          command: ['kube-apiserver'],
          args: o.args ?? ['--secure-port=6443'],
          env: [{ name: 'A', value: '1' }],
        },
      ],
    },
  };
}

/** kubelet's /pods item for that manifest: its annotations plus kubelet's, the spec with kubelet's defaults added. */
function kubeletPod(m: ReturnType<typeof manifest>, o: { node?: string; ready?: boolean; hash?: string; phase?: string; waiting?: string } = {}): KubeletPod {
  return {
    metadata: {
      name: `${m.metadata.name}-${o.node ?? 'm1'}`,
      namespace: m.metadata.namespace,
      uid: o.hash ?? 'h1',
      annotations: {
        ...m.metadata.annotations,
        'kubernetes.io/config.hash': o.hash ?? 'h1',
        'kubernetes.io/config.source': 'file',
        'kubernetes.io/config.seen': '2026-11-26T10:00:00Z',
      },
    },
    spec: { containers: m.spec.containers.map((c) => ({ ...c, imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log' })) },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
      containerStatuses: [{ name: 'kube-apiserver', ready: o.ready !== false, state: o.waiting ? { waiting: { reason: o.waiting } } : { running: {} } }],
    },
  };
}

test("kubelet runs the manifest as written: same containers and annotations, kubelet's defaults and annotations aside", () => {
  const m = manifest();
  assert.equal(runsManifest(kubeletPod(m), m), true);
  assert.equal(runsManifest(kubeletPod(manifest({ image: 'registry.k8s.io/kube-apiserver:v1.31.1' })), m), false, 'another image');
  assert.equal(runsManifest(kubeletPod(manifest({ args: ['--secure-port=6443', '--v=2'] })), m), false, 'another flag');
  // belayctl rollout restart changes the annotation alone.
  assert.equal(runsManifest(kubeletPod(m), manifest({ restartedAt: '2026-11-26T10:00:00Z' })), false, 'restartedAt added');
  const envChanged = kubeletPod(m);
  envChanged.spec!.containers![0]!.env = [{ name: 'A', value: '2' }];
  assert.equal(runsManifest(envChanged, m), false, 'another env value');
});

test('the old pod, still ready while kubelet replaces it, is reported as another sha: a rollout does not take it for the new one', () => {
  const old = manifest();
  const next = manifest({ image: 'registry.k8s.io/kube-apiserver:v1.31.1' });
  const s = kubeletPodStatus(next, 'sha-new', [kubeletPod(old, { hash: 'old' })], 'm1');
  assert.equal(s.podReady, true);
  assert.equal(s.runningSha256, 'kubelet:old');
  assert.match(s.podNotReadyReason, /^$/);
  // Both listed (old stopping, new starting): the new one's state is what counts.
  const both = kubeletPodStatus(
    next,
    'sha-new',
    [kubeletPod(old, { hash: 'old', ready: false }), kubeletPod(next, { hash: 'new', ready: false, phase: 'Pending', waiting: 'ContainerCreating' })],
    'm1',
  );
  assert.deepEqual(both, { podPhase: 'Pending', podReady: false, podNotReadyReason: 'kube-apiserver: ContainerCreating', runningSha256: 'sha-new' });
  const ready = kubeletPodStatus(next, 'sha-new', [kubeletPod(old, { hash: 'old', ready: false }), kubeletPod(next, { hash: 'new' })], 'm1');
  assert.deepEqual(ready, { podPhase: 'Running', podReady: true, podNotReadyReason: '', runningSha256: 'sha-new' });
});

test("no pod from the manifest yet, or only another node's or namespace's pod of that name", () => {
  const m = manifest();
  assert.deepEqual(kubeletPodStatus(m, 'sha', [], 'm1'), {
    podPhase: 'Pending',
    podReady: false,
    podNotReadyReason: 'kubelet runs no pod from this manifest yet',
    runningSha256: '',
  });
  const elsewhere = kubeletPod(m);
  elsewhere.metadata!.namespace = 'default';
  const fromApi = kubeletPod(m);
  fromApi.metadata!.annotations!['kubernetes.io/config.source'] = 'api';
  assert.equal(kubeletPodStatus(m, 'sha', [elsewhere, fromApi], 'm1').runningSha256, '');
});

test("kubelet's node name other than belay's (a hostname override): the pod is found by its content", () => {
  const m = manifest();
  const p = kubeletPod(m, { node: 'master-1.example.org' });
  assert.deepEqual(podsOfManifest([p], m, 'm1'), [p]);
  assert.equal(kubeletPodStatus(m, 'sha', [p], 'm1').runningSha256, 'sha');
  // A pod of another manifest whose name starts the same is not taken for it.
  const other = manifest({ args: ['--secure-port=6444'] });
  other.metadata.name = 'kube-apiserver-canary';
  assert.deepEqual(podsOfManifest([kubeletPod(other, { node: 'x' })], m, 'm1'), []);
});
