import assert from 'node:assert/strict';
import { test } from 'node:test';
import { electionsFromLog, termViolations } from './leader-terms.js';

const line = (term: number, ts: string): string => JSON.stringify({ level: 'info', message: 'elected leader', term, timestamp: ts });

test('the elected-leader lines of a JSON log are read with their term and time', () => {
  const log = [line(12, '2024-05-01T10:00:00.000Z'), '{"level":"info","message":"leadership lost","term":12}', line(40, '2024-05-01T10:00:05.000Z')].join('\n');
  assert.deepEqual(electionsFromLog('m1', log), [
    { master: 'm1', term: 12, atMs: Date.parse('2024-05-01T10:00:00.000Z') },
    { master: 'm1', term: 40, atMs: Date.parse('2024-05-01T10:00:05.000Z') },
  ]);
});

test('a cut line and lines of other messages are no elections', () => {
  assert.deepEqual(electionsFromLog('m1', '{"message":"elected leader","te\nnot json "elected leader"\n{"message":"started"}'), []);
});

test('terms that increase across masters in time order are fine', () => {
  assert.deepEqual(
    termViolations([
      { master: 'm2', term: 30, atMs: 2_000 },
      { master: 'm1', term: 10, atMs: 1_000 },
      { master: 'm3', term: 31, atMs: 3_000 },
    ]),
    [],
  );
});

test('a later election with a lower term is named', () => {
  assert.deepEqual(
    termViolations([
      { master: 'm1', term: 10, atMs: 1_000 },
      { master: 'm2', term: 9, atMs: 2_000 },
    ]),
    ['m2 elected with term 9 at 1970-01-01T00:00:02.000Z, after m1 with term 10'],
  );
});

test('two elections with the same term are named', () => {
  assert.equal(
    termViolations([
      { master: 'm1', term: 10, atMs: 1_000 },
      { master: 'm2', term: 10, atMs: 1_000 },
    ]).length,
    1,
  );
});
