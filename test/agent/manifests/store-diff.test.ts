import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { unifiedDiff } from '../../../proto/common/diff.js';
import { pod, setup, sha } from './store-cases.js';

describe('unifiedDiff', () => {
  test('the usual format', () => {
    assert.equal(unifiedDiff('a\nb\nc\n', 'a\nB\nc\n', 'old', 'new'), '--- old\n+++ new\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n');
    assert.equal(unifiedDiff('', 'x\n', 'old', 'new'), '--- old\n+++ new\n@@ -0,0 +1,1 @@\n+x\n');
    assert.equal(unifiedDiff('x\n', 'x', 'old', 'new'), '--- old\n+++ new\n@@ -1,1 +1,1 @@\n-x\n+x\n\\ No newline at end of file\n');
    assert.equal(unifiedDiff('same\n', Buffer.from('same\n'), 'old', 'new'), '');
  });

  /** Applies a diff's hunks to `a`, as patch(1) would, checking each hunk's counts. */
  function applyDiff(a: string, diff: string): string {
    if (diff === '') return a;
    const lines = diff.split('\n');
    assert.equal(lines.pop(), '');
    assert.match(lines[0] ?? '', /^--- /);
    assert.match(lines[1] ?? '', /^\+\+\+ /);
    const src = a === '' ? [] : a.split(/(?<=\n)/);
    const out: string[] = [];
    let at = 0;
    let i = 2;
    while (i < lines.length) {
      const h = /^@@ -(\d+),(\d+) \+(\d+),(\d+) @@$/.exec(lines[i] ?? '');
      assert.ok(h, `hunk header expected: ${lines[i]}`);
      const [aStart, aLen, , bLen] = h.slice(1).map(Number) as [number, number, number, number];
      const from = aLen === 0 ? aStart : aStart - 1;
      while (at < from) out.push(src[at++] ?? '');
      let seenA = 0;
      let seenB = 0;
      for (i++; i < lines.length && !(lines[i] ?? '').startsWith('@@'); i++) {
        const l = lines[i] ?? '';
        const noEol = lines[i + 1] === '\\ No newline at end of file';
        const text = l.slice(1) + (noEol ? '' : '\n');
        if (noEol) i++;
        if (l[0] !== '+') {
          assert.equal(src[at], text, 'context and removed lines match the old text');
          at++;
          seenA++;
        }
        if (l[0] !== '-') {
          out.push(text);
          seenB++;
        }
      }
      assert.deepEqual([seenA, seenB], [aLen, bLen]);
    }
    while (at < src.length) out.push(src[at++] ?? '');
    return out.join('');
  }

  test('applying the diff to the old text gives the new one (property)', () => {
    const text = fc
      .tuple(fc.array(fc.constantFrom('a', 'b', 'c', 'd', '', '  x: 1'), { maxLength: 30 }), fc.boolean())
      .map(([ls, eol]) => (ls.length === 0 ? '' : ls.join('\n') + (eol ? '\n' : '')));
    fc.assert(
      fc.property(text, text, (a, b) => {
        const d = unifiedDiff(a, b, 'a', 'b', 10_000);
        assert.equal(d === '', a === b);
        assert.equal(applyDiff(a, d), b);
      }),
      { numRuns: 500 },
    );
  });
});

test("the agent's own write is never drift, not even between its rename and its record of it (a watcher sees the file then)", async () => {
  const { store, p } = setup();
  await store.apply('web.yaml', pod('web'));
  for (let i = 0; i < 10; i++) {
    const next = pod('web', `  annotations: {n: "${i}"}\n`);
    const done = store.apply('web.yaml', next).then(() => true);
    let finished = false;
    void done.then(() => (finished = true));
    const drifted: string[] = [];
    // Looked at between every step of the write, as the watcher may.
    while (!finished) {
      const onDisk = fs.readFileSync(p('web.yaml'));
      if (sha(onDisk) === sha(next) && store.drift('web.yaml', onDisk).drifted) drifted.push(`write ${i}`);
      await new Promise((r) => setImmediate(r));
    }
    assert.deepEqual(drifted, []);
  }
  const absent = store.remove('web.yaml');
  let removed = false;
  void absent.then(() => (removed = true));
  while (!removed) {
    if (!fs.existsSync(p('web.yaml'))) assert.equal(store.drift('web.yaml', undefined).drifted, false, 'a removal under way');
    await new Promise((r) => setImmediate(r));
  }
});
