import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../../proto/common/log.js';
import { parseClusterSpec } from '../../../coordinator/cluster/spec.js';
import type { EndpointStatus, EtcdCluster, EtcdMemberInfo } from '../../../coordinator/etcd/client.js';
import { EtcdObserver } from '../../../coordinator/leader/observation.js';

const spec = parseClusterSpec(
  `apiVersion: belay.dev/v1alpha1\nkind: Cluster\nmetadata: {name: c}\nspec:\n  masters:\n  - {name: m1, address: 127.0.1.1}\n  - {name: m2, address: 127.0.1.2}\n`,
  'test',
);

/** An etcd that counts the reads made of it; a read finishes when `release()` is called. */
function fakeEtcd() {
  const calls = { members: 0, status: 0, alarms: 0 };
  let gate: (() => void)[] = [];
  const members: EtcdMemberInfo[] = [
    { id: '1', name: 'm1', peerUrls: ['https://127.0.1.1:2380'], clientUrls: ['https://127.0.1.1:2379'], isLearner: false },
    { id: '2', name: '', peerUrls: ['https://127.0.1.2:2380'], clientUrls: [], isLearner: true },
  ];
  const cluster = {
    async members() {
      calls.members++;
      await new Promise<void>((r) => gate.push(r));
      return members;
    },
    status(url: string): Promise<EndpointStatus> {
      calls.status++;
      return Promise.resolve({
        url,
        ok: true,
        error: '',
        memberId: '',
        leaderId: '',
        version: '3.4',
        dbSizeBytes: 0,
        dbSizeInUseBytes: 0,
        raftIndex: 1,
        raftTerm: 1,
        isLearner: false,
        errors: [],
      });
    },
    alarms() {
      calls.alarms++;
      return Promise.resolve([{ memberId: '1', alarm: 'NOSPACE' }]);
    },
  } as unknown as EtcdCluster;
  const release = () => {
    const g = gate;
    gate = [];
    g.forEach((r) => r());
  };
  return { cluster, calls, release };
}

test('callers while a read is in flight, and within the max age, share one read of etcd', async () => {
  let now = 1_000;
  const etcd = fakeEtcd();
  const observer = new EtcdObserver(
    etcd.cluster,
    () => spec,
    silentLogger(),
    () => now,
  );
  const a = observer.observe();
  const b = observer.observe();
  etcd.release();
  const [oa, ob] = await Promise.all([a, b]);
  assert.equal(oa, ob);
  assert.equal(etcd.calls.members, 1);
  now += 100;
  assert.equal(await observer.observe(), oa, 'within the max age: the same observation');
  assert.equal(etcd.calls.members, 1);
  // A started learner with no client URL is dialled at its master's client URL from the spec.
  assert.deepEqual([...oa.statuses.keys()].sort(), ['1', '2']);
  assert.equal(oa.statuses.get('2')?.url, 'https://127.0.1.2:2379');
  assert.deepEqual(oa.alarms, [{ memberId: '1', alarm: 'NOSPACE' }]);

  now += 200;
  const c = observer.observe();
  etcd.release();
  assert.notEqual(await c, oa, 'older than the max age: read again');
  assert.equal(etcd.calls.members, 2);
});

test('invalidate(): the next observe reads again, also when a read was in flight', async () => {
  const etcd = fakeEtcd();
  const observer = new EtcdObserver(
    etcd.cluster,
    () => spec,
    silentLogger(),
    () => 5_000,
  );
  const before = observer.observe();
  observer.invalidate();
  const after = observer.observe();
  etcd.release();
  assert.notEqual(await before, await after);
  assert.equal(etcd.calls.members, 2);
  observer.invalidate();
  const again = observer.observe();
  etcd.release();
  await again;
  assert.equal(etcd.calls.members, 3);
});

test('no member list (no quorum): no statuses, no alarms read', async () => {
  const etcd = fakeEtcd();
  (etcd.cluster as unknown as { members: () => Promise<never> }).members = () => Promise.reject(new Error('no leader'));
  const o = await new EtcdObserver(etcd.cluster, () => spec, silentLogger()).observe();
  assert.equal(o.members, undefined);
  assert.equal(o.statuses.size, 0);
  assert.deepEqual(o.alarms, []);
  assert.equal(etcd.calls.alarms, 0);
});
