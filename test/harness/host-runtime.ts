import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { HostRuntime } from '../../agent/manifests/host-runtime.js';
import { ManifestInventory } from '../../agent/manifests/inventory.js';
import { ManifestStore } from '../../agent/manifests/store.js';
import { ManifestWatcher } from '../../agent/manifests/watcher.js';
import { EventLog } from '../../agent/report/events.js';
import { Supervisor } from '../../agent/supervisor/supervisor.js';
import { silentLogger } from '../../proto/common/log.js';
import type { AgentEvent } from '../../proto/gen/belay/v1/AgentEvent.js';
import { etcdFlags } from './etcd.js';

/** The agent's host runtime over a temp manifests dir, with a real supervisor, for integration tests; removed after the test. */

/** A kubeadm-like etcd static pod on free loopback ports, with its data dir under `dir`. */
export function etcdManifest(dir: string, client: number, peer: number, extra: string[] = []): string {
  const flags = etcdFlags(dir, client, peer, extra);
  return `apiVersion: v1
kind: Pod
metadata:
  name: etcd
  namespace: kube-system
  labels: { component: etcd, tier: control-plane }
spec:
  hostNetwork: true
  priorityClassName: system-node-critical
  terminationGracePeriodSeconds: 5
  containers:
  - name: etcd
    image: registry.k8s.io/etcd:3.5.12-0
    command:
    - etcd
${flags.map((f) => `    - ${f}`).join('\n')}
    livenessProbe:
      httpGet: { host: 127.0.0.1, path: /health, port: ${client}, scheme: HTTP }
      periodSeconds: 1
      timeoutSeconds: 1
      failureThreshold: 3
    startupProbe:
      httpGet: { host: 127.0.0.1, path: /health, port: ${client}, scheme: HTTP }
      periodSeconds: 1
      failureThreshold: 24
    volumeMounts:
    - { name: etcd-data, mountPath: ${dir}/etcd }
  volumes:
  - name: etcd-data
    hostPath: { path: ${dir}/etcd, type: DirectoryOrCreate }
`;
}

export async function hostRuntime(
  t: TestContext,
  o: { etcdStartGate?: () => Promise<string | undefined> } = {},
): Promise<{ dir: string; manifests: string; events: AgentEvent[]; sup: Supervisor; rt: HostRuntime; pid(): number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-host-'));
  const manifests = path.join(dir, 'manifests');
  const events: AgentEvent[] = [];
  const log = new EventLog({ node: 'm1', agentInstance: 't', log: silentLogger(), nowMs: Date.now });
  log.onEvent((e) => events.push(e));
  const raise = (e: Parameters<EventLog['raise']>[0]): void => void log.raise(e);
  const store = new ManifestStore({ manifestsDir: manifests, historyDir: path.join(dir, 'history') });
  const inventory = new ManifestInventory({ manifestsDir: manifests, store, raise });
  const watcher = new ManifestWatcher({ manifestsDir: manifests, inventory, log: silentLogger() });
  const sup = new Supervisor([], { stateDir: path.join(dir, 'state'), logDir: path.join(dir, 'logs'), log: silentLogger(), raise });
  await sup.start();
  await watcher.start();
  const rt = new HostRuntime({ inventory, supervisor: sup, host: (p) => p, podLogDir: path.join(dir, 'pods'), log: silentLogger(), raise, ...o });
  rt.start();
  t.after(async () => {
    await watcher.stop();
    rt.stop();
    for (const s of sup.list()) await sup.remove(s.name ?? '', 2_000);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { dir, manifests, events, sup, rt, pid: () => sup.list().find((s) => s.name === 'etcd/etcd')?.pid ?? 0 };
}

export const write = (file: string, content: string): void => {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
};
