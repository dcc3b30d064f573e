// The gossip UDP endpoint: packs, seals and sends SwimMessages; opens,
// decodes and hands over what arrives. No decisions: what to send and what a
// message means is the core's (coordinator/swim), timers are the driver's.
import dgram from 'node:dgram';
import net from 'node:net';
import { Counter, type Registry } from 'prom-client';
import { OperatorError, errorText } from '../../proto/common/errors.js';
import type { Logger } from '../../proto/common/log.js';
import { splitHostPort } from '../../proto/common/metrics.js';
import type { Addr, SwimMessage } from '../swim/messages.js';
import { packMessages, type PackResult } from './codec.js';
import type { Keyring } from './keyring.js';
import { DEFAULT_REPLAY_WINDOW_MS, ReplayCache, SEAL_OVERHEAD_BYTES, open, seal, type DropReason } from './seal.js';

export const GOSSIP_SOCKET_DEFAULTS = {
  /**
   * Largest datagram sent, sealed, in bytes (the UDP payload). 1400 fits a
   * 1500-byte link with IPv6 and tunnel headers to spare; more risks IP
   * fragmentation, where one lost fragment loses the whole packet.
   */
  mtu: 1_400,
  /** Largest clock difference a packet survives, either way; see seal.ts. */
  replayWindowMs: DEFAULT_REPLAY_WINDOW_MS,
} as const;

/** The UDP payload every IPv4 path carries unfragmented (576 − 60 − 8). */
export const MIN_MTU = 508;
/** The largest UDP payload over IPv4. */
export const MAX_MTU = 65_507;

export interface GossipSocketOptions {
  host: string;
  /** 0 picks a free port (tests); see GossipSocket.addr. */
  port: number;
  /** Shared, not copied: install/use/remove take effect at the next packet. */
  keyring: Keyring;
  mtu?: number;
  replayWindowMs?: number;
  /** Where the counters are registered; without one they count unseen. */
  metrics?: Registry;
  log: Logger;
  /** Wall clock for sent_at and the replay window (tests move it). */
  nowMs?: () => number;
}

/** Called once per datagram that opened and decoded, with its messages in order. */
export type PacketHandler = (from: Addr, msgs: SwimMessage[]) => void;

/**
 * Why a datagram (or, on the way out, a message) was dropped: seal.ts's
 * DropReason on the way in; on the way out 'too-big' (a message alone over the
 * MTU), 'invalid' (a message a peer would refuse), 'reliable' (a push-pull:
 * gRPC only) and 'send-failed' (the socket refused a datagram).
 */
type DropLabel = DropReason | PackResult['dropped'][number]['reason'] | 'send-failed';

interface GossipCounters {
  packets: Counter<'direction'>;
  bytes: Counter<'direction'>;
  dropped: Counter<'reason'>;
  decodeErrors: Counter<'reason'>;
}

/** One warning per key per minute, for a bounded number of keys (spoofed source addresses are free). */
class WarnLimiter {
  private readonly lastMs = new Map<string, number>();
  constructor(
    private readonly periodMs: number,
    private readonly maxKeys: number,
  ) {}

  allow(key: string, nowMs: number): boolean {
    const last = this.lastMs.get(key);
    if (last !== undefined && nowMs - last < this.periodMs) return false;
    if (last === undefined && this.lastMs.size >= this.maxKeys) {
      for (const [k, t] of this.lastMs) if (nowMs - t >= this.periodMs) this.lastMs.delete(k);
      if (this.lastMs.size >= this.maxKeys) return false;
    }
    this.lastMs.set(key, nowMs);
    return true;
  }
}

export class GossipSocket {
  private readonly handlers: PacketHandler[] = [];
  private readonly replay: ReplayCache;
  private readonly warned = new WarnLimiter(60_000, 1_024);
  private closed = false;

  private constructor(
    private readonly socket: dgram.Socket,
    private readonly keyring: Keyring,
    private readonly mtu: number,
    replayWindowMs: number,
    private readonly counters: GossipCounters,
    private readonly log: Logger,
    private readonly nowMs: () => number,
  ) {
    this.replay = new ReplayCache({ windowMs: replayWindowMs });
    socket.on('message', (buf, rinfo) => this.receive(buf, formatAddr(rinfo.address, rinfo.port, rinfo.family)));
    // After bind, an error on a datagram socket is about one send or receive: keep serving.
    socket.on('error', (err) => log.warn('gossip socket error', { err: errorText(err), code: (err as NodeJS.ErrnoException).code }));
  }

  /** Binds host:port (UDP). Throws OperatorError LISTEN_FAILED or GOSSIP_MTU_INVALID. */
  static async bind(o: GossipSocketOptions): Promise<GossipSocket> {
    const mtu = o.mtu ?? GOSSIP_SOCKET_DEFAULTS.mtu;
    if (!Number.isInteger(mtu) || mtu < MIN_MTU || mtu > MAX_MTU) {
      throw new OperatorError({
        code: 'GOSSIP_MTU_INVALID',
        message: `gossip mtu ${mtu} is outside ${MIN_MTU}..${MAX_MTU} bytes`,
        hint: `set it to the path MTU minus IP and UDP headers; ${GOSSIP_SOCKET_DEFAULTS.mtu} suits Ethernet`,
      });
    }
    const socket = dgram.createSocket({ type: net.isIPv6(o.host) ? 'udp6' : 'udp4' });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind({ address: o.host, port: o.port, exclusive: true }, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      socket.close();
      throw new OperatorError({
        code: 'LISTEN_FAILED',
        message: `cannot listen for gossip on UDP ${formatAddr(o.host, o.port)}: ${errorText(err)}`,
        hint: 'check that the address is local and the UDP port free (ss -lunp)',
        cause: err,
      });
    }
    const log = o.log.child({ component: 'gossip' });
    return new GossipSocket(socket, o.keyring, mtu, o.replayWindowMs ?? GOSSIP_SOCKET_DEFAULTS.replayWindowMs, counters(o.metrics), log, o.nowMs ?? Date.now);
  }

  /** The bound address, "host:port" (IPv6 bracketed), with the port the OS chose for port 0. */
  get addr(): Addr {
    const a = this.socket.address();
    return formatAddr(a.address, a.port, a.family);
  }

  /**
   * Packs `msgs` under the MTU, seals and sends each datagram. Never throws:
   * failures are counted (belay_gossip_packets_dropped_total) and logged; UDP
   * loses packets anyway and the core retries what matters.
   */
  send(to: Addr, msgs: readonly SwimMessage[]): void {
    if (msgs.length === 0) return;
    const nowMs = this.nowMs();
    const { packets, dropped } = packMessages(msgs, this.mtu, SEAL_OVERHEAD_BYTES);
    for (const d of dropped) {
      this.counters.dropped.inc({ reason: d.reason });
      if (this.warned.allow(`${d.reason}:${d.msg.kind}`, nowMs)) {
        this.log.warn('gossip message not sent', {
          kind: d.msg.kind,
          reason: d.reason,
          detail: d.detail,
          to,
          mtu: this.mtu,
          code: 'GOSSIP_MESSAGE_DROPPED',
          hint:
            d.reason === 'too-big'
              ? 'shrink the member tags or raise the gossip mtu'
              : 'a bug: push-pull goes over gRPC and the core only makes valid messages',
        });
      }
    }
    if (packets.length === 0) return;
    let host: string;
    let port: number;
    try {
      ({ host, port } = splitHostPort(to, 'gossip peer'));
    } catch (err) {
      this.counters.dropped.inc({ reason: 'send-failed' }, packets.length);
      this.log.debug('gossip packet not sent', { to, err: errorText(err) });
      return;
    }
    for (const packet of packets) {
      const datagram = seal(this.keyring, packet, nowMs);
      try {
        this.socket.send(datagram, port, host, (err) => {
          if (err) this.sendFailed(to, err);
          else {
            this.counters.packets.inc({ direction: 'out' });
            this.counters.bytes.inc({ direction: 'out' }, datagram.length);
          }
        });
      } catch (err) {
        // A closed socket throws here instead of calling back.
        this.sendFailed(to, err);
      }
    }
  }

  /** Adds a handler for received packets; handlers run in the order added. */
  onPackets(handler: PacketHandler): void {
    this.handlers.push(handler);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.handlers.length = 0;
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  private sendFailed(to: Addr, err: unknown): void {
    this.counters.dropped.inc({ reason: 'send-failed' });
    this.log.debug('gossip packet not sent', { to, err: errorText(err), code: (err as NodeJS.ErrnoException).code });
  }

  private receive(datagram: Buffer, from: Addr): void {
    const nowMs = this.nowMs();
    this.counters.packets.inc({ direction: 'in' });
    this.counters.bytes.inc({ direction: 'in' }, datagram.length);
    const r = open(this.keyring, datagram, nowMs, this.replay);
    if (!r.ok) {
      this.dropped(r.reason, from, datagram.length, nowMs, r.detail);
      return;
    }
    if (r.messages.length === 0) return;
    for (const handler of this.handlers) {
      try {
        handler(from, r.messages);
      } catch (err) {
        this.log.error('gossip packet handler failed', { from, err: err instanceof Error ? err.stack : String(err), code: 'INTERNAL' });
      }
    }
  }

  private dropped(reason: DropLabel, from: Addr, bytes: number, nowMs: number, detail?: string): void {
    this.counters.dropped.inc({ reason });
    if (detail !== undefined) this.counters.decodeErrors.inc({ reason: detail });
    if (reason === 'auth' && this.warned.allow(`auth:${from}`, nowMs)) {
      this.log.warn('gossip packet failed authentication', { from, hint: "the sender's gossip key is not in this keyring" });
    } else if (reason === 'stale' && this.warned.allow(`stale:${from}`, nowMs)) {
      this.log.warn('gossip packet outside the replay window', { from, hint: 'check clock sync on both hosts (timedatectl; chronyc tracking)' });
    } else {
      this.log.debug('gossip packet dropped', { from, reason, detail, bytes });
    }
  }
}

function formatAddr(host: string, port: number, family?: string): Addr {
  return family === 'IPv6' || net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The gossip counters on `registry`, reused if another socket registered them there already. */
function counters(registry: Registry | undefined): GossipCounters {
  const counter = <L extends string>(name: string, help: string, label: L): Counter<L> => {
    const existing = registry?.getSingleMetric(name);
    if (existing) return existing as Counter<L>;
    return new Counter({ name, help, labelNames: [label] as const, registers: registry ? [registry] : [] });
  };
  return {
    packets: counter('belay_gossip_packets_total', 'Gossip datagrams received (direction="in", all of them) and sent (direction="out")', 'direction'),
    bytes: counter('belay_gossip_bytes_total', 'Bytes of gossip datagrams received and sent, sealed', 'direction'),
    dropped: counter(
      'belay_gossip_packets_dropped_total',
      'Gossip datagrams dropped on receipt (short, version, oversize, auth, decode, stale, replay) and, on the way out, messages or datagrams not sent (too-big, invalid, reliable, send-failed)',
      'reason',
    ),
    decodeErrors: counter(
      'belay_gossip_decode_errors_total',
      'Authenticated gossip datagrams refused by the decoder, by what was wrong (the reason="decode" drops, in detail)',
      'reason',
    ),
  };
}
