import crypto from 'node:crypto';
import path from 'node:path';
import { Writable } from 'node:stream';
import protobuf from 'protobufjs';
import type { Registry } from 'prom-client';
import winston from 'winston';
import { PROTO_DIR } from '../../../proto/common/grpc.js';

/** gossip.proto loaded independently of the codec, to build what the codec would refuse to. */
const root = new protobuf.Root().loadSync(path.join(PROTO_DIR, 'belay/v1/gossip.proto'));
export const pb = {
  packet: root.lookupType('belay.v1.GossipPacket'),
  message: root.lookupType('belay.v1.GossipMessage'),
  sealedPayload: root.lookupType('belay.v1.SealedPayload'),
};

/** Encodes a GossipPacket from plain protobufjs objects, bypassing every check. */
export function rawPacket(messages: object[]): Uint8Array {
  return pb.packet.encode({ messages }).finish();
}

/**
 * Seals arbitrary plaintext with the documented layout, independently of
 * seal.ts: version 1 | 12-byte nonce | AES-256-GCM ciphertext | 16-byte tag,
 * AAD = version byte + "belay-gossip-v1".
 */
export function rawSeal(key: Uint8Array, plaintext: Uint8Array, version = 1): Buffer {
  const nonce = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 });
  cipher.setAAD(Buffer.concat([Buffer.of(version), Buffer.from('belay-gossip-v1')]));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.of(version), nonce, body, cipher.getAuthTag()]);
}

/** A SealedPayload's bytes from plain fields, bypassing every check. */
export function rawPayload(p: { sentAtMs?: number; packetId?: Uint8Array; packet?: object }): Uint8Array {
  return pb.sealedPayload.encode(p).finish();
}

export type LogEntry = { level: string; message: string; [k: string]: unknown };

/** A logger that keeps every entry. */
export function capture(): { log: winston.Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const stream = new Writable({
    objectMode: true,
    write(info: LogEntry, _enc, cb) {
      entries.push(info);
      cb();
    },
  });
  return { log: winston.createLogger({ level: 'debug', transports: [new winston.transports.Stream({ stream })] }), entries };
}

/** A counter's value for the labels given (0 if never incremented). */
export async function counterValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values.filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want)).reduce((n, v) => n + v.value, 0);
}
