import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { ManifestStore, type StoreOptions } from '../../../agent/manifests/store.js';
import { unifiedDiff } from '../../../proto/common/diff.js';
import { OperatorError } from '../../../proto/common/errors.js';

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-store-'));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

let seq = 0;
/** A fresh <root>/etc/kubernetes/manifests and <root>/var/lib/belay/manifests, and a store on them with a 1 ms-per-call clock. */
function setup(o: Partial<StoreOptions> = {}): { root: string; dir: string; hist: string; store: ManifestStore; p: (f: string) => string } {
  const root = path.join(tmpRoot, `case-${++seq}`);
  const dir = path.join(root, 'etc/kubernetes/manifests');
  const hist = path.join(root, 'var/lib/belay/manifests');
  fs.mkdirSync(dir, { recursive: true });
  let now = 1_700_000_000_000;
  const store = new ManifestStore({ manifestsDir: dir, historyDir: hist, nowMs: () => ++now, ...o });
  return { root, dir, hist, store, p: (f) => path.join(dir, f) };
}

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

function pod(name: string, extra = ''): string {
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: kube-system\nspec:\n  hostNetwork: true\n  containers:\n  - name: ${name}\n    image: registry.k8s.io/${name}:v1.31.0\n${extra}`;
}

/** Every entry under `root` with its type, mode, size, mtime and content hash. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of fs.readdirSync(d)) {
      const p = path.join(d, name);
      const st = fs.lstatSync(p);
      const rel = path.relative(root, p);
      if (st.isDirectory()) {
        out[rel] = `dir ${st.mode.toString(8)} ${st.mtimeMs}`;
        walk(p);
      } else {
        out[rel] = `file ${st.mode.toString(8)} ${st.size} ${st.mtimeMs} ${sha(fs.readFileSync(p))}`;
      }
    }
  };
  walk(root);
  return out;
}

function isOperatorError(code: string, check?: (e: OperatorError) => void): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof OperatorError, `expected OperatorError ${code}, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    check?.(err);
    return true;
  };
}

function leftovers(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.startsWith('.'));
}

describe('ManifestStore.apply', () => {
  test('writes the exact bytes with mode 0600 and leaves no temp file', async () => {
    const { dir, store, p, hist } = setup();
    const content = Buffer.from(pod('etcd') + '    # trailing \r\n\tbytes \u00e9\n');
    const r = await store.apply('etcd.yaml', content, { by: 'test' });
    assert.deepEqual(r, { changed: true, previousSha256: '', sha256: sha(content) });
    assert.deepEqual(fs.readFileSync(p('etcd.yaml')), content);
    assert.equal(fs.statSync(p('etcd.yaml')).mode & 0o777, 0o600);
    assert.deepEqual(leftovers(dir), []);
    assert.deepEqual(fs.readdirSync(dir), ['etcd.yaml']);
    assert.equal(store.lastApplied('etcd.yaml')?.sha256, sha(content));
    assert.deepEqual(store.history('etcd.yaml'), []);
    // History lives outside the manifests dir, with no dot-temp files left either.
    assert.deepEqual(leftovers(path.join(hist, 'etcd.yaml')), []);
    assert.deepEqual(await store.read('etcd.yaml'), content);
    assert.equal(await store.read('nope.yaml'), undefined);
  });

  test('the same content twice: nothing written, mtime and history untouched', async () => {
    const { store, p, root } = setup();
    await store.apply('kube-apiserver.yaml', pod('kube-apiserver'));
    const before = snapshot(root);
    const st = fs.statSync(p('kube-apiserver.yaml'));
    await new Promise((r) => setTimeout(r, 20)); // so a rewrite would show in mtime
    const r = await store.apply('kube-apiserver.yaml', Buffer.from(pod('kube-apiserver')));
    assert.equal(r.changed, false);
    assert.equal(r.sha256, sha(pod('kube-apiserver')));
    const st2 = fs.statSync(p('kube-apiserver.yaml'));
    assert.equal(st2.mtimeMs, st.mtimeMs);
    assert.equal(st2.ino, st.ino);
    assert.deepEqual(snapshot(root), before);
    assert.deepEqual(store.history('kube-apiserver.yaml'), []);
  });

  test('a replace keeps the previous content in the history, outside the manifests dir', async () => {
    const { dir, hist, store } = setup();
    const v1 = pod('etcd');
    const v2 = pod('etcd', '    args: ["--quota-backend-bytes=8589934592"]\n');
    await store.apply('etcd.yaml', v1);
    const r = await store.apply('etcd.yaml', v2);
    assert.deepEqual(r, { changed: true, previousSha256: sha(v1), sha256: sha(v2) });
    const h = store.history('etcd.yaml');
    assert.equal(h.length, 1);
    assert.equal(h[0]?.sha256, sha(v1));
    assert.equal(h[0]?.reason, 'replaced');
    assert.equal(h[0]?.sizeBytes, Buffer.byteLength(v1));
    const kept = path.join(hist, 'etcd.yaml', `${h[0]?.savedAtMs}-${sha(v1).slice(0, 12)}.yaml`);
    assert.equal(fs.readFileSync(kept, 'utf8'), v1);
    assert.equal(fs.statSync(kept).mode & 0o777, 0o600);
    assert.deepEqual(fs.readdirSync(dir), ['etcd.yaml']);
  });

  test('12 replacements keep the newest 10, newest first', async () => {
    const { hist, store } = setup();
    const versions = Array.from({ length: 13 }, (_, i) => pod('etcd', `    # v${i}\n`));
    for (const v of versions) assert.equal((await store.apply('etcd.yaml', v)).changed, true);
    const h = store.history('etcd.yaml');
    assert.equal(h.length, 10);
    // Saved: v0..v11 (v12 is on disk); kept: v11 down to v2.
    assert.deepEqual(
      h.map((v) => v.sha256),
      versions.slice(2, 12).reverse().map(sha),
    );
    for (let i = 1; i < h.length; i++) assert.ok((h[i - 1]?.savedAtMs ?? 0) > (h[i]?.savedAtMs ?? 0));
    const files = fs.readdirSync(path.join(hist, 'etcd.yaml')).filter((f) => /^\d+-[0-9a-f]{12}\.yaml$/.test(f));
    assert.equal(files.length, 10);
  });

  test('keep is configurable', async () => {
    const { store } = setup({ keep: 2 });
    for (let i = 0; i < 5; i++) await store.apply('etcd.yaml', pod('etcd', `# ${i}\n`));
    assert.equal(store.history('etcd.yaml').length, 2);
  });
});

describe('ManifestStore.rollback', () => {
  test('restores a kept version byte for byte and can itself be undone', async () => {
    const { store, p } = setup();
    // Bytes that a text round trip would mangle: CRLF, no final newline, invalid UTF-8.
    const v1 = Buffer.concat([Buffer.from(pod('kube-scheduler').replace(/\n/g, '\r\n')), Buffer.from([0xff, 0xfe, 0x00, 0x41])]);
    const v2 = Buffer.from(pod('kube-scheduler', '    args: ["--v=4"]\n'));
    await store.apply('kube-scheduler.yaml', v1);
    await store.apply('kube-scheduler.yaml', v2);

    const r = await store.rollback('kube-scheduler.yaml', undefined, { by: 'alice' });
    assert.deepEqual(r, { changed: true, previousSha256: sha(v2), sha256: sha(v1) });
    const onDisk = fs.readFileSync(p('kube-scheduler.yaml'));
    assert.ok(onDisk.equals(v1));
    assert.equal(sha(onDisk), sha(v1));
    assert.equal(fs.statSync(p('kube-scheduler.yaml')).mode & 0o777, 0o600);
    assert.equal(store.lastApplied('kube-scheduler.yaml')?.sha256, sha(v1));
    // v2 was kept before being replaced, so the rollback can be undone.
    assert.equal(store.history('kube-scheduler.yaml')[0]?.sha256, sha(v2));

    const undo = await store.rollback('kube-scheduler.yaml');
    assert.deepEqual(undo, { changed: true, previousSha256: sha(v1), sha256: sha(v2) });
    assert.ok(fs.readFileSync(p('kube-scheduler.yaml')).equals(v2));
  });

  test('to a given sha (full or a prefix); unknown or no history refused', async () => {
    const { store, p } = setup();
    const vs = [pod('etcd', '# a\n'), pod('etcd', '# b\n'), pod('etcd', '# c\n')];
    await assert.rejects(store.rollback('etcd.yaml'), isOperatorError('MANIFEST_NO_HISTORY'));
    for (const v of vs) await store.apply('etcd.yaml', v);
    const r = await store.rollback('etcd.yaml', sha(vs[0] ?? '').slice(0, 10));
    assert.equal(r.sha256, sha(vs[0] ?? ''));
    assert.equal(fs.readFileSync(p('etcd.yaml'), 'utf8'), vs[0]);
    await assert.rejects(store.rollback('etcd.yaml', 'deadbeef'), isOperatorError('MANIFEST_VERSION_NOT_FOUND'));
    // Rolling back to what is on disk already changes nothing.
    const same = await store.rollback('etcd.yaml', sha(vs[0] ?? ''));
    assert.equal(same.changed, false);
  });

  test('after a remove, brings the file back', async () => {
    const { store, p } = setup();
    await store.apply('etcd.yaml', pod('etcd'));
    await store.remove('etcd.yaml');
    const r = await store.rollback('etcd.yaml');
    assert.deepEqual(r, { changed: true, previousSha256: '', sha256: sha(pod('etcd')) });
    assert.equal(fs.readFileSync(p('etcd.yaml'), 'utf8'), pod('etcd'));
  });
});

describe('drift', () => {
  test('an outside write is drift: apply and remove refuse, nothing written; force overwrites and keeps it', async () => {
    const { store, p, root } = setup();
    const ours = pod('kube-apiserver', '    args:\n    - --secure-port=6443\n    - --v=2\n');
    const theirs = pod('kube-apiserver', '    args:\n    - --secure-port=6443\n    - --v=8\n');
    const next = pod('kube-apiserver', '    args:\n    - --secure-port=6443\n    - --v=3\n');
    await store.apply('kube-apiserver.yaml', ours);
    fs.writeFileSync(p('kube-apiserver.yaml'), theirs); // an operator, by hand
    const mtime = fs.statSync(p('kube-apiserver.yaml')).mtime.toISOString();

    const before = snapshot(root);
    for (const attempt of [() => store.apply('kube-apiserver.yaml', next), () => store.remove('kube-apiserver.yaml')]) {
      await assert.rejects(
        attempt(),
        isOperatorError('MANIFEST_DRIFTED', (e) => {
          assert.equal(e.unsafe, true);
          assert.match(e.message, /kube-apiserver\.yaml/);
          assert.ok(e.message.includes(sha(ours)), e.message);
          assert.ok(e.message.includes(sha(theirs)), e.message);
          assert.ok(e.message.includes(mtime), e.message);
          assert.equal(e.hint, 'see belayctl manifests diff; apply with --force to overwrite');
        }),
      );
    }
    assert.deepEqual(snapshot(root), before);
    assert.equal(fs.readFileSync(p('kube-apiserver.yaml'), 'utf8'), theirs);

    const d = store.drift('kube-apiserver.yaml', fs.readFileSync(p('kube-apiserver.yaml')));
    assert.equal(d.drifted, true);
    const lines = d.diff.split('\n');
    assert.match(lines[0] ?? '', /^--- last applied \(sha [0-9a-f]{12}/);
    assert.ok(lines[0]?.includes(sha(ours).slice(0, 12)));
    assert.match(lines[1] ?? '', /^\+\+\+ on disk \(mtime /);
    assert.ok(lines[1]?.includes(mtime));
    assert.match(lines[2] ?? '', /^@@ -\d+,\d+ \+\d+,\d+ @@$/);
    assert.ok(lines.includes('-    - --v=2'), d.diff);
    assert.ok(lines.includes('+    - --v=8'), d.diff);
    assert.ok(lines.includes('     - --secure-port=6443'), d.diff);
    assert.ok(!lines.includes(' apiVersion: v1'), 'only 3 lines of context');

    const r = await store.apply('kube-apiserver.yaml', next, { force: true });
    assert.deepEqual(r, { changed: true, previousSha256: sha(theirs), sha256: sha(next) });
    assert.equal(fs.readFileSync(p('kube-apiserver.yaml'), 'utf8'), next);
    assert.equal(store.history('kube-apiserver.yaml')[0]?.sha256, sha(theirs), 'the hand edit is kept');
    assert.equal(store.drift('kube-apiserver.yaml', fs.readFileSync(p('kube-apiserver.yaml'))).drifted, false);
  });

  test('a file the agent never wrote is not drift, and is kept when first replaced', async () => {
    const { store, p } = setup();
    fs.writeFileSync(p('etcd.yaml'), pod('etcd', '# kubeadm\n'));
    assert.deepEqual(store.drift('etcd.yaml', fs.readFileSync(p('etcd.yaml'))), { drifted: false, diff: '' });
    assert.equal(store.lastApplied('etcd.yaml'), undefined);
    const r = await store.apply('etcd.yaml', pod('etcd'));
    assert.equal(r.changed, true);
    assert.equal(store.history('etcd.yaml')[0]?.sha256, sha(pod('etcd', '# kubeadm\n')));
  });

  test('a deleted file is drift too; an outside write of exactly our content is not', async () => {
    const { store, p } = setup();
    await store.apply('etcd.yaml', pod('etcd'));
    fs.rmSync(p('etcd.yaml'));
    const d = store.drift('etcd.yaml', undefined);
    assert.equal(d.drifted, true);
    assert.match(d.diff, /\+\+\+ on disk \(absent\)/);
    assert.match(d.diff, /^-kind: Pod$/m);
    await assert.rejects(
      store.apply('etcd.yaml', pod('etcd', '# new\n')),
      isOperatorError('MANIFEST_DRIFTED', (e) => assert.match(e.message, /absent/)),
    );
    // Putting back what the agent wrote ends the drift.
    fs.writeFileSync(p('etcd.yaml'), pod('etcd'));
    assert.equal(store.drift('etcd.yaml', fs.readFileSync(p('etcd.yaml'))).drifted, false);
    assert.equal((await store.apply('etcd.yaml', pod('etcd', '# new\n'))).changed, true);
  });

  test('the diff is capped', async () => {
    const { store, p } = setup();
    const big = (tag: string): string => Array.from({ length: 1000 }, (_, i) => `line ${i} ${i % 3 === 0 ? tag : ''}`).join('\n') + '\n';
    await store.apply('big.yaml', big('a'));
    fs.writeFileSync(p('big.yaml'), big('b'));
    const d = store.drift('big.yaml', fs.readFileSync(p('big.yaml')));
    const lines = d.diff.trimEnd().split('\n');
    assert.equal(lines.length, 200);
    assert.match(lines[199] ?? '', /^\.\.\. \d+ more diff lines not shown$/);
  });
});

describe('ManifestStore.remove', () => {
  test('keeps the removed version; a missing file is no change', async () => {
    const { dir, store, p } = setup();
    await store.apply('kube-controller-manager.yaml', pod('kube-controller-manager'));
    const r = await store.remove('kube-controller-manager.yaml', { by: 'bob' });
    assert.deepEqual(r, { changed: true, previousSha256: sha(pod('kube-controller-manager')), sha256: '' });
    assert.equal(fs.existsSync(p('kube-controller-manager.yaml')), false);
    assert.deepEqual(fs.readdirSync(dir), []);
    const h = store.history('kube-controller-manager.yaml');
    assert.equal(h.length, 1);
    assert.equal(h[0]?.reason, 'removed');
    assert.equal(h[0]?.sha256, sha(pod('kube-controller-manager')));
    assert.equal(store.lastApplied('kube-controller-manager.yaml')?.sha256, '');
    assert.deepEqual(await store.remove('kube-controller-manager.yaml'), { changed: false, previousSha256: '', sha256: '' });
    assert.deepEqual(await store.remove('never.yaml'), { changed: false, previousSha256: '', sha256: '' });
    // Removed by the agent, then created again by hand: drift.
    fs.writeFileSync(p('kube-controller-manager.yaml'), 'x: 1\n');
    assert.equal(store.drift('kube-controller-manager.yaml', Buffer.from('x: 1\n')).drifted, true);
  });
});

describe('refusals', () => {
  test('bad names are refused with nothing written anywhere', async () => {
    const { root, store } = setup();
    fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
    fs.writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
    const before = snapshot(root);
    const bad = ['../../etc/passwd', '/etc/passwd', 'a/b.yaml', '.hidden.yaml', 'x.txt', '', '..yaml', 'a\0.yaml', '..', '.', 'etcd.yaml/', 'a\\b.yaml'];
    for (const name of bad) {
      await assert.rejects(store.apply(name, pod('x')), isOperatorError('MANIFEST_BAD_NAME'), JSON.stringify(name));
      await assert.rejects(store.apply(name, pod('x'), { force: true }), isOperatorError('MANIFEST_BAD_NAME'));
      await assert.rejects(store.remove(name, { force: true }), isOperatorError('MANIFEST_BAD_NAME'));
      await assert.rejects(store.rollback(name), isOperatorError('MANIFEST_BAD_NAME'));
      await assert.rejects(store.read(name), isOperatorError('MANIFEST_BAD_NAME'));
      assert.throws(() => store.history(name), isOperatorError('MANIFEST_BAD_NAME'));
      assert.throws(() => store.drift(name, undefined), isOperatorError('MANIFEST_BAD_NAME'));
    }
    assert.deepEqual(snapshot(root), before);
    assert.equal(fs.existsSync(path.join(root, 'var')), false, 'not even the history dir');
  });

  test('more than 1 MiB is refused; exactly 1 MiB is written', async () => {
    const { root, store, p } = setup();
    const before = snapshot(root);
    await assert.rejects(
      store.apply('big.yaml', Buffer.alloc(1024 * 1024 + 1, 0x61)),
      isOperatorError('MANIFEST_TOO_LARGE', (e) => assert.match(e.message, /1048577 bytes/)),
    );
    assert.deepEqual(snapshot(root), before);
    await store.apply('big.yaml', Buffer.alloc(1024 * 1024, 0x61));
    assert.equal(fs.statSync(p('big.yaml')).size, 1024 * 1024);
  });

  test('history inside the manifests dir is refused', () => {
    const { dir } = setup();
    assert.throws(() => new ManifestStore({ manifestsDir: dir, historyDir: path.join(dir, 'history') }), isOperatorError('MANIFEST_HISTORY_IN_MANIFESTS_DIR'));
    assert.throws(() => new ManifestStore({ manifestsDir: dir, historyDir: dir }), isOperatorError('MANIFEST_HISTORY_IN_MANIFESTS_DIR'));
  });
});

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
