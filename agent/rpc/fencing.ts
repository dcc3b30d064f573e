import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { errorText, OperatorError } from '../../proto/common/errors.js';
import type { Logger } from '../../proto/common/log.js';
import { syncDir, writeFileAtomic } from '../../proto/common/atomic-file.js';

/**
 * Fencing by election term: every write a leader coordinator sends carries
 * its term, and the agent refuses a term lower than the highest it has seen,
 * so a leader that was deposed but does not know it yet (paused, partitioned)
 * cannot write after its successor has (Kleppmann's fencing tokens, "How to
 * do distributed locking", 2016; Raft §5.1 rejects stale terms the same way).
 *
 * Term 0 is an operator's own request (belayctl): never fenced, and it does
 * not move the highest term. The highest term is on disk before a request
 * with it is admitted, so a restarted agent still refuses the deposed leader.
 *
 * Requests are checked one at a time against the term in memory, which rises
 * at once: a lower term arriving while the higher one is being written is
 * already refused.
 */
export class TermFence {
  private highest: number;
  /** The highest term known to be on disk. */
  private durable: number;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly o: { node: string; file: string; log: Logger }) {
    this.highest = readHighestTerm(o.file, o.log);
    this.durable = this.highest;
  }

  get highestTerm(): number {
    return this.highest;
  }

  /** Resolves when `term` may write: 0, or at least the highest seen (then on disk). Call before any work. */
  async admit(term: number, req: { method: string; by: string }): Promise<void> {
    if (term === 0) return;
    const by = req.by || 'someone';
    if (!Number.isSafeInteger(term) || term < 0) {
      throw new OperatorError({
        code: 'TERM_INVALID',
        message: `term ${term} from ${by} is not a whole number below 2^53`,
        hint: 'the sender is broken: check its version (belayctl status)',
      });
    }
    if (term < this.highest) {
      this.o.log.warn('stale term refused', { term, highestTerm: this.highest, method: req.method, by, code: 'STALE_TERM' });
      throw new OperatorError({
        code: 'STALE_TERM',
        message: `term ${term} is older than term ${this.highest} already seen on ${this.o.node}: a newer leader has taken over`,
        hint: 'the sender lost leadership; belayctl status shows the leader',
      });
    }
    if (term > this.highest) {
      this.o.log.info('term raised', { term, previous: this.highest, method: req.method, by });
      this.highest = term;
    }
    await this.persist();
  }

  /** Writes the highest term unless it is on disk already; one write at a time, each of the latest term. */
  private persist(): Promise<void> {
    if (this.durable >= this.highest) return Promise.resolve();
    const run = this.writing.then(async () => {
      const term = this.highest;
      if (this.durable >= term) return;
      try {
        await writeTermFile(this.o.file, term);
      } catch (cause) {
        throw new Error(`recording term ${term} in ${this.o.file}`, { cause });
      }
      this.durable = term;
    });
    this.writing = run.catch(() => undefined);
    return run;
  }
}

/**
 * The file holds the term and nothing else (`{"highestTerm":9}`), so that any
 * number left in a damaged one can only be a term.
 *
 * A damaged or unreadable file must not stop the agent: it supervises
 * kubelet and etcd, and a crash loop would take that down with it. The file
 * is only ever replaced whole by rename, so damage means a disk fault or a
 * hand edit. The largest number still in it is taken as the highest term:
 * erring high only refuses a leader (STALE_TERM names the number, and the
 * next election's higher term passes), erring low would let a deposed one
 * write. With no number left it is 0, and the first leader call sets it
 * again. Either way it is logged as an error.
 */
function readHighestTerm(file: string, log: Logger): number {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    log.error('fencing state unreadable', {
      path: file,
      err: errorText(err),
      highestTerm: 0,
      code: 'FENCING_STATE_UNREADABLE',
      hint: `fix access to ${file}: until then a deposed leader's writes are refused only after the current leader's first call`,
    });
    return 0;
  }
  const rec = parseJson(text) as { highestTerm?: unknown } | undefined;
  if (typeof rec?.highestTerm === 'number' && Number.isSafeInteger(rec.highestTerm) && rec.highestTerm >= 0) return rec.highestTerm;
  const found = (text.match(/\d+/g) ?? []).map(Number).reduce((max, n) => (Number.isSafeInteger(n) && n > max ? n : max), 0);
  log.error('fencing state corrupt', {
    path: file,
    content: text.slice(0, 200),
    highestTerm: found,
    code: 'FENCING_STATE_CORRUPT',
    hint: `keeping ${found} as the highest term seen (the largest number left in the file); check the disk; the next leader call rewrites ${file}`,
  });
  return found;
}

/** Replaces the file whole: temp file in the same dir, fsync, rename, fsync of the dir. */
async function writeTermFile(file: string, term: number): Promise<void> {
  const dir = path.dirname(file);
  const created = await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  if (created !== undefined) await syncDir(path.dirname(created));
  await writeFileAtomic(file, JSON.stringify({ highestTerm: term }) + '\n', 0o600);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
