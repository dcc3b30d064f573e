import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isManifestFileName, validManifestName } from '../../../agent/manifests/manifest-name.js';

test('isManifestFileName: what the agent takes for a manifest', () => {
  const table: [string, boolean][] = [
    ['etcd.yaml', true],
    ['kube-apiserver.yml', true],
    ['scheduler.json', true],
    ['ETCD.YAML', true],
    ['a.b.yaml', true],
    ['../../etc/passwd', false],
    ['/etc/passwd', false],
    ['/etc/kubernetes/manifests/etcd.yaml', false],
    ['sub/etcd.yaml', false],
    ['.etcd.yaml', false],
    ['.etcd.yaml.tmp', false],
    ['.etcd.yaml.swp', false],
    ['etcd.yaml.swp', false],
    ['etcd.yaml~', false],
    ['#etcd.yaml#', false],
    ['etcd.yaml.bak', false],
    ['etcd.yaml.dpkg-old', false],
    ['etcd.txt', false],
    ['etcd', false],
    ['.yaml', false],
    ['', false],
    ['etcd\0.yaml', false],
    [`${'a'.repeat(250)}.yaml`, true],
    [`${'a'.repeat(251)}.yaml`, false],
    [`${'é'.repeat(125)}.yaml`, true],
    [`${'é'.repeat(126)}.yaml`, false],
  ];
  for (const [name, want] of table) assert.equal(isManifestFileName(name), want, JSON.stringify(name));
});

test('validManifestName: refusals an operator understands', () => {
  const refused: [string, RegExp][] = [
    ['../../etc/passwd', /^file name "\.\.\/\.\.\/etc\/passwd" must be a plain file name in the manifests dir, like etcd\.yaml$/],
    ['/etc/passwd', /is an absolute path/],
    ['..', /plain file name/],
    ['etcd..yaml', /plain file name/],
    ['a\\b.yaml', /plain file name/],
    ['.etcd.yaml.tmp', /starts with a dot: kubelet skips hidden files/],
    ['etcd.yaml.swp', /editor or package-manager leftover/],
    ['etcd.yaml~', /leftover/],
    ['#etcd.yaml#', /leftover/],
    ['etcd.txt', /must end in \.yaml, \.yml or \.json/],
    ['etcd\0.yaml', /control character U\+0000/],
    ['etcd\n.yaml', /"etcd\\n\.yaml" contains the control character U\+000A/],
    ['etcd\t.yaml', /control character U\+0009/],
    [' etcd.yaml', /starts or ends with a space/],
    ['', /is empty/],
    [`${'a'.repeat(300)}.yaml`, /305 bytes long; at most 255/],
  ];
  for (const [name, why] of refused) {
    const v = validManifestName(name);
    assert.equal(v.ok, false, JSON.stringify(name));
    if (!v.ok) assert.match(v.reason, why, JSON.stringify(name));
  }
  for (const name of ['etcd.yaml', 'kube-apiserver.yaml', 'my_pod-1.json', 'x.yml']) assert.deepEqual(validManifestName(name), { ok: true });
});
