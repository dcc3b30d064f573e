import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  alarmLine,
  alarmLines,
  answersDespiteAlarms,
  dataFsOf,
  disarmDecision,
  nospaceCause,
  type AlarmFacts,
  type DataFs,
  type DisarmFacts,
} from '../../../coordinator/etcd/nospace.js';
import type { HostReport__Output } from '../../../proto/gen/belay/v1/HostReport.js';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const roomy: DataFs = { mount: '/var/lib/etcd', availableBytes: 50 * GiB, sizeBytes: 100 * GiB };
const full: DataFs = { mount: '/var/lib/etcd', availableBytes: 3 * MiB, sizeBytes: 200 * MiB };
const facts = (o: Partial<AlarmFacts> = {}): AlarmFacts => ({
  member: 'm3',
  alarm: 'NOSPACE',
  dbSizeBytes: 1 * GiB,
  quotaBackendBytes: 2 * GiB,
  dataFs: roomy,
  ...o,
});

test('nospace: a full filesystem under the data dir is the cause, whatever the db size', () => {
  const f = facts({ dataFs: full, dbSizeBytes: 2 * GiB });
  assert.equal(nospaceCause(f), 'filesystem');
  assert.match(
    alarmLine(f),
    /^m3: NOSPACE: the filesystem under its etcd data dir \(\/var\/lib\/etcd\) has 3\.0 MiB free of 200\.0 MiB; .*free space there first.*belayctl etcd defrag/,
  );
});

test('nospace: a db at the quota is the cause: compact, defrag, disarm', () => {
  const f = facts({ dbSizeBytes: 2 * GiB });
  assert.equal(nospaceCause(f), 'quota');
  assert.match(
    alarmLine(f),
    /^m3: NOSPACE: its db \(2048\.0 MiB\) has reached spec\.etcd\.quotaBackendBytes \(2048\.0 MiB\); .*compact.*belayctl etcd defrag \(it disarms the alarm\)/,
  );
});

test('nospace: neither (space freed since, or no status): says what it knows and that defrag disarms', () => {
  assert.equal(nospaceCause(facts()), 'unknown');
  assert.match(
    alarmLine(facts({ dbSizeBytes: undefined, dataFs: undefined })),
    /^m3: NOSPACE: db unknown of a 2048\.0 MiB quota, no report of its filesystem; .*defrag disarms/,
  );
});

test('nospace: CORRUPT is never to be disarmed; an unknown alarm is named as it is', () => {
  assert.match(alarmLine(facts({ alarm: 'CORRUPT' })), /m3: CORRUPT: .*do not disarm it; .*belayctl etcd remove m3/);
  assert.equal(alarmLine(facts({ alarm: 'SOMETHING' })), 'm3: SOMETHING');
});

test('alarmLines: each alarm by member name, and a full filesystem no alarm names', () => {
  const lines = alarmLines({
    alarms: [{ memberId: '11', alarm: 'NOSPACE' }],
    members: [
      { id: '11', name: 'm1', dbSizeBytes: 2 * GiB },
      { id: '33', name: 'm3', dbSizeBytes: undefined },
    ],
    dataFs: new Map([
      ['m1', roomy],
      ['m2', undefined],
      ['m3', full],
    ]),
    quotaBackendBytes: 2 * GiB,
  });
  assert.equal(lines.length, 2);
  assert.match(lines[0] ?? '', /^m1: NOSPACE: its db/);
  assert.match(lines[1] ?? '', /^m3: the filesystem under its etcd data dir .* etcd cannot write its WAL there/);
});

test('answersDespiteAlarms: alarms alone in the errors still answer; no leader or another error does not', () => {
  const s = { ok: false, memberId: '1', leaderId: '2', errors: ['memberID:1 alarm:NOSPACE '] };
  assert.equal(answersDespiteAlarms(s), true);
  assert.equal(answersDespiteAlarms({ ...s, ok: true, errors: [] }), true);
  assert.equal(answersDespiteAlarms({ ...s, leaderId: '0' }), false);
  assert.equal(answersDespiteAlarms({ ...s, errors: ['etcdserver: no leader'] }), false);
  assert.equal(answersDespiteAlarms({ ...s, memberId: '' }), false);
});

test('dataFsOf: the filesystem the agent flags, or none', () => {
  const r = {
    filesystems: [
      { mount: '/', availableBytes: 1, sizeBytes: 2, holdsEtcdData: false },
      { mount: '/mnt', availableBytes: 3, sizeBytes: 4, holdsEtcdData: true },
    ],
  };
  assert.deepEqual(dataFsOf(r as unknown as HostReport__Output), { mount: '/mnt', availableBytes: 3, sizeBytes: 4 });
  assert.equal(dataFsOf(undefined), undefined);
});

const disarm = (o: Partial<DisarmFacts> = {}): DisarmFacts => ({
  members: [
    { name: 'm1', dbSizeBytes: 100 * MiB, dataFs: roomy },
    { name: 'm2', dbSizeBytes: 120 * MiB, dataFs: roomy },
  ],
  allDefragmented: true,
  quotaBackendBytes: 2 * GiB,
  maxDbQuotaFraction: 0.8,
  ...o,
});

test('disarmDecision: every member done and every db under the room: disarm', () => {
  const d = disarmDecision(disarm());
  assert.equal(d.disarm, true);
  assert.match(d.line, /every db fits \(largest 120\.0 MiB, under 1638\.4 MiB of the 2048\.0 MiB quota\)/);
});

test('disarmDecision: refused while a filesystem is full, naming it', () => {
  const d = disarmDecision(disarm({ members: [{ name: 'm3', dbSizeBytes: 1 * MiB, dataFs: full }] }));
  assert.equal(d.disarm, false);
  assert.match(d.line, /^NOSPACE not disarmed: on m3 the filesystem under its etcd data dir \(\/var\/lib\/etcd\) has 3\.0 MiB free.*free space first/);
});

test('disarmDecision: refused when not every member was defragmented', () => {
  assert.match(disarmDecision(disarm({ allDefragmented: false })).line, /not every member was defragmented/);
});

test('disarmDecision: refused when a db size is unknown', () => {
  const d = disarmDecision(disarm({ members: [{ name: 'm2', dbSizeBytes: undefined, dataFs: roomy }] }));
  assert.equal(d.disarm, false);
  assert.match(d.line, /db size of m2 is unknown/);
});

test('disarmDecision: refused while a db is over the room under the quota', () => {
  const d = disarmDecision(disarm({ members: [{ name: 'm1', dbSizeBytes: 1.9 * GiB, dataFs: roomy }] }));
  assert.equal(d.disarm, false);
  assert.match(d.line, /m1's db is 1945\.6 MiB, over 1638\.4 MiB \(80 % of the 2048\.0 MiB quota\)/);
});
