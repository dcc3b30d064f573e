import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { lstatOrUndefined, syncDir } from '../../proto/common/atomic-file.js';
import { OperatorError, errorText } from '../../proto/common/errors.js';
import { toServiceError } from '../../proto/common/grpc.js';
import type { Logger } from '../../proto/common/log.js';
import type { HostPaths } from '../../proto/common/paths.js';
import type { AgentHandlers } from '../../proto/gen/belay/v1/Agent.js';
import type { RestoreEtcdSnapshotChunk__Output } from '../../proto/gen/belay/v1/RestoreEtcdSnapshotChunk.js';
import type { RestoreEtcdSnapshotHeader__Output } from '../../proto/gen/belay/v1/RestoreEtcdSnapshotHeader.js';
import type { RestoreEtcdSnapshotResponse } from '../../proto/gen/belay/v1/RestoreEtcdSnapshotResponse.js';
import type { RaisedEvent } from '../report/events.js';
import { checkDataDir, dataEntries } from './etcd-data.js';
import type { TermFence } from './fencing.js';

type RestoreHandlers = Pick<AgentHandlers, 'RestoreEtcdSnapshot'>;

/** etcd's own limit on a backend is 8 GiB; a snapshot cannot be bigger. */
const MAX_SNAPSHOT_BYTES = 8 * 1024 ** 3;
const MAX_CHUNK_BYTES = 1024 * 1024;
const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Restores an etcd snapshot into this master's data dir, for `belayctl
 * etcd restore`. The bytes arrive over the stream into a dot-file beside
 * the data dir, are checked against the announced sha256 and size, and only
 * then handed to `etcdctl snapshot restore` (which also checks the
 * snapshot's own integrity hash). The data dir must be absent or empty: the
 * caller archives the old one first, so nothing is overwritten.
 */
export function etcdRestoreHandlers(d: {
  node: string;
  paths: HostPaths;
  fence: TermFence;
  log: Logger;
  raise(e: RaisedEvent): void;
  etcdctl?: string;
}): RestoreHandlers {
  return {
    RestoreEtcdSnapshot(
      call: grpc.ServerReadableStream<RestoreEtcdSnapshotChunk__Output, RestoreEtcdSnapshotResponse>,
      cb: grpc.sendUnaryData<RestoreEtcdSnapshotResponse>,
    ) {
      const started = Date.now();
      let header: RestoreEtcdSnapshotHeader__Output | undefined;
      let tmp: string | undefined;
      let fh: fs.WriteStream | undefined;
      const hash = crypto.createHash('sha256');
      let received = 0;
      let failed = false;
      const fail = (err: unknown): void => {
        if (failed) return;
        failed = true;
        fh?.destroy();
        if (tmp) fs.rmSync(tmp, { force: true });
        call.destroy();
        cb(toServiceError(err, d.log, d.node, 'RestoreEtcdSnapshot'));
      };
      let ready: Promise<void> = Promise.resolve();
      call.on('data', (chunk: RestoreEtcdSnapshotChunk__Output) => {
        if (failed) return;
        if (!header) {
          if (!chunk.header) return fail(bad('the first message must carry the header'));
          header = chunk.header;
          const h = header;
          ready = (async () => {
            await d.fence.admit(Number(h.term), { method: 'RestoreEtcdSnapshot', by: h.requestedBy || 'someone' });
            checkHeader(h);
            const real = d.paths.host(checkDataDir(h.dataDir));
            const st = await lstatOrUndefined(real);
            if (st && (!st.isDirectory() || (await dataEntries(real)).length > 0)) {
              throw new OperatorError({
                code: 'ETCD_DATA_EXISTS',
                message: `not restoring into ${h.dataDir}: it exists and is not empty`,
                hint: 'archive it first (the coordinator does: ArchiveEtcdData); nothing was changed',
                unsafe: true,
              });
            }
            await fsp.mkdir(path.dirname(real), { recursive: true, mode: 0o700 });
            tmp = path.join(path.dirname(real), `.belay-restore-${process.pid}-${Date.now()}.db`);
            fh = fs.createWriteStream(tmp, { flags: 'wx', mode: 0o600 });
          })();
          ready.catch(fail);
          return;
        }
        const data = chunk.data;
        if (data.length > MAX_CHUNK_BYTES) return fail(bad(`a chunk of ${data.length} bytes is over the ${MAX_CHUNK_BYTES}-byte limit`));
        received += data.length;
        if (received > Number(header.sizeBytes)) return fail(bad(`more bytes than the announced ${header.sizeBytes}`));
        hash.update(data);
        call.pause();
        ready = ready.then(
          () =>
            new Promise<void>((resolve, reject) => {
              fh?.write(data, (err) => (err ? reject(err) : resolve()));
            }),
        );
        ready.then(() => call.resume(), fail);
      });
      call.on('error', fail);
      call.on('end', () => {
        if (failed) return;
        ready
          .then(async () => {
            const h = header;
            if (!h || !tmp || !fh) throw bad('no snapshot was sent');
            const file = tmp;
            await new Promise<void>((resolve, reject) => fh?.end((err?: Error | null) => (err ? reject(err) : resolve())));
            if (h.localFile) received = await copyLocal(d.paths.host(checkLocalFile(h.localFile)), file, hash, received);
            const sum = hash.digest('hex');
            if (received !== Number(h.sizeBytes) || sum !== h.sha256.toLowerCase()) {
              throw new OperatorError({
                code: 'SNAPSHOT_CORRUPT',
                message: `the snapshot arrived as ${received} bytes with sha256 ${sum}, announced ${h.sizeBytes} bytes with ${h.sha256}`,
                hint: 'send it again; nothing was restored',
              });
            }
            const real = d.paths.host(checkDataDir(h.dataDir));
            await restore(d.etcdctl ?? 'etcdctl', file, real, h);
            await syncDir(path.dirname(real));
            fs.rmSync(file, { force: true });
            const ms = Date.now() - started;
            d.raise({
              kind: 'EtcdSnapshotRestored',
              severity: 'warning',
              message: `restored an etcd snapshot (${received} bytes, sha256 ${sum.slice(0, 12)}) into ${h.dataDir} as member ${h.name} for ${h.requestedBy || 'someone'}`,
              fields: { dataDir: h.dataDir, sha256: sum, durationMs: String(ms) },
            });
            d.log.warn('etcd snapshot restored', { dataDir: h.dataDir, name: h.name, bytes: received, ms, by: h.requestedBy });
            cb(null, { dataDir: h.dataDir, durationMs: ms });
          })
          .catch(fail);
      });
    },
  };
}

/** A snapshot lying on this master: absolute, no `..`, a regular file (not a link to something else). */
function checkLocalFile(p: string): string {
  if (!path.isAbsolute(p) || p.split('/').includes('..')) throw bad(`local snapshot file ${JSON.stringify(p)} is not an absolute path`);
  return p;
}

/**
 * Copies the local snapshot into the staging file (so that it cannot change under etcdctl) and
 * hashes the copy; bytes sent on the stream as well are refused.
 */
async function copyLocal(src: string, dest: string, hash: crypto.Hash, alreadyReceived: number): Promise<number> {
  if (alreadyReceived > 0) throw bad('both a local file and bytes were sent');
  const st = await lstatOrUndefined(src);
  if (!st?.isFile())
    throw new OperatorError({ code: 'SNAPSHOT_BAD_PATH', message: `${src} is not a regular file on this master`, hint: 'nothing was restored' });
  if (st.size > MAX_SNAPSHOT_BYTES) throw bad(`snapshot size ${st.size} is over 8 GiB`);
  await fsp.copyFile(src, dest);
  let n = 0;
  for await (const chunk of fs.createReadStream(dest)) {
    const b = chunk as Buffer;
    hash.update(b);
    n += b.length;
  }
  return n;
}

function bad(message: string): OperatorError {
  return new OperatorError({ code: 'RESTORE_BAD_REQUEST', message, hint: "this is the coordinator's request: see its log" });
}

function checkHeader(h: RestoreEtcdSnapshotHeader__Output): void {
  if (!NAME.test(h.name)) throw bad(`member name ${JSON.stringify(h.name)} is not a DNS label`);
  if (!/^[0-9a-f]{64}$/i.test(h.sha256)) throw bad('the header has no sha256');
  if (Number(h.sizeBytes) <= 0 || Number(h.sizeBytes) > MAX_SNAPSHOT_BYTES) throw bad(`snapshot size ${h.sizeBytes} is not between 1 byte and 8 GiB`);
  for (const u of [h.initialAdvertisePeerUrl, ...h.initialCluster.split(',').map((x) => x.slice(x.indexOf('=') + 1))]) {
    if (!/^https?:\/\/[^\s,]+$/.test(u)) throw bad(`peer URL ${JSON.stringify(u)} is not a URL`);
  }
  if (!/^[-\w.]{1,64}$/.test(h.initialClusterToken)) throw bad('the cluster token is missing or not a name');
}

/**
 * etcdctl refuses a data dir that exists. An absent one is restored into
 * directly; an existing one without data (a mount point holding only
 * lost+found and earlier archives) gets the restore in a dot-dir inside it,
 * on the same disk, and its member/ moved up.
 */
async function restore(etcdctl: string, file: string, dataDir: string, h: RestoreEtcdSnapshotHeader__Output): Promise<void> {
  if (!(await lstatOrUndefined(dataDir))) return runRestore(etcdctl, file, dataDir, h);
  const inside = path.join(dataDir, `.belay-restore-${process.pid}`);
  await fsp.rm(inside, { recursive: true, force: true });
  try {
    await runRestore(etcdctl, file, inside, h);
    await fsp.rename(path.join(inside, 'member'), path.join(dataDir, 'member'));
    await syncDir(dataDir);
  } finally {
    await fsp.rm(inside, { recursive: true, force: true });
  }
}

function runRestore(etcdctl: string, file: string, dataDir: string, h: RestoreEtcdSnapshotHeader__Output): Promise<void> {
  const args = [
    'snapshot',
    'restore',
    file,
    `--data-dir=${dataDir}`,
    `--name=${h.name}`,
    `--initial-advertise-peer-urls=${h.initialAdvertisePeerUrl}`,
    `--initial-cluster=${h.initialCluster}`,
    `--initial-cluster-token=${h.initialClusterToken}`,
  ];
  return new Promise((resolve, reject) => {
    // Only our flags: etcdctl also reads ETCDCTL_* from the environment, and a stray one would change the restore.
    const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ETCDCTL_') && !k.startsWith('ETCD_'))), ETCDCTL_API: '3' };
    execFile(etcdctl, args, { env, timeout: 300_000, maxBuffer: 4 * 1024 * 1024 }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      // A half-restored dir must not look like data: move nothing, remove what etcdctl made (it was empty before).
      fs.rmSync(dataDir, { recursive: true, force: true });
      reject(
        new OperatorError({
          code: 'SNAPSHOT_RESTORE_FAILED',
          message: `etcdctl snapshot restore failed: ${(stderr || errorText(err)).trim().split('\n').slice(-3).join(' ')}`,
          hint: 'is the snapshot complete? (etcdctl snapshot status FILE); nothing was restored',
        }),
      );
    });
  });
}
