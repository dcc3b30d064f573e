import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { resolveServices, servicesSchema, type ServiceConfigInput } from '../../agent/supervisor/config.js';
import { liveProc } from '../../agent/supervisor/liveness.js';
import { Supervisor } from '../../agent/supervisor/supervisor.js';
import { EventLog } from '../../agent/report/events.js';
import { validate } from '../../proto/common/config-file.js';
import { silentLogger } from '../../proto/common/log.js';
import type { AgentEvent } from '../../proto/gen/belay/v1/AgentEvent.js';
import { eventually } from '../harness/cluster.js';
import { containerdCommand, dockerdCommand, requireBinary, runTestContainer, startContainerd } from '../harness/runtimes.js';

const TOP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CONTAINERD_VERSION = '/containerd.services.version.v1.Version/Version';

interface Supervised {
  sup: Supervisor;
  events: (AgentEvent & { t: number })[];
  dir: string;
  /** Waits for an event of `service` of `kind` after index `from`, returns it. */
  waitEvent(service: string, kind: string, o?: { from?: number; timeoutMs?: number }): Promise<AgentEvent & { t: number }>;
  state(service: string): string;
  pid(service: string): number;
}

/** A real Supervisor over real processes; every process it started is killed afterwards. */
async function supervise(t: TestContext, services: Record<string, ServiceConfigInput>, o: { dir?: string } = {}): Promise<Supervised> {
  const dir = o.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'belay-sup-'));
  const events: (AgentEvent & { t: number })[] = [];
  const log = new EventLog({ node: 'm1', agentInstance: 'test', log: silentLogger(), nowMs: Date.now });
  log.onEvent((e) => events.push({ ...e, t: performance.now() }));
  const defs = resolveServices(validate('test', servicesSchema, services), (p) => p);
  const sup = new Supervisor(defs, { stateDir: path.join(dir, 'state'), logDir: path.join(dir, 'logs'), log: silentLogger(), raise: (e) => log.raise(e) });
  await sup.start();
  t.after(() => {
    const pids = sup.list().map((s) => s.pid);
    sup.stop();
    for (const pid of pids)
      if (pid)
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
  });
  const s: Supervised = {
    sup,
    events,
    dir,
    async waitEvent(service, kind, w = {}) {
      return eventually(
        () => {
          const e = events.slice(w.from ?? 0).find((x) => x.service === service && x.kind === kind);
          if (!e) assert.fail(`no ${kind} event for ${service}; saw: ${events.map((x) => `${x.service}:${x.kind}`).join(' ')}`);
          return e;
        },
        { timeoutMs: w.timeoutMs ?? 15_000, intervalMs: 5 },
      );
    },
    state: (service) => sup.list().find((x) => x.name === service)?.state ?? 'absent',
    pid: (service) => sup.list().find((x) => x.name === service)?.pid ?? 0,
  };
  return s;
}

function containerdService(dir: string, over: Partial<ServiceConfigInput> = {}): ServiceConfigInput {
  const c = containerdCommand(dir);
  return { mode: 'child', command: [c.file, ...c.args], health: { type: 'grpc-unix', socket: c.socket, method: CONTAINERD_VERSION }, ...over };
}

test('child mode: containerd killed with -9 is restarted at once and healthy again; its shim lives on', async (t) => {
  if (!requireBinary(t, 'containerd', 'containerd') || !requireBinary(t, 'runc', 'runc') || !requireBinary(t, 'busybox', 'busybox-static')) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-sup-'));
  const s = await supervise(t, { containerd: containerdService(path.join(dir, 'ctd')) }, { dir });
  await s.waitEvent('containerd', 'Healthy');
  // given a running container under it
  const socket = containerdCommand(path.join(dir, 'ctd')).socket;
  const box = await runTestContainer(socket, dir, `belay-sup-${process.pid}-${Date.now()}`);
  t.after(() => box.stop());
  const first = s.pid('containerd');
  // when containerd is killed
  const from = s.events.length;
  const killedAt = performance.now();
  process.kill(first, 'SIGKILL');
  // then it is seen at once (an exit event, no poll), restarted and healthy
  const exited = await s.waitEvent('containerd', 'Exited', { from });
  const healthy = await s.waitEvent('containerd', 'Healthy', { from });
  t.diagnostic(`kill -9 → exit seen ${(exited.t - killedAt).toFixed(1)} ms, healthy again ${(healthy.t - killedAt).toFixed(0)} ms`);
  assert.ok(exited.t - killedAt < 500);
  assert.notEqual(s.pid('containerd'), first);
  assert.equal(s.state('containerd'), 'running');
  // and the container's shim never noticed
  assert.ok(liveProc(box.shimPid), 'the shim survived the containerd restart');
});

test('child mode: a hung (SIGSTOPped) containerd is stopped and restarted within seconds, also right after a restart', async (t) => {
  if (!requireBinary(t, 'containerd', 'containerd')) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-sup-'));
  const s = await supervise(t, { containerd: containerdService(path.join(dir, 'ctd')) }, { dir });
  for (const round of ['long-running', 'just restarted']) {
    await s.waitEvent('containerd', 'Healthy', { from: s.events.length - 1 });
    const from = s.events.length;
    const pid = s.pid('containerd');
    const stoppedAt = performance.now();
    process.kill(pid, 'SIGSTOP');
    const hung = await s.waitEvent('containerd', 'Hung', { from });
    const started = await s.waitEvent('containerd', 'Started', { from });
    t.diagnostic(`${round}: SIGSTOP → hang detected ${(hung.t - stoppedAt).toFixed(0)} ms, restarted ${(started.t - stoppedAt).toFixed(0)} ms`);
    assert.ok(started.t - stoppedAt < 4_000, `${round}: restarted after ${(started.t - stoppedAt).toFixed(0)} ms`);
    assert.notEqual(s.pid('containerd'), pid);
  }
});

test('pidfile mode: dockerd killed with -9 is seen within a poll and restarted', async (t) => {
  if (!requireBinary(t, 'dockerd', 'docker.io')) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-sup-'));
  // dockerd on a containerd of its own, as Debian's docker.io runs on the system containerd.
  const ctd = await startContainerd(path.join(dir, 'ctd'));
  t.after(() => ctd.stop());
  const d = dockerdCommand(path.join(dir, 'dkr'), { containerdSocket: ctd.socket });
  const s = await supervise(
    t,
    { docker: { mode: 'pidfile', pidfile: d.pidfile, command: [d.file, ...d.args], health: { type: 'unix-http', socket: d.socket, path: '/_ping' } } },
    { dir },
  );
  await s.waitEvent('docker', 'Healthy', { timeoutMs: 30_000 });
  const pid = s.pid('docker');
  const from = s.events.length;
  const killedAt = performance.now();
  process.kill(pid, 'SIGKILL');
  const exited = await s.waitEvent('docker', 'Exited', { from });
  const healthy = await s.waitEvent('docker', 'Healthy', { from, timeoutMs: 30_000 });
  t.diagnostic(`kill -9 → seen ${(exited.t - killedAt).toFixed(0)} ms (poll 1 s), healthy again ${(healthy.t - killedAt).toFixed(0)} ms`);
  assert.ok(exited.t - killedAt <= 1_200, 'within one poll interval');
  assert.notEqual(s.pid('docker'), pid);
});

test('a crash-looping service raises one alert and goes on being restarted; another service killed meanwhile recovers as fast as alone', async (t) => {
  if (!requireBinary(t, 'containerd', 'containerd')) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-sup-'));
  const s = await supervise(
    t,
    {
      // kubelet crash-loops by design until configured: a stand-in with a bad flag does the same.
      kubelet: {
        mode: 'child',
        command: [process.execPath, '--import', 'tsx', path.join(TOP, 'test/stand-ins/kubelet-stand-in.ts'), '--fail-with', 'unknown flag: --bogus'],
        cwd: TOP,
        budgetRestarts: 3,
        budgetWindowMs: 60_000,
        backoffMaxMs: 1_000,
      },
      containerd: containerdService(path.join(dir, 'ctd')),
    },
    { dir },
  );
  const alert = await s.waitEvent('kubelet', 'CrashLooping', { timeoutMs: 30_000 });
  assert.equal(alert.severity, 'alert');
  await s.waitEvent('containerd', 'Healthy');
  // when containerd is killed while kubelet crash-loops
  const from = s.events.length;
  const killedAt = performance.now();
  process.kill(s.pid('containerd'), 'SIGKILL');
  const back = await s.waitEvent('containerd', 'Healthy', { from });
  t.diagnostic(`containerd back ${(back.t - killedAt).toFixed(0)} ms after kill -9, during kubelet's crash loop`);
  assert.ok(back.t - killedAt < 2_000);
  // and kubelet restarts go on, at the capped 1 s backoff
  const before = s.events.filter((e) => e.service === 'kubelet' && e.kind === 'Started').length;
  await eventually(() => assert.ok(s.events.filter((e) => e.service === 'kubelet' && e.kind === 'Started').length >= before + 2), { timeoutMs: 15_000 });
  assert.equal(s.events.filter((e) => e.kind === 'CrashLooping').length, 1, 'one alert, not one per restart');
  assert.equal(s.state('kubelet'), 'crash-looping');
});

test('a paused service is not restarted, even across a supervisor restart; resume starts it', async (t) => {
  if (!requireBinary(t, 'containerd', 'containerd')) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-sup-'));
  const services = { containerd: containerdService(path.join(dir, 'ctd')) };
  const s = await supervise(t, services, { dir });
  await s.waitEvent('containerd', 'Healthy');
  s.sup.setPaused('containerd', true, 'test');
  const pid = s.pid('containerd');
  process.kill(pid, 'SIGKILL');
  await s.waitEvent('containerd', 'Exited');
  await new Promise((r) => setTimeout(r, 2_000));
  assert.equal(s.state('containerd'), 'paused');
  assert.equal(s.events.filter((e) => e.kind === 'Started').length, 1);
  // a new supervisor on the same state dir (an agent restart) keeps the pause
  s.sup.stop();
  const again = await supervise(t, services, { dir });
  await new Promise((r) => setTimeout(r, 1_500));
  assert.equal(again.state('containerd'), 'paused');
  assert.equal(again.events.filter((e) => e.kind === 'Started').length, 0);
  again.sup.setPaused('containerd', false, 'test');
  await again.waitEvent('containerd', 'Healthy');
});

test('dependencies: with containerd and kubelet both killed, containerd comes back first and kubelet waits for it', async (t) => {
  if (!requireBinary(t, 'containerd', 'containerd')) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-sup-'));
  const ctd = containerdCommand(path.join(dir, 'ctd'));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const s = await supervise(
    t,
    {
      containerd: containerdService(path.join(dir, 'ctd')),
      kubelet: {
        mode: 'child',
        command: [
          process.execPath,
          '--import',
          'tsx',
          path.join(TOP, 'test/stand-ins/kubelet-stand-in.ts'),
          '--port',
          String(port),
          '--runtime-socket',
          ctd.socket,
        ],
        cwd: TOP,
        health: { type: 'http', url: `http://127.0.0.1:${port}/healthz` },
        dependsOn: ['containerd'],
      },
    },
    { dir },
  );
  await s.waitEvent('kubelet', 'Healthy', { timeoutMs: 20_000 });
  const from = s.events.length;
  // when the runtime is killed first, then kubelet
  process.kill(s.pid('containerd'), 'SIGKILL');
  process.kill(s.pid('kubelet'), 'SIGKILL');
  const kubeletStarted = await s.waitEvent('kubelet', 'Started', { from, timeoutMs: 20_000 });
  const containerdHealthy = await s.waitEvent('containerd', 'Healthy', { from });
  // then kubelet was started only once containerd was healthy again
  assert.ok(containerdHealthy.t <= kubeletStarted.t, 'kubelet started before its runtime was ready');
  await s.waitEvent('kubelet', 'Healthy', { from, timeoutMs: 20_000 });
  assert.equal(s.events.slice(from).filter((e) => e.kind === 'CrashLooping').length, 0);
});

test('a stop command, when given, is how a hung service is asked to stop', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-sup-'));
  const marker = path.join(dir, 'stopped-by-command');
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const s = await supervise(
    t,
    {
      kubelet: {
        mode: 'child',
        command: [process.execPath, '--import', 'tsx', path.join(TOP, 'test/stand-ins/kubelet-stand-in.ts'), '--port', String(port)],
        cwd: TOP,
        health: { type: 'http', url: `http://127.0.0.1:${port}/healthz` },
        stopCommand: ['sh', '-c', `echo $MAINPID > ${marker}; kill -CONT $MAINPID; kill -TERM $MAINPID`],
      },
    },
    { dir },
  );
  await s.waitEvent('kubelet', 'Healthy', { timeoutMs: 20_000 });
  const pid = s.pid('kubelet');
  const from = s.events.length;
  process.kill(pid, 'SIGSTOP');
  await s.waitEvent('kubelet', 'Started', { from, timeoutMs: 15_000 });
  assert.equal(fs.readFileSync(marker, 'utf8').trim(), String(pid), 'the stop command was given the main pid');
  assert.equal(s.events.slice(from).filter((e) => e.kind === 'Killed').length, 0, 'it stopped without SIGKILL');
});

test('services can be added and removed while supervising: removal stops the process (SIGKILL after the grace) and never restarts it', async (t) => {
  const s = await supervise(t, {});
  const [polite, stubborn] = resolveServices(
    validate('test', servicesSchema, {
      polite: { mode: 'child', command: ['sleep', '3600'] },
      // Ignores SIGTERM, as a wedged process would; its whole process group goes at SIGKILL.
      stubborn: { mode: 'child', command: ['sh', '-c', 'trap "" TERM; while :; do sleep 1; done'], killMode: 'group' },
    }),
    (p) => p,
  );
  assert.ok(polite && stubborn);
  s.sup.add(polite);
  s.sup.add(stubborn);
  await s.waitEvent('polite', 'Started');
  await s.waitEvent('stubborn', 'Started');
  assert.throws(() => s.sup.add(polite), /already supervised/);
  const politePid = s.pid('polite');
  const stubbornPid = s.pid('stubborn');
  // when both are removed
  let t0 = performance.now();
  await s.sup.remove('polite', 5_000);
  const politeMs = performance.now() - t0;
  t0 = performance.now();
  await s.sup.remove('stubborn', 1_000);
  const stubbornMs = performance.now() - t0;
  // then both processes are gone, the polite one at once, the stubborn one after the grace
  assert.equal(liveProc(politePid), undefined);
  assert.equal(liveProc(stubbornPid), undefined);
  assert.ok(politeMs < 1_000, `polite stop took ${politeMs} ms`);
  assert.ok(stubbornMs >= 1_000 && stubbornMs < 4_000, `stubborn stop took ${stubbornMs} ms`);
  assert.deepEqual(s.sup.list(), []);
  // and nothing restarts them
  await new Promise((r) => setTimeout(r, 1_000));
  assert.equal(s.events.filter((e) => e.kind === 'Started').length, 2);
  assert.equal(s.events.filter((e) => e.kind === 'Stopped').length, 2);
});
