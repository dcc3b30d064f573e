import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, test } from 'node:test';
import winston from 'winston';
import { TermFence } from '../../../agent/rpc/fencing.js';
import { OperatorError } from '../../../proto/common/errors.js';

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-fencing-'));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

let seq = 0;
/** A fence on a fresh <state>/agent/fencing.json (not created yet), with its log lines. */
function setup(file = path.join(tmpRoot, `case-${++seq}`, 'agent', 'fencing.json')): { file: string; fence: () => TermFence; logs: Record<string, unknown>[] } {
  const logs: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  const log = winston.createLogger({ level: 'debug', format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] });
  return { file, fence: () => new TermFence({ node: 'm1', file, log }), logs };
}

const by = { method: 'ApplyManifest', by: 'test' };

function staleTerm(term: number, highest: number): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof OperatorError, String(err));
    assert.equal(err.code, 'STALE_TERM');
    assert.equal(err.message, `term ${term} is older than term ${highest} already seen on m1: a newer leader has taken over`);
    assert.equal(err.hint, 'the sender lost leadership; belayctl status shows the leader');
    return true;
  };
}

describe('TermFence', () => {
  test('a lower term is refused, an equal or higher one admitted and recorded', async () => {
    const { file, fence } = setup();
    const f = fence();
    assert.equal(f.highestTerm, 0);
    await f.admit(7, by);
    await f.admit(9, by);
    await f.admit(9, by);
    await assert.rejects(f.admit(7, by), staleTerm(7, 9));
    await assert.rejects(f.admit(8, by), staleTerm(8, 9));
    assert.equal(f.highestTerm, 9);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { highestTerm: 9 });
    // written via a temp file that does not outlive the write
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['fencing.json']);
  });

  test("term 0 (an operator's own request) is always admitted and never raises the term", async () => {
    const { file, fence } = setup();
    const f = fence();
    await f.admit(0, by);
    assert.equal(f.highestTerm, 0);
    assert.equal(fs.existsSync(file), false);
    await f.admit(5, by);
    await f.admit(0, by);
    assert.equal(f.highestTerm, 5);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { highestTerm: 5 });
  });

  test('a lower term arriving while a higher one is being recorded is refused', async () => {
    const { fence } = setup();
    const f = fence();
    const [high, low] = await Promise.allSettled([f.admit(9, by), f.admit(8, by)]);
    assert.equal(high.status, 'fulfilled');
    assert.equal(low.status, 'rejected');
    assert.ok(staleTerm(8, 9)(low.reason));
  });

  test('the highest term survives a restart', async () => {
    const { fence } = setup();
    await fence().admit(12, by);
    const restarted = fence();
    assert.equal(restarted.highestTerm, 12);
    await assert.rejects(restarted.admit(11, by), staleTerm(11, 12));
    await restarted.admit(12, by);
  });

  test('a term that is not a safe whole number is refused', async () => {
    const { fence } = setup();
    const f = fence();
    await assert.rejects(f.admit(2 ** 60, by), (e: OperatorError) => e.code === 'TERM_INVALID');
    await assert.rejects(f.admit(-1, by), (e: OperatorError) => e.code === 'TERM_INVALID');
    assert.equal(f.highestTerm, 0);
  });

  test('a damaged file does not stop the agent: the largest number left in it is kept, logged as an error', async () => {
    // given a file cut off mid-write
    const { file, fence, logs } = setup();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{"highestTerm":9');
    // when the agent starts
    const f = fence();
    // then it refuses what it would have refused, says so, and the next leader call rewrites the file
    assert.equal(f.highestTerm, 9);
    const err = logs.find((l) => l.code === 'FENCING_STATE_CORRUPT');
    assert.ok(err, JSON.stringify(logs));
    assert.equal(err.level, 'error');
    assert.equal(err.highestTerm, 9);
    assert.equal(err.path, file);
    await assert.rejects(f.admit(8, by), staleTerm(8, 9));
    await f.admit(10, by);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { highestTerm: 10 });
  });

  test('a damaged file with no number in it starts from 0; an unreadable one too', async () => {
    const garbage = setup();
    fs.mkdirSync(path.dirname(garbage.file), { recursive: true });
    fs.writeFileSync(garbage.file, '\0\0\0 not json');
    assert.equal(garbage.fence().highestTerm, 0);
    assert.ok(garbage.logs.some((l) => l.code === 'FENCING_STATE_CORRUPT' && l.level === 'error'));

    // a directory where the file should be: unreadable
    const unreadable = setup();
    fs.mkdirSync(unreadable.file, { recursive: true });
    const f = unreadable.fence();
    assert.equal(f.highestTerm, 0);
    assert.ok(unreadable.logs.some((l) => l.code === 'FENCING_STATE_UNREADABLE' && l.level === 'error'));
    // a term cannot be recorded there: the request fails rather than being admitted unrecorded
    await assert.rejects(f.admit(3, by), /recording term 3/);
    await assert.rejects(f.admit(3, by), /recording term 3/);
    await f.admit(0, by);
  });
});
