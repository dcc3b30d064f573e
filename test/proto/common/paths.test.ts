import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HostPaths, confine } from '../../../proto/common/paths.js';

test('host paths are moved under --root', () => {
  const p = new HostPaths('/tmp/m1');
  assert.equal(p.host('/etc/belay/pki/ca.crt'), '/tmp/m1/etc/belay/pki/ca.crt');
  assert.equal(p.manifestsDir, '/tmp/m1/etc/kubernetes/manifests');
  assert.equal(new HostPaths('/').host('/var/lib/etcd'), '/var/lib/etcd');
});

test('a path cannot climb out of its root', () => {
  const p = new HostPaths('/tmp/m1');
  assert.equal(p.host('/../../etc/shadow'), '/tmp/m1/etc/shadow');
  assert.throws(() => confine('/tmp/m1/etc', '../../secrets'), /leaves \/tmp\/m1\/etc/);
  assert.throws(() => p.host('relative/path'), /not absolute/);
});
