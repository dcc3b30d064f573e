import crypto from 'node:crypto';
import fs from 'node:fs';
import type * as grpc from '@grpc/grpc-js';
import { toServiceError } from '../../proto/common/grpc.js';
import type { Logger } from '../../proto/common/log.js';
import type { HostPaths } from '../../proto/common/paths.js';
import type { AgentHandlers } from '../../proto/gen/belay/v1/Agent.js';
import type { RestoreEtcdSnapshotChunk__Output } from '../../proto/gen/belay/v1/RestoreEtcdSnapshotChunk.js';
import type { RestoreEtcdSnapshotHeader__Output } from '../../proto/gen/belay/v1/RestoreEtcdSnapshotHeader.js';
import type { RestoreEtcdSnapshotResponse } from '../../proto/gen/belay/v1/RestoreEtcdSnapshotResponse.js';
import { MAX_CHUNK_BYTES, bad, checkSnapshotHeader, restoreStaged, stageSnapshot } from '../etcd/restore.js';
import type { RaisedEvent } from '../report/events.js';
import type { TermFence } from './fencing.js';

type RestoreHandlers = Pick<AgentHandlers, 'RestoreEtcdSnapshot'>;

/**
 * RestoreEtcdSnapshot (etcd/restore.ts): the header first, fenced by term
 * and checked, then the bytes into the staging file as they arrive, with
 * backpressure; the restore at the end of the stream. Client-streaming, so
 * written out here rather than with the unary adapter.
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
            checkSnapshotHeader(h);
            ({ tmp, fh } = await stageSnapshot(d.paths, h));
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
            const r = await restoreStaged(d, h, file, hash, received);
            received = r.received;
            const sum = r.sha256;
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
