import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EtcdCluster as EtcdClusterClass } from '../../coordinator/etcd/client.js';
import { endpointHealthy, etcdctl, mb, octet, progress, s, sleep, withCleanup, type Run, type TlsFiles } from './common.js';
import { SETTLE_MS, loadData, readTlsBuffers, settle } from './etcd-data.js';
import type { JoinResult } from './etcd-report.js';

type EtcdPki = typeof import('../../coordinator/pki/etcd.js');

export interface ManualJoinContext {
  pki: EtcdPki;
  EtcdCluster: typeof EtcdClusterClass;
  values: Buffer[];
  prefix: string;
}

/**
 * The etcdctl learner procedure by hand on a plain etcd cluster with belay's flags and TLS: member add
 * --learner, start etcd, member promote retried every 100 ms, endpoint health.
 */
export async function manualJoin(runNo: number, x: ManualJoinContext): Promise<JoinResult> {
  const { pki, EtcdCluster } = x;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-bench-etcd-manual-'));
  const procs: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
    const deadline = performance.now() + 5_000;
    while (procs.some((p) => p.exitCode === null && p.signalCode === null) && performance.now() < deadline) await sleep(50);
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return withCleanup(stop, async () => {
    const b = octet();
    const names = ['e1', 'e2', 'e3', 'e4'];
    const addr = (n: string): string => `127.8.${b}.${names.indexOf(n) + 1}`;
    const peer = (n: string): string => `https://${addr(n)}:2380`;
    const client = (n: string): string => `https://${addr(n)}:2379`;
    const pkiDir = (n: string): string => path.join(dir, n, 'pki');
    // Certificates as belay issues them (kubeadm's layout), from a CA of this cluster's own.
    const ca = await pki.createEtcdCa('bench-manual');
    for (const n of names) {
      for (const f of await pki.etcdMemberFiles(ca, { name: n, address: addr(n) })) {
        const file = path.join(pkiDir(n), f.path);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, f.content, { mode: f.mode });
      }
    }
    const tls = (n: string): TlsFiles => ({
      ca: path.join(pkiDir(n), 'etcd/ca.crt'),
      cert: path.join(pkiDir(n), 'etcd/healthcheck-client.crt'),
      key: path.join(pkiDir(n), 'etcd/healthcheck-client.key'),
    });
    /** The flags belay renders into etcd.yaml (render.ts, spec defaults), so that only the procedure differs. */
    const start = (n: string, state: 'new' | 'existing', initialCluster: string): void => {
      const p = path.join(pkiDir(n), 'etcd');
      const log = fs.openSync(path.join(dir, `${n}.log`), 'a');
      const child = spawn(
        'etcd',
        [
          `--name=${n}`,
          `--data-dir=${path.join(dir, n, 'data')}`,
          `--listen-client-urls=${client(n)}`,
          `--advertise-client-urls=${client(n)}`,
          `--listen-peer-urls=${peer(n)}`,
          `--initial-advertise-peer-urls=${peer(n)}`,
          `--initial-cluster=${initialCluster}`,
          `--initial-cluster-state=${state}`,
          '--initial-cluster-token=bench-manual',
          `--listen-metrics-urls=http://${addr(n)}:2381`,
          '--client-cert-auth=true',
          '--peer-client-cert-auth=true',
          `--cert-file=${p}/server.crt`,
          `--key-file=${p}/server.key`,
          `--peer-cert-file=${p}/peer.crt`,
          `--peer-key-file=${p}/peer.key`,
          `--trusted-ca-file=${p}/ca.crt`,
          `--peer-trusted-ca-file=${p}/ca.crt`,
          '--snapshot-count=10000',
          `--quota-backend-bytes=${2 * 1024 ** 3}`,
          '--heartbeat-interval=100',
          '--election-timeout=1000',
          '--experimental-initial-corrupt-check=true',
        ],
        { stdio: ['ignore', log, log] },
      );
      fs.closeSync(log);
      procs.push(child);
    };
    const first = names.slice(0, 3);
    progress(`manual join ${runNo}: plain etcd ${first.join(', ')} on 127.8.${b}.1-3 (TLS, belay's flags) in ${dir}`);
    for (const n of first) start(n, 'new', first.map((x) => `${x}=${peer(x)}`).join(','));
    const c = new EtcdCluster(first.map(client), readTlsBuffers(tls('e1')), 30_000);
    try {
      await settle(c, first.map(client), 60_000);
      const t1 = performance.now();
      await loadData(c, x.values, x.prefix);
      progress(
        `manual join ${runNo}: ${x.values.length} keys put in ${s(performance.now() - t1)} s; waiting until the 3 have been healthy for ${SETTLE_MS / 1000} s`,
      );
      const dbBytes = await settle(c, first.map(client));
      progress(`manual join ${runNo}: db ${mb(dbBytes)} MB; member add e4 --learner, start it, retry promote, endpoint health`);
      const eps = first.map(client);
      const t0 = performance.now();
      let add: Run;
      for (;;) {
        add = await etcdctl(tls('e1'), eps, ['member', 'add', 'e4', '--learner', `--peer-urls=${peer('e4')}`]);
        if (add.code === 0) break;
        if (!/unhealthy cluster/.test(add.stderr) || performance.now() - t0 > 60_000) throw new Error(`member add e4: ${add.stderr.trim()}`);
        await sleep(200);
      }
      const addedMs = performance.now() - t0;
      const id = /Member\s+([0-9a-f]+)\s+added/.exec(add.stdout)?.[1];
      const initial = /ETCD_INITIAL_CLUSTER="([^"]+)"/.exec(add.stdout)?.[1];
      if (!id || !initial) throw new Error(`member add e4 printed no member id or initial cluster: ${add.stdout}`);
      start('e4', 'existing', initial);
      let tries = 0;
      for (;;) {
        tries++;
        const pr = await etcdctl(tls('e1'), eps, ['member', 'promote', id]);
        if (pr.code === 0) break;
        if (performance.now() - t0 > 300_000) throw new Error(`member promote ${id}: ${pr.stderr.trim()}`);
        await sleep(100);
      }
      const promotedMs = performance.now() - t0;
      while (!(await endpointHealthy(tls('e4'), client('e4')))) {
        if (performance.now() - t0 > 300_000) throw new Error('e4 never answered endpoint health');
        await sleep(50);
      }
      const healthyMs = performance.now() - t0;
      progress(
        `manual join ${runNo}: learner added ${s(addedMs)} s, promoted ${s(promotedMs)} s (${tries} promote calls), e4 healthy ${s(healthyMs)} s after member add`,
      );
      return { addedMs, promotedMs, healthyMs, dbBytes, promoteTries: tries };
    } finally {
      c.close();
    }
  });
}
