import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Counter, Registry } from 'prom-client';
import { HostCollector } from '../../../agent/host/facts.js';
import { Reporter } from '../../../agent/report/reporter.js';
import { ReportStore } from '../../../coordinator/reports/store.js';
import { silentLogger } from '../../../proto/common/log.js';
import type { HostReport } from '../../../proto/gen/belay/v1/HostReport.js';
import type { HostReport__Output } from '../../../proto/gen/belay/v1/HostReport.js';

/** A reporter on this host (real collector) whose reports go into a coordinator's ReportStore, as over the stream. */
function setUp(): { reporter: Reporter; store: ReportStore; sent: HostReport[]; ready: { now: boolean } } {
  const store = new ReportStore([{ name: 'm1', address: '127.0.1.1' }]);
  store.authorize('m1', 'm1');
  const sent: HostReport[] = [];
  const ready = { now: false };
  const reporter = new Reporter({
    node: { name: 'm1', address: '127.0.1.1' },
    etcdDataDir: '/var/lib/etcd',
    root: '/',
    intervalMs: 60_000,
    collector: new HostCollector(),
    log: silentLogger(),
    collected: new Counter({ name: 'reports_collected_total', help: 'test', registers: [new Registry()] }),
    publish: (r) => {
      sent.push(r);
      store.record(r as HostReport__Output, Date.now());
    },
    services: () => [],
    manifests: () => [{ file: 'kube-apiserver.yaml', podReady: ready.now }],
    etcdDisk: () => ({}),
    agentInstance: 'i1',
  });
  return { reporter, store, sent, ready };
}

const podReady = (r: HostReport__Output | undefined): boolean | undefined => r?.manifests.find((m) => m.file === 'kube-apiserver.yaml')?.podReady;

test('a pod state change sent between two collections reaches the coordinator at once, stamped with when it was sent', async () => {
  const { reporter, store, sent, ready } = setUp();
  // given a collected report, the pod not ready
  await reporter.collectNow();
  assert.equal(podReady(store.latest('m1')), false);
  const collected = store.latest('m1');
  // when the pod gets ready and the agent sends the report again (an event, no new collection)
  await new Promise((r) => setTimeout(r, 20));
  ready.now = true;
  reporter.republish();
  // then the coordinator keeps it (a higher seq), and its publish time is later than the collection's
  const latest = store.latest('m1');
  assert.equal(podReady(latest), true, 'the republished report replaced the collected one');
  assert.ok(Number(latest?.seq) > Number(collected?.seq), `seq ${latest?.seq} after ${collected?.seq}`);
  assert.equal(latest?.collectedAtMs, collected?.collectedAtMs, 'host facts as collected');
  assert.ok(Number(latest?.publishedAtMs) >= Number(collected?.publishedAtMs) + 20, 'sent later than the collected report');
  assert.equal(sent.length, 2);
});

test('a republish while a collection runs is not undone by the collection finishing after it: seqs follow the order sent', async () => {
  const { reporter, store, sent, ready } = setUp();
  await reporter.collectNow();
  // when a collection starts, and a state change is sent before it finishes
  const collecting = reporter.collectNow();
  ready.now = true;
  reporter.republish();
  await collecting;
  // then every report sent was kept by the coordinator, in order, the last one carrying the state
  const seqs = sent.map((r) => Number(r.seq));
  assert.deepEqual(
    seqs,
    [...seqs].sort((a, b) => a - b),
    `seqs in the order sent: ${seqs.join(',')}`,
  );
  assert.equal(new Set(seqs).size, seqs.length, 'no seq sent twice');
  assert.equal(store.latest('m1')?.seq, sent.at(-1)?.seq);
  assert.equal(podReady(store.latest('m1')), true);
});
