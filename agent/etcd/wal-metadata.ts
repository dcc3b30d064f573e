/**
 * Which member of which cluster an etcd WAL file belongs to, read from its
 * first records without etcd running. Every WAL file etcd writes (the first
 * and each one cut after it) starts with a CRC record and then a metadata
 * record whose data is `etcdserverpb.Metadata{NodeID, ClusterID}`
 * (docs/etcd-data-dir.md has the layout). Pure: bytes in, IDs out.
 */

export interface WalIdentity {
  /** Hex, as etcd and etcdctl print member IDs. */
  memberId: string;
  /** Hex. */
  clusterId: string;
}

/** walpb.Record types (etcd's wal package). */
const METADATA_TYPE = 1n;
const CRC_TYPE = 4n;
/** The CRC and metadata records are tens of bytes; a frame claiming more is not a WAL. */
const MAX_HEADER_RECORD = 4096;
/** How many bytes of a WAL file are enough to find its metadata. */
export const WAL_HEADER_BYTES = 2 * (8 + MAX_HEADER_RECORD);

export function parseWalMetadata(buf: Uint8Array): WalIdentity | { error: string } {
  let at = 0;
  for (let i = 0; i < 2; i++) {
    if (buf.length < at + 8) return { error: i === 0 ? 'the WAL file is empty or shorter than a record header' : 'the WAL file ends after its first record' };
    const frame = new DataView(buf.buffer, buf.byteOffset + at, 8).getBigUint64(0, true);
    // The top byte carries the padding to 8-byte alignment (0x80 | pad) when there is any.
    const length = Number(frame & 0x00ff_ffff_ffff_ffffn);
    const pad = frame >> 63n === 1n ? Number((frame >> 56n) & 0x7n) : 0;
    if (length === 0 || length > MAX_HEADER_RECORD) return { error: `record ${i + 1} has an impossible length ${length}: not a WAL file, or a torn one` };
    if (buf.length < at + 8 + length) return { error: `record ${i + 1} is cut short` };
    const rec = fields(buf.subarray(at + 8, at + 8 + length));
    if ('error' in rec) return { error: `record ${i + 1}: ${rec.error}` };
    const type = rec.varints.get(1) ?? 0n;
    if (i === 0 && type !== CRC_TYPE) return { error: `the first record is of type ${type}, not a CRC record: not a WAL file` };
    if (i === 1) {
      if (type !== METADATA_TYPE) return { error: `the second record is of type ${type}, not the metadata` };
      const meta = fields(rec.bytes.get(3) ?? new Uint8Array());
      if ('error' in meta) return { error: `metadata: ${meta.error}` };
      const member = meta.varints.get(1);
      const cluster = meta.varints.get(2);
      if (!member || !cluster) return { error: 'the metadata has no member ID or no cluster ID' };
      return { memberId: member.toString(16), clusterId: cluster.toString(16) };
    }
    at += 8 + length + pad;
  }
  return { error: 'unreachable' };
}

/** The varint and length-delimited fields of one protobuf message (the only wire types these records use). */
function fields(b: Uint8Array): { varints: Map<number, bigint>; bytes: Map<number, Uint8Array> } | { error: string } {
  const varints = new Map<number, bigint>();
  const bytes = new Map<number, Uint8Array>();
  let at = 0;
  const varint = (): bigint | undefined => {
    let v = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (at >= b.length) return undefined;
      const byte = b[at++] ?? 0;
      v |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return v;
    }
    return undefined;
  };
  while (at < b.length) {
    const key = varint();
    if (key === undefined) return { error: 'a field key is cut short' };
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const v = varint();
      if (v === undefined) return { error: `field ${field} is cut short` };
      varints.set(field, v);
    } else if (wire === 2) {
      const n = varint();
      if (n === undefined || at + Number(n) > b.length) return { error: `field ${field} is cut short` };
      bytes.set(field, b.subarray(at, at + Number(n)));
      at += Number(n);
    } else return { error: `field ${field} has wire type ${wire}, unexpected in a WAL record` };
  }
  return { varints, bytes };
}
