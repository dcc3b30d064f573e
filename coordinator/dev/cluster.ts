import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { OperatorError } from '../../proto/common/errors.js';
import { isRunning } from '../../proto/common/proc.js';
import { COORDINATOR_DEFAULTS } from '../config.js';
import { initPki } from '../pki/init.js';
import { formatKey, generateKey } from '../transport/keyring.js';
import { devSpec, masterConfigs, writeConfig, writeMasterFiles, type DevAgentFile } from './config-files.js';
import { onPath, standInBin, startDaemon } from './launch.js';
import { stopChildren, stopProcesses } from './processes.js';
import { bootstrapDev, waitControlPlane, waitReady } from './readiness.js';
import { createNetns, removeNetns } from './netns.js';
import type { DevNetns } from './netns-plan.js';
import { MARKER, readState, saveState, stateFile, type DevMaster, type DevProcess, type DevState } from './state.js';

// The benchmarks (scripts/bench-*.ts) load this one module from dist/ and reach these through it.
export { agentChildren } from './processes.js';
export { daemonCommand, shebangNodeFlags, startDaemon, tail } from './launch.js';

/**
 * A local cluster of N masters on one machine: agent + coordinator each, own
 * --root under one directory, own loopback address, mutual TLS. Used by
 * `belayctl dev up|ps|down` and by the e2e test harness (test/harness), so
 * that the tests exercise exactly what the demo runs.
 */

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
  /**
   * Each master in its own network namespace on a bridge, at 10.77.N.k (netns-plan.ts), instead of a
   * loopback address: true takes the first free N; a number asks for that one. Needs root.
   */
  netns?: boolean | number;
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
  const names = Array.from({ length: o.masters }, (_, i) => `m${i + 1}`);
  const addresses = o.netns === undefined || o.netns === false ? masterAddresses(o.baseAddress, o.masters) : undefined;
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
  // An earlier dev cluster here that was not brought down (its processes gone) may have left its network.
  if (existing?.netns) removeNetns(existing.netns);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, MARKER), 'made by belayctl dev up\n');
  let netns: DevNetns | undefined;
  if (!addresses) {
    netns = createNetns(names, typeof o.netns === 'number' ? o.netns : undefined);
    progress(`network namespaces ${netns.masters.map((m) => m.name).join(', ')} on bridge ${netns.bridge} (${netns.hostAddress}/24)`);
  }
  const masters: DevMaster[] = names.map((name, i) => {
    const ns = netns?.masters[i];
    return { name, address: ns?.address ?? addresses?.[i] ?? '', root: path.join(dir, name), ...(ns ? { netns: ns.name } : {}) };
  });

  const pkiDir = path.join(dir, 'pki');
  progress(`issuing certificates in ${pkiDir}`);
  await initPki({ outDir: pkiDir, nodes: masters.map(({ name, address }) => ({ name, address })), force: true }).catch((err: unknown) => {
    if (netns) removeNetns(netns);
    throw err;
  });
  // One gossip key for the cluster, given to every master as its initial key.
  const gossipKey = formatKey(generateKey());

  const coordinatorEndpoints = masters.map((m) => `${m.address}:${COORDINATOR_DEFAULTS.port}`);
  const processes: DevProcess[] = [];
  const state: DevState = {
    dir,
    startedAtMs: Date.now(),
    masters,
    processes,
    ...(netns ? { netns } : {}),
    env: {
      BELAY_ENDPOINT: coordinatorEndpoints[0] ?? '',
      BELAY_CA: path.join(pkiDir, 'ca.crt'),
      BELAY_CERT: path.join(pkiDir, 'admin.crt'),
      BELAY_KEY: path.join(pkiDir, 'admin.key'),
    },
  };
  const save = (): void => saveState(dir, state);

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
      const etcBelay = writeMasterFiles(m, pkiDir, gossipKey);
      for (const [role, cfg] of masterConfigs(m, masters, coordinatorEndpoints, o)) {
        const config = writeConfig(etcBelay, role, m.name, cfg);
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
    if (netns) removeNetns(netns);
    fs.rmSync(stateFile(dir), { force: true });
    throw err;
  }
  return state;
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
  // Only once nothing runs in them: a namespace lives on while a process is inside.
  const leftover = state?.netns ? removeNetns(state.netns) : [];
  if (leftover.length > 0)
    throw new OperatorError({
      code: 'DEV_NETNS_LEFT',
      message: `stopped the processes, but could not remove: ${leftover.join('; ')}`,
      hint: `run belayctl dev down --root ${abs} again as root; dev-state.json under it still lists them`,
    });
  if (state) fs.rmSync(stateFile(abs), { force: true });
  let purged = false;
  if (o.purge && fs.existsSync(path.join(abs, MARKER))) {
    fs.rmSync(abs, { recursive: true, force: true });
    purged = true;
  }
  return { stopped, purged };
}
