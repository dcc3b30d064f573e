import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dataLossLine, type MasterDataReading } from '../../../coordinator/etcd/data-loss.js';

const r = (n: number, held: boolean): MasterDataReading => ({ name: `m${n}`, held, verdict: held ? 'lost' : 'ok', clientUrl: `https://127.0.1.${n}:2379` });
const snap = { file: '/var/lib/belay/backups/etcd-x.db', revision: 780, takenAtMs: Date.UTC(2026, 11, 7) };

test('no agent reports a loss: no line (the usual no-quorum line stands)', () => {
  assert.equal(dataLossLine([r(1, false), r(2, false)], snap, 'm1'), undefined);
});

test('every member lost: one sentence naming the newest verified snapshot to restore', () => {
  const line = dataLossLine([r(1, true), r(2, true), r(3, true)], snap, 'm1') ?? '';
  assert.match(line, /^every etcd member's data is lost \(m1, m2, m3: their agents hold etcd back, so no empty cluster is served\)/);
  assert.match(
    line,
    /belayctl etcd restore --snapshot \/var\/lib\/belay\/backups\/etcd-x\.db \(the newest verified snapshot on m1, revision 780, taken 2026-12-07T00:00:00\.000Z\)/,
  );
});

test('every member lost and no snapshot here: says where else to look', () => {
  assert.match(dataLossLine([r(1, true)], undefined, 'm1') ?? '', /no verified snapshot is kept on m1: belayctl --endpoint OTHER:7702 etcd snapshots/);
});

test('some lost: names the survivor holding the data and how to keep every write', () => {
  const line = dataLossLine([r(1, false), r(2, true), r(3, true)], snap, 'm1') ?? '';
  assert.match(line, /^m2, m3 lost their etcd data \(held back by their agents: no empty member votes\), and m1 holds the data without a quorum/);
  assert.match(line, /saving m1's data \(etcdctl --endpoints https:\/\/127\.0\.1\.1:2379/);
  assert.match(line, /or, losing the writes since, belayctl etcd restore --snapshot \/var\/lib\/belay\/backups\/etcd-x\.db/);
});
