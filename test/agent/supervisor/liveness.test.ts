import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { liveProc, observePidfile, observeProcessName, signalProc } from '../../../agent/supervisor/liveness.js';
import { eventually } from '../../harness/cluster.js';

test('a pidfile that is missing, holds garbage or names a dead pid means no process, with the reason', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-pid-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const f = path.join(dir, 'x.pid');
  assert.deepEqual(observePidfile(f), { proc: null, reason: `pidfile ${f}: ENOENT` });
  for (const garbage of ['', 'abc', '12 34', '-5', '1', '99999999999', '\u0000\u0001']) {
    fs.writeFileSync(f, garbage);
    const o = observePidfile(f);
    assert.equal(o.proc, null, JSON.stringify(garbage));
    assert.match(o.reason ?? '', /holds no pid/);
  }
  fs.writeFileSync(f, '4194304\n'); // above pid_max's default: never a live pid
  assert.match(observePidfile(f).reason ?? '', /pid 4194304 from .* is not running/);
  fs.writeFileSync(f, `${process.pid}\n`);
  assert.equal(observePidfile(f).proc?.pid, process.pid);
});

test('a zombie is a dead process', async (t) => {
  // A parent that never reaps its child: the child stays a zombie while the parent sleeps.
  const py = spawn('python3', ['-c', 'import os,sys,time\npid=os.fork()\nif pid==0: os._exit(0)\nprint(pid, flush=True); time.sleep(30)'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.after(() => py.kill('SIGKILL'));
  const zombie = await new Promise<number>((resolve) => py.stdout.once('data', (b: Buffer) => resolve(Number(b.toString().trim()))));
  await eventually(() => assert.match(fs.readFileSync(`/proc/${zombie}/stat`, 'utf8'), /\) Z /), { timeoutMs: 2000 });
  assert.equal(liveProc(zombie), undefined);
  assert.ok(liveProc(py.pid ?? 0));
});

test('a process is signalled only if pid and start time still match: never a reused pid', async (t) => {
  const sleeper = spawn('sleep', ['30']);
  t.after(() => sleeper.kill('SIGKILL'));
  await new Promise((r) => sleeper.once('spawn', r));
  const me = liveProc(sleeper.pid ?? 0);
  assert.ok(me);
  // the same pid with another start time is another process
  assert.equal(signalProc({ pid: me.pid, startTicks: me.startTicks + 1 }, 'SIGKILL', false), 'gone');
  assert.ok(liveProc(me.pid), 'not killed');
  assert.equal(signalProc(me, 'SIGKILL', false), 'sent');
  await eventually(() => assert.equal(sleeper.exitCode ?? sleeper.signalCode, 'SIGKILL'), { timeoutMs: 2000 });
});

test('process mode finds a process by its executable name, not by a mention in a command line', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-proc-'));
  const bin = path.join(dir, 'belaytestd');
  fs.copyFileSync('/bin/sleep', bin);
  fs.chmodSync(bin, 0o755);
  const decoy = spawn('sleep', ['30', 'belaytestd']);
  t.after(() => {
    decoy.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });
  assert.equal(observeProcessName('belaytestd').proc, null);
  const real = spawn(bin, ['30']);
  t.after(() => real.kill('SIGKILL'));
  await new Promise((r) => real.once('spawn', r));
  assert.equal(observeProcessName('belaytestd').proc?.pid, real.pid);
});
