import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { isOperatorError, pod, setup, sha } from './store-cases.js';

describe('crash safety', () => {
  test('a rename that fails leaves the original untouched and no temp file', async (t) => {
    const { dir, store, p } = setup();
    const v1 = pod('etcd');
    await store.apply('etcd.yaml', v1);
    const st = fs.statSync(p('etcd.yaml'));
    const realRename = fsp.rename.bind(fsp);
    t.mock.method(fsp, 'rename', async (from: fs.PathLike, to: fs.PathLike) => {
      if (to === p('etcd.yaml')) {
        // The temp file is written and synced: the failure is between it and the rename.
        assert.equal(fs.readFileSync(path.join(dir, '.etcd.yaml.tmp'), 'utf8'), pod('etcd', '# v2\n'));
        throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' });
      }
      return realRename(from, to);
    });
    await assert.rejects(store.apply('etcd.yaml', pod('etcd', '# v2\n')), (err: unknown) => {
      assert.ok(err instanceof Error);
      assert.equal(err.message, `writing manifest ${p('etcd.yaml')}`);
      assert.equal((err.cause as NodeJS.ErrnoException).code, 'EIO');
      return true;
    });
    t.mock.restoreAll();
    assert.equal(fs.readFileSync(p('etcd.yaml'), 'utf8'), v1);
    assert.equal(fs.statSync(p('etcd.yaml')).ino, st.ino);
    assert.deepEqual(fs.readdirSync(dir), ['etcd.yaml']);
    // Not recorded as applied: the next apply is not mistaken for drift, and works.
    assert.equal(store.lastApplied('etcd.yaml')?.sha256, sha(v1));
    assert.equal((await store.apply('etcd.yaml', pod('etcd', '# v2\n'))).changed, true);
  });

  test('a directory where the manifest should be: refused clearly, left alone, no temp file', async () => {
    const { dir, store, p } = setup();
    fs.mkdirSync(p('etcd.yaml'));
    fs.writeFileSync(path.join(p('etcd.yaml'), 'inside'), 'x');
    await assert.rejects(
      store.apply('etcd.yaml', pod('etcd'), { force: true }),
      isOperatorError('MANIFEST_NOT_A_FILE', (e) => assert.match(e.message, /etcd\.yaml: it is a directory/)),
    );
    assert.ok(fs.statSync(p('etcd.yaml')).isDirectory());
    assert.equal(fs.readFileSync(path.join(p('etcd.yaml'), 'inside'), 'utf8'), 'x');
    assert.deepEqual(fs.readdirSync(dir), ['etcd.yaml']);
  });

  test('a stale temp file from a crash is replaced, not appended to', async () => {
    const { dir, store, p } = setup();
    fs.writeFileSync(path.join(dir, '.etcd.yaml.tmp'), 'garbage from before the crash, longer than anything\n'.repeat(100), { mode: 0o644 });
    await store.apply('etcd.yaml', pod('etcd'));
    assert.equal(fs.readFileSync(p('etcd.yaml'), 'utf8'), pod('etcd'));
    assert.equal(fs.statSync(p('etcd.yaml')).mode & 0o777, 0o600);
    assert.deepEqual(fs.readdirSync(dir), ['etcd.yaml']);
  });
});

describe('concurrency', () => {
  test('concurrent applies to one file run one at a time; each history entry intact', async () => {
    const { dir, hist, store, p } = setup();
    const vs = Array.from({ length: 8 }, (_, i) => pod('etcd', `    # writer ${i}\n${'    # pad\n'.repeat(i * 100)}`));
    const results = await Promise.all(vs.map((v, i) => store.apply('etcd.yaml', v, { by: `w${i}` })));
    assert.ok(results.every((r) => r.changed));
    const final = fs.readFileSync(p('etcd.yaml'), 'utf8');
    assert.ok(vs.includes(final));
    assert.equal(final, vs[vs.length - 1], 'in call order');
    // Each apply replaced exactly the one before it: a chain, nothing lost or interleaved.
    for (let i = 1; i < results.length; i++) assert.equal(results[i]?.previousSha256, results[i - 1]?.sha256);
    const h = store.history('etcd.yaml');
    assert.equal(h.length, 7);
    for (const v of h) {
      const kept = fs.readFileSync(path.join(hist, 'etcd.yaml', `${v.savedAtMs}-${v.sha256.slice(0, 12)}.yaml`));
      assert.equal(sha(kept), v.sha256);
      assert.equal(kept.length, v.sizeBytes);
    }
    assert.deepEqual(new Set(h.map((v) => v.sha256)), new Set(vs.slice(0, 7).map(sha)));
    assert.deepEqual(fs.readdirSync(dir), ['etcd.yaml']);
  });

  test('different files proceed independently; a failure does not block the queue', async () => {
    const { store, p } = setup();
    const all = await Promise.allSettled([
      store.apply('a.yaml', pod('a')),
      store.apply('b.yml', pod('b')),
      store.apply('c.json', '{"kind":"Pod"}'),
      store.rollback('a.yaml'), // no history yet: refused
      store.apply('a.yaml', pod('a', '# 2\n')),
    ]);
    assert.deepEqual(
      all.map((r) => r.status),
      ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
    );
    assert.equal(fs.readFileSync(p('a.yaml'), 'utf8'), pod('a', '# 2\n'));
    assert.equal(fs.readFileSync(p('c.json'), 'utf8'), '{"kind":"Pod"}');
  });
});

describe('readers never see a partial manifest', () => {
  test('fs.watch and a reader thread see only whole versions during 50 applies of ~200 KB', async () => {
    const { dir, store, p } = setup();
    const N = 50;
    const versions = Array.from({ length: N + 1 }, (_, i) =>
      Buffer.from(pod('big', `    # version ${i}\n` + `    # ${String(i).padStart(4, '0')} ${'x'.repeat(90)}\n`.repeat(2000))),
    );
    for (const v of versions) assert.ok(v.length > 190_000 && v.length < 1024 * 1024);
    const known = new Set(versions.map(sha));
    await store.apply('big.yaml', versions[0] ?? '');

    // given: a watcher that reads the target on every event in the dir, and a thread reading it in a loop
    const seen = { events: 0, reads: 0, bad: [] as string[] };
    const watcher = fs.watch(dir, (_event, name) => {
      seen.events++;
      if (name !== 'big.yaml') return;
      let b: Buffer;
      try {
        b = fs.readFileSync(p('big.yaml'));
      } catch (err) {
        seen.bad.push(`read failed: ${String(err)}`);
        return;
      }
      seen.reads++;
      if (!known.has(sha(b))) seen.bad.push(`partial content seen by watcher: ${b.length} bytes`);
    });
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const reader = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       const fs = require('node:fs');
       const { createHash } = require('node:crypto');
       const known = new Set(workerData.known);
       const stop = new Int32Array(workerData.stop);
       let reads = 0; const bad = [];
       while (Atomics.load(stop, 0) === 0) {
         let b;
         try { b = fs.readFileSync(workerData.file); } catch (e) { bad.push('read failed: ' + e.code); continue; }
         reads++;
         if (!known.has(createHash('sha256').update(b).digest('hex'))) bad.push('partial content: ' + b.length + ' bytes');
       }
       parentPort.postMessage({ reads, bad: bad.slice(0, 5) });`,
      { eval: true, workerData: { file: p('big.yaml'), known: [...known], stop: stop.buffer } },
    );
    const readerDone = new Promise<{ reads: number; bad: string[] }>((resolve, reject) => {
      reader.once('message', resolve);
      reader.once('error', reject);
    });

    try {
      // when: 50 applies, each awaited and each let the watcher catch up a little
      for (let i = 1; i <= N; i++) {
        const r = await store.apply('big.yaml', versions[i] ?? '');
        assert.equal(r.changed, true);
        await new Promise((res) => setImmediate(res));
      }
      await new Promise((res) => setTimeout(res, 50));
    } finally {
      Atomics.store(stop, 0, 1);
      watcher.close();
    }
    const thread = await readerDone;
    await reader.terminate();

    // then
    assert.deepEqual(seen.bad, []);
    assert.deepEqual(thread.bad, []);
    assert.ok(seen.events >= N, `watcher saw ${seen.events} events`);
    assert.ok(seen.reads > 0, 'the watcher read the target');
    assert.ok(thread.reads > N, `reader thread read ${thread.reads} times`);
    assert.ok(fs.readFileSync(p('big.yaml')).equals(versions[N] ?? Buffer.alloc(0)));
    assert.deepEqual(fs.readdirSync(dir), ['big.yaml']);
  });
});
