import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAgentConfig } from '../../../agent/config.js';
import { resolveServices } from '../../../agent/supervisor/config.js';
import { POLICY_DEFAULTS } from '../../../agent/supervisor/policy-config.js';
import { ConfigError } from '../../../proto/common/config-file.js';

const node = { name: 'm1', address: '127.0.1.1' };
const problems = (services: unknown): string[] => {
  try {
    parseAgentConfig('agent.yaml', { node, services });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  assert.fail('expected a ConfigError');
};

test('without a services key the shipped kubelet, containerd and docker apply, each only where present', () => {
  const c = parseAgentConfig('agent.yaml', { node });
  assert.deepEqual(Object.keys(c.services).sort(), ['containerd', 'docker', 'kubelet']);
  for (const s of Object.values(c.services)) assert.equal(s.enabled, 'auto');
  assert.deepEqual(c.services.kubelet?.dependsOn, ['containerd', 'docker']);
  assert.deepEqual(c.services.containerd?.health, {
    type: 'grpc-unix',
    socket: '/run/containerd/containerd.sock',
    method: '/containerd.services.version.v1.Version/Version',
  });
});

test('a service missing what its mode needs, with an unknown field or a bad check is refused field by field', () => {
  assert.deepEqual(problems({ kubelet: { mode: 'child' } }), [
    'services.kubelet.command: got nothing: is required in child mode: the command the agent spawns',
  ]);
  assert.ok(problems({ docker: { mode: 'pidfile', command: ['dockerd'] } }).includes('services.docker.pidfile: got nothing: is required in pidfile mode'));
  assert.ok(problems({ kubelet: { mode: 'systemd' } }).includes('services.kubelet.unit: got nothing: is required in systemd mode, e.g. kubelet.service'));
  assert.deepEqual(problems({ kubelet: { mode: 'systemd', unit: 'kubelet.service', restartt: 1 } }), ['services.kubelet.restartt: unknown field: remove it']);
  assert.deepEqual(problems({ kubelet: { mode: 'systemd', unit: 'kubelet.service', dependOn: ['containerd'] } }), [
    'services.kubelet.dependOn: unknown field: did you mean "dependsOn"?',
  ]);
  assert.ok(
    problems({ kubelet: { mode: 'sysv', unit: 'kubelet.service' } }).some((p) =>
      p.startsWith('services.kubelet.mode: got "sysv": must be child, pidfile, process or systemd'),
    ),
  );
  assert.ok(
    problems({ kubelet: { mode: 'systemd', unit: 'kubelet', health: { type: 'http', url: 'localhost:10248' } } }).some((p) =>
      p.includes('services.kubelet.unit: got "kubelet": must be a unit name like kubelet.service'),
    ),
  );
  const gopher = problems({ c: { mode: 'systemd', unit: 'c.service', health: { type: 'gopher' } } });
  assert.ok(
    gopher.some((p) => p.startsWith('services.c.health.type: got "gopher": must have type http')),
    gopher.join('\n'),
  );
  assert.ok(problems({ Kubelet: { mode: 'systemd', unit: 'k.service' } }).some((p) => p.includes('service names are lowercase words')));
});

test('resolved services carry the policy defaults, their overrides, and host paths under --root', () => {
  const c = parseAgentConfig('agent.yaml', {
    node,
    services: {
      docker: {
        mode: 'pidfile',
        pidfile: '/run/docker.pid',
        command: ['dockerd'],
        health: { type: 'unix-http', socket: '/var/run/docker.sock', path: '/_ping' },
        backoffMaxMs: 2000,
      },
    },
  });
  const [d] = resolveServices(c.services, (p) => `/srv/m1${p}`);
  assert.equal(d?.pidfile, '/srv/m1/run/docker.pid');
  assert.deepEqual(d?.health, { type: 'unix-http', socket: '/srv/m1/var/run/docker.sock', path: '/_ping' });
  assert.equal(d?.policy.backoffMaxMs, 2000);
  assert.equal(d?.policy.failureThreshold, POLICY_DEFAULTS.failureThreshold);
  assert.equal(d?.killMode, 'process', 'the main process only, by default');
});
