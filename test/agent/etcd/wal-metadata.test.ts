import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseWalMetadata } from '../../../agent/etcd/wal-metadata.js';

/** Protobuf varint. */
function varint(v: bigint): number[] {
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}

/** One WAL frame as etcd's encoder writes it: little-endian length (padding in the top byte), record, padding. */
function frame(record: number[]): number[] {
  const pad = (8 - (record.length % 8)) % 8;
  let len = BigInt(record.length);
  if (pad) len |= BigInt(0x80 | pad) << 56n;
  const head = new DataView(new ArrayBuffer(8));
  head.setBigUint64(0, len, true);
  return [...new Uint8Array(head.buffer), ...record, ...new Array<number>(pad).fill(0)];
}

function record(type: number, crc: number, data?: number[]): number[] {
  const out = [0x08, ...varint(BigInt(type)), 0x10, ...varint(BigInt(crc))];
  if (data) out.push(0x1a, ...varint(BigInt(data.length)), ...data);
  return out;
}

const MEMBER = 0x8e9e05c52164694dn;
const CLUSTER = 0xcdf818194e3a8c32n;
const metadata = [0x08, ...varint(MEMBER), 0x10, ...varint(CLUSTER)];

function wal(...frames: number[][]): Uint8Array {
  return Uint8Array.from(frames.flat());
}

test('reads the member and cluster IDs from the CRC and metadata records', () => {
  const buf = wal(frame(record(4, 0)), frame(record(1, 0xdeadbeef, metadata)), frame(record(5, 1, [0x08, 0])));
  assert.deepEqual(parseWalMetadata(buf), { memberId: '8e9e05c52164694d', clusterId: 'cdf818194e3a8c32' });
});

test('a frame without padding (record length a multiple of 8) is read too', () => {
  // 8 bytes: type 4 (2), crc of 5 varint bytes (1 + 5): the top byte of the length stays 0.
  const crc = record(4, 0xffffffff);
  assert.equal(crc.length % 8, 0);
  assert.deepEqual(parseWalMetadata(wal(frame(crc), frame(record(1, 7, metadata)))), { memberId: '8e9e05c52164694d', clusterId: 'cdf818194e3a8c32' });
});

test('an empty file is no WAL', () => {
  assert.match((parseWalMetadata(new Uint8Array()) as { error: string }).error, /empty/);
});

test('zeros (a preallocated file never written) are no WAL', () => {
  assert.match((parseWalMetadata(new Uint8Array(64)) as { error: string }).error, /impossible length 0/);
});

test('a first record that is not a CRC record is refused', () => {
  assert.match((parseWalMetadata(wal(frame(record(1, 0, metadata)))) as { error: string }).error, /not a CRC record/);
});

test('a second record that is not the metadata is refused', () => {
  assert.match((parseWalMetadata(wal(frame(record(4, 0)), frame(record(2, 0, [1, 2])))) as { error: string }).error, /not the metadata/);
});

test('a file cut inside the metadata record is refused', () => {
  const full = wal(frame(record(4, 0)), frame(record(1, 0, metadata)));
  assert.match((parseWalMetadata(full.subarray(0, full.length - 12)) as { error: string }).error, /cut short/);
});

test('metadata without a cluster ID is refused', () => {
  const buf = wal(frame(record(4, 0)), frame(record(1, 0, [0x08, ...varint(MEMBER)])));
  assert.match((parseWalMetadata(buf) as { error: string }).error, /no member ID or no cluster ID/);
});

test('a length beyond any header record is refused, not read', () => {
  const head = new DataView(new ArrayBuffer(8));
  head.setBigUint64(0, 1n << 40n, true);
  assert.match((parseWalMetadata(new Uint8Array(head.buffer)) as { error: string }).error, /impossible length/);
});
