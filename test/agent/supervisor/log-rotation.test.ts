import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { LogRotator, rotateIfLarger } from '../../../agent/supervisor/log-rotation.js';
import { silentLogger } from '../../../proto/common/log.js';
import { eventually } from '../../harness/eventually.js';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'belay-logrot-'));

test('rotation: over maxBytes the log is copied to .1, older ones shift, the oldest beyond maxFiles is dropped', () => {
  const dir = tmp();
  try {
    const file = path.join(dir, 'a.log');
    for (let round = 1; round <= 6; round++) {
      fs.writeFileSync(file, `round ${round}\n`.repeat(20));
      assert.equal(rotateIfLarger(file, { maxBytes: 100, maxFiles: 4 }), true);
      assert.equal(fs.statSync(file).size, 0);
    }
    assert.deepEqual(fs.readdirSync(dir).sort(), ['a.log', 'a.log.1', 'a.log.2', 'a.log.3']);
    assert.match(fs.readFileSync(`${file}.1`, 'utf8'), /^round 6\n/);
    assert.match(fs.readFileSync(`${file}.3`, 'utf8'), /^round 4\n/);
    fs.writeFileSync(file, 'small\n');
    assert.equal(rotateIfLarger(file, { maxBytes: 100, maxFiles: 4 }), false);
    assert.equal(rotateIfLarger(path.join(dir, 'missing.log'), { maxBytes: 1, maxFiles: 2 }), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("rotation of a live child's log: the child keeps writing into the same file, from its new start, nothing before the copy is lost", async () => {
  const dir = tmp();
  const file = path.join(dir, 'pod.log');
  const fd = fs.openSync(file, 'a');
  // A child that appends a numbered line every 2 ms, as a pod's process would (its stdout is the file).
  const child = spawn('sh', ['-c', 'i=0; while [ $i -lt 3000 ]; do echo "line $i"; i=$((i+1)); sleep 0.002; done'], { stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  try {
    const rot = new LogRotator({ dirs: [dir], cfg: { maxBytes: 2_000, maxFiles: 3, checkIntervalMs: 60_000 }, log: silentLogger() });
    await eventually(() => assert.ok(fs.statSync(file).size > 2_000), { timeoutMs: 10_000 });
    assert.deepEqual(rot.runOnce(), [file]);
    const copied = fs.readFileSync(`${file}.1`, 'utf8').trim().split('\n');
    const lastCopied = Number(copied.at(-1)?.split(' ')[1]);
    assert.deepEqual(
      copied.map((l) => Number(l.split(' ')[1])),
      [...Array(lastCopied + 1).keys()],
      'the copy holds every line from the start, in order',
    );
    await eventually(() => assert.match(fs.readFileSync(file, 'utf8'), /line \d+\n/), { timeoutMs: 5_000 });
    // O_APPEND: the child's writes go to the truncated file's end, not past a hole at the old offset
    const live = fs.readFileSync(file);
    assert.notEqual(live[0], 0, 'no hole of zero bytes at the start');
    assert.ok(live.length < 2_000 + 500, `the live log restarted small (${live.length} bytes)`);
  } finally {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
