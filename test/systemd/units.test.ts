import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { findOnPath } from '../harness/runtimes.js';

/**
 * Checks the shipped units with systemd's own parser (`systemd-analyze
 * verify`), plus the directives the operator contract depends on.
 *
 * verify needs no running systemd, but it does check that ExecStart= points
 * at an executable, and /usr/local/bin/belay-* is not installed here. So each
 * unit is copied into a temp dir with only that path rewritten to a stub
 * script; every other line is verified as shipped. Parse problems (unknown
 * keys, bad values) are printed as warnings with exit code 0, so a unit counts
 * as clean only if verify exits 0 AND prints nothing about it.
 */

const TOP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const UNITS = ['belay-agent', 'belay-coordinator'] as const;
type UnitName = (typeof UNITS)[number];

const EXEC_START: Record<UnitName, string> = {
  'belay-agent': '/usr/local/bin/belay-agent --config /etc/belay/agent.yaml --log-format json',
  'belay-coordinator': '/usr/local/bin/belay-coordinator --config /etc/belay/coordinator.yaml --log-format json',
};

const shipped = (u: UnitName): string => fs.readFileSync(path.join(TOP, 'systemd', `${u}.service`), 'utf8');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-units-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The path of systemd-analyze, or undefined after skipping the test (failing it under CI). */
function systemdAnalyze(t: TestContext): string | undefined {
  const found = findOnPath('systemd-analyze');
  if (found) return found;
  if (process.env.CI === 'true') assert.fail('systemd-analyze not on PATH (CI must have it): apt-get install systemd');
  t.skip('systemd-analyze not on PATH: apt-get install systemd');
  return undefined;
}

/** Writes units (name → text) into a fresh dir beside stub executables, with ExecStart's binary pointed at the stubs. */
function layOut(units: Partial<Record<UnitName, string>>): string[] {
  const dir = fs.mkdtempSync(path.join(tmp, 'u-'));
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  return Object.entries(units).map(([name, text]) => {
    const stub = path.join(bin, name);
    fs.writeFileSync(stub, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const file = path.join(dir, `${name}.service`);
    fs.writeFileSync(file, text.replaceAll(`/usr/local/bin/${name} `, `${stub} `));
    return file;
  });
}

interface Verified {
  code: number | null;
  /** verify's lines about the units given (not about other units on this host). */
  problems: string[];
}

function verify(analyze: string, files: string[]): Verified {
  const r = spawnSync(analyze, ['verify', '--man=no', ...files], { encoding: 'utf8', env: { ...process.env, SYSTEMD_LOG_COLOR: '0' }, timeout: 30_000 });
  assert.equal(r.error, undefined, `running ${analyze}: ${String(r.error)}`);
  const names = files.map((f) => path.basename(f));
  const problems = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => names.some((n) => l.includes(n)));
  return { code: r.status, problems };
}

test('systemd-analyze verify accepts both units without a warning', (t) => {
  const analyze = systemdAnalyze(t);
  if (!analyze) return;
  const files = layOut({ 'belay-agent': shipped('belay-agent'), 'belay-coordinator': shipped('belay-coordinator') });
  const r = verify(analyze, files);
  assert.deepEqual(r.problems, []);
  assert.equal(r.code, 0);
});

test('the verify step catches broken units', async (t) => {
  const analyze = systemdAnalyze(t);
  if (!analyze) return;
  const agent = shipped('belay-agent');
  const broken: [string, string, RegExp][] = [
    ['an unknown directive', agent.replace(/^RestartSec=/m, 'RestartSecs='), /Unknown key 'RestartSecs'/],
    ['a bad value', agent.replace(/^Restart=always$/m, 'Restart=alwayz'), /alwayz/],
    ['a bad time span', agent.replace(/^TimeoutStopSec=.*$/m, 'TimeoutStopSec=fifteen'), /fifteen/],
  ];
  for (const [what, text, expected] of broken) {
    await t.test(what, () => {
      assert.notEqual(text, agent, 'the unit has the line this case breaks');
      const r = verify(analyze, layOut({ 'belay-agent': text }));
      assert.ok(
        r.problems.some((l) => expected.test(l)),
        `verify should warn about ${what}, said: ${r.problems.join(' | ')}`,
      );
    });
  }
  await t.test('a missing executable (exit code, not only a warning)', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'missing-'));
    const file = path.join(dir, 'belay-agent.service');
    fs.writeFileSync(file, agent.replace('/usr/local/bin/belay-agent', path.join(dir, 'no-such-binary')));
    const r = verify(analyze, [file]);
    assert.notEqual(r.code, 0);
    assert.ok(
      r.problems.some((l) => l.includes('no-such-binary')),
      r.problems.join(' | '),
    );
  });
});

/** The unit's `Key=value` lines per section, comments and blank lines dropped. */
function directives(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1] ?? '';
      continue;
    }
    const eq = line.indexOf('=');
    const key = `${section}.${line.slice(0, eq)}`;
    out.set(key, [...(out.get(key) ?? []), line.slice(eq + 1)]);
  }
  return out;
}

const one = (d: Map<string, string[]>, key: string): string | undefined => d.get(key)?.at(-1);
const words = (d: Map<string, string[]>, key: string): string[] => (d.get(key) ?? []).flatMap((v) => v.split(/\s+/)).filter(Boolean);
const seconds = (span: string | undefined): number => {
  const m = /^(\d+)(s|min)?$/.exec(span ?? '');
  assert.ok(m, `a time span in seconds or minutes, got ${span}`);
  return Number(m[1]) * (m[2] === 'min' ? 60 : 1);
};

for (const u of UNITS) {
  test(`${u}: runs the contract's command line, restarts for ever, drains on SIGTERM`, () => {
    const d = directives(shipped(u));
    assert.equal(one(d, 'Service.ExecStart'), EXEC_START[u]);
    // The agent says READY=1 and feeds a watchdog (next test); the coordinator just runs.
    assert.ok((u === 'belay-agent' ? ['notify'] : ['exec', 'simple']).includes(one(d, 'Service.Type') ?? ''), `Type=${one(d, 'Service.Type')}`);
    assert.equal(one(d, 'Service.Restart'), 'always');
    assert.ok(seconds(one(d, 'Service.RestartSec')) <= 5);
    assert.equal(one(d, 'Unit.StartLimitIntervalSec'), '0', 'systemd must never give up restarting it');
    assert.ok(words(d, 'Unit.After').includes('network-online.target'));
    assert.ok(words(d, 'Unit.Wants').includes('network-online.target'));
    // shutdownGraceMs drains in about 5 s; systemd must not SIGKILL before.
    assert.ok(seconds(one(d, 'Service.TimeoutStopSec')) >= 10);
    assert.ok([undefined, 'SIGTERM'].includes(one(d, 'Service.KillSignal')));
    assert.equal(one(d, 'Service.StateDirectory'), 'belay');
    assert.equal(one(d, 'Service.ProtectSystem'), 'strict');
    // V8's JIT needs W+X memory: this would kill Node at start.
    assert.equal(one(d, 'Service.MemoryDenyWriteExecute'), undefined);
    assert.equal(one(d, 'Install.WantedBy'), 'multi-user.target');
  });
}

test('belay-agent: can write what it manages and see every process', () => {
  const d = directives(shipped('belay-agent'));
  const writable = words(d, 'Service.ReadWritePaths').map((p) => p.replace(/^-/, ''));
  for (const p of ['/etc/kubernetes/manifests', '/etc/kubernetes/pki']) assert.ok(writable.includes(p), `${p} writable`);
  assert.equal(one(d, 'Service.LogsDirectory'), 'belay', '/var/log/belay writable');
  // Every ReadWritePaths entry must exist before the sandbox is built: made by ExecStartPre.
  const made = (d.get('Service.ExecStartPre') ?? []).join(' ');
  for (const p of writable) assert.ok(made.includes(p), `${p} is created by ExecStartPre`);
  assert.equal(one(d, 'Service.KillMode'), 'mixed');
  for (const k of ['ProtectProc', 'ProcSubset', 'PrivateDevices', 'SystemCallFilter', 'RestrictAddressFamilies']) {
    assert.equal(one(d, `Service.${k}`), undefined, `${k} would get in the way of a supervisor or its host-runtime children`);
  }
  assert.ok(!words(d, 'Unit.Requires').some((w) => /kubelet|containerd|docker/.test(w)), 'the agent must run when the runtime is broken');
});

test('belay-agent: systemd restarts it when its watchdog pings stop', () => {
  const d = directives(shipped('belay-agent'));
  // agent/watchdog.ts: READY=1 once started, WATCHDOG=1 every WatchdogSec/3.
  assert.equal(one(d, 'Service.Type'), 'notify');
  const watchdog = seconds(one(d, 'Service.WatchdogSec'));
  // The unit argues for 10 s: long enough for a loaded master's multi-second stalls, short enough to matter.
  assert.equal(watchdog, 10, `WatchdogSec=${watchdog}s`);
  // The agent sends from its own pid (unix-dgram); children (etcd in the host runtime) must not speak for it.
  assert.equal(one(d, 'Service.NotifyAccess'), 'main');
  // A watchdog timeout is a failure: Restart=always (asserted above) restarts it.
  assert.ok([undefined, 'SIGABRT'].includes(one(d, 'Service.WatchdogSignal')), 'a hung Node cannot run a SIGTERM handler');
  // With Type=notify a start that never says READY=1 must still end (default 90 s), never hang for ever.
  assert.ok(!['infinity', '0'].includes(one(d, 'Service.TimeoutStartSec') ?? ''), 'TimeoutStartSec must be finite');
});

test('the verify step catches a bad watchdog directive', (t) => {
  const analyze = systemdAnalyze(t);
  if (!analyze) return;
  const agent = shipped('belay-agent');
  for (const [text, expected] of [
    [agent.replace(/^WatchdogSec=.*$/m, 'WatchdogSec=ten'), /ten/],
    [agent.replace(/^NotifyAccess=main$/m, 'NotifyAccess=mine'), /mine/],
  ] as const) {
    assert.notEqual(text, agent, 'the unit has the line this case breaks');
    const r = verify(analyze, layOut({ 'belay-agent': text }));
    assert.ok(
      r.problems.some((l) => expected.test(l)),
      `verify should warn, said: ${r.problems.join(' | ')}`,
    );
  }
});

test('belay-coordinator: tighter than the agent', (t) => {
  const d = directives(shipped('belay-coordinator'));
  assert.equal(d.get('Service.ReadWritePaths'), undefined, 'only its StateDirectory is writable');
  assert.equal(one(d, 'Service.ProtectProc'), 'invisible');
  assert.equal(one(d, 'Service.PrivateDevices'), 'yes');
  assert.ok(one(d, 'Service.CapabilityBoundingSet') !== undefined && !one(d, 'Service.CapabilityBoundingSet')?.startsWith('~'));

  const analyze = systemdAnalyze(t);
  if (!analyze) return;
  const files = layOut({ 'belay-agent': shipped('belay-agent'), 'belay-coordinator': shipped('belay-coordinator') });
  const exposure = (file: string): number | undefined => {
    const r = spawnSync(analyze, ['security', '--offline=yes', file], { encoding: 'utf8', env: { ...process.env, SYSTEMD_LOG_COLOR: '0' } });
    const m = /Overall exposure level for \S+: ([\d.]+)/.exec(r.stdout);
    return m ? Number(m[1]) : undefined;
  };
  const [agent, coordinator] = files.map(exposure);
  if (agent === undefined || coordinator === undefined) {
    // systemd < 250 has no offline security review.
    t.diagnostic('systemd-analyze security --offline not supported here');
    return;
  }
  assert.ok(coordinator < agent, `coordinator exposure ${coordinator} < agent ${agent}`);
  assert.ok(coordinator <= 3, `coordinator exposure ${coordinator}`);
});
