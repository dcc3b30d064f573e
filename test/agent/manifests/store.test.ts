import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ManifestStore } from '../../../agent/manifests/store.js';
import { isOperatorError, leftovers, pod, setup, sha, snapshot } from './store-cases.js';

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
