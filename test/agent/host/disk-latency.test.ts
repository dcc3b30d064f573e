import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { DiskLatencySampler, measureFdatasync, nearestRankMs, NOT_MEASURED } from '../../../agent/host/disk-latency.js';
import { silentLogger } from '../../../proto/common/log.js';
import { HostPaths } from '../../../proto/common/paths.js';
import { eventually } from '../../harness/eventually.js';

/** Real fdatasyncs in a temp --root. */

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-disk-'));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

let seq = 0;
function setup(): { root: string; paths: HostPaths; host: (p: string) => string } {
  const root = path.join(tmpRoot, `case-${++seq}`);
  fs.mkdirSync(path.join(root, 'var/lib/etcd'), { recursive: true });
  const paths = new HostPaths(root);
  return { root, paths, host: (p) => paths.host(p) };
}

const testFiles = (dir: string): string[] => fs.readdirSync(dir).filter((f) => f.startsWith('.belay-fsync-test-'));

describe('measureFdatasync', () => {
  test('measures 100 fdatasyncs in the data dir and removes its file', async () => {
    const { root, host } = setup();
    const before = Date.now();
    const r = await measureFdatasync({ etcdDataDir: '/var/lib/etcd', host });
    assert.equal(r.error, '');
    assert.equal(r.dir, '/var/lib/etcd');
    assert.equal(r.samples, 100);
    assert.ok(r.fdatasyncP50Ms > 0, JSON.stringify(r));
    assert.ok(r.fdatasyncP99Ms >= r.fdatasyncP50Ms, JSON.stringify(r));
    assert.ok(r.measuredAtMs >= before && r.measuredAtMs <= Date.now());
    assert.deepEqual(testFiles(path.join(root, 'var/lib/etcd')), []);
  });

  test("before etcd's first start, measures in the nearest existing ancestor (host path)", async () => {
    const { root, host } = setup();
    const r = await measureFdatasync({ etcdDataDir: '/var/lib/etcd/not/yet', host, samples: 10 });
    assert.equal(r.error, '');
    assert.equal(r.dir, '/var/lib/etcd');
    assert.equal(r.samples, 10);
    assert.equal(fs.existsSync(path.join(root, 'var/lib/etcd/not')), false);
    assert.deepEqual(testFiles(path.join(root, 'var/lib/etcd')), []);
    // a file on the way is not a directory to write in
    fs.writeFileSync(path.join(root, 'var/lib/etcd/file'), '');
    assert.equal((await measureFdatasync({ etcdDataDir: '/var/lib/etcd/file/x', host, samples: 1 })).dir, '/var/lib/etcd');
  });

  test('an unwritable dir gives error text, not a rejection', async () => {
    // /sys refuses new files even to root
    const r = await measureFdatasync({ etcdDataDir: '/sys/belay-absent/etcd', host: (p) => new HostPaths('/').host(p), samples: 5 });
    assert.equal(r.dir, '/sys');
    assert.equal(r.samples, 0);
    assert.equal(r.fdatasyncP99Ms, 0);
    assert.match(r.error, /^writing and fdatasyncing \/sys\/\.belay-fsync-test-\d+: .*(EACCES|EROFS|EPERM)/);
    assert.ok(r.measuredAtMs > 0);
  });
});

describe('nearestRankMs', () => {
  const ms = (n: number): bigint => BigInt(n) * 1_000_000n;
  test('is the smallest sample with p% at or below it', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => ms(i + 1));
    assert.equal(nearestRankMs(hundred, 50), 50);
    assert.equal(nearestRankMs(hundred, 99), 99);
    assert.equal(nearestRankMs([ms(3), ms(7), ms(8), ms(20)], 50), 7);
    assert.equal(nearestRankMs([ms(3), ms(7), ms(8), ms(20)], 99), 20);
    assert.equal(nearestRankMs([1_500_000n], 99), 1.5);
    assert.equal(nearestRankMs([], 50), 0);
  });
});

describe('DiskLatencySampler', () => {
  test('has an empty result until its first measurement at start, then keeps the latest', async () => {
    const { host } = setup();
    const s = new DiskLatencySampler({ etcdDataDir: '/var/lib/etcd', host, log: silentLogger(), intervalMs: 50 });
    assert.deepEqual(s.latest, NOT_MEASURED);
    s.start();
    try {
      const first = await eventually(
        () => {
          assert.equal(s.latest.samples, 100);
          return s.latest;
        },
        { timeoutMs: 20_000 },
      );
      // and again an interval later
      await eventually(() => assert.ok(s.latest.measuredAtMs > first.measuredAtMs), { timeoutMs: 20_000 });
    } finally {
      s.stop();
    }
  });
});

describe('DiskLatencySampler.fresh', () => {
  test('measures again only when the latest is not good and old enough', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-fresh-'));
    try {
      const s = new DiskLatencySampler({ etcdDataDir: '/', host: (p) => path.join(dir, p), log: silentLogger() });
      // never measured: measures now
      const first = await s.fresh(5_000);
      assert.equal(first.samples, 100);
      // a slow result older than maxAge is replaced; a recent one is kept
      s.latest = { ...first, fdatasyncP99Ms: 50, measuredAtMs: Date.now() - 60_000 };
      const again = await s.fresh(5_000);
      assert.ok(Date.now() - Number(again.measuredAtMs) < 5_000);
      s.latest = { ...first, fdatasyncP99Ms: 50, measuredAtMs: Date.now() - 1_000 };
      assert.equal((await s.fresh(5_000)).fdatasyncP99Ms, 50);
      // a good one is kept however old
      s.latest = { ...first, fdatasyncP99Ms: 1, measuredAtMs: 1 };
      assert.equal((await s.fresh(5_000)).measuredAtMs, 1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
