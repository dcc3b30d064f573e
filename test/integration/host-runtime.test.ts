import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { liveProc } from '../../agent/supervisor/liveness.js';
import { eventually } from '../harness/cluster.js';
import { etcdHealthy, freePort } from '../harness/etcd.js';
import { requireBinary } from '../harness/runtimes.js';
import { etcdManifest, hostRuntime, write } from '../harness/host-runtime.js';

test('host runtime: a kubeadm-like etcd static pod runs on real etcd, restarts on a changed flag and on kill -9, is untouched by a broken file, stops when removed', async (t) => {
  if (!requireBinary(t, 'etcd', 'etcd-server') || !requireBinary(t, 'etcdctl', 'etcd-client')) return;
  const h = await hostRuntime(t);
  const [client, peer] = [await freePort(), await freePort()];
  const file = path.join(h.manifests, 'etcd.yaml');
  // given the manifest is written
  const t0 = performance.now();
  write(file, etcdManifest(h.dir, client, peer));
  // then etcd runs and is healthy
  await eventually(
    async () => assert.ok(await etcdHealthy(client), `etcd not healthy; events: ${h.events.map((e) => `${e.service}:${e.kind}:${e.message}`).join(' | ')}`),
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  t.diagnostic(`manifest written → etcd healthy (etcdctl endpoint health): ${(performance.now() - t0).toFixed(0)} ms`);
  const first = h.pid();
  assert.ok(first > 0);

  // when a flag changes, etcd is restarted with it
  write(file, etcdManifest(h.dir, client, peer, ['--snapshot-count=5000']));
  await eventually(
    () => {
      const pid = h.pid();
      assert.ok(pid && pid !== first);
      assert.match(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'), /--snapshot-count=5000/);
    },
    { timeoutMs: 20_000, intervalMs: 100 },
  );
  assert.equal(liveProc(first), undefined, 'the old etcd is gone');
  await eventually(async () => assert.ok(await etcdHealthy(client)), { timeoutMs: 30_000, intervalMs: 200 });

  // kill -9: restarted
  const second = h.pid();
  process.kill(second, 'SIGKILL');
  await eventually(() => assert.ok(h.pid() && h.pid() !== second), { timeoutMs: 10_000, intervalMs: 50 });
  await eventually(async () => assert.ok(await etcdHealthy(client)), { timeoutMs: 30_000, intervalMs: 200 });

  // a broken file, and one written a few bytes at a time, leave the running pod alone
  const running = h.pid();
  fs.writeFileSync(file, 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: etcd\n   oops: [\n');
  await eventually(() => assert.ok(h.events.some((e) => e.kind === 'ManifestInvalid')), { timeoutMs: 5_000 });
  const fd = fs.openSync(file, 'w');
  const good = etcdManifest(h.dir, client, peer, ['--snapshot-count=5000']);
  for (let i = 0; i < good.length; i += 37) {
    fs.writeSync(fd, good.slice(i, i + 37));
    await new Promise((r) => setTimeout(r, 2));
  }
  fs.closeSync(fd);
  await new Promise((r) => setTimeout(r, 1_500));
  assert.equal(h.pid(), running, 'not restarted: the content ended as it was running');
  assert.ok(await etcdHealthy(client));

  // removed: stopped, and not restarted
  fs.rmSync(file);
  await eventually(() => assert.equal(liveProc(running), undefined), { timeoutMs: 15_000, intervalMs: 100 });
  assert.equal(h.sup.list().length, 0);
  assert.equal(await etcdHealthy(client), false);
  // its output went to the pod log
  assert.match(fs.readFileSync(path.join(h.dir, 'pods', 'kube-system_etcd_etcd.log'), 'utf8'), /etcd/);
});

test('host runtime: readiness per container and per pod, from the readiness probe; readiness never restarts anything', async (t) => {
  const h = await hostRuntime(t);
  const flag = path.join(h.dir, 'ready-flag');
  write(
    path.join(h.manifests, 'web.yaml'),
    `apiVersion: v1
kind: Pod
metadata: { name: web, namespace: kube-system }
spec:
  hostNetwork: true
  terminationGracePeriodSeconds: 2
  containers:
  - name: server
    image: example/web:1
    command: [sleep, "300"]
    readinessProbe:
      exec: { command: [test, -f, ${flag}] }
      periodSeconds: 1
      failureThreshold: 2
  - name: helper
    image: example/helper:1
    command: [sleep, "300"]
`,
  );
  const server = (): { ready?: boolean; notReadyReason?: string; pid?: number } => h.sup.list().find((s) => s.name === 'web/server') ?? {};
  await eventually(() => assert.equal(h.rt.podStatus('web.yaml').podPhase, 'Running'), { timeoutMs: 10_000 });
  const pid = server().pid;
  const pending = h.rt.podStatus('web.yaml');
  assert.equal(pending.podReady, false);
  assert.match(pending.podNotReadyReason, /^server: /, 'only the container with a failing probe is named');
  assert.doesNotMatch(pending.podNotReadyReason, /helper/);
  fs.writeFileSync(flag, '');
  await eventually(() => assert.equal(h.rt.podStatus('web.yaml').podReady, true), { timeoutMs: 5_000 });
  assert.equal(server().ready, true);
  fs.rmSync(flag);
  await eventually(() => assert.equal(h.rt.podStatus('web.yaml').podReady, false), { timeoutMs: 6_000 });
  assert.match(server().notReadyReason ?? '', /readiness probe failed/);
  assert.equal(server().pid, pid, 'a failing readiness probe restarts nothing');
  assert.ok(h.events.some((e) => e.kind === 'Ready' && e.service === 'web/server'));
  assert.ok(h.events.some((e) => e.kind === 'NotReady' && e.service === 'web/server'));
  assert.equal(h.rt.podStatus('absent.yaml').podPhase, 'Stopped');
});

test('host runtime: makes hostPath DirectoryOrCreate dirs and FileOrCreate files before the pod starts, as kubelet does; leaves other types alone', async (t) => {
  const h = await hostRuntime(t);
  const made = path.join(h.dir, 'run/belay/haproxy');
  const file = path.join(h.dir, 'var/log/audit.log');
  const absent = path.join(h.dir, 'must-exist');
  write(
    path.join(h.manifests, 'vols.yaml'),
    `apiVersion: v1
kind: Pod
metadata: { name: vols, namespace: kube-system }
spec:
  hostNetwork: true
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: example/c:1
    command: [sh, -c, "test -d ${made} && test -f ${file} && exec sleep 300"]
    volumeMounts:
    - { name: sock, mountPath: /run/haproxy }
    - { name: audit, mountPath: /var/log/audit.log }
    - { name: plain, mountPath: /plain }
  volumes:
  - { name: sock, hostPath: { path: ${made}, type: DirectoryOrCreate } }
  - { name: audit, hostPath: { path: ${file}, type: FileOrCreate } }
  - { name: plain, hostPath: { path: ${absent}, type: Directory } }
`,
  );
  // The command checks both exist before it sleeps: a pod started before they were made would exit and back off.
  await eventually(() => assert.equal(h.rt.podStatus('vols.yaml').podPhase, 'Running'), { timeoutMs: 10_000 });
  assert.equal(fs.statSync(made).isDirectory(), true);
  assert.equal(fs.statSync(file).size, 0);
  assert.equal(fs.existsSync(absent), false, 'a plain Directory volume is not made');
  const pid = h.sup.list().find((s) => s.name === 'vols/c')?.pid;
  await new Promise((r) => setTimeout(r, 1_500));
  assert.equal(h.sup.list().find((s) => s.name === 'vols/c')?.pid, pid, 'still the first process: it never exited');
});
