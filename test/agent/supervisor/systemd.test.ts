import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, describe, test } from 'node:test';
import { parseShow, showUnit, systemdAvailable, unitAction, unitExists } from '../../../agent/supervisor/systemd.js';
import { OperatorError } from '../../../proto/common/errors.js';
import { readProcStat } from '../../../proto/common/proc.js';
import { eventually as poll } from '../../harness/eventually.js';

/** These tests poll every 20 ms: their timings are tight. */
const eventually = <T>(check: () => T, o: { timeoutMs: number; intervalMs?: number }): Promise<T> => poll(check, { intervalMs: 20, ...o });

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-systemd-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('parseShow', () => {
  // As systemd 252 prints them: the Service interface's MainPID first, then the Unit's states.
  test('active / running', () => {
    assert.deepEqual(parseShow('MainPID=1234\nLoadState=loaded\nActiveState=active\nSubState=running\n'), {
      activeState: 'active',
      subState: 'running',
      mainPid: 1234,
      loadState: 'loaded',
    });
  });
  test('failed, no main process', () => {
    assert.deepEqual(parseShow('MainPID=0\nLoadState=loaded\nActiveState=failed\nSubState=failed\n'), {
      activeState: 'failed',
      subState: 'failed',
      mainPid: 0,
      loadState: 'loaded',
    });
  });
  test('between restarts: activating / auto-restart', () => {
    assert.deepEqual(parseShow('MainPID=0\nLoadState=loaded\nActiveState=activating\nSubState=auto-restart\n'), {
      activeState: 'activating',
      subState: 'auto-restart',
      mainPid: 0,
      loadState: 'loaded',
    });
  });
  test('a unit the host does not have', () => {
    assert.deepEqual(parseShow('MainPID=0\nLoadState=not-found\nActiveState=inactive\nSubState=dead\n'), {
      activeState: 'inactive',
      subState: 'dead',
      mainPid: 0,
      loadState: 'not-found',
    });
  });
  test('any order, CRLF, extra properties, no trailing newline', () => {
    assert.deepEqual(parseShow('SubState=start-pre\r\nId=kubelet.service\r\nActiveState=activating\r\nLoadState=loaded\r\nMainPID=77'), {
      activeState: 'activating',
      subState: 'start-pre',
      mainPid: 77,
      loadState: 'loaded',
    });
  });
  test('missing or malformed fields are errors, not guesses', () => {
    assert.throws(() => parseShow(''), /no MainPID=/);
    assert.throws(() => parseShow('MainPID=1\nLoadState=loaded\nActiveState=active\n'), /no SubState=/);
    assert.throws(() => parseShow('MainPID=-1\nLoadState=loaded\nActiveState=active\nSubState=running\n'), /MainPID=-1, not a pid/);
    assert.throws(() => parseShow('MainPID=\nLoadState=loaded\nActiveState=active\nSubState=running\n'), /no MainPID=/);
  });
});

/**
 * fake-systemctl: a stand-in for systemctl, since systemd is not PID 1 in the
 * sandboxes these tests run in. It appends its argv (fields split by \x1f) as
 * one line to argv.log, prints canned `show` output, fails like systemctl for
 * a missing unit, and for hang.service starts a child and waits for ever,
 * noting the child's pid, to prove the deadline kills the whole group.
 */
const fakeDir = fs.mkdtempSync(path.join(tmp, 'fake-'));
const FAKE_SYSTEMCTL = path.join(fakeDir, 'fake-systemctl');
const ARGV_LOG = path.join(fakeDir, 'argv.log');
const HANG_PID = path.join(fakeDir, 'hang.pid');
fs.writeFileSync(
  FAKE_SYSTEMCTL,
  `#!/bin/sh
printf '%s\\037' "$@" >> '${ARGV_LOG}'
echo >> '${ARGV_LOG}'
for unit; do :; done
case "$1:$unit" in
  *:hang.service)
    sleep 1000 &
    echo $! > '${HANG_PID}'
    wait ;;
  show:kubelet.service)
    printf 'MainPID=4321\\nLoadState=loaded\\nActiveState=active\\nSubState=running\\n' ;;
  show:containerd.service)
    printf 'MainPID=0\\nLoadState=loaded\\nActiveState=activating\\nSubState=auto-restart\\n' ;;
  show:docker.service)
    printf 'MainPID=0\\nLoadState=masked\\nActiveState=inactive\\nSubState=dead\\n' ;;
  show:garbled.service)
    echo 'Frobnicated=yes' ;;
  show:*)
    printf 'MainPID=0\\nLoadState=not-found\\nActiveState=inactive\\nSubState=dead\\n' ;;
  *:missing.service)
    echo "Failed to $1 missing.service: Unit missing.service not found." >&2
    exit 5 ;;
  *) ;;
esac
`,
  { mode: 0o755 },
);

/** The argv of each fake-systemctl run so far, then forgets them. */
function calls(): string[][] {
  if (!fs.existsSync(ARGV_LOG)) return [];
  const lines = fs.readFileSync(ARGV_LOG, 'utf8').split('\n').filter(Boolean);
  fs.rmSync(ARGV_LOG);
  return lines.map((l) => l.split('\x1f').slice(0, -1));
}

describe('against fake-systemctl', () => {
  test('showUnit runs show with the four properties and parses them', async () => {
    calls();
    assert.deepEqual(await showUnit('kubelet.service', 2_000, FAKE_SYSTEMCTL), {
      activeState: 'active',
      subState: 'running',
      mainPid: 4321,
      loadState: 'loaded',
    });
    assert.deepEqual(calls(), [['show', '-p', 'ActiveState,SubState,MainPID,LoadState', '--no-pager', 'kubelet.service']]);
    assert.deepEqual(await showUnit('containerd.service', 2_000, FAKE_SYSTEMCTL), {
      activeState: 'activating',
      subState: 'auto-restart',
      mainPid: 0,
      loadState: 'loaded',
    });
  });

  test('a unit that does not exist is not-found, not an error', async () => {
    assert.equal((await showUnit('belay-no-such-unit.service', 2_000, FAKE_SYSTEMCTL)).loadState, 'not-found');
    assert.equal(await unitExists('belay-no-such-unit.service', 2_000, FAKE_SYSTEMCTL), false);
    assert.equal(await unitExists('kubelet.service', 2_000, FAKE_SYSTEMCTL), true);
    assert.equal(await unitExists('docker.service', 2_000, FAKE_SYSTEMCTL), true, 'masked: present, the caller decides');
  });

  test('output without the fields is an error naming the command', async () => {
    await assert.rejects(showUnit('garbled.service', 2_000, FAKE_SYSTEMCTL), (err: Error) => {
      assert.equal(err.message, 'systemctl show garbled.service');
      assert.match(String((err.cause as Error).message), /no MainPID=/);
      return true;
    });
  });

  test('start, stop and restart only queue the job (--no-block)', async () => {
    calls();
    for (const action of ['start', 'stop', 'restart'] as const) await unitAction(action, 'kubelet.service', 2_000, { systemctl: FAKE_SYSTEMCTL });
    assert.deepEqual(calls(), [
      ['start', '--no-block', '--no-ask-password', 'kubelet.service'],
      ['stop', '--no-block', '--no-ask-password', 'kubelet.service'],
      ['restart', '--no-block', '--no-ask-password', 'kubelet.service'],
    ]);
  });

  test('kill signals the main process only', async () => {
    calls();
    await unitAction('kill', 'containerd.service', 2_000, { systemctl: FAKE_SYSTEMCTL });
    await unitAction('kill', 'kubelet.service', 2_000, { systemctl: FAKE_SYSTEMCTL, signal: 'SIGKILL' });
    assert.deepEqual(calls(), [
      ['kill', '--kill-whom=main', '-s', 'SIGTERM', '--no-ask-password', 'containerd.service'],
      ['kill', '--kill-whom=main', '-s', 'SIGKILL', '--no-ask-password', 'kubelet.service'],
    ]);
    await assert.rejects(unitAction('kill', 'kubelet.service', 2_000, { systemctl: FAKE_SYSTEMCTL, signal: '-9; reboot' }), /not a signal name/);
    assert.deepEqual(calls(), [], 'nothing run for a bad signal');
  });

  test("systemctl's own failure: its exit code and words", async () => {
    await assert.rejects(unitAction('start', 'missing.service', 2_000, { systemctl: FAKE_SYSTEMCTL }), (err: OperatorError) => {
      assert.equal(err.code, 'SYSTEMCTL_FAILED');
      assert.equal(err.message, 'systemctl start missing.service: exit code 5: Failed to start missing.service: Unit missing.service not found.');
      return true;
    });
  });

  test('a unit name that could be read as an option is refused before running anything', async () => {
    calls();
    for (const bad of ['--force', '-H', 'kube let.service', 'a/b.service', '']) {
      await assert.rejects(showUnit(bad, 2_000, FAKE_SYSTEMCTL), (err: OperatorError) => err.code === 'UNIT_NAME_INVALID', JSON.stringify(bad));
      await assert.rejects(unitAction('restart', bad, 2_000, { systemctl: FAKE_SYSTEMCTL }), (err: OperatorError) => err.code === 'UNIT_NAME_INVALID');
    }
    assert.deepEqual(calls(), []);
    assert.equal((await showUnit('kubelet@x\\x2d1.service', 2_000, FAKE_SYSTEMCTL)).loadState, 'not-found', 'instances and escapes are names');
  });

  for (const [name, run] of [
    ['show', () => showUnit('hang.service', 300, FAKE_SYSTEMCTL)],
    ['restart', () => unitAction('restart', 'hang.service', 300, { systemctl: FAKE_SYSTEMCTL })],
  ] as const) {
    test(`a hung systemctl ${name}: rejected at the deadline, its process group killed`, async () => {
      // given
      fs.rmSync(HANG_PID, { force: true });
      const started = performance.now();
      // when
      await assert.rejects(run(), (err: OperatorError) => {
        assert.equal(err.message, `systemctl ${name} hang.service: timeout after 300 ms`);
        assert.equal(err.code, 'SYSTEMCTL_TIMEOUT');
        assert.equal(err.retryable, true);
        return true;
      });
      // then
      const tookMs = performance.now() - started;
      assert.ok(tookMs >= 290 && tookMs <= 400, `rejected after ${Math.round(tookMs)} ms`);
      const helper = Number(fs.readFileSync(HANG_PID, 'utf8'));
      assert.ok(helper > 0);
      // The script's own child dies too (a zombie until something reaps it counts as dead).
      await eventually(() => assert.ok([undefined, 'Z', 'X'].includes(readProcStat(helper)?.state), `sleep ${helper} still running`), { timeoutMs: 2_000 });
    });
  }

  test('a systemctl that is not there: a clear error', async () => {
    const missing = path.join(tmp, 'no-such-systemctl');
    await assert.rejects(showUnit('kubelet.service', 2_000, missing), (err: OperatorError) => {
      assert.equal(err.code, 'SYSTEMCTL_NOT_RUN');
      assert.match(err.message, /^systemctl show kubelet\.service: cannot run .*no-such-systemctl: spawn .* ENOENT$/);
      return true;
    });
  });
});

describe('against the real systemctl', () => {
  test('where systemd is not PID 1, systemctl says so and showUnit rejects with its words', async (t) => {
    if (systemdAvailable()) return t.skip('systemd is PID 1 here: covered by the next test');
    if (!fs.existsSync('/bin/systemctl') && !fs.existsSync('/usr/bin/systemctl')) return t.skip('no systemctl: apt-get install systemd');
    await assert.rejects(showUnit('kubelet.service', 10_000), (err: OperatorError) => {
      assert.equal(err.code, 'SYSTEMCTL_FAILED');
      assert.match(err.message, /^systemctl show kubelet\.service: exit code 1: .*(not been booted|Failed to connect to bus)/);
      return true;
    });
  });

  test('where systemd is PID 1: a unit that exists and one that does not', async (t) => {
    if (!systemdAvailable()) return t.skip('systemd is not PID 1 here (no /run/systemd/system)');
    const journald = await showUnit('systemd-journald.service', 10_000);
    assert.equal(journald.loadState, 'loaded');
    assert.equal(journald.activeState, 'active');
    assert.equal(journald.subState, 'running');
    assert.ok(journald.mainPid > 1, `MainPID=${journald.mainPid}`);
    assert.deepEqual(await showUnit('belay-no-such-unit.service', 10_000), { activeState: 'inactive', subState: 'dead', mainPid: 0, loadState: 'not-found' });
    assert.equal(await unitExists('systemd-journald.service', 10_000), true);
    assert.equal(await unitExists('belay-no-such-unit.service', 10_000), false);
  });
});

test('systemdAvailable is sd_booted: /run/systemd/system is a directory', () => {
  let booted: boolean;
  try {
    booted = fs.lstatSync('/run/systemd/system').isDirectory();
  } catch {
    booted = false;
  }
  assert.equal(systemdAvailable(), booted);
});
