import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyResults, ms, table, verdicts, type Results } from '../../scripts/bench/supervisor-report.js';

/** The cells of the table row that starts with `label`. */
function row(figures: Results['figures'], label: string): string[] {
  const line = table(figures)
    .split('\n')
    .find((l) => l.startsWith(label));
  assert.ok(line, `no row ${label}`);
  return line.split(' | ').map((c) => c.trim());
}

test('a cell is median / max over the trials', () => {
  const r = emptyResults();
  r.figures.child.killBegun.push(10, 30, 20);
  assert.equal(row(r.figures, '(a) kill -9 → restart begun')[1], '20 ms / 30 ms (n=3)');
});

test('a cell with no trials is a dash', () => {
  assert.equal(row(emptyResults().figures, '(a) kill -9 → healthy again')[3], '—');
});

test('a miss counts as longer than the cap', () => {
  const r = emptyResults();
  r.figures.monit.killHealthy.push(100, null, 200);
  assert.equal(row(r.figures, '(a) kill -9 → healthy again')[3], '200 ms / >40 s (n=3)');
});

test('only misses say not within the cap', () => {
  const r = emptyResults();
  r.figures.monit.hangLong.push(null);
  assert.equal(row(r.figures, '(b) hang, long-running → restarted')[3], 'not within 40 s (n=1)');
});

test('10 s and more are shown in seconds', () => {
  const r = emptyResults();
  r.figures.pidfile.killHealthy.push(12_345);
  assert.equal(row(r.figures, '(a) kill -9 → healthy again')[2], '12.3 s / 12.3 s (n=1)');
});

test('ms says a miss is over the cap and NaN is n/a', () => {
  assert.equal(ms(null), '> 40 s');
  assert.equal(ms(NaN), 'n/a');
  assert.equal(ms(12.6), '13 ms');
});

test('verdicts: met within the aims', () => {
  const r = emptyResults();
  const { child: c, pidfile: p } = r.figures;
  c.killDetected.push(20);
  c.killBegun.push(40);
  c.killHealthy.push(300);
  c.hangLong.push(2_000);
  c.hangAfter.push(2_500);
  c.loopHealthy.push(340);
  p.killDetected.push(900);
  p.killBegun.push(950);
  p.hangLong.push(2_000);
  p.hangAfter.push(2_900);
  const v = verdicts(r.figures);
  assert.equal(v.length, 5);
  for (const line of v) assert.ok(line.startsWith('met    '), line);
});

test('verdicts: MISSED over an aim, a miss included', () => {
  const r = emptyResults();
  const { child: c } = r.figures;
  c.killDetected.push(51);
  c.killBegun.push(60);
  c.hangLong.push(null);
  c.killHealthy.push(300);
  c.loopHealthy.push(400);
  const v = verdicts(r.figures);
  assert.ok(v[0]?.startsWith('MISSED child mode: kill -9 detected ≤ 50 ms (max 51 ms;'), v[0]);
  assert.ok(v[2]?.startsWith('MISSED child mode: hang → restarted ≤ 3 s'), v[2]);
  assert.ok(v[4]?.startsWith('MISSED child mode: recovery during a crash loop'), v[4]);
});

test('verdicts: n/a without figures', () => {
  for (const line of verdicts(emptyResults().figures)) assert.ok(line.startsWith('n/a    '), line);
});
