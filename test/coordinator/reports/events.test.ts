import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventStore } from '../../../coordinator/reports/events.js';
import type { AgentEvent__Output } from '../../../proto/gen/belay/v1/AgentEvent.js';

const ev = (node: string, seq: number, atMs: number, service = 'kubelet', agentInstance = 'a'): AgentEvent__Output => ({
  node,
  agentInstance,
  seq,
  atMs,
  service,
  kind: 'Exited',
  severity: 'warning',
  message: `${node} ${seq}`,
  fields: {},
});

test('an event resent after a reconnect is stored once', () => {
  const s = new EventStore();
  assert.equal(s.add(ev('m1', 1, 10)), true);
  assert.equal(s.add(ev('m1', 1, 10)), false);
  assert.equal(s.add(ev('m1', 1, 10, 'kubelet', 'b')), true, 'a restarted agent numbers from 1 again');
  assert.equal(s.list({}).length, 2);
});

test('events are kept in time order across masters, filtered and limited', () => {
  const s = new EventStore();
  s.add(ev('m1', 1, 10));
  s.add(ev('m2', 1, 30, 'containerd'));
  s.add(ev('m1', 2, 20)); // resent late
  assert.deepEqual(
    s.list({}).map((e) => e.atMs),
    [10, 20, 30],
  );
  assert.deepEqual(
    s.list({ node: 'm1' }).map((e) => e.seq),
    [1, 2],
  );
  assert.deepEqual(
    s.list({ service: 'containerd' }).map((e) => e.node),
    ['m2'],
  );
  assert.deepEqual(
    s.list({}, 1).map((e) => e.atMs),
    [30],
  );
});

test('the oldest events go first past the capacity, and can be stored again then', () => {
  const s = new EventStore(2);
  for (let i = 1; i <= 3; i++) s.add(ev('m1', i, i));
  assert.deepEqual(
    s.list({}).map((e) => e.seq),
    [2, 3],
  );
});

test('followers see each new event once', () => {
  const s = new EventStore();
  const seen: number[] = [];
  const stop = s.follow((e) => seen.push(e.seq));
  s.add(ev('m1', 1, 1));
  s.add(ev('m1', 1, 1));
  stop();
  s.add(ev('m1', 2, 2));
  assert.deepEqual(seen, [1]);
});
