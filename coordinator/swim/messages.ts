// The SWIM wire vocabulary as plain data. The pure core (node.ts) reads and
// writes these; transport/codec.ts maps them to belay.v1.gossip.proto and back.
// Addresses are opaque "host:port" strings: the core never resolves them.

export type Addr = string;

export type MemberState = 'alive' | 'suspect' | 'dead' | 'left';

/** Free-form member metadata; the incarnation is its version. */
export type Tags = Readonly<Record<string, string>>;

/**
 * One member's identity and state as exchanged in push-pull.
 * A member is its name plus its boot id: a restarted coordinator has a new
 * boot id, which wins over every incarnation of an older boot.
 */
export interface MemberSnapshot {
  name: string;
  /** `${bootStartMs base36}-${random}`; compared by bootOrder() in membership.ts. */
  bootId: string;
  addr: Addr;
  incarnation: number;
  state: MemberState;
  tags: Tags;
}

/** Direct probe: "are you `target`?" The receiver answers ack only if it is. */
export interface Ping {
  kind: 'ping';
  seq: number;
  target: string;
  /** Sender's name and address, so a receiver can answer and learn it. */
  from: string;
  fromAddr: Addr;
}

/** Ask a member to probe `target` for us and relay the ack (or a nack). */
export interface IndirectPing {
  kind: 'indirect-ping';
  seq: number;
  target: string;
  targetAddr: Addr;
  from: string;
  fromAddr: Addr;
  /** Lifeguard: answer with a nack if the target stays silent. */
  wantNack: boolean;
}

export interface Ack {
  kind: 'ack';
  seq: number;
  from: string;
}

/** Lifeguard: "I asked, the target did not answer" — proves our own path works. */
export interface Nack {
  kind: 'nack';
  seq: number;
  from: string;
}

export interface Alive {
  kind: 'alive';
  name: string;
  bootId: string;
  addr: Addr;
  incarnation: number;
  tags: Tags;
}

export interface Suspect {
  kind: 'suspect';
  name: string;
  bootId: string;
  incarnation: number;
  /** Who suspects: distinct senders are Lifeguard's independent confirmations. */
  from: string;
}

/** Dead; a dead message whose `from` is the member itself is a graceful leave. */
export interface Dead {
  kind: 'dead';
  name: string;
  bootId: string;
  incarnation: number;
  from: string;
}

/**
 * Small clusters: membership changes go to every member directly, in a packet
 * that starts with a Deliver; the receiver answers ack(seq) after applying the
 * rest of the packet, and the sender retries until acked.
 */
export interface Deliver {
  kind: 'deliver';
  seq: number;
  from: string;
}

/**
 * Full-state exchange for anti-entropy and joins. The shell carries it over
 * mutual-TLS gRPC (reliable); a request is answered by a PushPull with
 * reply=true. A remote `dead` is merged as `suspect` so that the member
 * itself gets the chance to refute (memberlist does the same).
 */
export interface PushPull {
  kind: 'push-pull';
  from: string;
  join: boolean;
  reply: boolean;
  members: MemberSnapshot[];
}

/** One member in a digest: its version without its address and tags. */
export interface DigestEntry {
  name: string;
  bootId: string;
  incarnation: number;
  state: MemberState;
}

/**
 * Small clusters' anti-entropy between full push-pulls: the sender's view as
 * versions only, over UDP (one packet). The receiver answers what it knows
 * newer with updates, and pulls what the sender knows newer with a push-pull,
 * so equal views cost one packet per period instead of a TLS exchange of every
 * member's tags (Demers et al., "Epidemic algorithms", §1.3: compare
 * checksums or recent-update lists before the full exchange).
 */
export interface Digest {
  kind: 'digest';
  from: string;
  /** The sender's own advertised address: where a push-pull to it goes. */
  fromAddr: Addr;
  /** Every member the sender knows, itself and dead and left ones included. */
  members: DigestEntry[];
}

export type SwimMessage = Ping | IndirectPing | Ack | Nack | Alive | Suspect | Dead | Deliver | PushPull | Digest;

/** Messages the shell must send reliably (gRPC); the rest go over UDP. */
export function isReliable(msg: SwimMessage): boolean {
  return msg.kind === 'push-pull';
}

/** UTF-8 byte length, without Buffer (pure code). */
function utf8Length(s: string): number {
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
}

/**
 * Upper bound on a message's encoded size in bytes, for the core's piggyback
 * budget (MTU) and the tags limit: per string its UTF-8 bytes plus 4 (field
 * tag and length varint), per number 11 (tag and the longest varint), per map
 * entry 4 more (its own tag and length), per message 8 (its oneof field and
 * its place in the packet). The codec splits anything that still does not fit.
 */
export function estimateSize(msg: SwimMessage): number {
  const str = (s: string): number => utf8Length(s) + 4;
  const num = 11;
  const tags = (t: Tags): number => Object.entries(t).reduce((n, [k, v]) => n + str(k) + str(v) + 4, 0);
  const head = 8;
  switch (msg.kind) {
    case 'ping':
      return head + num + str(msg.target) + str(msg.from) + str(msg.fromAddr);
    case 'indirect-ping':
      return head + num + str(msg.target) + str(msg.targetAddr) + str(msg.from) + str(msg.fromAddr) + 2;
    case 'ack':
    case 'nack':
    case 'deliver':
      return head + num + str(msg.from);
    case 'alive':
      return head + str(msg.name) + str(msg.bootId) + str(msg.addr) + num + tags(msg.tags);
    case 'suspect':
    case 'dead':
      return head + str(msg.name) + str(msg.bootId) + num + str(msg.from);
    case 'push-pull':
      return head + str(msg.from) + 4 + msg.members.reduce((n, m) => n + 4 + str(m.name) + str(m.bootId) + str(m.addr) + num + 2 + tags(m.tags), 0);
    case 'digest':
      return head + str(msg.from) + str(msg.fromAddr) + msg.members.reduce((n, m) => n + 4 + str(m.name) + str(m.bootId) + num + str(m.state), 0);
  }
}
