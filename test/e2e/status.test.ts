import assert from 'node:assert/strict';
import { test } from 'node:test';
import YAML from 'yaml';
import { belayctl } from '../harness/belayctl.js';
import { eventually, withCluster } from '../harness/cluster.js';

interface StatusJson {
  coordinator: string;
  nodes: {
    name: string;
    address: string;
    agentConnected: boolean;
    lastReportAgeMs: number;
    report: {
      host: { memoryTotalBytes: number; load1: number };
      filesystems: { holdsEtcdData: boolean; availableBytes: number }[];
      processes: { name: string }[];
    } | null;
  }[];
}

test('belayctl status shows every master of a 3-master dev cluster, from any coordinator', async () => {
  await withCluster({ masters: 3 }, async (c) => {
    // given a cluster whose agents report every second
    // when status is asked of each coordinator in turn
    for (const m of c.state.masters) {
      const r = await belayctl(['status', '-o', 'json', '--endpoint', `${m.address}:7702`], c.env);
      assert.equal(r.code, 0, r.stderr);
      const s = JSON.parse(r.stdout) as StatusJson;
      // then every master is there, connected, with a fresh report
      assert.equal(s.coordinator, m.name);
      assert.deepEqual(
        s.nodes.map((n) => [n.name, n.address, n.agentConnected]),
        c.state.masters.map((x) => [x.name, x.address, true]),
      );
      for (const n of s.nodes) {
        assert.ok(n.lastReportAgeMs >= 0 && n.lastReportAgeMs < 5000, `report of ${n.name} is ${n.lastReportAgeMs} ms old`);
        assert.ok((n.report?.host.memoryTotalBytes ?? 0) > 0);
        assert.equal(n.report?.filesystems.filter((f) => f.holdsEtcdData).length, 1, 'one filesystem holds the etcd data dir');
      }
    }
    // and the same data reads as YAML, and as a table for people
    const y = await belayctl(['status', '-o', 'yaml'], c.env);
    assert.equal(y.code, 0, y.stderr);
    assert.deepEqual(
      (YAML.parse(y.stdout) as StatusJson).nodes.map((n) => n.name),
      ['m1', 'm2', 'm3'],
    );
    const t = await belayctl(['status'], c.env);
    assert.equal(t.code, 0, t.stderr);
    const lines = t.stdout.split('\n');
    assert.match(lines[0] ?? '', /^NODE\s+ADDRESS\s+COORD\s+AGENT\s+REPORT\s+LOAD\s+MEMORY\s+ETCD-DISK\s+SERVICES\s+PROCESSES$/);
    assert.equal(lines.filter((l) => /^m\d\s+127\.1\.\d+\.\d+\s+alive\s+connected\s/.test(l)).length, 3, t.stdout);
    assert.match(t.stdout, /3\/3 agents connected, 3\/3 coordinators alive in gossip \(answered by coordinator m1/);
  });
});

test('a killed agent shows as down, and is back with a report once restarted', async () => {
  await withCluster({ masters: 2 }, async (c) => {
    // when m2's agent is killed
    c.kill('m2', 'agent');
    // then the coordinators see its stream gone
    await eventually(
      async () => {
        const s = JSON.parse((await belayctl(['status', '-o', 'json'], c.env)).stdout) as StatusJson;
        assert.equal(s.nodes.find((n) => n.name === 'm2')?.agentConnected, false);
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    // and when it is started again, it reports at once
    c.restart('m2', 'agent');
    await eventually(
      async () => {
        const s = JSON.parse((await belayctl(['status', '-o', 'json'], c.env)).stdout) as StatusJson;
        const m2 = s.nodes.find((n) => n.name === 'm2');
        assert.equal(m2?.agentConnected, true);
        assert.ok((m2?.lastReportAgeMs ?? Infinity) < 3000);
      },
      { timeoutMs: 30_000, intervalMs: 300 },
    );
  });
});

test('after a coordinator restart, agents send their latest report at once, not an interval later', async () => {
  // given agents that report only every 60 s
  await withCluster({ masters: 1, reportIntervalMs: 60_000 }, async (c) => {
    // when the coordinator crashes and comes back, holding nothing
    c.kill('m1', 'coordinator');
    const restartedAt = Date.now();
    c.restart('m1', 'coordinator');
    // then it holds m1's report within a few seconds (reconnect backoff), long before the next interval
    await eventually(
      async () => {
        const r = await belayctl(['status', '-o', 'json'], c.env);
        const s = JSON.parse(r.stdout) as StatusJson;
        assert.equal(s.nodes[0]?.agentConnected, true);
        assert.ok(s.nodes[0]?.report);
      },
      { timeoutMs: 20_000, intervalMs: 300 },
    );
    assert.ok(Date.now() - restartedAt < 20_000);
    assert.match(c.log('m1', 'agent'), /coordinator unreachable/);
  });
});
