import { caFromPem, type Ca } from '../pki/ca.js';
import { etcdClientFiles, etcdMemberFiles } from '../pki/etcd.js';
import { ETCD_KEYS } from '../cluster/etcd-keys.js';
import type { PkiFile } from '../../proto/gen/belay/v1/PkiFile.js';
import type { EtcdCluster } from './client.js';

/**
 * The etcd CA lives in etcd (/belay/pki/etcd-ca, readable only with a
 * client certificate from that CA) so that whichever coordinator leads can
 * issue a joining master's certificates; each master receives only its own
 * keys, never the CA key.
 */

export async function loadEtcdCa(cluster: EtcdCluster): Promise<Ca> {
  const text = await cluster.kv.get(ETCD_KEYS.etcdCa).string();
  if (!text) throw new Error(`the etcd CA is missing from etcd (${ETCD_KEYS.etcdCa}): was the cluster bootstrapped by belay?`);
  const { certPem, keyPem } = JSON.parse(text) as { certPem: string; keyPem: string };
  return caFromPem(certPem, keyPem, { cert: `${ETCD_KEYS.etcdCa} cert`, key: `${ETCD_KEYS.etcdCa} key` });
}

export async function storeEtcdCa(cluster: EtcdCluster, ca: { certPem: string; keyPem: string }): Promise<void> {
  await cluster.kv.put(ETCD_KEYS.etcdCa).value(JSON.stringify({ certPem: ca.certPem, keyPem: ca.keyPem }));
}

/** The files a master needs: as an etcd member (server, peer, clients) or as an etcd client only. */
export async function etcdPkiFor(ca: Ca, m: { name: string; address: string }, kind: 'member' | 'client'): Promise<PkiFile[]> {
  const files = kind === 'member' ? await etcdMemberFiles(ca, m) : await etcdClientFiles(ca, m);
  return files.map((f) => ({ path: f.path, content: f.content, mode: f.mode }));
}
