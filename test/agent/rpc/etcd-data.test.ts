import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { etcdDataHandlers } from '../../../agent/rpc/etcd-data.js';
import { TermFence } from '../../../agent/rpc/fencing.js';
import type { RaisedEvent } from '../../../agent/report/events.js';
import { silentLogger } from '../../../proto/common/log.js';
import { HostPaths } from '../../../proto/common/paths.js';
import type { AgentClient } from '../../../proto/gen/belay/v1/Agent.js';
import type { ArchiveEtcdDataRequest } from '../../../proto/gen/belay/v1/ArchiveEtcdDataRequest.js';
import type { ArchiveEtcdDataResponse__Output } from '../../../proto/gen/belay/v1/ArchiveEtcdDataResponse.js';
import { agentRpcServers } from '../../harness/agent-rpc-server.js';
import { eventually } from '../../harness/eventually.js';

/** ArchiveEtcdData through a real gRPC server on 127.0.0.1, under a temp --root, against real processes. */

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-etcd-data-'));
const rpc = agentRpcServers();
after(() => {
  rpc.close();
  fs.rmSync(tmpRoot, { recursive: true, force: true });
});

/** Fake etcd processes, each the leader of its own group (so the shell's sleep goes too). */
const children: ChildProcess[] = [];
function killChildren(): void {
  for (const c of children.splice(0)) {
    if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) process.kill(-c.pid, 'SIGKILL');
  }
}
afterEach(killChildren);
after(killChildren);

/** 2024-05-06T07:08:09.123Z */
const NOW_MS = Date.UTC(2024, 4, 6, 7, 8, 9, 123);
const STAMP = '20240506T070809Z';

interface Agent {
  root: string;
  /** Real path of host path /var/lib/etcd. */
  dataDir: string;
  client: AgentClient;
  events: RaisedEvent[];
}

let seq = 0;
async function startAgent(): Promise<Agent> {
  const root = path.join(tmpRoot, `case-${++seq}`);
  fs.mkdirSync(path.join(root, 'var/lib'), { recursive: true });
  const paths = new HostPaths(root);
  const log = silentLogger();
  const events: RaisedEvent[] = [];
  const fence = new TermFence({ node: 'm1', file: path.join(paths.varLibBelay, 'agent', 'fencing.json'), log });
  const client = await rpc.serve(etcdDataHandlers({ node: 'm1', paths, fence, log, raise: (e) => events.push(e), nowMs: () => NOW_MS }));
  return { root, dataDir: path.join(root, 'var/lib/etcd'), client, events };
}

function archive(a: Agent, req: Partial<ArchiveEtcdDataRequest> = {}): Promise<ArchiveEtcdDataResponse__Output> {
  return new Promise((resolve, reject) =>
    a.client.ArchiveEtcdData(
      { dataDir: '/var/lib/etcd', reason: 'rejoining as a new member', requestedBy: 'admin via test', ...req },
      { deadline: Date.now() + 10_000 },
      (err, res) => (err || !res ? reject(err ?? new Error('empty')) : resolve(res)),
    ),
  );
}

function refused(code: grpc.status, belayCode: string, message?: RegExp): (err: unknown) => boolean {
  return (err) => {
    const e = err as grpc.ServiceError;
    assert.equal(grpc.status[e.code], grpc.status[code], e.details);
    assert.equal(e.metadata.get('belay-code')[0]?.toString(), belayCode, e.details);
    if (message) assert.match(e.details, message);
    return true;
  };
}

/** An etcd data dir with a WAL and a snapshot in it. */
function fillDataDir(dir: string, marker = 'wal'): void {
  fs.mkdirSync(path.join(dir, 'member/wal'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'member/snap'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'member/wal/0000000000000000-0000000000000000.wal'), marker);
  fs.writeFileSync(path.join(dir, 'member/snap/db'), 'bolt');
}

/**
 * Starts a process that looks like etcd in /proc: `as: 'argv0'` is a copy
 * of sh named etcd (argv[0] etcd); `as: 'script'` is a shell script named
 * etcd (argv /bin/sh .../etcd ...). Either way the args follow as given.
 */
async function fakeEtcd(args: string[], as: 'argv0' | 'script' = 'argv0'): Promise<ChildProcess> {
  const bin = fs.mkdtempSync(path.join(tmpRoot, 'bin-'));
  const file = path.join(bin, 'etcd');
  let argv: string[];
  if (as === 'argv0') {
    fs.copyFileSync('/bin/sh', file);
    // `; :` keeps sh from exec-ing sleep in its place, which would replace the command line.
    argv = ['-c', 'sleep 30; :', ...args];
  } else {
    fs.writeFileSync(file, '#!/bin/sh\nsleep 30\n');
    argv = args;
  }
  fs.chmodSync(file, 0o755);
  const child = spawn(file, argv, { stdio: 'ignore', detached: true });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  // Until the kernel has exec-ed it, /proc shows node's command line.
  await eventually(() => assert.ok(fs.readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').includes('etcd')), { timeoutMs: 5_000, intervalMs: 10 });
  return child;
}

describe('ArchiveEtcdData', () => {
  test('moves the data dir aside whole, durably named by time, and raises EtcdDataArchived', async () => {
    const a = await startAgent();
    fillDataDir(a.dataDir);
    const r = await archive(a);
    assert.deepEqual(r, { existed: true, archivedTo: `/var/lib/etcd.belay-archived-${STAMP}` });
    assert.equal(fs.existsSync(a.dataDir), false);
    const moved = path.join(a.root, r.archivedTo);
    assert.equal(fs.readFileSync(path.join(moved, 'member/wal/0000000000000000-0000000000000000.wal'), 'utf8'), 'wal');
    assert.equal(fs.readFileSync(path.join(moved, 'member/snap/db'), 'utf8'), 'bolt');
    assert.equal(a.events.length, 1);
    const e = a.events[0];
    assert.equal(e?.kind, 'EtcdDataArchived');
    assert.equal(e?.severity, 'warning');
    assert.match(e?.message ?? '', /\/var\/lib\/etcd .*rejoining as a new member/);
    assert.deepEqual(e?.fields, {
      dataDir: '/var/lib/etcd',
      archivedTo: r.archivedTo,
      reason: 'rejoining as a new member',
      requestedBy: 'admin via test',
      term: 0,
    });
  });

  test('a data dir that is a mount point (a dedicated disk) is archived inside itself: contents kept, lost+found left', async (t) => {
    const a = await startAgent();
    fs.mkdirSync(a.dataDir, { recursive: true });
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'belay-test', a.dataDir]);
    } catch (err) {
      t.skip(`cannot mount a tmpfs here (not root, or no mount permission in this sandbox): ${String(err)}`);
      return;
    }
    try {
      fs.mkdirSync(path.join(a.dataDir, 'lost+found'));
      fillDataDir(a.dataDir);
      const r = await archive(a);
      assert.deepEqual(r, { existed: true, archivedTo: `/var/lib/etcd/.belay-archived-${STAMP}` });
      assert.deepEqual(fs.readdirSync(a.dataDir).sort(), [`.belay-archived-${STAMP}`, 'lost+found']);
      assert.equal(fs.readFileSync(path.join(a.root, r.archivedTo, 'member/snap/db'), 'utf8'), 'bolt');
      // what is left counts as empty: a second archive moves nothing
      assert.deepEqual(await archive(a), { existed: false, archivedTo: '' });
    } finally {
      execFileSync('umount', [a.dataDir]);
    }
  });

  test('a name already taken gets -1, -2; nothing is overwritten or deleted', async () => {
    const a = await startAgent();
    const got: string[] = [];
    for (const marker of ['one', 'two', 'three']) {
      fillDataDir(a.dataDir, marker);
      got.push((await archive(a, { dataDir: '/var/lib/etcd/' })).archivedTo);
    }
    const base = `/var/lib/etcd.belay-archived-${STAMP}`;
    assert.deepEqual(got, [base, `${base}-1`, `${base}-2`]);
    assert.deepEqual(
      got.map((g) => fs.readFileSync(path.join(a.root, g, 'member/wal/0000000000000000-0000000000000000.wal'), 'utf8')),
      ['one', 'two', 'three'],
    );
  });

  test('a missing or empty data dir: existed false, nothing moved, the empty dir left', async () => {
    const a = await startAgent();
    assert.deepEqual(await archive(a), { existed: false, archivedTo: '' });
    fs.mkdirSync(a.dataDir);
    assert.deepEqual(await archive(a), { existed: false, archivedTo: '' });
    assert.deepEqual(fs.readdirSync(a.dataDir), []);
    assert.deepEqual(fs.readdirSync(path.join(a.root, 'var/lib')), ['etcd']);
    assert.deepEqual(a.events, []);
  });

  test('refused while an etcd process runs with that data dir, in any flag form; allowed once it is gone', async () => {
    const a = await startAgent();
    fillDataDir(a.dataDir);
    const cases: [string, string[], 'argv0' | 'script'][] = [
      ['--data-dir=DIR', [`--data-dir=${a.dataDir}`], 'argv0'],
      ['--data-dir DIR', ['--name', 'm1', '--data-dir', a.dataDir], 'argv0'],
      ['-data-dir DIR, through a wrapper script', ['-data-dir', `${a.dataDir}/`], 'script'],
      ['a dir inside it', [`--data-dir=${a.dataDir}/member`], 'argv0'],
    ];
    for (const [what, args, as] of cases) {
      const child = await fakeEtcd(args, as);
      await assert.rejects(archive(a), refused(grpc.status.FAILED_PRECONDITION, 'ETCD_DATA_IN_USE', new RegExp(`etcd pid ${child.pid} runs with it`)), what);
      await assert.rejects(archive(a), (e: grpc.ServiceError) => e.metadata.get('belay-unsafe')[0] === 'true', what);
      killChildren();
    }
    assert.ok(fs.existsSync(path.join(a.dataDir, 'member/snap/db')));
    assert.deepEqual(a.events, []);
    // an etcd with another data dir is no obstacle
    await fakeEtcd([`--data-dir=${a.dataDir}-other`]);
    assert.equal((await archive(a)).existed, true);
  });

  test('a stale term is refused before anything is looked at', async () => {
    const a = await startAgent();
    fillDataDir(a.dataDir);
    await archive(a, { dataDir: '/var/lib/absent', term: 4 });
    await assert.rejects(archive(a, { term: 3 }), refused(grpc.status.FAILED_PRECONDITION, 'STALE_TERM', /^term 3 is older than term 4 already seen on m1/));
    assert.ok(fs.existsSync(a.dataDir));
    assert.equal((await archive(a, { term: 0 })).existed, true);
  });

  test('a relative path, / itself, a file or a symlink are refused', async () => {
    const a = await startAgent();
    await assert.rejects(archive(a, { dataDir: 'var/lib/etcd' }), refused(grpc.status.INVALID_ARGUMENT, 'ETCD_DATA_DIR_BAD'));
    await assert.rejects(archive(a, { dataDir: '/' }), refused(grpc.status.INVALID_ARGUMENT, 'ETCD_DATA_DIR_BAD'));
    await assert.rejects(archive(a, { dataDir: '/var/..' }), refused(grpc.status.INVALID_ARGUMENT, 'ETCD_DATA_DIR_BAD'));
    fs.writeFileSync(a.dataDir, 'not a dir');
    await assert.rejects(archive(a), refused(grpc.status.FAILED_PRECONDITION, 'ETCD_DATA_DIR_NOT_A_DIR'));
    fs.rmSync(a.dataDir);
    fillDataDir(path.join(a.root, 'real-etcd'));
    fs.symlinkSync(path.join(a.root, 'real-etcd'), a.dataDir);
    await assert.rejects(archive(a), refused(grpc.status.FAILED_PRECONDITION, 'ETCD_DATA_DIR_NOT_A_DIR', /symlink/));
    assert.ok(fs.lstatSync(a.dataDir).isSymbolicLink());
  });
});
