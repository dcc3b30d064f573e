import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostReport__Output } from '../../../proto/gen/belay/v1/HostReport.js';
import { parseClusterSpec } from '../../../coordinator/cluster/spec.js';
import { backupAlert } from '../../../coordinator/etcd/backups.js';
import { preflight, preflightFailure, type PreflightInput } from '../../../coordinator/etcd/preflight.js';

const spec = parseClusterSpec('apiVersion: belay.dev/v1alpha1\nkind: Cluster\nmetadata: {name: t}\nspec:\n  masters: [{name: m1, address: 10.0.0.1}]\n');
const GiB = 1024 ** 3;
const NOW = 1_000_000_000;

function report(
  o: {
    availableBytes?: number;
    inodesFree?: number;
    readOnly?: boolean;
    p99?: number;
    measured?: boolean;
    clockMs?: number;
    ageMs?: number;
    services?: { name: string; state: string }[];
    noFs?: boolean;
  } = {},
): HostReport__Output {
  return {
    node: 'm2',
    collectedAtMs: NOW - (o.ageMs ?? 1_000),
    collectDurationMs: 5,
    host: { clockMs: o.clockMs ?? NOW - 500 },
    etcdDataDir: '/var/lib/etcd',
    filesystems: o.noFs
      ? []
      : [
          {
            mount: '/',
            availableBytes: o.availableBytes ?? 50 * GiB,
            inodesFree: o.inodesFree ?? 1_000_000,
            inodesTotal: 2_000_000,
            readOnly: o.readOnly ?? false,
            holdsEtcdData: true,
          },
        ],
    etcdDisk: {
      fdatasyncP50Ms: 0.5,
      fdatasyncP99Ms: o.p99 ?? 2.5,
      samples: 100,
      measuredAtMs: o.measured === false ? 0 : NOW - 10_000,
      dir: '/var/lib',
      error: '',
    },
    services: (o.services ?? []).map((s) => ({ ...s, lastFailure: 'exited with code 1' })),
  } as unknown as HostReport__Output;
}

const input = (r: HostReport__Output | undefined, o: Partial<PreflightInput> = {}): PreflightInput => ({
  master: 'm2',
  report: r,
  askedAtMs: NOW - 1_000,
  answeredAtMs: NOW,
  limits: spec.spec.etcd.preflight,
  dbSizeBytes: 100 * 1024 ** 2,
  quotaBackendBytes: spec.spec.etcd.quotaBackendBytes,
  alarms: [],
  ...o,
});

test('a healthy master passes every check', () => {
  const checks = preflight(input(report()));
  assert.deepEqual(
    checks.filter((c) => !c.ok),
    [],
  );
  assert.deepEqual(
    checks.map((c) => c.check),
    ['report', 'free-space', 'free-inodes', 'read-only', 'fsync', 'clock-skew', 'services', 'db-size', 'alarms'],
  );
  assert.equal(preflightFailure(checks), undefined);
});

test('each failure names the check, the master and the number', () => {
  const cases: [Parameters<typeof report>[0], Partial<PreflightInput>, RegExp][] = [
    [{ availableBytes: GiB }, {}, /free-space: m2: 1024 MiB free on \/ \(need 2048 MiB\)/],
    [{ inodesFree: 10 }, {}, /free-inodes: m2: 10 free inodes on \/ \(need 10000\)/],
    [{ readOnly: true }, {}, /read-only: m2: \/ is mounted read-only/],
    [{ p99: 25.5 }, {}, /fsync: m2: fdatasync p99 25\.50 ms in \/var\/lib \(limit 10 ms\)/],
    [{ measured: false }, {}, /fsync: m2: fdatasync latency not measured yet/],
    [{ clockMs: NOW + 5_000 }, {}, /clock-skew: m2: clock differs from the leader's by at least 5000 ms \(limit 1000 ms\)/],
    [{ ageMs: 60_000 }, {}, /report: m2: host report is 59995 ms old/],
    [{ services: [{ name: 'kubelet', state: 'crash-looping' }] }, {}, /services: m2: kubelet is crash-looping \(exited with code 1\)/],
    [{}, { dbSizeBytes: 1.9 * GiB }, /db-size: m2: db is 1946 MiB of a 2048 MiB quota \(limit 80 %\)/],
    [{}, { alarms: ['NOSPACE'] }, /alarms: m2: etcd alarms active: NOSPACE/],
    [{ noFs: true }, {}, /disk: m2: no filesystem found for the etcd data dir \/var\/lib\/etcd/],
  ];
  for (const [r, o, want] of cases) assert.match(preflightFailure(preflight(input(report(r), o))) ?? 'passed', want);
});

test('a clock read inside the round trip is no skew; no report is a failure', () => {
  assert.equal(preflight(input(report({ clockMs: NOW - 200 }))).find((c) => c.check === 'clock-skew')?.ok, true);
  assert.match(preflightFailure(preflight(input(undefined))) ?? '', /report: m2: no host report from its agent/);
});

test('backup alerts: failed drill, unverified snapshot, stale snapshot, stale drill; none when fresh', () => {
  const snap = { name: 's.db', verified: true, error: '', takenAtMs: NOW - 60_000 };
  const drill = { ok: true, snapshot: 's.db', atMs: NOW - 3_600_000, error: '', mismatches: [] as string[] };
  assert.equal(backupAlert(spec, snap, drill, NOW), '');
  assert.match(
    backupAlert(spec, snap, { ...drill, ok: false, error: 'etcd did not start' }, NOW),
    /^ALERT: the last restore drill failed \(s\.db, 60 min ago\): etcd did not start/,
  );
  assert.match(backupAlert(spec, { ...snap, verified: false, error: 'status failed' }, drill, NOW), /could not be verified: status failed/);
  assert.match(backupAlert(spec, { ...snap, takenAtMs: NOW - 61 * 60_000 }, drill, NOW), /no snapshot for 61 min \(every 30m wanted\)/);
  assert.match(backupAlert(spec, snap, { ...drill, atMs: NOW - 49 * 3_600_000 }, NOW), /no restore drill for 49\.0 h \(every 24h wanted\)/);
  // snapshots failing since the last good one (or with none at all) is an alert; an older failure is not
  assert.match(
    backupAlert(spec, undefined, undefined, NOW, { atMs: NOW - 30_000, error: 'no healthy member' }),
    /^ALERT: snapshots are failing \(30 s ago\): no healthy member/,
  );
  assert.equal(backupAlert(spec, snap, drill, NOW, { atMs: NOW - 120_000, error: 'old' }), '');
});
