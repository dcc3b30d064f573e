import '../../proto/common/warnings.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { belayProto, channelOptions, clientCredentials, DEFAULT_MAX_MESSAGE_BYTES, readTls } from '../../proto/common/grpc.js';
import type { CoordinatorClient } from '../../proto/gen/belay/v1/Coordinator.js';
import { COORDINATOR_DEFAULTS } from '../../coordinator/config.js';
import { devDown, devUp, type DevUpOptions } from '../../coordinator/dev/cluster.js';
import { startDaemon, tail } from '../../coordinator/dev/launch.js';
import type { DevProcess, DevState, Role } from '../../coordinator/dev/state.js';
import { partitions, type Partition } from './partition.js';

/**
 * The e2e harness: N masters started by the same code as `belayctl dev up`,
 * under a temp dir, on a random 127.1.x.0/24 block so a running demo
 * (127.0.1.x) never collides. Every process's log is printed when the body
 * fails; everything is stopped by pid (and start time) afterwards.
 */
export interface TestCluster {
  state: DevState;
  dir: string;
  /** A Coordinator client for master i (0-based), authenticated as admin. */
  coordinator(i: number): CoordinatorClient;
  /** The environment for running belayctl against this cluster. */
  env: Record<string, string>;
  /** SIGKILLs one daemon (crash, not shutdown). */
  kill(master: string, role: Role): void;
  /** Starts one daemon again with its config; replaces its entry in the state. */
  restart(master: string, role: Role): DevProcess;
  /** The daemon's log so far. */
  log(master: string, role: Role): string;
  /** Cuts and heals links between masters (netns: true only); healed before the cluster is torn down. */
  net: Partition;
}

export async function withCluster(
  o: {
    masters?: number;
    reportIntervalMs?: number;
    agentServices?: DevUpOptions['agentServices'];
    runtime?: DevUpOptions['runtime'];
    agentReportsTo?: DevUpOptions['agentReportsTo'];
    /** Apply a spec and bootstrap etcd as dev up does (off by default here: most tests need no etcd). */
    bootstrap?: boolean;
    specMasters?: number;
    specEtcd?: Record<string, unknown>;
    /** Deploy the control plane after etcd, as dev up does (off by default here: the etcd tests need none). */
    controlPlane?: boolean;
    /** Each master in its own network namespace on a bridge (dev up --netns; needs root), so that c.net can cut links. */
    netns?: boolean;
  },
  body: (c: TestCluster) => Promise<void>,
): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-e2e-'));
  const base = `127.1.${1 + Math.floor(Math.random() * 250)}.1`;
  const clients: CoordinatorClient[] = [];
  let state: DevState | undefined;
  let net: Partition | undefined;
  try {
    state = await devUp({
      masters: o.masters ?? 3,
      dir,
      baseAddress: base,
      reportIntervalMs: o.reportIntervalMs ?? 1000,
      logFormat: 'json',
      ...(o.agentServices ? { agentServices: o.agentServices } : {}),
      ...(o.runtime ? { runtime: o.runtime } : {}),
      ...(o.agentReportsTo ? { agentReportsTo: o.agentReportsTo } : {}),
      bootstrap: o.bootstrap ?? false,
      ...(o.specMasters ? { specMasters: o.specMasters } : {}),
      ...(o.specEtcd ? { specEtcd: o.specEtcd } : {}),
      controlPlane: o.controlPlane ?? false,
      ...(o.netns ? { netns: true } : {}),
      // dev up's 30 s for every daemon to answer is for a person's machine; a CI machine running other tests may need more.
      readyTimeoutMs: 90_000,
    });
    const s = state;
    net = partitions(s);
    const tls = clientCredentials(readTls({ ca: s.env.BELAY_CA, cert: s.env.BELAY_CERT, key: s.env.BELAY_KEY }));
    const Client = belayProto().belay.v1.Coordinator;
    const find = (master: string, role: Role): DevProcess => {
      const p = s.processes.find((x) => x.master === master && x.role === role);
      if (!p) throw new Error(`no ${role} for ${master}`);
      return p;
    };
    await body({
      kill(master, role) {
        process.kill(find(master, role).pid, 'SIGKILL');
      },
      restart(master, role) {
        const old = find(master, role);
        const m = s.masters.find((x) => x.name === master);
        if (!m) throw new Error(`no master ${master}`);
        const p = startDaemon(role, m, old.config, 'json');
        s.processes[s.processes.indexOf(old)] = p;
        fs.writeFileSync(path.join(dir, 'dev-state.json'), JSON.stringify(s, null, 2));
        return p;
      },
      log(master, role) {
        return fs.readFileSync(find(master, role).log, 'utf8');
      },
      state: s,
      net,
      dir,
      env: { ...s.env },
      coordinator(i) {
        const m = s.masters[i];
        if (!m) throw new Error(`no master ${i}`);
        const c = new Client(`${m.address}:${COORDINATOR_DEFAULTS.port}`, tls, channelOptions(DEFAULT_MAX_MESSAGE_BYTES));
        clients.push(c);
        return c;
      },
    });
  } catch (err) {
    printLogs(dir);
    throw err;
  } finally {
    clients.forEach((c) => c.close());
    try {
      net?.heal();
    } finally {
      // dev down removes the namespaces, and with them any rule heal could not.
      await devDown(dir, { graceMs: 5_000 });
    }
    if (process.env.BELAY_KEEP_E2E !== '1') fs.rmSync(dir, { recursive: true, force: true });
  }
}

function printLogs(dir: string): void {
  for (const m of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    const logDir = path.join(dir, m, 'var', 'log', 'belay');
    if (!fs.existsSync(logDir)) continue;
    for (const f of fs.readdirSync(logDir)) {
      process.stderr.write(`\n----- ${m}/${f} (last 40 lines) -----\n${tail(path.join(logDir, f), 40)}\n`);
    }
  }
}

export { eventually } from './eventually.js';
