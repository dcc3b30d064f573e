import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { encodePacket } from '../../../coordinator/transport/codec.js';
import { Keyring, MAX_GOSSIP_KEYS, fingerprint, formatKey, generateKey, parseKey } from '../../../coordinator/transport/keyring.js';
import { ReplayCache, open, seal } from '../../../coordinator/transport/seal.js';
import { OperatorError } from '../../../proto/common/errors.js';
import { silentLogger } from '../../../proto/common/log.js';
import { capture } from './helpers.js';

const tmpDirs: string[] = [];
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-keyring-'));
  tmpDirs.push(d);
  return d;
}
after(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

function throwsOperator(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof OperatorError, String(err));
    assert.equal(err.code, code);
    if (message) assert.match(err.message, message);
    assert.ok(err.hint.length > 0);
    return true;
  });
}

async function rejectsOperator(fn: () => Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(fn, (err: unknown) => {
    assert.ok(err instanceof OperatorError, String(err));
    assert.equal(err.code, code);
    if (message) assert.match(err.message, message);
    return true;
  });
}

const [k1, k2, k3] = [generateKey(), generateKey(), generateKey()];

describe('keys', () => {
  test('generate, show as base64, parse back', () => {
    assert.equal(k1.length, 32);
    assert.notDeepEqual(k1, k2);
    const text = formatKey(k1);
    assert.equal(text.length, 44);
    assert.deepEqual(parseKey(text), k1);
    assert.deepEqual(parseKey(` ${text}\n`), k1, 'whitespace around a pasted key is ignored');
  });

  test('a key of the wrong length or not base64 is refused, naming the field and the length', () => {
    throwsOperator(
      () => parseKey(Buffer.alloc(16).toString('base64'), 'gossip.key'),
      'GOSSIP_KEY_INVALID',
      /^gossip\.key: decodes to 16 bytes, a gossip key is 32$/,
    );
    throwsOperator(() => parseKey(Buffer.alloc(33).toString('base64')), 'GOSSIP_KEY_INVALID', /33 bytes/);
    throwsOperator(() => parseKey(''), 'GOSSIP_KEY_INVALID', /0 bytes/);
    throwsOperator(() => parseKey('not base64 at all!'), 'GOSSIP_KEY_INVALID', /not base64/);
    throwsOperator(() => parseKey(formatKey(k1).replace(/=$/, '')), 'GOSSIP_KEY_INVALID', /not base64/);
    throwsOperator(() => new Keyring(Buffer.alloc(31)), 'GOSSIP_KEY_INVALID', /31/);
  });

  test('a fingerprint is 8 hex digits of sha256, stable, and not the key', () => {
    assert.match(fingerprint(k1), /^[0-9a-f]{8}$/);
    assert.equal(fingerprint(k1), fingerprint(Buffer.from(k1)));
    assert.notEqual(fingerprint(k1), fingerprint(k2));
    assert.ok(!formatKey(k1).includes(fingerprint(k1)));
  });
});

describe('install, use, remove', () => {
  test('install is idempotent; keys() has the primary first', () => {
    const r = new Keyring(k1);
    assert.equal(r.install(k2), true);
    assert.equal(r.install(Buffer.from(k2)), false);
    assert.equal(r.install(k1), false);
    assert.deepEqual(r.keys(), [k1, k2]);
    assert.deepEqual(r.primary, k1);
  });

  test('use needs an installed key and makes it the primary', () => {
    const r = new Keyring(k1, [k2]);
    throwsOperator(() => r.use(k3), 'GOSSIP_KEY_NOT_INSTALLED', new RegExp(fingerprint(k3)));
    r.use(k2);
    assert.deepEqual(r.primary, k2);
    assert.deepEqual(r.keys(), [k2, k1]);
    r.use(k2);
    assert.deepEqual(r.keys(), [k2, k1], 'idempotent');
  });

  test('remove refuses the primary with what to do instead; removes others; false if absent', () => {
    const r = new Keyring(k1, [k2]);
    throwsOperator(() => r.remove(k1), 'GOSSIP_KEY_IS_PRIMARY', /cannot remove the primary gossip key .*; `belayctl gossip keys use` another key first/);
    assert.equal(r.remove(k2), true);
    assert.equal(r.remove(k2), false);
    assert.deepEqual(r.keys(), [k1]);
  });

  test('list shows each key with its fingerprint and which is primary', () => {
    const r = new Keyring(k1, [k2]);
    assert.deepEqual(r.list(), [
      { key: formatKey(k1), fingerprint: fingerprint(k1), primary: true },
      { key: formatKey(k2), fingerprint: fingerprint(k2), primary: false },
    ]);
  });

  test('the keyring holds at most MAX_GOSSIP_KEYS keys', () => {
    const r = new Keyring(k1);
    for (let i = 1; i < MAX_GOSSIP_KEYS; i++) r.install(generateKey());
    throwsOperator(() => r.install(generateKey()), 'GOSSIP_KEYRING_FULL', new RegExp(`at most ${MAX_GOSSIP_KEYS}`));
  });

  test('the keyring copies keys: changing the caller buffer changes nothing', () => {
    const k = Buffer.from(k1);
    const r = new Keyring(k);
    k.fill(0);
    assert.deepEqual(r.primary, k1);
  });
});

test('rotation: install everywhere, use everywhere, remove the old key; no packet lost on the way', () => {
  const packet = encodePacket([{ kind: 'ack', seq: 1, from: 'x' }]);
  const now = 1_760_000_000_000;
  const a = new Keyring(k1);
  const b = new Keyring(k1);
  const opens = (from: Keyring, to: Keyring): boolean => open(to, seal(from, packet, now), now, new ReplayCache()).ok;
  assert.ok(opens(a, b) && opens(b, a));

  // given B has moved to k2 while A holds only k1
  b.install(k2);
  b.use(k2);
  // then A cannot open B's packets, B still opens A's
  assert.deepEqual(open(a, seal(b, packet, now), now, new ReplayCache()), { ok: false, reason: 'auth' });
  assert.ok(opens(a, b));

  // when A installs k2 it opens B's packets again, with a non-primary key
  a.install(k2);
  const r = open(a, seal(b, packet, now), now, new ReplayCache());
  assert.ok(r.ok && !r.primary);

  // when both use k2 and drop k1
  a.use(k2);
  a.remove(k1);
  b.remove(k1);
  assert.ok(opens(a, b) && opens(b, a));
  const old = new Keyring(k1);
  assert.equal(opens(old, a), false, 'a coordinator left on k1 is out');
});

describe('persistence', () => {
  test('save writes JSON with mode 0600 even under umask 0, and load reads the same keyring', async () => {
    const file = path.join(tmpDir(), 'gossip-keyring.json');
    const r = new Keyring(k1, [k2]);
    r.use(k2);
    const umask = process.umask(0);
    try {
      await r.save(file);
    } finally {
      process.umask(umask);
    }
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { primary: formatKey(k2), keys: [formatKey(k2), formatKey(k1)] });
    const loaded = await Keyring.load(file, silentLogger());
    assert.deepEqual(loaded.keys(), [k2, k1]);
  });

  test('save replaces the file atomically: a new inode renamed over the old, no temp file left, a stale temp file no obstacle', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'keyring.json');
    await new Keyring(k1).save(file);
    const before = fs.statSync(file).ino;
    fs.writeFileSync(path.join(dir, '.keyring.json.tmp'), 'left by a crash');
    const r = new Keyring(k1, [k2]);
    await r.save(file);
    assert.notEqual(fs.statSync(file).ino, before);
    assert.deepEqual(fs.readdirSync(dir), ['keyring.json']);
    assert.deepEqual((await Keyring.load(file, silentLogger())).keys(), [k1, k2]);
  });

  test('save tightens a loosened mode; a failed save leaves the old file whole', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'keyring.json');
    await new Keyring(k1).save(file);
    fs.chmodSync(file, 0o644);
    await new Keyring(k2).save(file);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const before = fs.readFileSync(file, 'utf8');
    // A directory where the temp file goes: the write fails before the rename.
    fs.mkdirSync(path.join(dir, '.keyring.json.tmp'));
    await rejectsOperator(() => new Keyring(k3).save(file), 'GOSSIP_KEYRING_WRITE_FAILED', /keyring\.json/);
    assert.equal(fs.readFileSync(file, 'utf8'), before);
  });

  test('load warns about a file group or others can read, without logging a key, and still loads it', async () => {
    const file = path.join(tmpDir(), 'keyring.json');
    await new Keyring(k1).save(file);
    fs.chmodSync(file, 0o640);
    const { log, entries } = capture();
    const r = await Keyring.load(file, log);
    assert.deepEqual(r.keys(), [k1]);
    assert.deepEqual(
      entries.map((e) => [e.level, e.message, e.mode, e.hint]),
      [['warn', 'gossip keyring readable by others', '0640', `chmod 600 ${file}`]],
    );
    assert.ok(!JSON.stringify(entries).includes(formatKey(k1)));
  });

  test('load refuses a missing, non-JSON or wrong file, naming the file and the field', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'keyring.json');
    await rejectsOperator(() => Keyring.load(file, silentLogger()), 'GOSSIP_KEYRING_UNREADABLE', /keyring\.json \(ENOENT\)/);
    const bad: [string, RegExp][] = [
      ['{', /not JSON/],
      ['[]', /"primary" is missing/],
      ['{"keys": []}', /"primary" is missing/],
      [`{"primary": "${formatKey(k1)}", "keys": "x"}`, /"keys" is not a list/],
      [`{"primary": "${formatKey(k1)}", "keys": ["${formatKey(k2)}", "${Buffer.alloc(16).toString('base64')}"]}`, /keys\[1\]: decodes to 16 bytes/],
      [`{"primary": "abc"}`, /primary: not base64/],
    ];
    for (const [text, message] of bad) {
      fs.writeFileSync(file, text, { mode: 0o600 });
      await rejectsOperator(() => Keyring.load(file, silentLogger()), 'GOSSIP_KEYRING_INVALID', message);
    }
  });

  test('load accepts a file whose keys omit the primary or repeat a key', async () => {
    const file = path.join(tmpDir(), 'keyring.json');
    fs.writeFileSync(file, JSON.stringify({ primary: formatKey(k1), keys: [formatKey(k2), formatKey(k2)] }), { mode: 0o600 });
    assert.deepEqual((await Keyring.load(file, silentLogger())).keys(), [k1, k2]);
  });
});
