import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { masterAddresses } from '../../../coordinator/dev/cluster.js';
import { daemonCommand, shebangNodeFlags } from '../../../coordinator/dev/launch.js';

test('masters count up from the base address', () => {
  assert.deepEqual(masterAddresses('127.0.1.1', 3), ['127.0.1.1', '127.0.1.2', '127.0.1.3']);
  assert.throws(() => masterAddresses('127.0.1.250', 7), /leaves no room for 7 masters/);
  assert.throws(() => masterAddresses('::1', 3), /not an IPv4 address/);
});

test('a dev cluster runs each daemon with the node flags of its installed binary', () => {
  const agent = daemonCommand('agent');
  assert.deepEqual(agent.args.slice(0, 3), ['--lite-mode', '--no-expose-wasm', '--max-semi-space-size=1']);
  assert.equal(daemonCommand('coordinator').args[0], '--import', 'the coordinator runs with node defaults');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-shebang-'));
  const f = path.join(dir, 'main.js');
  fs.writeFileSync(f, '#!/usr/bin/env node\n');
  assert.deepEqual(shebangNodeFlags(f), []);
  fs.writeFileSync(f, '#!/usr/bin/env -S node --foo=1; rm -rf /\n');
  assert.deepEqual(shebangNodeFlags(f), [], 'anything but plain --flags is ignored');
  fs.rmSync(dir, { recursive: true });
});
