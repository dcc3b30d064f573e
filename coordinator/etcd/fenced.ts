import { ETCD_KEYS } from '../cluster/etcd-keys.js';
import type { EtcdCluster } from './client.js';

/**
 * The leader's writes under /belay/, fenced in etcd itself: each is a
 * transaction that applies only while /belay/leader is still the key this
 * leader created (its create revision is the term). A deposed leader that
 * has not noticed yet writes nothing.
 */
export class FencedWriter {
  constructor(
    private readonly cluster: EtcdCluster,
    private readonly term: number,
  ) {}

  async put(key: string, value: string): Promise<void> {
    const res = await this.cluster.kv.if(ETCD_KEYS.leader, 'Create', '==', this.term).then(this.cluster.kv.put(key).value(value)).commit();
    if (!res.succeeded) throw new NotLeader(this.term);
  }

  async delete(key: string): Promise<void> {
    const res = await this.cluster.kv.if(ETCD_KEYS.leader, 'Create', '==', this.term).then(this.cluster.kv.delete().key(key)).commit();
    if (!res.succeeded) throw new NotLeader(this.term);
  }
}

export class NotLeader extends Error {
  constructor(term: number) {
    super(`no longer the leader of term ${term}: the write was not applied`);
    this.name = 'NotLeader';
  }
}
