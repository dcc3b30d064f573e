import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_MANIFEST_BYTES, parseManifest } from '../../../agent/manifests/parse.js';
import { POD, problem, problemsOf } from './manifest-cases.js';

test('anchors and aliases: fine in moderation, bombs and cycles refused', () => {
  const shared = `${POD}    livenessProbe: &probe
      httpGet: {host: 127.0.0.1, port: 2381, path: /health}
    startupProbe: *probe
`;
  const ok = parseManifest('p.yaml', shared);
  assert.equal(ok.valid, true, problemsOf(ok));
  assert.equal(ok.containers[0]?.probes.length, 2);

  const laughs = ['lol0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 10; i++)
    laughs.push(
      `lol${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(',')}]`,
    );
  const bomb = problem(parseManifest('p.yaml', `${POD}${laughs.join('\n')}\n`), /alias/);
  assert.ok(bomb.line > 0);

  const cycle = `${POD.replace('  name: probe-me', '  name: probe-me\n  self: &m {a: 1, me: *m}')}`;
  assert.match(problem(parseManifest('p.yaml', cycle), /alias/).message, /contains it/);
});

test('hostile shapes are refused quickly, before the YAML library recurses', () => {
  for (const [name, text] of [
    ['flow', `a: ${'['.repeat(10_000)}${']'.repeat(10_000)}`],
    ['block', `${'- '.repeat(10_000)}x`],
    ['indent', Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')],
    ['block scalars between', Array.from({ length: 500 }, (_, i) => `${' '.repeat(i)}k${i}:\n${' '.repeat(i + 1)}s: |\n${' '.repeat(i + 3)}text`).join('\n')],
    ['tokens', `a: [${'1,'.repeat(30_000)}]`],
    ['aliases', `a: &a x\nb: [${Array(500).fill('*a').join(',')}]`],
    ['documents', '---\na: 1\n'.repeat(100)],
  ] as const) {
    const started = performance.now();
    const r = parseManifest('x.yaml', text);
    const ms = performance.now() - started;
    assert.equal(r.valid, false, name);
    assert.equal(r.problems.length, 1, `${name}: ${problemsOf(r)}`);
    assert.ok((r.problems[0]?.line ?? 0) > 0, name);
    // A bound for blowups (a recursing or super-linear parser takes seconds to minutes on these), not a speed test: typically 1-30 ms.
    assert.ok(ms < 2_000, `${name} took ${ms.toFixed(0)} ms`);
  }
  assert.match(parseManifest('x.yaml', `a: ${'['.repeat(100)}`).problems[0]?.message ?? '', /nests deeper than 64 levels/);
});

test('a file over 1 MiB is refused by its size, unparsed', () => {
  const exact = `${POD}#${'x'.repeat(MAX_MANIFEST_BYTES - POD.length - 2)}\n`;
  assert.equal(Buffer.byteLength(exact), MAX_MANIFEST_BYTES);
  assert.equal(parseManifest('p.yaml', exact).valid, true);
  const over = `${exact}x`;
  const r = parseManifest('p.yaml', over);
  assert.equal(r.valid, false);
  assert.deepEqual(
    r.problems.map((p) => [p.line, p.column]),
    [[0, 0]],
  );
  assert.match(r.problems[0]?.message ?? '', /is 1048577 bytes, past the limit of 1048576 bytes \(1 MiB\)/);
  // Counted in UTF-8 bytes, not characters: 2, 3 and 4 bytes a character, and a lone surrogate (3, as U+FFFD).
  for (const ch of ['é', '€', '😀', '\ud800']) {
    const head = `${POD}#`;
    const fill = Math.floor((MAX_MANIFEST_BYTES - Buffer.byteLength(head) - 1) / Buffer.byteLength(ch));
    const text = `${head}${ch.repeat(fill)}${'x'.repeat(MAX_MANIFEST_BYTES - Buffer.byteLength(head) - 1 - fill * Buffer.byteLength(ch))}\n`;
    assert.equal(Buffer.byteLength(text), MAX_MANIFEST_BYTES);
    assert.doesNotMatch(parseManifest('p.yaml', text).problems[0]?.message ?? '', /past the limit/, ch);
    assert.match(parseManifest('p.yaml', `${text}x`).problems[0]?.message ?? '', /is 1048577 bytes, past the limit/, ch);
  }
  // A deep bomb past the limit is not even lexed.
  const started = performance.now();
  assert.match(parseManifest('p.yaml', '['.repeat(MAX_MANIFEST_BYTES * 5)).problems[0]?.message ?? '', /over 1048576 bytes/);
  assert.ok(performance.now() - started < 50);
});

test('empty, blank and comment-only files', () => {
  for (const text of ['', '\n\n', '   \t\n']) {
    const r = parseManifest('e.yaml', text);
    assert.deepEqual(r.problems, [{ line: 0, column: 0, message: 'is empty: a manifest holds one v1 Pod (apiVersion: v1, kind: Pod)' }]);
  }
  assert.match(problem(parseManifest('e.yaml', '# nothing here\n---\n'), /no YAML document/).message, /only comments/);
});

test('binary garbage is refused as not text, at its first bad byte', () => {
  const garbage = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0xff, 0xfe]).toString('latin1');
  const r = parseManifest('e.yaml', garbage);
  assert.deepEqual(r.problems, [{ line: 1, column: 1, message: 'contains the control character U+007F: a manifest is UTF-8 text (is this a binary file?)' }]);
  const latin1 = Buffer.from('apiVersion: v1\nkind: P\xf6d\n', 'latin1').toString('utf8');
  assert.deepEqual(parseManifest('e.yaml', latin1).problems, [
    { line: 2, column: 8, message: 'contains bytes that are not UTF-8 (shown as U+FFFD): save the file as UTF-8' },
  ]);
  assert.equal(problem(parseManifest('e.yaml', `${POD}    args: ["a\u0000b"]\n`), /U\+0000/).line, 11);
});

test('many problems are capped, the rest counted', () => {
  const envs = Array.from({ length: 40 }, (_, i) => `    - name: V${i}\n      value: ${i}`).join('\n');
  const r = parseManifest('p.yaml', `${POD}    env:\n${envs}\n`);
  assert.equal(r.problems.length, 20);
  assert.deepEqual(r.problems.at(-1), { line: 0, column: 0, message: 'and 21 more problems' });
});

test('parseManifest never throws, even on input that is not a string', () => {
  const r = parseManifest('x.yaml', 42 as unknown as string);
  assert.equal(r.valid, false);
  assert.ok(r.problems.length >= 1);
});
