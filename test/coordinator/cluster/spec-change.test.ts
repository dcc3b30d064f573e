import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unsafeSpecChange, type SpecChange } from '../../../coordinator/cluster/spec-change.js';
import { parseClusterSpec, type ClusterSpec } from '../../../coordinator/cluster/spec.js';

const spec = (o: { name?: string; masters?: string; etcd?: string; loadBalancer?: string } = {}): ClusterSpec =>
  parseClusterSpec(`apiVersion: belay.dev/v1alpha1
kind: Cluster
metadata: {name: ${o.name ?? 'prod'}}
spec:
  masters: ${o.masters ?? '[{name: m1, address: 10.0.0.1}, {name: m2, address: 10.0.0.2}, {name: m3, address: 10.0.0.3}]'}
${o.etcd ? `  etcd: ${o.etcd}\n` : ''}${o.loadBalancer ? `  loadBalancer: ${o.loadBalancer}\n` : ''}`);

const prev = spec();
const change = (next: ClusterSpec, o: Partial<SpecChange> = {}): ReturnType<typeof unsafeSpecChange> =>
  unsafeSpecChange({ prev, next, etcdMembers: ['m1', 'm2', 'm3'], ...o });
const rollout = { component: 'kube-apiserver', revision: 4, state: 'running' };

test('the same spec is allowed', () => {
  assert.equal(change(spec()), undefined);
});

test('adding a master is allowed', () => {
  assert.equal(
    change(spec({ masters: '[{name: m1, address: 10.0.0.1}, {name: m2, address: 10.0.0.2}, {name: m3, address: 10.0.0.3}, {name: m4, address: 10.0.0.4}]' })),
    undefined,
  );
});

test('dropping an etcd member is refused as SPEC_REMOVES_MEMBER, pointing at etcd remove', () => {
  assert.deepEqual(change(spec({ masters: '[{name: m1, address: 10.0.0.1}, {name: m2, address: 10.0.0.2}]' })), {
    code: 'SPEC_REMOVES_MEMBER',
    message: 'the spec drops m3, which is an etcd member',
    hint: 'remove it from etcd first (belayctl etcd remove m3, which checks quorum), then apply',
  });
});

test('dropping a master that is not an etcd member (removed by hand first) is allowed', () => {
  assert.equal(change(spec({ masters: '[{name: m1, address: 10.0.0.1}, {name: m2, address: 10.0.0.2}]' }), { etcdMembers: ['m1', 'm2'] }), undefined);
});

test('moving an etcd member to another address is refused as SPEC_MOVES_MEMBER', () => {
  assert.deepEqual(change(spec({ masters: '[{name: m1, address: 10.0.0.1}, {name: m2, address: 10.0.0.22}, {name: m3, address: 10.0.0.3}]' })), {
    code: 'SPEC_MOVES_MEMBER',
    message: 'the spec moves etcd member m2 to 10.0.0.22',
    hint: 'remove it from etcd first (belayctl etcd remove m2), apply the new address, then belayctl etcd add m2',
  });
});

test('moving a master that is not an etcd member is allowed (it joins at its new address)', () => {
  assert.equal(
    change(spec({ masters: '[{name: m1, address: 10.0.0.1}, {name: m2, address: 10.0.0.2}, {name: m3, address: 10.0.0.33}]' }), { etcdMembers: ['m1', 'm2'] }),
    undefined,
  );
});

test('the first refusal follows etcd member order', () => {
  const next = spec({ masters: '[{name: m2, address: 10.0.0.22}]' });
  assert.equal(change(next, { etcdMembers: ['m2', 'm1'] })?.code, 'SPEC_MOVES_MEMBER');
  assert.equal(change(next, { etcdMembers: ['m1', 'm2'] })?.code, 'SPEC_REMOVES_MEMBER');
});

for (const [field, value, from, to] of [
  ['clientPort', '{clientPort: 2479}', '2379', '2479'],
  ['peerPort', '{peerPort: 2480}', '2380', '2480'],
  ['metricsPort', '{metricsPort: 2382}', '2381', '2382'],
  ['dataDir', '{dataDir: /srv/etcd}', '/var/lib/etcd', '/srv/etcd'],
] as const) {
  test(`changing spec.etcd.${field} is refused as SPEC_CHANGE_UNSUPPORTED`, () => {
    assert.deepEqual(change(spec({ etcd: value })), {
      code: 'SPEC_CHANGE_UNSUPPORTED',
      message: `spec.etcd.${field} cannot change on a running cluster (${from} → ${to})`,
      hint: 'keep the current value',
    });
  });
}

test("changing metadata.name (etcd's cluster token) is refused as SPEC_CHANGE_UNSUPPORTED", () => {
  assert.deepEqual(change(spec({ name: 'prod-eu' })), {
    code: 'SPEC_CHANGE_UNSUPPORTED',
    message: "metadata.name is etcd's cluster token and cannot change (prod → prod-eu)",
    hint: 'keep the current name',
  });
});

test('a balancer change during a kube-apiserver rollout is refused as SPEC_BALANCER_DURING_ROLLOUT', () => {
  assert.deepEqual(change(spec({ loadBalancer: '{checkIntervalMs: 1000}' }), { activeRollout: rollout }), {
    code: 'SPEC_BALANCER_DURING_ROLLOUT',
    message: 'spec.loadBalancer cannot change while the kube-apiserver rollout (revision 4, running) works through the balancers',
    hint: 'let it finish (belayctl rollout status apiserver) or undo it, then apply',
  });
});

test('a balancer change outside a rollout is allowed', () => {
  assert.equal(change(spec({ loadBalancer: '{checkIntervalMs: 1000}' })), undefined);
});

test("a balancer change during another component's rollout is allowed (it does not drain the balancers)", () => {
  assert.equal(change(spec({ loadBalancer: '{checkIntervalMs: 1000}' }), { activeRollout: { ...rollout, component: 'kube-scheduler' } }), undefined);
});

test('a kube-apiserver rollout does not stop a change that leaves the balancer as it is', () => {
  assert.equal(
    change(spec({ masters: '[{name: m1, address: 10.0.0.1}, {name: m2, address: 10.0.0.2}, {name: m3, address: 10.0.0.3}, {name: m4, address: 10.0.0.4}]' }), {
      activeRollout: rollout,
    }),
    undefined,
  );
});
