import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { AGENT_DEFAULTS, loadAgentConfig, parseAgentConfig } from '../../agent/config.js';
import { ConfigError } from '../../proto/common/config-file.js';

const problems = (input: unknown): string[] => {
  try {
    parseAgentConfig('agent.yaml', input);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  assert.fail('expected a ConfigError');
};

test('a minimal agent config takes every default from the master address', () => {
  const c = parseAgentConfig('agent.yaml', { node: { name: 'm1', address: '127.0.1.1' } });
  assert.equal(c.listen, '127.0.1.1:7701');
  assert.equal(c.metricsListen, '127.0.1.1:7711');
  assert.deepEqual(c.coordinators, ['127.0.1.1:7702']);
  assert.deepEqual(c.tls, { ca: '/etc/belay/pki/ca.crt', cert: '/etc/belay/pki/m1.crt', key: '/etc/belay/pki/m1.key' });
  assert.equal(c.reportIntervalMs, AGENT_DEFAULTS.reportIntervalMs);
  assert.equal(c.etcdDataDir, '/var/lib/etcd');
  assert.equal(c.insecure, false);
  assert.equal(c.maxMessageBytes, 4 * 1024 * 1024);
  assert.ok(Object.isFrozen(c));
});

test('each bad field is one line naming the field, the value and the fix', () => {
  const p = problems({ node: { name: 'M_1', address: '300.1.1.1' }, report: { intervalMs: 'fast' }, insecure: 'yes' });
  assert.equal(p.length, 4);
  assert.ok(p.includes('node.name: got "M_1": must be a DNS label (lowercase letters, digits and "-", at most 63), e.g. m1'), p.join('\n'));
  assert.ok(p.some((l) => l.startsWith('node.address: got "300.1.1.1": must be an IPv4 or IPv6 address')));
  assert.ok(p.some((l) => l.startsWith('report.intervalMs: got "fast": must be a number of ms')));
  assert.ok(p.some((l) => l.startsWith('insecure: got "yes": must be true or false')));
});

test('a missing required field and a typo are named, the typo with a suggestion', () => {
  assert.deepEqual(problems({ node: { name: 'm1', address: '127.0.1.1' }, reprot: {} }), ['reprot: unknown field: did you mean "report"?']);
  assert.ok(problems({ node: { name: 'm1' } }).some((l) => l.startsWith('node.address: got nothing:')));
  assert.ok(
    problems({ node: { name: 'm1', address: '127.0.1.1' }, tls: { ca: 'ca.crt' } }).some((l) =>
      l.includes('tls.ca: got "ca.crt": must be an absolute host path'),
    ),
  );
  assert.ok(problems({ node: { name: 'm1', address: '127.0.1.1' }, maxMessageBytes: 100 }).some((l) => l.includes('must be at least 65536')));
});

test('a missing file and broken YAML are config errors with the file and position', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-cfg-'));
  assert.throws(
    () => loadAgentConfig(path.join(dir, 'nope.yaml')),
    (e: Error) => e instanceof ConfigError && /nope.yaml: cannot read the config file \(ENOENT\)/.test(e.message),
  );
  const bad = path.join(dir, 'bad.yaml');
  fs.writeFileSync(bad, 'node:\n  name: m1\n   address: [\n');
  assert.throws(
    () => loadAgentConfig(bad),
    (e: Error) => e instanceof ConfigError && /bad.yaml: line \d+ column \d+: .*fix the YAML syntax/.test(e.message),
  );
  fs.rmSync(dir, { recursive: true });
});
