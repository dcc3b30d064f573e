import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError } from '../../../proto/common/config-file.js';
import { HostPaths } from '../../../proto/common/paths.js';
import { LocalClusterStore } from '../../../coordinator/cluster/store.js';
import { balancerChangeWarnings, durationMs, formatClusterSpec, parseClusterSpec, specChanges, specWarnings } from '../../../coordinator/cluster/spec.js';
import { balancerChanged } from '../../../coordinator/cluster/spec-fields.js';

const spec = (masters: string, extra = ''): string => `apiVersion: belay.dev/v1alpha1
kind: Cluster
metadata: {name: prod}
spec:
  masters: ${masters}
${extra}`;
const three = '[{name: m1, address: 10.0.0.1}, {name: m2, address: 10.0.0.2}, {name: m3, address: 10.0.0.3}]';

function problems(text: string): string[] {
  try {
    parseClusterSpec(text, 'cluster.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  assert.fail('expected the spec to be refused');
}

test('a minimal spec gets every default, and formats back to itself', () => {
  const s = parseClusterSpec(spec(three));
  assert.equal(s.spec.runtime, 'kubelet');
  assert.equal(s.spec.etcd.clientPort, 2379);
  assert.equal(s.spec.etcd.dataDir, '/var/lib/etcd');
  assert.equal(s.spec.etcd.preflight.maxFsyncP99Ms, 10);
  assert.equal(s.spec.backup.retain, 48);
  assert.equal(durationMs(s.spec.backup.interval), 30 * 60_000);
  assert.equal(durationMs(s.spec.etcd.learnerCatchUpTimeout), 5 * 60_000);
  assert.deepEqual(parseClusterSpec(formatClusterSpec(s)), s);
  assert.deepEqual(specWarnings(s), []);
});

test('JSON is accepted as well as YAML', () => {
  const s = parseClusterSpec(
    JSON.stringify({ apiVersion: 'belay.dev/v1alpha1', kind: 'Cluster', metadata: { name: 'x' }, spec: { masters: [{ name: 'm1', address: '::1' }] } }),
  );
  assert.equal(s.spec.masters[0]?.address, '::1');
});

test('duplicate names and addresses are refused, each naming the field', () => {
  const p = problems(spec('[{name: m1, address: 10.0.0.1}, {name: m1, address: 10.0.0.2}, {name: m3, address: 10.0.0.1}]'));
  assert.ok(
    p.some((x) => x.startsWith('spec.masters.1.name:') && x.includes('also spec.masters.0')),
    p.join('\n'),
  );
  assert.ok(
    p.some((x) => x.startsWith('spec.masters.2.address:') && x.includes('10.0.0.1 is also the address of spec.masters.0')),
    p.join('\n'),
  );
});

test('IPv6 addresses written two ways are the same address', () => {
  const p = problems(spec('[{name: m1, address: "fd00::1"}, {name: m2, address: "fd00:0:0::1"}]'));
  assert.ok(
    p.some((x) => x.startsWith('spec.masters.1.address:')),
    p.join('\n'),
  );
});

test('unknown fields get a did-you-mean, bad values say the fix', () => {
  const p = problems(spec(three, '  etcd: {dataDri: /x, clientPort: 99999, learnerCatchUpTimeout: 5 minutes}\n  runtime: docker'));
  assert.ok(p.includes('spec.etcd.dataDri: unknown field: did you mean "dataDir"?'), p.join('\n'));
  assert.ok(
    p.some((x) => x.startsWith('spec.etcd.clientPort: got 99999: must be 1 to 65535')),
    p.join('\n'),
  );
  assert.ok(
    p.some((x) => x.startsWith('spec.etcd.learnerCatchUpTimeout:') && x.includes('duration')),
    p.join('\n'),
  );
  assert.ok(
    p.some((x) => x.startsWith('spec.runtime: got "docker": must be kubelet or host')),
    p.join('\n'),
  );
});

test('the wrong kind, a bad name, no masters, eight masters are refused', () => {
  assert.ok(problems(spec(three).replace('kind: Cluster', 'kind: Pod')).some((x) => x.startsWith('kind:')));
  assert.ok(problems(spec(three).replace('name: prod', 'name: Prod_1')).some((x) => x.startsWith('metadata.name:')));
  assert.ok(problems(spec('[]')).some((x) => x.startsWith('spec.masters:')));
  const eight = `[${Array.from({ length: 8 }, (_, i) => `{name: m${i}, address: 10.0.0.${i + 1}}`).join(',')}]`;
  assert.ok(problems(spec(eight)).some((x) => x.includes('at most 7')));
});

test('flags belay owns cannot be set through extraArgs; ports must differ; election timeout ≥ 5 heartbeats', () => {
  const p = problems(
    spec(three, '  etcd: {peerPort: 2379, heartbeatIntervalMs: 300, extraArgs: {initial-cluster-state: new, auto-compaction-retention: "8"}}'),
  );
  assert.ok(
    p.some((x) => x.startsWith('spec.etcd.extraArgs.initial-cluster-state:') && x.includes('set by belay')),
    p.join('\n'),
  );
  assert.ok(!p.some((x) => x.includes('auto-compaction-retention')), p.join('\n'));
  assert.ok(
    p.some((x) => x.startsWith('spec.etcd.peerPort:') && x.includes('clientPort')),
    p.join('\n'),
  );
  assert.ok(
    p.some((x) => x.startsWith('spec.etcd.electionTimeoutMs:') && x.includes('1500')),
    p.join('\n'),
  );
});

test('an even or too small master count is a warning, not a refusal', () => {
  const w = specWarnings(
    parseClusterSpec(spec('[{name: m1, address: 10.0.0.1}, {name: m2, address: 10.0.0.2}, {name: m3, address: 10.0.0.3}, {name: m4, address: 10.0.0.4}]')),
  );
  assert.equal(w.length, 1);
  assert.match(w[0] ?? '', /4 masters: quorum is 3, so it tolerates 1 failed master, as 3 would/);
  assert.match(specWarnings(parseClusterSpec(spec('[{name: m1, address: 10.0.0.1}]')))[0] ?? '', /no failure is tolerated/);
});

test('YAML syntax errors say where', () => {
  const p = problems('apiVersion: [\n');
  assert.match(p[0] ?? '', /^line \d+ column \d+: .*fix the YAML syntax/);
});

test('changes between two specs are listed for people', () => {
  const a = parseClusterSpec(spec(three));
  const b = parseClusterSpec(
    spec('[{name: m1, address: 10.0.0.1}, {name: m2, address: 10.0.0.9}, {name: m4, address: 10.0.0.4}]', '  etcd: {snapshotCount: 5000}'),
  );
  assert.deepEqual(specChanges(a, b), [
    'master m2 moves from 10.0.0.2 to 10.0.0.9',
    'master m4 (10.0.0.4) added',
    'master m3 (10.0.0.3) removed',
    'spec.etcd.snapshotCount: 10000 → 5000',
  ]);
  assert.deepEqual(specChanges(a, a), []);
  assert.deepEqual(specChanges(undefined, a), ['new spec']);
});

test('the local store keeps the spec 0600 and atomically; the same spec twice writes nothing', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-spec-'));
  try {
    const store = new LocalClusterStore(new HostPaths(root));
    assert.equal(store.read(), undefined);
    const s = parseClusterSpec(spec(three));
    assert.equal(await store.write(s, 1234), true);
    assert.equal(await store.write(s, 5678), false);
    const got = store.read();
    assert.deepEqual(got?.spec, s);
    assert.equal(got?.appliedAtMs, 1234);
    const file = path.join(root, 'var/lib/belay/cluster/cluster.yaml');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(
      fs.readdirSync(path.dirname(file)).filter((n) => n.startsWith('.')),
      [],
    );
    // Kept in memory: read on every leader pass, it is not read from disk again.
    fs.writeFileSync(file, 'not: [a spec');
    assert.deepEqual(store.read()?.spec, s);
    // A new store (a restarted coordinator) reads the disk, and reports a copy that does not parse.
    assert.throws(() => new LocalClusterStore(new HostPaths(root)).read());
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('an external balancer needs its address and a runtime API socket the agent may open (under /run, no "..")', () => {
  for (const socket of ['/tmp/haproxy.sock', '/run/../etc/haproxy.sock']) {
    const p = problems(spec(three, `  loadBalancer: {mode: external, address: 10.0.0.100, runtimeApi: {master: m1, socket: "${socket}"}}`));
    assert.ok(
      p.some((x) => x.startsWith('spec.loadBalancer.runtimeApi.socket:') && x.includes('under /run')),
      p.join('\n'),
    );
  }
  const noAddress = problems(spec(three, '  loadBalancer: {mode: external, runtimeApi: {master: m1, socket: /run/haproxy/admin.sock}}'));
  assert.ok(
    noAddress.some((x) => x.startsWith('spec.loadBalancer.address:') && x.includes('external mode')),
    noAddress.join('\n'),
  );
  assert.equal(
    parseClusterSpec(spec(three, '  loadBalancer: {mode: external, address: 10.0.0.100, runtimeApi: {master: m1, socket: /run/haproxy/admin.sock}}')).spec
      .loadBalancer.mode,
    'external',
  );
});

test('a balancer change on a running control plane says what is left to the operator', () => {
  const staticPod = parseClusterSpec(spec(three, ''));
  const external = parseClusterSpec(
    spec(three, '  loadBalancer: {mode: external, address: 10.0.0.100, runtimeApi: {master: m1, socket: /run/haproxy/admin.sock}}'),
  );
  const toExternal = balancerChangeWarnings(staticPod, external);
  assert.equal(toExternal.length, 2, toExternal.join('\n'));
  assert.match(toExternal[0] ?? '', /haproxy pods, which keep running on every master .*belayctl manifests remove NODE haproxy\.yaml/);
  assert.match(toExternal[1] ?? '', /issued again .* restarts the apiservers one at a time/);
  assert.match(balancerChangeWarnings(external, staticPod)[0] ?? '', /belay starts haproxy on every master/);
  assert.deepEqual(balancerChangeWarnings(staticPod, parseClusterSpec(spec(three, ''))), []);
  assert.equal(balancerChanged(staticPod, parseClusterSpec(spec(three, '  loadBalancer: {checkIntervalMs: 1000}'))), true);
  assert.equal(balancerChanged(staticPod, parseClusterSpec(spec(three, ''))), false);
});

test('control-plane extraArgs are checked when the spec is read, not first at a rollout: unknown (with the closest) and owned flags', () => {
  const p = problems(
    spec(
      three,
      '  apiserver: {extraArgs: {audit-log-max-age: "7", etcd-servers: "https://10.9.9.9:2379", v: "2"}}\n  scheduler: {extraArgs: {bind-address: 0.0.0.0}}',
    ),
  );
  assert.ok(
    p.some((x) => x.startsWith('spec.apiserver.extraArgs.audit-log-max-age:') && x.includes('did you mean "audit-log-maxage"')),
    p.join('\n'),
  );
  assert.ok(
    p.some((x) => x.startsWith('spec.apiserver.extraArgs.etcd-servers:') && x.includes('set by belay')),
    p.join('\n'),
  );
  assert.ok(
    p.some((x) => x.startsWith('spec.scheduler.extraArgs.bind-address:') && x.includes('set by belay')),
    p.join('\n'),
  );
  assert.ok(!p.some((x) => x.includes('extraArgs.v:')), p.join('\n'));
});
