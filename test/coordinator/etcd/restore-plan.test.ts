import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planRestore, type RestoreMasterFacts } from '../../../coordinator/etcd/restore-plan.js';

const m = (n: number, o: Partial<RestoreMasterFacts> = {}): RestoreMasterFacts => ({
  name: `m${n}`,
  peerUrl: `https://10.0.0.1${n}:2380`,
  unfit: '',
  holdsSnapshot: false,
  ...o,
});
const input = (masters: RestoreMasterFacts[], node = 'm1') => ({
  masters,
  node,
  snapshot: '/backups/etcd-x-rev9.db',
  revision: '9',
  cluster: 'prod',
  dataDir: '/var/lib/etcd',
});
const ALL = [
  { name: 'm1', peerUrl: 'https://10.0.0.11:2380' },
  { name: 'm2', peerUrl: 'https://10.0.0.12:2380' },
  { name: 'm3', peerUrl: 'https://10.0.0.13:2380' },
];

test('every master fit: all restored at once with the full initial cluster, nobody joins later', () => {
  const p = planRestore(input([m(1, { holdsSnapshot: true }), m(2), m(3)]));
  assert.equal(p.path, 'all-at-once');
  assert.deepEqual(p.targets, [
    { name: 'm1', localFile: true },
    { name: 'm2', localFile: false },
    { name: 'm3', localFile: false },
  ]);
  assert.deepEqual(p.initialCluster, ALL);
  assert.deepEqual(p.joinLater, []);
  assert.deepEqual(p.why, []);
});

test('all at once: the plan names the full initial cluster, where the bytes come from, and no learner join', () => {
  const p = planRestore(input([m(1, { holdsSnapshot: true }), m(2), m(3)]));
  assert.deepEqual(p.lines, [
    'stop etcd on every master (remove etcd.yaml: m1, m2, m3)',
    'move the data dir /var/lib/etcd aside on m1, m2, m3 (kept, never deleted)',
    'restore /backups/etcd-x-rev9.db (revision 9) on m1, m2, m3 at once, each as its member of one cluster "prod" (--initial-cluster m1=https://10.0.0.11:2380,m2=https://10.0.0.12:2380,m3=https://10.0.0.13:2380; the snapshot read from disk on m1, sent to m2, m3)',
    'start etcd on m1, m2, m3 (etcd.yaml, that initial cluster), each as soon as the one before serves its peers, and wait until all 3 are healthy voting members',
    'store the current spec in it',
  ]);
});

test('--node does not narrow the restore when every master is fit', () => {
  const p = planRestore(input([m(1), m(2), m(3)], 'm2'));
  assert.equal(p.path, 'all-at-once');
  assert.deepEqual(
    p.targets.map((t) => t.name),
    ['m1', 'm2', 'm3'],
  );
});

test('a master whose agent does not answer: --node alone as a one-member cluster, the others joined later by the leader, and why', () => {
  const p = planRestore(input([m(1, { holdsSnapshot: true }), m(2), m(3, { unfit: 'its agent does not answer (connect ECONNREFUSED)' })]));
  assert.equal(p.path, 'one-then-join');
  assert.deepEqual(p.targets, [{ name: 'm1', localFile: true }]);
  assert.deepEqual(p.initialCluster, [ALL[0]]);
  assert.deepEqual(p.joinLater, ['m2', 'm3']);
  assert.deepEqual(p.why, ['m3: its agent does not answer (connect ECONNREFUSED)']);
  assert.deepEqual(p.lines, [
    'not every master can be restored at once (m3: its agent does not answer (connect ECONNREFUSED)): restoring on m1 alone, the others join later',
    'stop etcd on every master (remove etcd.yaml: m1, m2, m3)',
    'move the data dir /var/lib/etcd aside on m1 (kept, never deleted)',
    'restore /backups/etcd-x-rev9.db (revision 9) on m1 as a new one-member cluster "prod" (the snapshot read from disk on m1)',
    'start it (etcd.yaml, initial-cluster m1=https://10.0.0.11:2380)',
    'store the current spec in it',
    'then the leader joins m2, m3 again as learners, one at a time (their old data dirs kept aside)',
  ]);
});

test('a master without etcd member certificates also means one then join', () => {
  const p = planRestore(input([m(1), m(2, { unfit: 'no etcd member certificate (pki/etcd/peer.crt)' }), m(3)]));
  assert.equal(p.path, 'one-then-join');
  assert.deepEqual(p.why, ['m2: no etcd member certificate (pki/etcd/peer.crt)']);
});

test('one then join on another --node: the snapshot is sent to it', () => {
  const p = planRestore(input([m(1, { holdsSnapshot: true }), m(2), m(3, { unfit: 'no agent known for it' })], 'm2'));
  assert.deepEqual(p.targets, [{ name: 'm2', localFile: false }]);
  assert.deepEqual(p.joinLater, ['m1', 'm3']);
  assert.match(p.lines[3] ?? '', /on m2 as a new one-member cluster "prod" \(the snapshot sent to m2\)$/);
});

test('a one-master spec: restored at once on its only master, nobody joins', () => {
  const p = planRestore(input([m(1, { holdsSnapshot: true })]));
  assert.equal(p.path, 'all-at-once');
  assert.deepEqual(p.initialCluster, [ALL[0]]);
  assert.deepEqual(p.joinLater, []);
  assert.equal(p.lines.length, 5);
});
