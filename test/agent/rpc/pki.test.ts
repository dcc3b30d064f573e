import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import winston from 'winston';
import { TermFence } from '../../../agent/rpc/fencing.js';
import { pkiHandlers } from '../../../agent/rpc/pki.js';
import type { RaisedEvent } from '../../../agent/report/events.js';
import { HostPaths } from '../../../proto/common/paths.js';
import type { AgentClient } from '../../../proto/gen/belay/v1/Agent.js';
import type { PkiFile } from '../../../proto/gen/belay/v1/PkiFile.js';
import type { WritePkiRequest } from '../../../proto/gen/belay/v1/WritePkiRequest.js';
import type { WritePkiResponse__Output } from '../../../proto/gen/belay/v1/WritePkiResponse.js';
import { agentRpcServers } from '../../harness/agent-rpc-server.js';

/** WritePki through a real gRPC server on 127.0.0.1, writing under a temp --root. */

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-pki-'));
const rpc = agentRpcServers();
after(() => {
  rpc.close();
  fs.rmSync(tmpRoot, { recursive: true, force: true });
});

interface Agent {
  root: string;
  pki: string;
  client: AgentClient;
  events: RaisedEvent[];
  logText: () => string;
}

let seq = 0;
async function startAgent(): Promise<Agent> {
  const root = path.join(tmpRoot, `case-${++seq}`);
  fs.mkdirSync(root, { recursive: true });
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const log = winston.createLogger({ level: 'debug', format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] });
  const paths = new HostPaths(root);
  const events: RaisedEvent[] = [];
  const fence = new TermFence({ node: 'm1', file: path.join(paths.varLibBelay, 'agent', 'fencing.json'), log });
  const client = await rpc.serve(
    pkiHandlers({
      node: 'm1',
      paths,
      fence,
      log,
      raise: (e) => {
        events.push(e);
        log.info(e.message, { event: e.kind, ...e.fields });
      },
    }),
  );
  return { root, pki: path.join(root, 'etc/kubernetes/pki'), client, events, logText: () => lines.join('') };
}

function writePki(a: Agent, req: WritePkiRequest): Promise<WritePkiResponse__Output> {
  return new Promise((resolve, reject) =>
    a.client.WritePki({ requestedBy: 'admin via test', ...req }, { deadline: Date.now() + 10_000 }, (err, res) =>
      err || !res ? reject(err ?? new Error('empty')) : resolve(res),
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

/** Every entry under `dir` with its type, mode, size, inode and mtime. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of fs.readdirSync(d)) {
      const p = path.join(d, name);
      const st = fs.lstatSync(p);
      out[path.relative(dir, p)] = `${st.mode.toString(8)} ${st.size} ${st.ino} ${st.mtimeMs}`;
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

const pem = (what: string, n = 1): string => `-----BEGIN ${what}-----\n${'QUJD'.repeat(16 * n)}\n-----END ${what}-----\n`;
const KEY = pem('PRIVATE KEY', 2);
const CERT = pem('CERTIFICATE');
const set: PkiFile[] = [
  { path: 'ca.crt', content: CERT, mode: 0 },
  { path: 'ca.key', content: KEY, mode: 0o600 },
  { path: 'etcd/server.crt', content: CERT, mode: 0o644 },
  { path: 'etcd/server.key', content: KEY, mode: 0o600 },
];

let savedUmask: number;
before(() => {
  // A strict umask must not leak into the modes asked for.
  savedUmask = process.umask(0o077);
});
after(() => process.umask(savedUmask));

describe('WritePki', () => {
  test('writes each file with its mode and 0755 directories, atomically, and raises PkiWritten without contents', async () => {
    const a = await startAgent();
    const r = await writePki(a, { files: set });
    assert.deepEqual(r.written, [
      '/etc/kubernetes/pki/ca.crt',
      '/etc/kubernetes/pki/ca.key',
      '/etc/kubernetes/pki/etcd/server.crt',
      '/etc/kubernetes/pki/etcd/server.key',
    ]);
    const mode = (rel: string): string => (fs.statSync(path.join(a.pki, rel)).mode & 0o7777).toString(8);
    assert.deepEqual(['ca.crt', 'ca.key', 'etcd/server.crt', 'etcd/server.key', '.', 'etcd'].map(mode), ['644', '600', '644', '600', '755', '755']);
    assert.equal(fs.readFileSync(path.join(a.pki, 'etcd/server.key'), 'utf8'), KEY);
    assert.deepEqual(fs.readdirSync(a.pki).sort(), ['ca.crt', 'ca.key', 'etcd']);
    assert.deepEqual(fs.readdirSync(path.join(a.pki, 'etcd')).sort(), ['server.crt', 'server.key']);
    assert.equal(a.events.length, 1);
    assert.equal(a.events[0]?.kind, 'PkiWritten');
    assert.equal(a.events[0]?.severity, 'info');
    assert.equal(a.events[0]?.fields?.paths, r.written.join(','));
    assert.equal(a.events[0]?.fields?.requestedBy, 'admin via test');
    // nothing of any file's content reaches the log
    assert.ok(a.logText().includes('/etc/kubernetes/pki/ca.key'));
    assert.ok(!a.logText().includes('QUJD'), a.logText());
  });

  test('the same content and mode are not written again; a changed file or mode is', async () => {
    const a = await startAgent();
    await writePki(a, { files: set });
    const first = snapshot(a.pki);
    assert.deepEqual((await writePki(a, { files: set })).written, []);
    assert.deepEqual(snapshot(a.pki), first);
    assert.equal(a.events.length, 1);

    const changed = set.map((f) => (f.path === 'ca.crt' ? { ...f, content: pem('CERTIFICATE', 2) } : f.path === 'etcd/server.crt' ? { ...f, mode: 0o600 } : f));
    assert.deepEqual((await writePki(a, { files: changed })).written, ['/etc/kubernetes/pki/ca.crt', '/etc/kubernetes/pki/etcd/server.crt']);
    assert.equal(fs.statSync(path.join(a.pki, 'etcd/server.crt')).mode & 0o777, 0o600);
    const now = snapshot(a.pki);
    assert.equal(now['ca.key'], first['ca.key']);
    assert.notEqual(now['ca.crt'], first['ca.crt']);
  });

  test('a request with any bad file is refused whole and writes nothing', async () => {
    const a = await startAgent();
    const outside = path.join(a.root, 'etc/passwd');
    const bad: [string, PkiFile[], grpc.status, string][] = [
      ['absolute', [{ path: '/etc/passwd', content: CERT }], grpc.status.INVALID_ARGUMENT, 'PKI_BAD_PATH'],
      ['..', [{ path: '../passwd', content: CERT }], grpc.status.INVALID_ARGUMENT, 'PKI_BAD_PATH'],
      ['.. inside', [{ path: 'etcd/../../passwd', content: CERT }], grpc.status.INVALID_ARGUMENT, 'PKI_BAD_PATH'],
      ['.', [{ path: './x.crt', content: CERT }], grpc.status.INVALID_ARGUMENT, 'PKI_BAD_PATH'],
      ['empty', [{ path: '', content: CERT }], grpc.status.INVALID_ARGUMENT, 'PKI_BAD_PATH'],
      ['empty segment', [{ path: 'etcd//ca.crt', content: CERT }], grpc.status.INVALID_ARGUMENT, 'PKI_BAD_PATH'],
      ['trailing slash', [{ path: 'etcd/', content: CERT }], grpc.status.INVALID_ARGUMENT, 'PKI_BAD_PATH'],
      ['dot-file', [{ path: '.ca.crt.tmp', content: CERT }], grpc.status.INVALID_ARGUMENT, 'PKI_BAD_PATH'],
      ['dot-dir', [{ path: 'etcd/.hidden/ca.crt', content: CERT }], grpc.status.INVALID_ARGUMENT, 'PKI_BAD_PATH'],
      ['odd characters', [{ path: 'ca\\..\\x', content: CERT }], grpc.status.INVALID_ARGUMENT, 'PKI_BAD_PATH'],
      ['NUL', [{ path: 'ca.crt\0x', content: CERT }], grpc.status.INVALID_ARGUMENT, 'PKI_BAD_PATH'],
      ['long name', [{ path: 'a'.repeat(201), content: CERT }], grpc.status.INVALID_ARGUMENT, 'PKI_BAD_PATH'],
      [
        'twice',
        [
          { path: 'x.crt', content: CERT },
          { path: 'x.crt', content: CERT },
        ],
        grpc.status.INVALID_ARGUMENT,
        'PKI_BAD_PATH',
      ],
      [
        'file and dir',
        [
          { path: 'etcd', content: CERT },
          { path: 'etcd/ca.crt', content: CERT },
        ],
        grpc.status.INVALID_ARGUMENT,
        'PKI_BAD_PATH',
      ],
      ['mode 0755', [{ path: 'x.crt', content: CERT, mode: 0o755 }], grpc.status.INVALID_ARGUMENT, 'PKI_BAD_MODE'],
      ['mode 0640', [{ path: 'x.key', content: KEY, mode: 0o640 }], grpc.status.INVALID_ARGUMENT, 'PKI_BAD_MODE'],
      ['over 64 KiB', [{ path: 'big.crt', content: 'x'.repeat(64 * 1024 + 1) }], grpc.status.INVALID_ARGUMENT, 'PKI_FILE_TOO_LARGE'],
      ['65 files', Array.from({ length: 65 }, (_, i) => ({ path: `f${i}.crt`, content: CERT })), grpc.status.INVALID_ARGUMENT, 'PKI_TOO_MANY_FILES'],
    ];
    for (const [what, files, code, belayCode] of bad) {
      // the bad file comes after good ones
      await assert.rejects(writePki(a, { files: [...set, ...files] }), refused(code, belayCode, /nothing was written|not writing PKI files/), what);
      assert.equal(fs.existsSync(a.pki), false, what);
      assert.equal(fs.existsSync(outside), false, what);
    }
    // 64 files, and a file of exactly 64 KiB, are fine (64 of 64 KiB would pass too, but exceed gRPC's 4 MiB message limit)
    const many = Array.from({ length: 64 }, (_, i) => ({ path: `f${i}.crt`, content: CERT }));
    assert.equal((await writePki(a, { files: many })).written.length, 64);
    assert.equal((await writePki(a, { files: [{ path: 'big.crt', content: 'x'.repeat(64 * 1024) }] })).written.length, 1);
    assert.deepEqual(
      a.events.map((e) => e.kind),
      ['PkiWritten', 'PkiWritten'],
    );
  });

  test('dir kubernetes takes kubeconfigs beside the pki dir, dir haproxy its config; nothing else, nowhere else', async () => {
    const a = await startAgent();
    const conf = 'apiVersion: v1\nkind: Config\n';
    const r = await writePki(a, {
      dir: 'kubernetes',
      files: [
        { path: 'scheduler.conf', content: conf, mode: 0o600 },
        { path: 'admin.conf', content: conf, mode: 0o600 },
      ],
    });
    assert.deepEqual(r.written.sort(), ['/etc/kubernetes/admin.conf', '/etc/kubernetes/scheduler.conf']);
    assert.equal(fs.statSync(path.join(a.root, 'etc/kubernetes/scheduler.conf')).mode & 0o777, 0o600);
    assert.deepEqual((await writePki(a, { dir: 'haproxy', files: [{ path: 'haproxy.cfg', content: 'global\n' }] })).written, ['/etc/haproxy/haproxy.cfg']);
    const bad: [string, WritePkiRequest][] = [
      ['a certificate among the kubeconfigs', { dir: 'kubernetes', files: [{ path: 'ca.crt', content: CERT }] }],
      ['a kubeconfig in a subdirectory', { dir: 'kubernetes', files: [{ path: 'manifests/etcd.conf', content: conf }] }],
      ['a manifest', { dir: 'kubernetes', files: [{ path: 'manifests', content: conf }] }],
      ['another haproxy file', { dir: 'haproxy', files: [{ path: 'errors.cfg', content: 'x' }] }],
    ];
    for (const [what, req] of bad)
      await assert.rejects(writePki(a, req), refused(grpc.status.INVALID_ARGUMENT, 'PKI_BAD_PATH', /not a file belay writes/), what);
    await assert.rejects(
      writePki(a, { dir: '/etc', files: [{ path: 'passwd', content: 'x' }] }),
      refused(grpc.status.INVALID_ARGUMENT, 'PKI_BAD_DIR', /none of pki, kubernetes, haproxy/),
    );
    assert.equal(fs.existsSync(path.join(a.root, 'etc/passwd')), false);
    assert.equal(fs.existsSync(path.join(a.root, 'etc/kubernetes/ca.crt')), false);
  });

  test('a symlink or a directory in the way is refused before anything is written', async () => {
    const a = await startAgent();
    const elsewhere = path.join(a.root, 'elsewhere');
    fs.mkdirSync(elsewhere);
    fs.mkdirSync(a.pki, { recursive: true });
    fs.symlinkSync(elsewhere, path.join(a.pki, 'etcd'));
    fs.mkdirSync(path.join(a.pki, 'sa.key'));
    const before = snapshot(a.root);
    await assert.rejects(
      writePki(a, { files: set }),
      refused(grpc.status.FAILED_PRECONDITION, 'PKI_PATH_NOT_PLAIN', /\/etc\/kubernetes\/pki\/etcd is a symlink/),
    );
    await assert.rejects(
      writePki(a, {
        files: [
          { path: 'ca.crt', content: CERT },
          { path: 'sa.key', content: KEY, mode: 0o600 },
        ],
      }),
      refused(grpc.status.FAILED_PRECONDITION, 'PKI_PATH_NOT_PLAIN', /sa\.key is a directory/),
    );
    assert.deepEqual(snapshot(a.root), before);
    assert.deepEqual(fs.readdirSync(elsewhere), []);
  });

  test('a stale term is refused with nothing written; term 0 is never fenced', async () => {
    const a = await startAgent();
    assert.equal((await writePki(a, { files: [{ path: 'ca.crt', content: CERT }], term: 9 })).written.length, 1);
    const before = snapshot(a.pki);
    await assert.rejects(
      writePki(a, { files: set, term: 7 }),
      refused(grpc.status.FAILED_PRECONDITION, 'STALE_TERM', /^term 7 is older than term 9 already seen on m1: a newer leader has taken over$/),
    );
    assert.deepEqual(snapshot(a.pki), before);
    assert.equal((await writePki(a, { files: set, term: 9 })).written.length, 3);
    assert.deepEqual((await writePki(a, { files: [{ path: 'ca.crt', content: pem('CERTIFICATE', 3) }], term: 0 })).written, ['/etc/kubernetes/pki/ca.crt']);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(a.root, 'var/lib/belay/agent/fencing.json'), 'utf8')), { highestTerm: 9 });
  });
});
