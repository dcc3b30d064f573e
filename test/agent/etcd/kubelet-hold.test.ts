import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KubeletEtcdHold, takeOutEtcdManifest } from '../../../agent/etcd/kubelet-hold.js';
import { silentLogger } from '../../../proto/common/log.js';

const held = { held: true, verdict: 'lost', reason: 'etcd data dir /var/lib/etcd is gone' };

test('etcd.yaml is taken out only while the data dir is held and the pod is not ready', () => {
  assert.equal(takeOutEtcdManifest({ data: held, manifestPresent: true, podReady: false }), true);
  assert.equal(takeOutEtcdManifest({ data: held, manifestPresent: true, podReady: true }), false, 'a running etcd on its open files is still a voter');
  assert.equal(takeOutEtcdManifest({ data: held, manifestPresent: false, podReady: false }), false);
  assert.equal(takeOutEtcdManifest({ data: { held: false, verdict: 'ok' }, manifestPresent: true, podReady: false }), false);
});

test('a tick removes etcd.yaml through the store and raises an alert naming the reason', async () => {
  const removed: string[] = [];
  const events: string[] = [];
  const hold = new KubeletEtcdHold({
    data: () => held,
    manifestPresent: () => removed.length === 0,
    podReady: () => false,
    remove: (f) => Promise.resolve(removed.push(f)),
    log: silentLogger(),
    raise: (e) => events.push(`${e.kind}: ${e.message}`),
  });
  assert.equal(await hold.tick(), true);
  assert.equal(await hold.tick(), false, 'gone already');
  assert.deepEqual(removed, ['etcd.yaml']);
  assert.match(events[0] ?? '', /^EtcdManifestHeld: took etcd.yaml out .*: etcd data dir \/var\/lib\/etcd is gone/);
});
