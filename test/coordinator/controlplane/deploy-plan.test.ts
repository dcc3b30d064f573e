import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  deployStatus,
  planApiserverRestart,
  planMasterDeploy,
  readyMasters,
  type MasterDeployObservation,
  type StaleApiserver,
} from '../../../coordinator/controlplane/deploy-plan.js';

const ALL = ['haproxy.yaml', 'kube-apiserver.yaml', 'kube-controller-manager.yaml', 'kube-scheduler.yaml'];
const SANS = 'a'.repeat(64);
const CFG = 'c'.repeat(64);
const observe = (o: Partial<MasterDeployObservation> = {}): MasterDeployObservation => ({
  staticPodBalancer: true,
  present: ['etcd.yaml'],
  recorded: undefined,
  sansSha256: SANS,
  haproxyCfgSha256: CFG,
  ...o,
});
const done = { sansSha256: SANS, haproxyCfgSha256: CFG };

test('readyMasters: voting etcd members alive in gossip, in spec order', () => {
  assert.deepEqual(readyMasters(['m1', 'm2', 'm3', 'm4'], new Set(['m3', 'm1', 'm4']), new Set(['m1', 'm3', 'm2'])), ['m1', 'm3']);
});

test('a fresh master: certificates, haproxy.cfg, the record, then every pod, haproxy first', () => {
  assert.deepEqual(planMasterDeploy(observe()), [
    { kind: 'issue-certificates', recheckServing: false },
    { kind: 'write-haproxy-config' },
    { kind: 'record' },
    { kind: 'start-pods', files: ALL },
  ]);
});

test('external balancer: no haproxy config nor pod', () => {
  assert.deepEqual(planMasterDeploy(observe({ staticPodBalancer: false })), [
    { kind: 'issue-certificates', recheckServing: false },
    { kind: 'record' },
    { kind: 'start-pods', files: ALL.slice(1) },
  ]);
});

test('everything in place and recorded: nothing to do', () => {
  assert.deepEqual(planMasterDeploy(observe({ present: ALL, recorded: done })), []);
});

test('a pod missing (removed by hand): only it is started; a pod present is never touched', () => {
  assert.deepEqual(planMasterDeploy(observe({ present: ['haproxy.yaml', 'kube-apiserver.yaml'], recorded: done })), [
    { kind: 'start-pods', files: ['kube-controller-manager.yaml', 'kube-scheduler.yaml'] },
  ]);
});

test('SANs changed (a balancer address added) with the apiserver running: reissued, and what it serves is looked at again', () => {
  assert.deepEqual(planMasterDeploy(observe({ present: ALL, recorded: { ...done, sansSha256: 'old' } })), [
    { kind: 'issue-certificates', recheckServing: true },
    { kind: 'record' },
  ]);
});

test('SANs changed before the apiserver runs: reissued, nothing served to look at', () => {
  assert.deepEqual(planMasterDeploy(observe({ present: ['haproxy.yaml'], recorded: { ...done, sansSha256: 'old' } })), [
    { kind: 'issue-certificates', recheckServing: false },
    { kind: 'record' },
    { kind: 'start-pods', files: ALL.slice(1) },
  ]);
});

test('haproxy.cfg changed (a master joined) with haproxy running: written, and its servers synced at run time, no restart', () => {
  assert.deepEqual(planMasterDeploy(observe({ present: ALL, recorded: { ...done, haproxyCfgSha256: 'old' } })), [
    { kind: 'write-haproxy-config' },
    { kind: 'sync-balancer' },
    { kind: 'record' },
  ]);
});

test('haproxy.cfg changed with no haproxy running: written only (the pod reads it when started)', () => {
  assert.deepEqual(planMasterDeploy(observe({ present: ALL.slice(1), recorded: { ...done, haproxyCfgSha256: 'old' } })), [
    { kind: 'write-haproxy-config' },
    { kind: 'record' },
    { kind: 'start-pods', files: ['haproxy.yaml'] },
  ]);
});

test('nothing recorded but haproxy running (a new leader without the record): config written, no sync', () => {
  assert.deepEqual(planMasterDeploy(observe({ present: ALL })), [
    { kind: 'issue-certificates', recheckServing: true },
    { kind: 'write-haproxy-config' },
    { kind: 'record' },
  ]);
});

test('balancer switched to external: no config written, the record updated to the empty config', () => {
  assert.deepEqual(planMasterDeploy(observe({ staticPodBalancer: false, present: ALL, recorded: { ...done, haproxyCfgSha256: 'old' } })), [{ kind: 'record' }]);
});

const stale = (master: string, sans = 'new'): StaleApiserver => ({ master, lacks: ['10.0.0.4'], sans });

test('no stale apiserver: no restart', () => {
  assert.deepEqual(planApiserverRestart({ stale: [], restartedFor: new Map(), allReady: true, canRestart: true }), { kind: 'none' });
});

test('a stale apiserver with every apiserver ready: the careful restart, saying why', () => {
  assert.deepEqual(planApiserverRestart({ stale: [stale('m1'), stale('m2')], restartedFor: new Map(), allReady: true, canRestart: true }), {
    kind: 'restart',
    fresh: [stale('m1'), stale('m2')],
    reason: "certificates reissued: m1's apiserver serves one without 10.0.0.4; m2's apiserver serves one without 10.0.0.4",
  });
});

test('a stale apiserver while a master is still coming up: waited for', () => {
  assert.deepEqual(planApiserverRestart({ stale: [stale('m1')], restartedFor: new Map(), allReady: false, canRestart: true }), { kind: 'none' });
});

test('no way to restart (no rollout runner): only looked at', () => {
  assert.deepEqual(planApiserverRestart({ stale: [stale('m1')], restartedFor: new Map(), allReady: true, canRestart: false }), { kind: 'none' });
});

test('already restarted for the same SANs and still stale: given up, never a second restart', () => {
  assert.deepEqual(planApiserverRestart({ stale: [stale('m1')], restartedFor: new Map([['m1', 'new']]), allReady: true, canRestart: true }), {
    kind: 'give-up',
    stale: [stale('m1')],
  });
});

test('restarted for older SANs: restarted again for the new ones, only those not restarted for them yet', () => {
  const p = planApiserverRestart({
    stale: [stale('m1', 'newer'), stale('m2')],
    restartedFor: new Map([
      ['m1', 'new'],
      ['m2', 'new'],
    ]),
    allReady: true,
    canRestart: true,
  });
  assert.deepEqual(p.kind === 'restart' ? p.fresh.map((s) => s.master) : p.kind, ['m1']);
});

test('status: every master has its pods', () => {
  assert.equal(
    deployStatus({ specMasters: ['m1', 'm2', 'm3'], ready: ['m1', 'm2', 'm3'], failedNow: false, failing: 0 }),
    'every master (3) has its control-plane pods',
  );
});

test('status: some masters not etcd voters yet', () => {
  assert.equal(
    deployStatus({ specMasters: ['m1', 'm2', 'm3'], ready: ['m1'], failedNow: false, failing: 0 }),
    'control plane on m1; waiting for m2, m3 to be etcd voters',
  );
});

test('status: a master failed (now or before): its failure stays the line', () => {
  assert.equal(deployStatus({ specMasters: ['m1', 'm2'], ready: ['m1', 'm2'], failedNow: true, failing: 1 }), undefined);
  assert.equal(deployStatus({ specMasters: ['m1', 'm2'], ready: ['m1'], failedNow: false, failing: 1 }), undefined);
});
