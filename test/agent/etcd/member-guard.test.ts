import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeDataDir, type RecordedMember } from '../../../agent/etcd/member-guard.js';

const rec: RecordedMember = { memberId: 'aa', clusterId: 'cc', recordedAtMs: 1 };
const D = '/var/lib/etcd';

test('no data and no membership recorded: a fresh start (bootstrap, or a join as a new member)', () => {
  assert.deepEqual(judgeDataDir(D, undefined, { kind: 'absent' }, 5), { start: true, verdict: 'fresh' });
  assert.deepEqual(judgeDataDir(D, undefined, { kind: 'empty' }, 5), { start: true, verdict: 'fresh' });
});

test('a member seen for the first time is recorded', () => {
  assert.deepEqual(judgeDataDir(D, undefined, { kind: 'member', memberId: 'aa', clusterId: 'cc' }, 5), {
    start: true,
    verdict: 'ok',
    record: { memberId: 'aa', clusterId: 'cc', recordedAtMs: 5 },
  });
});

test("the recorded member's own data: start, nothing recorded again", () => {
  assert.deepEqual(judgeDataDir(D, rec, { kind: 'member', memberId: 'aa', clusterId: 'cc' }, 5), { start: true, verdict: 'ok' });
});

test('a recorded member whose data dir is gone or empty is held back as lost', () => {
  for (const kind of ['absent', 'empty'] as const) {
    const v = judgeDataDir(D, rec, { kind }, 5);
    assert.equal(v.start, false);
    assert.equal(v.verdict, 'lost');
    assert.match((v as { reason: string }).reason, /member aa of cluster cc/);
    assert.match((v as { reason: string }).reason, kind === 'absent' ? /is gone/ : /is empty/);
  }
});

test("another cluster's data is held back as foreign", () => {
  const v = judgeDataDir(D, rec, { kind: 'member', memberId: 'aa', clusterId: 'dd' }, 5);
  assert.equal(v.verdict, 'foreign');
  assert.equal(v.start, false);
});

test("another member's data of the same cluster is held back as foreign", () => {
  const v = judgeDataDir(D, rec, { kind: 'member', memberId: 'bb', clusterId: 'cc' }, 5);
  assert.equal(v.verdict, 'foreign');
  assert.match((v as { reason: string }).reason, /holds member bb of cluster cc/);
});

test('unreadable data is held back as corrupt, recorded or not', () => {
  for (const r of [rec, undefined]) {
    const v = judgeDataDir(D, r, { kind: 'unreadable', reason: 'torn' }, 5);
    assert.equal(v.start, false);
    assert.equal(v.verdict, 'corrupt');
    assert.match((v as { reason: string }).reason, /torn/);
  }
});
