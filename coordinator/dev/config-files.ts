import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { CoordinatorConfigFile } from '../config.js';
import { COORDINATOR_DEFAULTS } from '../config.js';

/** The files dev up writes for each master (certificates, gossip key, coordinator.yaml, agent.yaml) and the Cluster spec it applies. */

/**
 * The agent.yaml dev up writes for each master: the fields it sets, as
 * docs/config.md describes them. The coordinator does not import the agent's
 * code (.dependency-cruiser.cjs): the agent validates this file when it starts.
 */
export interface DevAgentFile {
  node: { name: string; address: string };
  coordinators: string[];
  /** Supervised services by name (docs/config.md, `services`). */
  services: Record<string, Record<string, unknown>>;
  runtime: 'host' | 'kubelet';
  kubelet?: { podsUrl: string };
  report?: { intervalMs: number };
}

/** The master's etc/belay (the CA, its certificate and key, the gossip key) and its log and state dirs; returns etc/belay. */
export function writeMasterFiles(m: { name: string; root: string }, pkiDir: string, gossipKey: string): string {
  const etcBelay = path.join(m.root, 'etc', 'belay');
  const pki = path.join(etcBelay, 'pki');
  fs.mkdirSync(pki, { recursive: true, mode: 0o700 });
  for (const f of ['ca.crt', `${m.name}.crt`, `${m.name}.key`]) fs.copyFileSync(path.join(pkiDir, f), path.join(pki, f));
  fs.writeFileSync(path.join(etcBelay, 'gossip.key'), `${gossipKey}\n`, { mode: 0o600 });
  fs.chmodSync(path.join(pki, `${m.name}.key`), 0o600);
  fs.mkdirSync(path.join(m.root, 'var', 'log', 'belay'), { recursive: true });
  fs.mkdirSync(path.join(m.root, 'var', 'lib', 'belay'), { recursive: true });
  return etcBelay;
}

/** coordinator.yaml and agent.yaml of one master, in the order dev up starts them. */
export function masterConfigs(
  m: { name: string; address: string; root: string },
  masters: { name: string; address: string }[],
  coordinatorEndpoints: string[],
  o: {
    agentReportsTo?: 'all' | 'own';
    agentServices?: (m: { name: string; address: string; root: string }) => DevAgentFile['services'];
    runtime?: 'host' | 'kubelet';
    reportIntervalMs?: number;
  },
) {
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
  return [
    ['coordinator', coordinator],
    ['agent', agent],
  ] as const;
}

/** Writes ROLE.yaml under etc/belay; returns its path. */
export function writeConfig(etcBelay: string, role: string, master: string, cfg: unknown): string {
  const config = path.join(etcBelay, `${role}.yaml`);
  fs.writeFileSync(config, `# written by belayctl dev up for master ${master}\n` + YAML.stringify(cfg));
  return config;
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
