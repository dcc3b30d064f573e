import { execFile } from 'node:child_process';
import net from 'node:net';

/** Real single-member etcd (Debian's etcd-server) on loopback, for tests and benches that run it as a static pod. */

/** A TCP port nobody listens on right now (asked of the kernel). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** The flags of a one-member etcd on loopback ports, its data under `dir`/etcd, as kubeadm's etcd.yaml passes them. */
export function etcdFlags(dir: string, client: number, peer: number, extra: string[] = []): string[] {
  return [
    '--name=m1',
    `--data-dir=${dir}/etcd`,
    `--listen-client-urls=http://127.0.0.1:${client}`,
    `--advertise-client-urls=http://127.0.0.1:${client}`,
    `--listen-peer-urls=http://127.0.0.1:${peer}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
    `--initial-cluster=m1=http://127.0.0.1:${peer}`,
    '--initial-cluster-state=new',
    ...extra,
  ];
}

/** `etcdctl endpoint health` (3.4 prints its verdict on stderr). */
export function etcdHealthy(client: number): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(
      'etcdctl',
      [`--endpoints=http://127.0.0.1:${client}`, 'endpoint', 'health'],
      { env: { ...process.env, ETCDCTL_API: '3' }, timeout: 5_000 },
      (err, stdout, stderr) => resolve(!err && /is healthy/.test(stdout + stderr)),
    );
  });
}
