import type * as grpc from '@grpc/grpc-js';
import path from 'node:path';
import YAML from 'yaml';
import { OperatorError } from '../../proto/common/errors.js';
import { belayProto, channelOptions, clientCredentials, DEFAULT_MAX_MESSAGE_BYTES, readTls } from '../../proto/common/grpc.js';
import { isRunning } from '../../proto/common/proc.js';
import type { StatusResponse__Output } from '../../proto/gen/belay/v1/StatusResponse.js';
import type { EtcdMembersResponse__Output } from '../../proto/gen/belay/v1/EtcdMembersResponse.js';
import type { Progress__Output } from '../../proto/gen/belay/v1/Progress.js';
import { COORDINATOR_DEFAULTS } from '../config.js';
import { tail } from './launch.js';
import type { DevState } from './state.js';

/** What dev up waits for, through the coordinators' API: daemons connected, etcd bootstrapped and complete, the control plane ready. */

/** Waits until every coordinator answers and sees every agent connected; fails early if a daemon died. */
export async function waitReady(state: DevState, timeoutMs: number, progress: (line: string) => void, ownOnly = false): Promise<void> {
  const tls = readTls({ ca: state.env.BELAY_CA, cert: state.env.BELAY_CERT, key: state.env.BELAY_KEY });
  const Client = belayProto().belay.v1.Coordinator;
  const clients = state.masters.map(
    (m) => new Client(`${m.address}:${COORDINATOR_DEFAULTS.port}`, clientCredentials(tls), channelOptions(DEFAULT_MAX_MESSAGE_BYTES)),
  );
  const deadline = Date.now() + timeoutMs;
  let last = 'no coordinator answered yet';
  try {
    for (;;) {
      const dead = state.processes.find((p) => !isRunning(p.pid, p.startTicks));
      if (dead) {
        throw new OperatorError({
          code: 'DEV_DAEMON_EXITED',
          message: `${dead.master} ${dead.role} exited during start-up:\n${tail(dead.log, 15)}`,
          hint: `full log: ${dead.log}`,
        });
      }
      const answers = await Promise.all(
        clients.map(
          (c) =>
            new Promise<StatusResponse__Output | undefined>((resolve) => {
              c.Status({}, { deadline: new Date(Date.now() + 1000) }, (err, res) => resolve(err ? undefined : res));
            }),
        ),
      );
      const waiting = answers.flatMap((a, i) =>
        a === undefined
          ? [`coordinator ${state.masters[i]?.name ?? i}`]
          : [
              ...a.nodes.filter((n) => !n.agentConnected && (!ownOnly || n.name === a.coordinator)).map((n) => `agent ${n.name} → ${a.coordinator}`),
              ...a.nodes.filter((n) => n.member?.state !== 'alive').map((n) => `gossip ${n.name} alive at ${a.coordinator}`),
            ],
      );
      if (waiting.length === 0) return;
      if (waiting.join(', ') !== last) {
        last = waiting.join(', ');
        progress(`waiting for ${last}`);
      }
      if (Date.now() > deadline) {
        throw new OperatorError({
          code: 'DEV_NOT_READY',
          message: `cluster not ready after ${timeoutMs} ms; still waiting for ${last}`,
          hint: `see the logs under ${state.dir}/*/var/log/belay/`,
        });
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  } finally {
    clients.forEach((c) => c.close());
  }
}

const CONTROL_PLANE_FILES = ['haproxy.yaml', 'kube-apiserver.yaml', 'kube-controller-manager.yaml', 'kube-scheduler.yaml'];

/** Waits until every control-plane pod of every master is ready, as the reports to the first coordinator show them. */
export async function waitControlPlane(state: DevState, names: string[], timeoutMs: number, progress: (line: string) => void): Promise<void> {
  const tls = readTls({ ca: state.env.BELAY_CA, cert: state.env.BELAY_CERT, key: state.env.BELAY_KEY });
  const c = new (belayProto().belay.v1.Coordinator)(state.env.BELAY_ENDPOINT, clientCredentials(tls), channelOptions(DEFAULT_MAX_MESSAGE_BYTES));
  const deadline = Date.now() + timeoutMs;
  let last = '';
  try {
    for (;;) {
      const res = await new Promise<StatusResponse__Output | undefined>((resolve) =>
        c.Status({}, { deadline: new Date(Date.now() + 10_000) }, (err, r) => resolve(err ? undefined : r)),
      );
      const notReady: string[] = [];
      for (const n of names) {
        const node = res?.nodes.find((x) => x.name === n);
        for (const f of CONTROL_PLANE_FILES) {
          const m = node?.report?.manifests.find((x) => x.file === f);
          if (!m?.podReady)
            notReady.push(`${n}/${f.replace(/\.yaml$/, '')}${m?.podNotReadyReason ? ` (${m.podNotReadyReason})` : m ? '' : ' (not there yet)'}`);
        }
      }
      if (notReady.length === 0) {
        progress(`control plane: ${names.length} × (haproxy, kube-apiserver, kube-controller-manager, kube-scheduler) ready`);
        return;
      }
      const line = `waiting for the control plane: ${notReady.length} pods not ready yet${res?.controlPlane ? `; ${res.controlPlane}` : ''}`;
      if (line !== last) progress(line);
      last = line;
      if (Date.now() > deadline)
        throw new OperatorError({
          code: 'DEV_CONTROL_PLANE_NOT_READY',
          message: `control plane not ready after ${timeoutMs} ms: ${notReady.join(', ')}`,
          hint: `see ${state.dir}/*/var/log/belay/ and ${state.dir}/*/var/log/belay/pods/`,
        });
      await new Promise((r) => setTimeout(r, 1_000));
    }
  } finally {
    c.close();
  }
}

/** Applies the spec, bootstraps etcd on the first master and waits until every master of the spec is a healthy member. */
export async function bootstrapDev(state: DevState, spec: string, timeoutMs: number, progress: (line: string) => void): Promise<void> {
  const tls = readTls({ ca: state.env.BELAY_CA, cert: state.env.BELAY_CERT, key: state.env.BELAY_KEY });
  const Client = belayProto().belay.v1.Coordinator;
  const c = new Client(state.env.BELAY_ENDPOINT, clientCredentials(tls), channelOptions(DEFAULT_MAX_MESSAGE_BYTES));
  const unaryCall = <T>(fn: (opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: T) => void) => unknown): Promise<T> =>
    new Promise((resolve, reject) => {
      fn({ deadline: new Date(Date.now() + 20_000) }, (err, res) => (err || res === undefined ? reject(err ?? new Error('empty answer')) : resolve(res)));
    });
  const first = YAML.parse(spec) as { spec: { masters: { name: string }[] } };
  const names = first.spec.masters.map((m) => m.name);
  const node = names[0] ?? 'm1';
  try {
    progress(`applying the Cluster spec (${path.join(state.dir, 'cluster.yaml')})`);
    await unaryCall((opts, cb) => c.ApplyCluster({ spec, dryRun: false, localOnly: false }, opts, cb));
    progress(`bootstrapping etcd on ${node}`);
    await new Promise<void>((resolve, reject) => {
      const s = c.Bootstrap({ node, dryRun: false }, { deadline: new Date(Date.now() + timeoutMs) });
      s.on('data', (p: Progress__Output) => {
        if (!p.done) progress(`  ${p.step}: ${p.message}`);
      });
      s.on('error', (err: grpc.ServiceError) =>
        reject(
          new OperatorError({
            code: 'DEV_BOOTSTRAP_FAILED',
            message: `bootstrap on ${node} failed: ${err.details}`,
            hint: `see ${state.dir}/*/var/log/belay/coordinator.log`,
          }),
        ),
      );
      s.on('end', resolve);
    });
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      const res = await unaryCall<EtcdMembersResponse__Output>((opts, cb) => c.EtcdMembers({}, opts, cb)).catch(() => undefined);
      const voters = (res?.members ?? []).filter((m) => m.role !== 'learner' && m.healthy).map((m) => m.name);
      const missing = names.filter((n) => !voters.includes(n));
      if (missing.length === 0) {
        progress(`etcd: ${names.length} healthy members (${names.join(', ')})`);
        return;
      }
      const status = await unaryCall<StatusResponse__Output>((opts, cb) => c.Status({}, opts, cb)).catch(() => undefined);
      const line = `waiting for etcd members ${missing.join(', ')}${status?.reconcile ? `: ${status.reconcile}` : ''}`;
      if (line !== last) progress(line);
      last = line;
      if (Date.now() > deadline)
        throw new OperatorError({
          code: 'DEV_ETCD_NOT_READY',
          message: `etcd not complete after ${timeoutMs} ms; ${line}`,
          hint: `see ${state.dir}/*/var/log/belay/coordinator.log and belayctl etcd members`,
        });
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    c.close();
  }
}
