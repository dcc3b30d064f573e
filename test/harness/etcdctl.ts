import { execFile } from 'node:child_process';
import path from 'node:path';
import type { TestCluster } from './cluster.js';

/** Plain etcdctl (Debian's etcd-client) against master `m`'s etcd, with the healthcheck client certificate belay handed that master. */
export function etcdctl(c: TestCluster, m: string, args: string[], timeoutMs = 20_000): Promise<{ code: number; out: string }> {
  const master = c.state.masters.find((x) => x.name === m);
  if (!master) throw new Error(`no master ${m}`);
  const pki = path.join(master.root, 'etc/kubernetes/pki/etcd');
  return new Promise((resolve) => {
    execFile(
      'etcdctl',
      [
        `--endpoints=https://${master.address}:2379`,
        `--cacert=${pki}/ca.crt`,
        `--cert=${pki}/healthcheck-client.crt`,
        `--key=${pki}/healthcheck-client.key`,
        '--dial-timeout=3s',
        '--command-timeout=5s',
        ...args,
      ],
      { env: { ...process.env, ETCDCTL_API: '3' }, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    );
  });
}

export interface EtcdctlMember {
  ID: number;
  name: string;
  isLearner?: boolean;
  peerURLs: string[];
  clientURLs?: string[];
}

/** `member list -w json` through master `m`; undefined when it does not answer. */
export async function memberList(c: TestCluster, m: string): Promise<EtcdctlMember[] | undefined> {
  const r = await etcdctl(c, m, ['member', 'list', '-w', 'json'], 8_000);
  if (r.code !== 0) return undefined;
  try {
    return (JSON.parse(r.out) as { members: EtcdctlMember[] }).members;
  } catch {
    return undefined;
  }
}
