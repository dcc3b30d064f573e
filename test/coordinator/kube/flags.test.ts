import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CONTROL_PLANE_COMPONENTS } from '../../../coordinator/kube/flag-names.js';
import { OWNED_FLAGS, describeExtraArgProblem, knownFlags, resolveFlags, validateExtraArgs, type ExtraArgProblem } from '../../../coordinator/kube/flags.js';

describe('knownFlags', () => {
  test('knows the flags belay relies on', () => {
    const api = knownFlags('kube-apiserver', 'v1.31.0');
    for (const f of ['etcd-servers', 'endpoint-reconciler-type', 'shutdown-delay-duration', 'audit-log-path', 'feature-gates', 'v', 'vmodule'])
      assert.ok(api.has(f), f);
    assert.ok(knownFlags('kube-scheduler', 'v1.31.0').has('leader-elect'));
    for (const f of ['leader-elect', 'cluster-cidr', 'controllers', 'flex-volume-plugin-dir'])
      assert.ok(knownFlags('kube-controller-manager', 'v1.31.0').has(f), f);
  });

  test("does not know made-up flags, or one component's flags for another", () => {
    for (const c of CONTROL_PLANE_COMPONENTS) assert.ok(!knownFlags(c, 'v1.31.0').has('frobnicate-etcd'), c);
    assert.ok(!knownFlags('kube-scheduler', 'v1.31.0').has('etcd-servers'));
    assert.ok(!knownFlags('kube-apiserver', 'v1.31.0').has('leader-elect'));
    // Removed with the other klog flags in 1.26.
    assert.ok(!knownFlags('kube-scheduler', 'v1.31.0').has('logtostderr'));
  });

  test('names are bare flag names and lists are complete-sized', () => {
    const min = { 'kube-apiserver': 150, 'kube-scheduler': 50, 'kube-controller-manager': 130 } as const;
    for (const c of CONTROL_PLANE_COMPONENTS) {
      const flags = knownFlags(c, 'v1.31.0');
      assert.ok(flags.size >= min[c], `${c}: ${flags.size}`);
      for (const f of flags) assert.match(f, /^[a-z0-9][a-z0-9-]*$/);
    }
  });

  test('every flag belay owns is a real flag of its component', () => {
    for (const c of CONTROL_PLANE_COMPONENTS) {
      const flags = knownFlags(c, 'v1.31.0');
      for (const f of OWNED_FLAGS[c]) assert.ok(flags.has(f), `${c} ${f}`);
    }
  });

  test('an unknown minor uses the nearest known one and says so', () => {
    assert.deepEqual(resolveFlags('kube-apiserver', 'v1.31.4').note, undefined);
    assert.equal(resolveFlags('kube-apiserver', '1.31').minor, '1.31');
    const r = resolveFlags('kube-apiserver', 'v1.33.2');
    assert.equal(r.minor, '1.31');
    assert.match(r.note ?? '', /v1\.33\.2.*1\.31/);
    assert.ok(r.flags.has('etcd-servers'));
    assert.match(resolveFlags('kube-scheduler', 'latest').note ?? '', /latest/);
  });
});

/** The problem as messages show it. */
const text = (p: ExtraArgProblem | undefined, component: Parameters<typeof describeExtraArgProblem>[0] = 'kube-apiserver'): string =>
  p ? describeExtraArgProblem(component, p) : '';

describe('validateExtraArgs', () => {
  test('accepts known flags, including ones belay sets a default for', () => {
    assert.deepEqual(validateExtraArgs('kube-apiserver', 'v1.31.0', { 'audit-log-path': '-', 'authorization-mode': 'Node,RBAC,Webhook' }), []);
    assert.deepEqual(validateExtraArgs('kube-scheduler', 'v1.31.0', {}), []);
  });

  test('a typo names the flag and the closest known one', () => {
    for (const typo of ['audit-log-pat', '--audit-log-pat']) {
      const [p, ...rest] = validateExtraArgs('kube-apiserver', 'v1.31.0', { [typo]: '/var/log/audit.log' });
      assert.equal(rest.length, 0);
      assert.match(text(p), new RegExp(`${typo}: not a kube-apiserver 1\\.31 flag: did you mean "audit-log-path"\\?`));
    }
  });

  test('something far from every flag points at --help', () => {
    const [p] = validateExtraArgs('kube-scheduler', 'v1.31.0', { 'zzzz-qqqq': '1' });
    assert.match(text(p, 'kube-scheduler'), /zzzz-qqqq: not a kube-scheduler 1\.31 flag: see kube-scheduler --help/);
  });

  test('refuses flags belay owns', () => {
    const [p] = validateExtraArgs('kube-apiserver', 'v1.31.0', { 'etcd-servers': 'https://10.0.0.9:2379' });
    assert.match(text(p), /etcd-servers: is set by belay/);
    assert.equal(validateExtraArgs('kube-scheduler', 'v1.31.0', { 'leader-elect': 'false' }).length, 1);
    assert.equal(validateExtraArgs('kube-controller-manager', 'v1.31.0', { 'secure-port': '1' }).length, 1);
  });

  test('refuses flags that make the binary exit', () => {
    const [p] = validateExtraArgs('kube-controller-manager', 'v1.31.0', { version: 'true' });
    assert.match(text(p, 'kube-controller-manager'), /version: makes kube-controller-manager print and exit/);
  });

  test('one line per problem, in name order', () => {
    const problems = validateExtraArgs('kube-apiserver', 'v1.31.0', { 'secure-port': '1', 'audit-log-pat': 'x', 'audit-log-path': 'y' });
    assert.equal(problems.length, 2);
    assert.match(text(problems[0]), /^kube-apiserver extraArgs audit-log-pat:/);
    assert.match(text(problems[1]), /^kube-apiserver extraArgs secure-port:/);
  });
});
