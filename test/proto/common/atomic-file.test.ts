import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fsp from 'node:fs/promises';
import { test, type TestContext } from 'node:test';
import { writeFileAtomic } from '../../../proto/common/atomic-file.js';

test('writeFileAtomic: the whole file with its mode, no temp file left', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-atomic-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'cluster.yaml');
  await writeFileAtomic(file, 'a: 1\n', 0o600);
  assert.equal(fs.readFileSync(file, 'utf8'), 'a: 1\n');
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(fs.readdirSync(dir), ['cluster.yaml']);
});

test('writeFileAtomic: many writes of one file at once all succeed, in the order asked; the last one stands', async (t) => {
  // Two callers (an apply and the refresh from etcd) once shared the temp file: one renamed the other's away (ENOENT).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-atomic-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'cluster.yaml');
  const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => writeFileAtomic(file, `n: ${i}\n${'x'.repeat(64 * 1024)}\n`, 0o644)));
  assert.deepEqual(
    results.filter((r) => r.status === 'rejected').map((r) => String(r.reason)),
    [],
  );
  assert.match(fs.readFileSync(file, 'utf8'), /^n: 19\n/);
  assert.deepEqual(fs.readdirSync(dir), ['cluster.yaml']);
});

test('writeFileAtomic: a failed write does not stop the next one', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-atomic-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'sub', 'x.yaml');
  await assert.rejects(writeFileAtomic(file, 'a', 0o644), /ENOENT/);
  fs.mkdirSync(path.dirname(file));
  await writeFileAtomic(file, 'b', 0o644);
  assert.equal(fs.readFileSync(file, 'utf8'), 'b');
});

test('writeFileAtomic: the directory is fsynced after the rename, and a failed fsync fails the write', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-atomic-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'x.yaml');
  const opened = failDirOpen(t, dir);
  await assert.rejects(writeFileAtomic(file, 'a', 0o600), /EIO/);
  assert.equal(opened.count, 1);
  assert.equal(fs.readFileSync(file, 'utf8'), 'a', 'the rename happened before the fsync');
});

test('writeFileAtomic with syncDir false: the directory is left to the caller, its fsync never tried', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-atomic-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'x.yaml');
  const opened = failDirOpen(t, dir);
  await writeFileAtomic(file, 'a', 0o600, { syncDir: false });
  assert.equal(opened.count, 0);
  assert.equal(fs.readFileSync(file, 'utf8'), 'a');
  assert.deepEqual(fs.readdirSync(dir), ['x.yaml']);
});

/** Makes opening `dir` itself (what syncDir does) fail with EIO; counts the tries. */
function failDirOpen(t: TestContext, dir: string): { count: number } {
  const opened = { count: 0 };
  const realOpen = fsp.open.bind(fsp);
  t.mock.method(fsp, 'open', async (p: fs.PathLike, flags?: string | number, mode?: fs.Mode) => {
    if (String(p) === dir) {
      opened.count++;
      throw Object.assign(new Error(`EIO: i/o error, open '${dir}'`), { code: 'EIO' });
    }
    return realOpen(p, flags, mode);
  });
  return opened;
}
