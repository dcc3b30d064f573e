import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIndex, pickVersion, type IndexEntry } from '../../../agent/manifests/history-index.js';

const A = 'a'.repeat(64);
const AB = `abcdef${'1'.repeat(58)}`;
const AC = `abcdef${'2'.repeat(58)}`;

function entry(sha256: string, savedAtMs: number): IndexEntry {
  return { name: `${savedAtMs}-${sha256.slice(0, 12)}.yaml`, sha256, savedAtMs, reason: 'replaced', sizeBytes: 10 };
}

/** Newest first, as the index keeps them. */
const VERSIONS = [entry(AB, 3), entry(A, 2), entry(AC, 1)];

test('parseIndex: the entries of an index, in order', () => {
  const text = JSON.stringify({ versions: VERSIONS });
  assert.deepEqual(parseIndex(text, 'etcd.yaml', '/h/index.json'), VERSIONS);
});

test('parseIndex: entries that name no version file, or lack a field, are left out', () => {
  const text = JSON.stringify({
    versions: [{ ...entry(A, 2), name: '../x.yaml' }, { ...entry(A, 2), reason: 'other' }, { name: '1-aaaaaaaaaaaa.yaml' }, entry(AB, 3)],
  });
  assert.deepEqual(parseIndex(text, 'etcd.yaml', '/h/index.json'), [entry(AB, 3)]);
});

test('parseIndex: text that is no index is MANIFEST_HISTORY_CORRUPT, naming the file', () => {
  for (const text of ['not json', '{}', '{"versions": 3}']) {
    assert.throws(() => parseIndex(text, 'etcd.yaml', '/h/index.json'), {
      code: 'MANIFEST_HISTORY_CORRUPT',
      message: /\/h\/index\.json is not a history index/,
    });
  }
});

test('pickVersion: by default the newest version that differs from the content now', () => {
  assert.equal(pickVersion('etcd.yaml', VERSIONS, AB, undefined).sha256, A);
  assert.equal(pickVersion('etcd.yaml', VERSIONS, A, '').sha256, AB);
});

test('pickVersion: by default, with every version the content now, MANIFEST_NO_HISTORY', () => {
  assert.throws(() => pickVersion('etcd.yaml', [entry(A, 2), entry(A, 1)], A, undefined), { code: 'MANIFEST_NO_HISTORY' });
});

test('pickVersion: a full sha or a unique prefix of 6 or more, in any case', () => {
  assert.equal(pickVersion('etcd.yaml', VERSIONS, '', AC).sha256, AC);
  assert.equal(pickVersion('etcd.yaml', VERSIONS, '', 'AAAAAA').sha256, A);
});

test('pickVersion: a prefix shorter than 6 matches nothing', () => {
  assert.throws(() => pickVersion('etcd.yaml', VERSIONS, '', 'aaaaa'), { code: 'MANIFEST_VERSION_NOT_FOUND', message: /no kept version has that sha256/ });
});

test('pickVersion: a prefix two versions share is refused, naming how many', () => {
  assert.throws(() => pickVersion('etcd.yaml', VERSIONS, '', 'abcdef'), { code: 'MANIFEST_VERSION_NOT_FOUND', message: /2 kept versions start with it/ });
});

test('pickVersion: an unknown sha is refused, listing the kept ones', () => {
  assert.throws(() => pickVersion('etcd.yaml', VERSIONS, '', 'f'.repeat(64)), { code: 'MANIFEST_VERSION_NOT_FOUND', message: /no kept version/ });
});
