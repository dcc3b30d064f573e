import assert from 'node:assert/strict';
import { test } from 'node:test';
import { belayctl } from '../harness/belayctl.js';
import { eventually, withCluster } from '../harness/cluster.js';

interface ServiceRow {
  node: string;
  name: string;
  state: string;
  pid: number;
  restarts: number;
  lastFailure: string;
}
interface EventRow {
  node: string;
  service: string;
  kind: string;
  severity: string;
  message: string;
}

const list = async (env: Record<string, string>): Promise<ServiceRow[]> => {
  const r = await belayctl(['supervise', 'list', '-o', 'json'], env);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { services: ServiceRow[] }).services;
};
const events = async (env: Record<string, string>, ...args: string[]): Promise<EventRow[]> => {
  const r = await belayctl(['events', '-o', 'json', ...args], env);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as EventRow);
};

test('belayctl supervise list / pause / resume and events, against a real agent supervising a real process', async () => {
  await withCluster({ masters: 2, agentServices: () => ({ sleeper: { mode: 'child', command: ['sleep', '3600'] } }) }, async (c) => {
    // given each agent supervising a process
    const rows = await eventually(
      async () => {
        const r = await list(c.env);
        assert.deepEqual(
          r.map((s) => [s.node, s.name, s.state]),
          [
            ['m1', 'sleeper', 'running'],
            ['m2', 'sleeper', 'running'],
          ],
        );
        return r;
      },
      { timeoutMs: 15_000, intervalMs: 300 },
    );
    const pid = rows.find((r) => r.node === 'm2')?.pid ?? 0;
    // when it is killed on m2, it is restarted, and the events say so
    process.kill(pid, 'SIGKILL');
    await eventually(
      async () => {
        const m2 = (await list(c.env)).find((s) => s.node === 'm2');
        assert.ok(m2 && m2.pid !== pid && m2.state === 'running' && m2.restarts === 1, JSON.stringify(m2));
        assert.equal(m2.lastFailure, 'killed by SIGKILL');
      },
      { timeoutMs: 15_000, intervalMs: 300 },
    );
    const ev = await events(c.env, '--node', 'm2', '--service', 'sleeper');
    assert.deepEqual(
      ev.map((e) => e.kind),
      ['Started', 'Exited', 'RestartScheduled', 'Started'],
    );
    assert.equal(ev[1]?.severity, 'warning');
    // when it is paused on m2 (a maintenance), a kill is not restarted
    const p = await belayctl(['supervise', 'pause', 'm2', 'sleeper'], c.env);
    assert.equal(p.code, 0, p.stderr);
    assert.equal(p.stdout, 'sleeper on m2: paused\n');
    const paused = (await list(c.env)).find((s) => s.node === 'm2');
    assert.equal(paused?.state, 'paused');
    process.kill(paused?.pid ?? 0, 'SIGKILL');
    await eventually(
      async () => assert.ok((await events(c.env, '--node', 'm2')).some((e) => e.kind === 'Exited' && /paused: not restarting/.test(e.message))),
      { timeoutMs: 10_000, intervalMs: 300 },
    );
    assert.equal((await list(c.env)).find((s) => s.node === 'm2')?.pid, 0);
    // and resume starts it again
    const r = await belayctl(['supervise', 'resume', 'm2', 'sleeper'], c.env);
    assert.equal(r.code, 0, r.stderr);
    await eventually(async () => assert.equal((await list(c.env)).find((s) => s.node === 'm2')?.state, 'running'), { timeoutMs: 10_000, intervalMs: 300 });
    // m1 was never touched
    assert.equal((await events(c.env, '--node', 'm1')).filter((e) => e.kind !== 'Started').length, 0);
    // the table view names the columns an operator expects
    const table = await belayctl(['supervise', 'list'], c.env);
    assert.match(table.stdout.split('\n')[0] ?? '', /^NODE\s+SERVICE\s+STATE\s+READY\s+PID\s+UPTIME\s+RESTARTS\s+CPU\s+RSS\s+LAST FAILURE$/);
    const st = await belayctl(['status'], c.env);
    assert.match(st.stdout, /sleeper:running/);
  });
});

test('supervise refuses an unknown master or service with a clear error', async () => {
  await withCluster({ masters: 1, agentServices: () => ({ sleeper: { mode: 'child', command: ['sleep', '3600'] } }) }, async (c) => {
    const node = await belayctl(['supervise', 'pause', 'm9', 'kubelet'], c.env);
    assert.equal(node.code, 1);
    assert.match(node.stderr, /no master named "m9"/);
    const svc = await belayctl(['supervise', 'pause', 'm1', 'kubelet'], c.env);
    assert.equal(svc.code, 1);
    assert.match(svc.stderr, /no supervised service "kubelet" on this master; supervised: sleeper/);
    assert.match(svc.stderr, /hint: belayctl supervise list/);
  });
});
