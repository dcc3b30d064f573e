// The gossip driver: owns the timer and the event-loop stall probe, feeds
// SwimNode.step, sends what it returns (UDP, or gRPC for push-pull) and hands
// member events to listeners. No protocol decisions here: those are the core's.
import { Counter, Gauge, type Registry } from 'prom-client';
import { errorText } from '../../proto/common/errors.js';
import type { Logger } from '../../proto/common/log.js';
import type { MemberView } from '../swim/membership.js';
import { isReliable, type Addr, type PushPull, type SwimMessage, type Tags } from '../swim/messages.js';
import type { Input, MemberEvent } from '../swim/node-io.js';
import type { SwimNode } from '../swim/node.js';
import { encodePacket } from './codec.js';
import type { Keyring } from './keyring.js';
import { ReplayCache, open, seal } from './seal.js';
import type { GossipSocket } from './udp.js';

/** Stall probe period: a timer that fires this much late means the event loop was blocked (GC, CPU starvation, SIGSTOP). */
const STALL_PROBE_MS = 100;

export interface PushPullClient {
  /** Sends sealed bytes to the coordinator at `grpcAddr` and resolves with its sealed answer. */
  call(grpcAddr: string, sealed: Buffer): Promise<Buffer>;
}

export interface DriverDeps {
  node: SwimNode;
  socket: GossipSocket;
  keyring: Keyring;
  pushPull: PushPullClient;
  /** The gRPC address of the member with gossip address `addr`; undefined: `addr` is already one (a seed). */
  grpcAddrOf(addr: Addr, members: readonly MemberView[]): string | undefined;
  log: Logger;
  registry?: Registry;
  /** Largest gRPC message, for opening a push-pull (a full state is larger than a datagram). */
  maxMessageBytes: number;
}

export class GossipDriver {
  private timer: NodeJS.Timeout | undefined;
  private stallTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly listeners: ((e: MemberEvent) => void)[] = [];
  private readonly replay = new ReplayCache();
  /** Push-pull failures are logged once per address until it answers again. */
  private readonly failing = new Set<string>();
  private readonly events: Counter<'kind'>;

  constructor(private readonly d: DriverDeps) {
    const registers = d.registry ? [d.registry] : [];
    this.events = new Counter({
      name: 'belay_gossip_member_events_total',
      help: 'Member transitions seen by this coordinator, by kind',
      labelNames: ['kind'] as const,
      registers,
    });
    const members = (): MemberView[] => d.node.members();
    new Gauge({
      name: 'belay_gossip_members',
      help: 'Gossip members by state, as this coordinator sees them (itself included)',
      labelNames: ['state'] as const,
      registers,
      collect() {
        for (const s of ['alive', 'suspect', 'dead', 'left']) this.set({ state: s }, members().filter((m) => m.state === s).length);
      },
    });
    const node = d.node;
    // The core's own counts since start, read at scrape time (a gauge: the core owns the numbers).
    new Gauge({
      name: 'belay_gossip_protocol_events',
      help: 'SWIM activity of this coordinator since it started, by kind: probes, confirmation-probes, indirect-probes, probes-failed, probes-inconclusive (we were stalled), suspicions, refutations, declared-dead, push-pulls, digests, digest-pulls, deliveries-given-up',
      labelNames: ['kind'] as const,
      registers,
      collect() {
        const st = node.stats();
        const counts: [string, number][] = [
          ['probes', st.probes],
          ['confirmation-probes', st.confirmationProbes],
          ['indirect-probes', st.indirectProbes],
          ['probes-failed', st.probesFailed],
          ['probes-inconclusive', st.probesInconclusive],
          ['suspicions', st.suspicionsRaised],
          ['refutations', st.refutations],
          ['declared-dead', st.declaredDead],
          ['push-pulls', st.pushPulls],
          ['digests', st.digests],
          ['digest-pulls', st.digestPulls],
          ['deliveries-given-up', st.deliveriesGivenUp],
        ];
        for (const [kind, v] of counts) this.set({ kind }, v);
      },
    });
    new Gauge({
      name: 'belay_gossip_local_health',
      help: "Lifeguard's local health score: 0 healthy, higher when this coordinator misses acks or stalls",
      registers,
      collect() {
        this.set(node.localHealth());
      },
    });
  }

  /** Starts the loop and joins through `seeds` (gRPC addresses of other coordinators). */
  start(seeds: string[]): void {
    this.d.socket.onPackets((from, msgs) => this.step({ kind: 'recv', nowMs: Date.now(), from, msgs }));
    this.probeStalls();
    this.step({ kind: seeds.length > 0 ? 'join' : 'tick', nowMs: Date.now(), seeds });
  }

  onEvent(fn: (e: MemberEvent) => void): void {
    this.listeners.push(fn);
  }

  setTags(tags: Tags): void {
    this.step({ kind: 'set-tags', nowMs: Date.now(), tags });
  }

  /** Graceful leave: tells the others, waits briefly for it to go out, stops. */
  async leave(waitMs = 500): Promise<void> {
    if (this.stopped) return;
    this.step({ kind: 'leave', nowMs: Date.now() });
    await new Promise((r) => setTimeout(r, waitMs));
    this.stop();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.stallTimer);
  }

  /**
   * Answers a push-pull that arrived over gRPC: opens it, feeds it to the
   * core, and returns the core's reply sealed. Throws 'auth' when no key of
   * ours opens it (the caller maps that to GOSSIP_KEY_MISMATCH).
   */
  answerPushPull(sealed: Uint8Array, callerName: string | undefined): Buffer {
    const opened = open(this.d.keyring, sealed, Date.now(), this.replay, { maxBytes: this.d.maxMessageBytes });
    if (!opened.ok) throw new PushPullRefused(opened.reason);
    const pp = opened.messages.find((m): m is PushPull => m.kind === 'push-pull');
    if (!pp || pp.reply) throw new PushPullRefused('decode');
    if (callerName !== undefined && pp.from !== callerName) throw new PushPullRefused('name');
    const from = pp.members.find((m) => m.name === pp.from)?.addr ?? `push-pull:${pp.from}`;
    let reply: PushPull | undefined;
    this.step({ kind: 'recv', nowMs: Date.now(), from, msgs: [pp] }, (to, msg) => {
      if (to === from && msg.kind === 'push-pull' && msg.reply) {
        reply = msg;
        return true;
      }
      return false;
    });
    // The core answers every push-pull request; without one, answer our state anyway.
    return seal(this.d.keyring, encodePacket([reply ?? { kind: 'push-pull', from: this.d.node.name, join: false, reply: true, members: [] }]), Date.now());
  }

  private step(input: Input, intercept?: (to: Addr, msg: SwimMessage) => boolean): void {
    if (this.stopped) return;
    let out;
    try {
      out = this.d.node.step(input);
    } catch (err) {
      this.d.log.error('gossip core failed on an input', {
        err: errorText(err),
        input: input.kind,
        code: 'GOSSIP_CORE_FAILED',
        hint: 'a bug: report it with this log',
      });
      this.arm(Date.now() + 1_000);
      return;
    }
    for (const send of out.send) {
      const reliable = send.msgs.filter(isReliable);
      const rest = send.msgs.filter((m) => !isReliable(m));
      for (const m of reliable) if (!intercept?.(send.to, m)) this.sendReliable(send.to, m);
      if (rest.length > 0) this.d.socket.send(send.to, rest);
    }
    for (const e of out.events) this.emit(e);
    this.arm(out.wakeAtMs);
  }

  private arm(wakeAtMs: number): void {
    clearTimeout(this.timer);
    if (this.stopped || !Number.isFinite(wakeAtMs)) return;
    this.timer = setTimeout(() => this.step({ kind: 'tick', nowMs: Date.now() }), Math.max(0, wakeAtMs - Date.now()));
  }

  private sendReliable(to: Addr, msg: SwimMessage): void {
    const grpcAddr = this.d.grpcAddrOf(to, this.d.node.members()) ?? to;
    const sealed = seal(this.d.keyring, encodePacket([msg]), Date.now());
    this.d.pushPull.call(grpcAddr, sealed).then(
      (answer) => {
        if (this.failing.delete(grpcAddr)) this.d.log.info('push-pull works again', { member: grpcAddr });
        const opened = open(this.d.keyring, answer, Date.now(), this.replay, { maxBytes: this.d.maxMessageBytes });
        if (!opened.ok) {
          this.d.log.warn('push-pull answer dropped', { member: grpcAddr, reason: opened.reason });
          this.step({ kind: 'send-failed', nowMs: Date.now(), to, msg });
          return;
        }
        this.step({ kind: 'recv', nowMs: Date.now(), from: to, msgs: opened.messages });
      },
      (err: unknown) => {
        const code = (err as { metadata?: { get(k: string): unknown[] } }).metadata?.get('belay-code')[0]?.toString();
        if (!this.failing.has(grpcAddr)) {
          this.failing.add(grpcAddr);
          if (code === 'GOSSIP_KEY_MISMATCH') {
            this.d.log.error('gossip key refused by a member: cannot join through it', {
              member: grpcAddr,
              code,
              hint: "this coordinator has none of the cluster's gossip keys: install the cluster key (belayctl gossip keys list shows its fingerprint) in gossip.keyFile or the keyring",
            });
          } else {
            this.d.log.warn('push-pull failed', { member: grpcAddr, err: errorText(err), join: (msg as PushPull).join });
          }
        }
        this.step({ kind: 'send-failed', nowMs: Date.now(), to, msg });
      },
    );
  }

  private emit(e: MemberEvent): void {
    this.events.inc({ kind: e.kind });
    const fields = { member: e.member.name, addr: e.member.addr, incarnation: e.member.incarnation, ...(e.from ? { from: e.from } : {}) };
    if (e.kind === 'died' || e.kind === 'suspected') this.d.log.warn(`member ${e.kind}`, fields);
    else if (e.kind === 'conflict')
      this.d.log.error('member name conflict', {
        ...fields,
        otherAddr: e.otherAddr,
        code: 'GOSSIP_NAME_CONFLICT',
        hint: 'two coordinators claim the same master name: check node.name in their configs',
      });
    else this.d.log.info(`member ${e.kind}`, fields);
    for (const fn of this.listeners) fn(e);
  }

  /** Lifeguard: an event-loop stall is our own slowness, not the others' failure. */
  private probeStalls(): void {
    let expected = Date.now() + STALL_PROBE_MS;
    const tick = (): void => {
      const now = Date.now();
      const lagMs = now - expected;
      if (lagMs > STALL_PROBE_MS) this.step({ kind: 'local-stall', nowMs: now, lagMs });
      expected = now + STALL_PROBE_MS;
      this.stallTimer = setTimeout(tick, STALL_PROBE_MS);
      this.stallTimer.unref();
    };
    this.stallTimer = setTimeout(tick, STALL_PROBE_MS);
    this.stallTimer.unref();
  }
}

export class PushPullRefused extends Error {
  constructor(readonly reason: string) {
    super(`push-pull refused: ${reason}`);
  }
}
