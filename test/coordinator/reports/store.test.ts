import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReportStore } from '../../../coordinator/reports/store.js';
import type { HostReport__Output } from '../../../proto/gen/belay/v1/HostReport.js';

const nodes = [
  { name: 'm1', address: '127.0.1.1' },
  { name: 'm2', address: '127.0.1.2' },
];

function report(node: string, seq: number, agentInstance = 'a'): HostReport__Output {
  return {
    node,
    address: '',
    seq,
    agentInstance,
    collectedAtMs: 1000,
    collectDurationMs: 5,
    publishedAtMs: 1000,
    host: null,
    filesystems: [],
    processes: [],
    collectErrors: [],
    agentVersion: '',
    etcdDataDir: '',
    root: '/',
    etcdDisk: null,
    etcdData: null,
    services: [],
    manifests: [],
  };
}

test('a known master may report under its own certificate only', () => {
  const s = new ReportStore(nodes);
  s.authorize('m1', 'm1');
  assert.throws(
    () => s.authorize('m9', 'm9'),
    (e: Error & { code?: string }) => e.code === 'UNKNOWN_NODE' && /unknown master "m9"/.test(e.message),
  );
  assert.throws(
    () => s.authorize('m2', 'm1'),
    (e: Error & { code?: string }) => e.code === 'NODE_NAME_MISMATCH' && /certificate is for "m2"/.test(e.message),
  );
  s.authorize(undefined, 'm2'); // insecure server: no certificate to compare
});

test('status lists every known master, reporting or not, with the age on its own clock', () => {
  // given m1 reported at t=5000 over an open stream
  const s = new ReportStore(nodes);
  s.streamOpened('m1');
  assert.equal(s.record(report('m1', 1), 5000), true);
  // when asked at t=7500
  const st = s.status(7500);
  // then
  assert.deepEqual(
    st.map((n) => [n.name, n.agentConnected, n.lastReportAgeMs]),
    [
      ['m1', true, 2500],
      ['m2', false, -1],
    ],
  );
  assert.equal(st[1]?.report, null);
});

test('an older report from the same agent process does not replace a newer one; a restarted agent does', () => {
  const s = new ReportStore(nodes);
  s.record(report('m1', 5), 1);
  assert.equal(s.record(report('m1', 4), 2), false);
  assert.equal(s.record(report('m1', 5), 2), false);
  assert.equal(s.record(report('m1', 1, 'b'), 3), true);
  assert.equal(s.status(3)[0]?.report?.agentInstance, 'b');
});

test('a master stays connected while any of its streams is open', () => {
  const s = new ReportStore(nodes);
  s.streamOpened('m1');
  s.streamOpened('m1'); // a reconnect overlapping the old stream
  s.streamClosed('m1');
  assert.equal(s.connectedCount(), 1);
  s.streamClosed('m1');
  s.streamClosed('m1'); // a double close never goes negative
  assert.equal(s.connectedCount(), 0);
  s.streamOpened('m1');
  assert.equal(s.connectedCount(), 1);
});
