import { spawn } from 'node:child_process';
import type * as grpc from '@grpc/grpc-js';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { OperatorError, errorText } from '../../proto/common/errors.js';
import { belayProto, channelOptions, clientCredentials, DEFAULT_MAX_MESSAGE_BYTES, readTls } from '../../proto/common/grpc.js';
import { isRunning, readProcStat } from '../../proto/common/proc.js';
import type { StatusResponse__Output } from '../../proto/gen/belay/v1/StatusResponse.js';
import type { EtcdMembersResponse__Output } from '../../proto/gen/belay/v1/EtcdMembersResponse.js';
import type { Progress__Output } from '../../proto/gen/belay/v1/Progress.js';
import type { CoordinatorConfigFile } from '../config.js';
import { COORDINATOR_DEFAULTS } from '../config.js';
import { initPki } from '../pki/init.js';
import { formatKey, generateKey } from '../transport/keyring.js';

/**
 * A local cluster of N masters on one machine: agent + coordinator each, own
 * --root under one directory, own loopback address, mutual TLS. Used by
 * `belayctl dev up|ps|down` and by the e2e test harness (test/harness), so
 * that the tests exercise exactly what the demo runs.
 */

export type Role = 'agent' | 'coordinator';

export interface DevProcess {
  master: string;
  role: Role;
  pid: number;
  /** Kernel start time (clock ticks after boot): with pid, the process's identity. */
  startTicks: number;
  address: string;
  root: string;
  config: string;
  log: string;
}

export interface DevState {
  dir: string;
  startedAtMs: number;
  masters: { name: string; address: string; root: string }[];
  processes: DevProcess[];
  /** What belayctl needs, for `export`. */
  env: { BELAY_ENDPOINT: string; BELAY_CA: string; BELAY_CERT: string; BELAY_KEY: string };
}

/**
 * The agent.yaml dev up writes for each master: the fields it sets, as
 * docs/config.md describes them. The coordinator does not import the agent's
 * code (.dependency-cruiser.cjs): the agent validates this file when it starts.
 */
interface DevAgentFile {
  node: { name: string; address: string };
  coordinators: string[];
  /** Supervised services by name (docs/config.md, `services`). */
  services: Record<string, Record<string, unknown>>;
  runtime: 'host' | 'kubelet';
  kubelet?: { podsUrl: string };
  report?: { intervalMs: number };
}

export interface DevUpOptions {
  masters: number;
  dir: string;
  baseAddress: string;
  /** Between host reports; tests use less than the 5 s default. */
  reportIntervalMs?: number;
  logFormat?: 'json' | 'text';
  /** How long to wait for every agent to be connected to every coordinator. */
  readyTimeoutMs?: number;
  /** Progress lines for a person ("starting m1 agent ..."). */
  progress?: (line: string) => void;
  /** Which coordinators each agent reports to: all (default) or only its own master's (the others know it through gossip). */
  agentReportsTo?: 'all' | 'own';
  /** How agents run static pods: host (default: a dev machine has no kubelet) or kubelet (written for a kubelet to run). */
  runtime?: 'host' | 'kubelet';
  /** Services each master's agent supervises (tests); none by default, as a dev machine has no kubelet. */
  agentServices?: (m: { name: string; address: string; root: string }) => DevAgentFile['services'];
  /** false: masters up, no Cluster spec applied and no etcd (for trying `belayctl apply` and `bootstrap` by hand). Default: true with the host runtime. */
  bootstrap?: boolean;
  /** Masters of the spec (default: all); the rest run but wait outside etcd (tests grow the cluster with them). */
  specMasters?: number;
  /** Changes to the spec dev up applies (tests: shorter deadlines). */
  specEtcd?: Record<string, unknown>;
  /** How long to wait for every master of the spec to be a healthy etcd member. */
  etcdTimeoutMs?: number;
  /**
   * Deploy the control plane (apiserver, scheduler, controller-manager, haproxy) once etcd is up;
   * default true for dev up (false for an etcd-only cluster). With no kube-apiserver on PATH the
   * agents run the stand-ins of test/stand-ins/bin, and dev up says so.
   */
  controlPlane?: boolean;
  /** How long to wait for every control-plane pod to be ready. */
  controlPlaneTimeoutMs?: number;
}

const STATE_FILE = 'dev-state.json';
/** Marks a directory made by dev up, so that `dev down --purge` removes nothing else. */
const MARKER = '.belay-dev';

export function stateFile(dir: string): string {
  return path.join(path.resolve(dir), STATE_FILE);
}

export function readState(dir: string): DevState | undefined {
  try {
    return JSON.parse(fs.readFileSync(stateFile(dir), 'utf8')) as DevState;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new OperatorError({
      code: 'DEV_STATE_UNREADABLE',
      message: `cannot read ${stateFile(dir)}: ${errorText(err)}`,
      hint: 'stop the processes by hand (belayctl dev ps shows them) and remove the file',
    });
  }
}

export function masterAddresses(base: string, n: number): string[] {
  if (net.isIPv4(base) === false) {
    throw new OperatorError({
      code: 'BAD_ADDRESS',
      message: `--base-address ${base} is not an IPv4 address`,
      hint: 'use a loopback address such as 127.0.1.1',
    });
  }
  const parts = base.split('.').map(Number);
  const last = parts[3] ?? 0;
  if (last + n - 1 > 254) {
    throw new OperatorError({
      code: 'BAD_ADDRESS',
      message: `--base-address ${base} leaves no room for ${n} masters`,
      hint: 'use a base address ending in .1',
    });
  }
  return Array.from({ length: n }, (_, i) => [parts[0], parts[1], parts[2], last + i].join('.'));
}

/** The command that runs a daemon: the built JS under dist/, or the TypeScript source through tsx (tests). */
export function daemonCommand(role: Role): { file: string; args: string[] } {
  const here = fileURLToPath(import.meta.url);
  const top = path.resolve(path.dirname(here), '..', '..');
  const ext = path.extname(here);
  const entry = path.join(top, role === 'agent' ? 'agent' : 'coordinator', `main${ext}`);
  const flags = shebangNodeFlags(entry);
  if (ext === '.ts') return { file: process.execPath, args: [...flags, '--import', import.meta.resolve('tsx'), entry] };
  return { file: process.execPath, args: [...flags, entry] };
}

/** The stand-ins' bin dir (test/stand-ins/bin in the source tree), for a dev cluster with no kube-apiserver on PATH. */
export function standInBin(): string {
  const here = fileURLToPath(import.meta.url);
  // coordinator/dev/cluster.ts in the source tree, dist/coordinator/dev/cluster.js when built.
  let top = path.resolve(path.dirname(here), '..', '..');
  if (path.basename(top) === 'dist') top = path.dirname(top);
  return path.join(top, 'test', 'stand-ins', 'bin');
}

/** Whether `name` is an executable on PATH. */
export function onPath(name: string, pathVar = process.env.PATH ?? ''): boolean {
  return pathVar.split(':').some((d) => {
    try {
      fs.accessSync(path.join(d || '.', name), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Node flags from an entry's `#!/usr/bin/env -S node FLAGS` line, so a dev cluster runs daemons as installed ones run. */
export function shebangNodeFlags(entry: string): string[] {
  const first = fs.readFileSync(entry, 'utf8').split('\n', 1)[0] ?? '';
  const m = /^#!\/usr\/bin\/env -S node((?: --[\w-]+(?:=\S+)?)*)\s*$/.exec(first);
  return m?.[1] ? m[1].trim().split(/\s+/) : [];
}

export async function devUp(o: DevUpOptions): Promise<DevState> {
  const dir = path.resolve(o.dir);
  const progress = o.progress ?? (() => undefined);
  const existing = readState(dir);
  if (existing && existing.processes.some((p) => isRunning(p.pid, p.startTicks))) {
    throw new OperatorError({
      code: 'DEV_RUNNING',
      message: `a dev cluster is already running in ${dir}`,
      hint: `belayctl dev ps --root ${dir} shows it; belayctl dev down --root ${dir} stops it`,
    });
  }
  if (o.masters < 1 || o.masters > 7) {
    throw new OperatorError({
      code: 'BAD_MASTER_COUNT',
      message: `--masters ${o.masters}: belay runs 1 to 7 masters (3, 5 or 7 for HA)`,
      hint: 'use --masters 3',
    });
  }
  const addresses = masterAddresses(o.baseAddress, o.masters);
  const masters = addresses.map((address, i) => ({ name: `m${i + 1}`, address, root: path.join(dir, `m${i + 1}`) }));
  // A new dev cluster gets a new CA: an earlier one's roots (its etcd.yaml would start the old etcd at once,
  // with certificates nobody trusts any more) are removed, but only where dev up made them.
  const earlier = fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => /^m\d+$/.test(n)) : [];
  if (earlier.length > 0) {
    if (!fs.existsSync(path.join(dir, MARKER))) {
      throw new OperatorError({
        code: 'DEV_DIR_NOT_EMPTY',
        message: `${dir} holds ${earlier.join(', ')} that dev up did not make`,
        hint: 'give another --root, or empty this one yourself',
      });
    }
    await stopChildren(
      earlier.map((n) => path.join(dir, n)),
      5_000,
    );
    for (const n of earlier) {
      progress(`removing the earlier dev cluster's ${n} under ${dir}`);
      fs.rmSync(path.join(dir, n), { recursive: true, force: true });
    }
  }
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, MARKER), 'made by belayctl dev up\n');

  const pkiDir = path.join(dir, 'pki');
  progress(`issuing certificates in ${pkiDir}`);
  await initPki({ outDir: pkiDir, nodes: masters.map(({ name, address }) => ({ name, address })), force: true });
  // One gossip key for the cluster, given to every master as its initial key.
  const gossipKey = formatKey(generateKey());

  const coordinatorEndpoints = masters.map((m) => `${m.address}:${COORDINATOR_DEFAULTS.port}`);
  const processes: DevProcess[] = [];
  const state: DevState = {
    dir,
    startedAtMs: Date.now(),
    masters,
    processes,
    env: {
      BELAY_ENDPOINT: coordinatorEndpoints[0] ?? '',
      BELAY_CA: path.join(pkiDir, 'ca.crt'),
      BELAY_CERT: path.join(pkiDir, 'admin.crt'),
      BELAY_KEY: path.join(pkiDir, 'admin.key'),
    },
  };
  const save = (): void => {
    const tmp = path.join(dir, `.${STATE_FILE}.tmp`);
    fs.writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n');
    fs.renameSync(tmp, stateFile(dir));
  };

  const bootstrap = o.bootstrap ?? (o.runtime ?? 'host') === 'host';
  const controlPlane = bootstrap && (o.controlPlane ?? true);
  let agentEnv: NodeJS.ProcessEnv | undefined;
  // Under the kubelet runtime, kubelet (a child of the agent) finds them on the agent's PATH.
  if (controlPlane && !onPath('kube-apiserver')) {
    agentEnv = { ...process.env, PATH: `${standInBin()}:${process.env.PATH ?? ''}` };
    progress(`no kube-apiserver on PATH: the control plane runs belay's test stand-ins (${standInBin()}), not Kubernetes`);
  }
  try {
    for (const m of masters) {
      const etcBelay = path.join(m.root, 'etc', 'belay');
      const pki = path.join(etcBelay, 'pki');
      fs.mkdirSync(pki, { recursive: true, mode: 0o700 });
      for (const f of ['ca.crt', `${m.name}.crt`, `${m.name}.key`]) fs.copyFileSync(path.join(pkiDir, f), path.join(pki, f));
      fs.writeFileSync(path.join(etcBelay, 'gossip.key'), `${gossipKey}\n`, { mode: 0o600 });
      fs.chmodSync(path.join(pki, `${m.name}.key`), 0o600);
      fs.mkdirSync(path.join(m.root, 'var', 'log', 'belay'), { recursive: true });
      fs.mkdirSync(path.join(m.root, 'var', 'lib', 'belay'), { recursive: true });

      const node = { name: m.name, address: m.address };
      const coordinator: CoordinatorConfigFile = { node, nodes: masters.map(({ name, address }) => ({ name, address })) };
      const agent: DevAgentFile = {
        node,
        coordinators: o.agentReportsTo === 'own' ? [`${m.address}:${COORDINATOR_DEFAULTS.port}`] : coordinatorEndpoints,
        services: o.agentServices?.(m) ?? {},
        runtime: o.runtime ?? 'host',
        // Every master's kubelet on its own address (on one machine), as its agent is.
        ...(o.runtime === 'kubelet' ? { kubelet: { podsUrl: `https://${m.address}:10250/pods` } } : {}),
        ...(o.reportIntervalMs ? { report: { intervalMs: o.reportIntervalMs } } : {}),
      };
      for (const [role, cfg] of [
        ['coordinator', coordinator],
        ['agent', agent],
      ] as const) {
        const config = path.join(etcBelay, `${role}.yaml`);
        fs.writeFileSync(config, `# written by belayctl dev up for master ${m.name}\n` + YAML.stringify(cfg));
        progress(`starting ${m.name} ${role} on ${m.address}`);
        processes.push(startDaemon(role, m, config, o.logFormat ?? 'json', role === 'agent' ? agentEnv : undefined));
        save();
      }
    }
    await waitReady(state, o.readyTimeoutMs ?? 30_000, progress, o.agentReportsTo === 'own');
    // No kubelet here to run etcd.yaml under the kubelet runtime: etcd comes up by default only with the host runtime.
    if (bootstrap) {
      const spec = devSpec(masters.slice(0, o.specMasters ?? masters.length), o.runtime ?? 'host', o.specEtcd, controlPlane);
      fs.writeFileSync(path.join(dir, 'cluster.yaml'), spec);
      await bootstrapDev(state, spec, o.etcdTimeoutMs ?? 90_000, progress);
      if (controlPlane)
        await waitControlPlane(
          state,
          masters.slice(0, o.specMasters ?? masters.length).map((m) => m.name),
          o.controlPlaneTimeoutMs ?? 120_000,
          progress,
        );
    }
  } catch (err) {
    await stopProcesses(processes, 5_000);
    // The agents leave their pods running when stopped: a failed dev up must not leave an etcd behind.
    await stopChildren(
      masters.map((m) => m.root),
      5_000,
    );
    fs.rmSync(stateFile(dir), { force: true });
    throw err;
  }
  return state;
}

export function startDaemon(
  role: Role,
  m: { name: string; address: string; root: string },
  config: string,
  logFormat: string,
  env?: NodeJS.ProcessEnv,
): DevProcess {
  const log = path.join(m.root, 'var', 'log', 'belay', `${role}.log`);
  const fd = fs.openSync(log, 'a');
  const cmd = daemonCommand(role);
  // Detached in its own process group so that `dev up` can exit and leave the cluster running.
  const child = spawn(cmd.file, [...cmd.args, '--config', config, '--root', m.root, '--log-format', logFormat], {
    detached: true,
    stdio: ['ignore', fd, fd],
    ...(env ? { env } : {}),
  });
  fs.closeSync(fd);
  child.unref();
  const pid = child.pid;
  const st = pid === undefined ? undefined : readProcStat(pid);
  if (pid === undefined || !st) throw new OperatorError({ code: 'DEV_SPAWN_FAILED', message: `could not start ${role} of ${m.name}`, hint: `see ${log}` });
  return { master: m.name, role, pid, startTicks: st.startTicks, address: m.address, root: m.root, config, log };
}

/** Waits until every coordinator answers and sees every agent connected; fails early if a daemon died. */
async function waitReady(state: DevState, timeoutMs: number, progress: (line: string) => void, ownOnly = false): Promise<void> {
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

/** The Cluster spec of a dev cluster: every master on its loopback address, etcd on the standard ports there. */
export function devSpec(
  masters: { name: string; address: string }[],
  runtime: 'host' | 'kubelet',
  etcd: Record<string, unknown> = {},
  controlPlane = true,
): string {
  return (
    '# written by belayctl dev up (docs/config.md lists every field)\n' +
    YAML.stringify({
      apiVersion: 'belay.dev/v1alpha1',
      kind: 'Cluster',
      metadata: { name: 'belay-dev' },
      spec: { masters: masters.map(({ name, address }) => ({ name, address })), runtime, controlPlane: { enabled: controlPlane }, etcd },
    })
  );
}

const CONTROL_PLANE_FILES = ['haproxy.yaml', 'kube-apiserver.yaml', 'kube-controller-manager.yaml', 'kube-scheduler.yaml'];

/** Waits until every control-plane pod of every master is ready, as the reports to the first coordinator show them. */
async function waitControlPlane(state: DevState, names: string[], timeoutMs: number, progress: (line: string) => void): Promise<void> {
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
async function bootstrapDev(state: DevState, spec: string, timeoutMs: number, progress: (line: string) => void): Promise<void> {
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

export function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no log at ${file})`;
  }
}

/** SIGTERM each process, SIGKILL what is left after graceMs. Only processes whose identity still matches are signalled. */
export async function stopProcesses(processes: DevProcess[], graceMs: number): Promise<DevProcess[]> {
  const live = processes.filter((p) => isRunning(p.pid, p.startTicks));
  for (const p of live) signal(p, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (live.some((p) => isRunning(p.pid, p.startTicks)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const p of live) if (isRunning(p.pid, p.startTicks)) signal(p, 'SIGKILL');
  return live;
}

function signal(p: DevProcess, sig: NodeJS.Signals): void {
  try {
    process.kill(p.pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

export async function devDown(dir: string, o: { purge?: boolean; graceMs?: number } = {}): Promise<{ stopped: DevProcess[]; purged: boolean }> {
  const abs = path.resolve(dir);
  const state = readState(abs);
  const stopped = state ? await stopProcesses(state.processes, o.graceMs ?? 10_000) : [];
  // The agents leave their children running when they stop (an agent restart must not restart
  // etcd); dev down stops them too: the host-runtime pods and supervised services it started.
  if (state)
    await stopChildren(
      state.masters.map((m) => m.root),
      o.graceMs ?? 10_000,
    );
  if (state) fs.rmSync(stateFile(abs), { force: true });
  let purged = false;
  if (o.purge && fs.existsSync(path.join(abs, MARKER))) {
    fs.rmSync(abs, { recursive: true, force: true });
    purged = true;
  }
  return { stopped, purged };
}

/** Processes the agents under `roots` started and recorded (supervisor/children/*.json), still alive with the same identity. */
export function agentChildren(roots: string[]): { pid: number; startTicks: number; file: string }[] {
  const out: { pid: number; startTicks: number; file: string }[] = [];
  for (const root of roots) {
    const dir = path.join(root, 'var', 'lib', 'belay', 'supervisor', 'children');
    let names: string[];
    try {
      names = fs.readdirSync(dir).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
    } catch {
      continue;
    }
    for (const n of names) {
      try {
        const p = JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8')) as { pid?: unknown; startTicks?: unknown };
        if (typeof p.pid === 'number' && typeof p.startTicks === 'number' && isRunning(p.pid, p.startTicks))
          out.push({ pid: p.pid, startTicks: p.startTicks, file: path.join(dir, n) });
      } catch {
        // a half-written or foreign file: not ours to signal
      }
    }
  }
  return out;
}

async function stopChildren(roots: string[], graceMs: number): Promise<void> {
  const live = agentChildren(roots);
  const kill = (pid: number, sig: NodeJS.Signals): void => {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, sig);
      } catch {
        // gone, or not a group leader
      }
    }
  };
  for (const c of live) kill(c.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (live.some((c) => isRunning(c.pid, c.startTicks)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const c of live) if (isRunning(c.pid, c.startTicks)) kill(c.pid, 'SIGKILL');
  for (const c of live) fs.rmSync(c.file, { force: true });
}

export function devPs(dir: string): (DevProcess & { running: boolean })[] {
  const state = readState(dir);
  return (state?.processes ?? []).map((p) => ({ ...p, running: isRunning(p.pid, p.startTicks) }));
}

export function exportLine(state: DevState): string {
  return (
    'export ' +
    Object.entries(state.env)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')
  );
}
