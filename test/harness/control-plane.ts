import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { showServers } from '../../agent/balancer/runtime-api.js';
import { httpsRequest } from './https-get.js';

/** Client TLS material, as a kubeconfig holds it. */
export interface ClientTls {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

/** The admin client certificate from a master's admin.conf, as kubectl would use it. */
export function adminTls(root: string): ClientTls {
  const conf = YAML.parse(fs.readFileSync(path.join(root, 'etc/kubernetes/admin.conf'), 'utf8')) as {
    clusters: { cluster: Record<string, string> }[];
    users: { user: Record<string, string> }[];
  };
  const b64 = (x: string | undefined): Buffer => Buffer.from(x ?? '', 'base64');
  return {
    ca: b64(conf.clusters[0]?.cluster['certificate-authority-data']),
    cert: b64(conf.users[0]?.user['client-certificate-data']),
    key: b64(conf.users[0]?.user['client-key-data']),
  };
}

/** The gitVersion an apiserver (or a balancer in front of one) answers on /version. */
export async function apiserverVersion(host: string, tls: ClientTls, port = 6443): Promise<string> {
  const r = await httpsRequest(`https://${host}:${port}/version`, tls);
  return (JSON.parse(r.text) as { gitVersion: string }).gitVersion;
}

/** The runtime API socket of belay's haproxy on a master. */
export const haproxySocket = (root: string): string => path.join(root, 'run/belay/haproxy/admin.sock');

/** Samples every master's haproxy every 100 ms: which masters are out of rotation (not READY or not UP) anywhere. */
export function watchBackends(roots: { name: string; root: string }[]): { stop(): Promise<{ samples: number; maxOut: number; outSeen: string[] }> } {
  let stopped = false;
  let samples = 0;
  let maxOut = 0;
  const outSeen = new Set<string>();
  const loop = (async () => {
    while (!stopped) {
      const out = new Set<string>();
      for (const r of roots) {
        const servers = await showServers(haproxySocket(r.root), 'kube-apiserver').catch(() => []);
        for (const s of servers) if (s.adminState !== 'READY' || s.operationalState !== 'UP') out.add(s.name);
      }
      samples++;
      maxOut = Math.max(maxOut, out.size);
      for (const o of out) outSeen.add(o);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return { samples, maxOut, outSeen: [...outSeen].sort() };
    },
  };
}

/**
 * A 3-master apiserver rollout ended as a careful one must: complete, no client request failed,
 * each master out of the balancers in turn, never two at once.
 */
export function assertCarefulRollout(
  r: { code: number | null; stdout: string; stderr: string },
  seen: { failed: number; ok: number; samples: string[] },
  out: { maxOut: number; outSeen: string[] },
): void {
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /kube-apiserver revision 1: complete, 3 of 3 done/);
  assert.equal(seen.failed, 0, seen.samples.join('\n'));
  assert.ok(seen.ok > 50, `only ${seen.ok} requests answered`);
  assert.equal(out.maxOut, 1, 'at most one master out of the balancers at any time');
  assert.deepEqual(out.outSeen, ['m1', 'm2', 'm3']);
}
