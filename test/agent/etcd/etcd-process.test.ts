import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { etcdDataDirOf, isEtcd } from '../../../agent/etcd/etcd-process.js';

describe('etcdDataDirOf', () => {
  const env = new Map([['PATH', '/bin']]);
  test("reads the flag in each of Go's forms, the last one winning", () => {
    assert.equal(etcdDataDirOf(['etcd', '--data-dir=/a'], env, '/'), '/a');
    assert.equal(etcdDataDirOf(['etcd', '-data-dir=/a/'], env, '/'), '/a');
    assert.equal(etcdDataDirOf(['etcd', '--data-dir', '/a', '--name', 'm1'], env, '/'), '/a');
    assert.equal(etcdDataDirOf(['etcd', '--data-dir=/a', '-data-dir', '/b'], env, '/'), '/b');
  });
  test('then ETCD_DATA_DIR, then <name>.etcd in the working dir', () => {
    assert.equal(etcdDataDirOf(['etcd'], new Map([['ETCD_DATA_DIR', '/var/lib/etcd']]), '/'), '/var/lib/etcd');
    assert.equal(etcdDataDirOf(['etcd', '--data-dir=/a'], new Map([['ETCD_DATA_DIR', '/b']]), '/'), '/a');
    assert.equal(etcdDataDirOf(['etcd', '--name=m2'], env, '/srv'), '/srv/m2.etcd');
    assert.equal(etcdDataDirOf(['etcd'], new Map([['ETCD_NAME', 'm3']]), '/srv'), '/srv/m3.etcd');
    assert.equal(etcdDataDirOf(['etcd', '--data-dir', 'data'], env, '/srv'), '/srv/data');
  });
  test('cannot tell with a config file, an unreadable environment or working dir', () => {
    assert.equal(typeof etcdDataDirOf(['etcd', '--config-file=/etc/etcd.yaml', '--data-dir=/a'], env, '/'), 'object');
    assert.equal(typeof etcdDataDirOf(['etcd'], undefined, '/'), 'object');
    assert.equal(typeof etcdDataDirOf(['etcd', '--data-dir=data'], env, undefined), 'object');
  });
  test('etcd is argv[0] or argv[1] by basename', () => {
    assert.equal(isEtcd(['/usr/local/bin/etcd', '--name=m1']), true);
    assert.equal(isEtcd(['/bin/sh', '/opt/etcd', '--data-dir=/x']), true);
    assert.equal(isEtcd(['etcdctl', 'member', 'list']), false);
    assert.equal(isEtcd(['/bin/sh', '-c', 'exec etcd']), false);
    assert.equal(isEtcd(['etcd-wrapper', 'x', 'etcd']), false);
  });
});
