import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { daemonCommand } from '../../coordinator/dev/launch.js';
import { belayctl, runBin } from '../harness/belayctl.js';
import { eventually } from '../harness/cluster.js';

function tmpRoot(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-start-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const address = (): string => `127.2.${1 + Math.floor(Math.random() * 250)}.1`;

test('a missing or invalid config exits 2 with one line per problem naming the field, the value and the fix', async (t) => {
  const root = tmpRoot(t);
  // no config at all: the default path under --root is named
  const missing = await runBin('belay-agent', ['--root', root]);
  assert.equal(missing.code, 2);
  assert.equal(
    missing.stderr.trim(),
    `belay-agent: config: ${root}/etc/belay/agent.yaml: cannot read the config file (ENOENT): pass an existing YAML file with --config`,
  );
  // two bad fields: two lines
  const cfg = path.join(root, 'coordinator.yaml');
  fs.writeFileSync(cfg, 'node:\n  name: m1\n  address: 127.0.1.1\nlisten: "nowhere"\nshutdownGraceMs: -5\n');
  const bad = await runBin('belay-coordinator', ['--config', cfg, '--root', root]);
  assert.equal(bad.code, 2);
  assert.deepEqual(bad.stderr.trim().split('\n').sort(), [
    `belay-coordinator: config: ${cfg}: listen: got "nowhere": must be HOST:PORT, e.g. 127.0.1.1:7702`,
    `belay-coordinator: config: ${cfg}: shutdownGraceMs: got -5: must be 0 or more ms`,
  ]);
});

test('an unreadable TLS file stops the start with the field and the path', async (t) => {
  const root = tmpRoot(t);
  const cfg = path.join(root, 'agent.yaml');
  fs.writeFileSync(cfg, `node: { name: m1, address: ${address()} }\n`);
  const r = await runBin('belay-agent', ['--config', cfg, '--root', root]);
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr.trim(),
    `belay-agent: cannot start: tls.ca: cannot read ${root}/etc/belay/pki/ca.crt (ENOENT) (create it with "belayctl pki init" or fix tls.ca)`,
  );
  // a file that is there but is no PEM
  fs.mkdirSync(path.join(root, 'etc/belay/pki'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/belay/pki/ca.crt'), 'hello');
  const r2 = await runBin('belay-agent', ['--config', cfg, '--root', root]);
  assert.match(r2.stderr, /tls\.ca: cannot read .*ca\.crt \(not a PEM file\)/);
});

test('insecure: true serves plaintext, warns at start, and SIGTERM stops the daemon cleanly', async (t) => {
  const root = tmpRoot(t);
  const addr = address();
  const cfg = path.join(root, 'coordinator.yaml');
  fs.writeFileSync(cfg, `node: { name: m1, address: ${addr} }\ninsecure: true\n`);
  const cmd = daemonCommand('coordinator');
  const child = spawn(cmd.file, [...cmd.args, '--config', cfg, '--root', root, '--log-format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await eventually(() => assert.match(out, /"message":"coordinator started"/), { timeoutMs: 15_000 });
  // every line is one JSON event; the warning is among them
  const events = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { level: string; message: string; code?: string });
  assert.ok(events.some((e) => e.level === 'warn' && e.code === 'INSECURE' && /plaintext/.test(e.message)));
  const s = await belayctl(['status', '--insecure', '--endpoint', `${addr}:7702`, '-o', 'json']);
  assert.equal(s.code, 0, s.stderr);
  assert.equal((JSON.parse(s.stdout) as { coordinator: string }).coordinator, 'm1');
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.match(out, /"message":"stopped"/);
});
