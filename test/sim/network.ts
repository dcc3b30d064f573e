// A discrete-event network for the SWIM core (docs/architecture.md, "Pure cores
// and thin shells"): every node is a SwimNode fed through step(); packets, timers and
// slow event loops are events in one queue ordered by (time, insertion), so a
// run is a function of its seed. UDP packets suffer random loss, latency,
// partitions and dead receivers; push-pull models TCP: no random loss, but a
// partition or a dead receiver makes it fail back to the sender (send-failed).
import type { MemberView } from '../../coordinator/swim/membership.js';
import { estimateSize, isReliable, type Addr, type MemberSnapshot, type MemberState, type SwimMessage } from '../../coordinator/swim/messages.js';
import type { Input, MemberEvent, Output } from '../../coordinator/swim/node-io.js';
import type { SwimNode } from '../../coordinator/swim/node.js';
import { seededRng, type Rng } from '../../proto/common/rng.js';
import { EventHeap } from './heap.js';

export interface SimOptions {
  readonly seed: number;
  /** Probability that one UDP packet is lost. */
  readonly lossRate?: number;
  /** One-way latency, uniform in [lo, hi] ms per packet (so packets reorder). */
  readonly latencyMs?: readonly [number, number];
  /** A push-pull to an unreachable member fails back after this long (a TCP connect timeout). */
  readonly connectTimeoutMs?: number;
  /** How often a slow node's shell reports its event-loop lag as local-stall. */
  readonly stallReportMs?: number;
}

/** What the network needs of a node: SwimNode, or a stand-in in the network's own tests. */
export interface SimNode {
  readonly name: string;
  step(input: Input): Output;
  member(name: string): MemberView | undefined;
  members(): MemberView[];
  bootstrap(members: readonly MemberSnapshot[], nowMs: number): void;
}

/** Builds the node for `addr`; called again on restart (with a new rng and time). */
export type NodeFactory<N extends SimNode = SwimNode> = (addr: Addr, rng: Rng, nowMs: number, index: number) => N;

export interface LoggedEvent {
  readonly atMs: number;
  readonly observer: Addr;
  readonly event: MemberEvent;
}

export interface Counters {
  packets: number;
  msgs: number;
  bytes: number;
}

/** An Input without its time: the network stamps it. */
export type InputWithoutTime = Input extends infer I ? (I extends Input ? Omit<I, 'nowMs'> : never) : never;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

type SimEvent =
  | { atMs: number; seq: number; kind: 'packet'; to: Addr; from: Addr; msgs: SwimMessage[]; reliable: boolean }
  | { atMs: number; seq: number; kind: 'send-failed'; to: Addr; target: Addr; msg: SwimMessage; epoch: number }
  | { atMs: number; seq: number; kind: 'timer'; to: Addr; epoch: number }
  | { atMs: number; seq: number; kind: 'turn'; to: Addr; epoch: number };

interface Host<N extends SimNode> {
  readonly addr: Addr;
  readonly index: number;
  readonly make: NodeFactory<N>;
  node: N;
  up: boolean;
  /** Bumped on kill and restart: timers and turns of an earlier life are void. */
  epoch: number;
  /** When the node asked to be woken next. */
  wantAtMs: number;
  /** The earliest timer event in the queue for this life; later-armed ones are stale. */
  armedAtMs: number | undefined;
  /** Slow CPU: the event loop gets a turn every slowMs (0: inputs handled at once). */
  slowMs: number;
  timerDue: boolean;
  inbox: InputWithoutTime[];
  lastStallReportMs: number;
  /** Extra loss on UDP packets to this node (a bad NIC or a full receive buffer). */
  inboundLoss: number;
  counters: Counters;
}

export class SimNetwork<N extends SimNode = SwimNode> {
  readonly seed: number;
  readonly events: LoggedEvent[] = [];
  private readonly rng: Rng;
  private readonly lossRate: number;
  private readonly latency: readonly [number, number];
  private readonly connectTimeoutMs: number;
  private readonly stallReportMs: number;
  private readonly hosts = new Map<Addr, Host<N>>();
  private readonly queue = new EventHeap<SimEvent>();
  private seq = 0;
  private now = 0;
  private partitions: [ReadonlySet<Addr>, ReadonlySet<Addr>][] = [];

  constructor(o: SimOptions) {
    this.seed = o.seed;
    this.rng = seededRng(o.seed);
    this.lossRate = o.lossRate ?? 0;
    this.latency = o.latencyMs ?? [1, 5];
    this.connectTimeoutMs = o.connectTimeoutMs ?? 1_000;
    this.stallReportMs = o.stallReportMs ?? 1_000;
  }

  get nowMs(): number {
    return this.now;
  }

  /** Starts n nodes at addresses `n<i>:7946`; they know nobody until bootstrap() or join(). */
  spawn(n: number, make: NodeFactory<N>): Addr[] {
    const ids: Addr[] = [];
    for (let i = 0; i < n; i++) {
      const index = this.hosts.size;
      const addr = `n${index}:7946`;
      const node = make(addr, seededRng(this.rng.int(2 ** 31)), this.now, index);
      const host: Host<N> = {
        addr,
        index,
        make,
        node,
        up: true,
        epoch: 0,
        wantAtMs: 0,
        armedAtMs: undefined,
        slowMs: 0,
        timerDue: false,
        inbox: [],
        lastStallReportMs: -Infinity,
        inboundLoss: 0,
        counters: { packets: 0, msgs: 0, bytes: 0 },
      };
      this.hosts.set(addr, host);
      ids.push(addr);
      this.handle(host, node.step({ kind: 'tick', nowMs: this.now }));
    }
    return ids;
  }

  /** Every up node learns every other silently: a converged cluster to start from. */
  bootstrap(ids: readonly Addr[] = this.live()): void {
    const snapshots = ids.map((id) => this.host(id).node.members()[0]).filter((m) => m !== undefined);
    for (const id of ids) this.host(id).node.bootstrap(snapshots, this.now);
  }

  addrs(): Addr[] {
    return [...this.hosts.keys()];
  }

  live(): Addr[] {
    return [...this.hosts.values()].filter((h) => h.up).map((h) => h.addr);
  }

  node(id: Addr): N {
    return this.host(id).node;
  }

  nameOf(id: Addr): string {
    return this.host(id).node.name;
  }

  isUp(id: Addr): boolean {
    return this.host(id).up;
  }

  /** Feeds an input (join, leave, set-tags, local-stall…) to a node now. */
  input(id: Addr, input: InputWithoutTime): void {
    const h = this.host(id);
    if (h.up) this.feed(h, input);
  }

  join(id: Addr, seeds: readonly Addr[]): void {
    this.input(id, { kind: 'join', seeds: [...seeds] });
  }

  /** The process stops: no more processing; packets to it are lost, push-pulls to it fail. */
  kill(id: Addr): void {
    const h = this.host(id);
    h.up = false;
    h.epoch++;
    h.armedAtMs = undefined;
    h.inbox = [];
    h.timerDue = false;
  }

  /** A new process (new boot id) at the same address; joins via `seeds` (default: every other live node). */
  restart(id: Addr, seeds?: readonly Addr[]): void {
    const h = this.host(id);
    h.epoch++;
    h.armedAtMs = undefined;
    h.up = true;
    h.inbox = [];
    h.timerDue = false;
    h.node = h.make(h.addr, seededRng(this.rng.int(2 ** 31)), this.now, h.index);
    this.handle(h, h.node.step({ kind: 'tick', nowMs: this.now }));
    if (h.slowMs > 0) this.schedule({ kind: 'turn', to: h.addr, epoch: h.epoch }, this.now + h.slowMs);
    this.join(id, seeds ?? this.live().filter((a) => a !== id));
  }

  /** Packets between a and b are lost (both ways) until heal(). */
  partition(a: readonly Addr[], b: readonly Addr[]): void {
    this.partitions.push([new Set(a), new Set(b)]);
  }

  heal(): void {
    this.partitions = [];
  }

  /**
   * Slow CPU: the node's event loop gets a turn only every `delayMs` (a CPU
   * hog runs in between), so each input waits up to delayMs; in a turn the
   * expired timer runs before queued packets, as in Node's event loop
   * (timers phase, then poll). Its shell reports the lag as local-stall once
   * per stallReportMs. 0 makes it fast again.
   */
  setSlow(id: Addr, delayMs: number): void {
    const h = this.host(id);
    const wasSlow = h.slowMs > 0;
    h.slowMs = delayMs;
    if (delayMs > 0 && !wasSlow) this.schedule({ kind: 'turn', to: h.addr, epoch: h.epoch }, this.now + delayMs);
    if (delayMs === 0 && wasSlow) this.runTurn(h);
  }

  /** UDP packets to `id` are lost with this probability, on top of lossRate: a member with a bad network. */
  setInboundLoss(id: Addr, rate: number): void {
    this.host(id).inboundLoss = rate;
  }

  /** How `observer` sees `subject` right now. */
  view(observer: Addr, subject: Addr): MemberState | undefined {
    return this.host(observer).node.member(this.nameOf(subject))?.state;
  }

  counters(id: Addr): Readonly<Counters> {
    return this.host(id).counters;
  }

  resetCounters(): void {
    for (const h of this.hosts.values()) h.counters = { packets: 0, msgs: 0, bytes: 0 };
  }

  runFor(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const ev = this.queue.peek();
      if (ev === undefined || ev.atMs > end) break;
      this.queue.pop();
      this.now = ev.atMs;
      this.dispatch(ev);
    }
    this.now = end;
  }

  /** Runs until `done()` holds (checked every checkEveryMs); the time it took, or undefined after timeoutMs. */
  runUntil(done: () => boolean, o: { timeoutMs: number; checkEveryMs?: number }): number | undefined {
    const start = this.now;
    const every = o.checkEveryMs ?? 10;
    while (!done()) {
      if (this.now - start >= o.timeoutMs) return undefined;
      this.runFor(every);
    }
    return this.now - start;
  }

  // Internals.

  private host(id: Addr): Host<N> {
    const h = this.hosts.get(id);
    if (h === undefined) throw new Error(`sim: no node at ${id}`);
    return h;
  }

  private schedule(ev: DistributiveOmit<SimEvent, 'atMs' | 'seq'>, atMs: number): void {
    const e = ev as SimEvent;
    e.atMs = atMs;
    e.seq = this.seq++;
    this.queue.push(e);
  }

  private dispatch(ev: SimEvent): void {
    const h = this.hosts.get(ev.to);
    if (h === undefined) return;
    switch (ev.kind) {
      case 'packet':
        if (!h.up || this.cut(ev.from, ev.to)) {
          if (ev.reliable) for (const msg of ev.msgs) this.failBack(ev.from, ev.to, msg, this.now + this.delay());
          return;
        }
        if (h.slowMs > 0) h.inbox.push({ kind: 'recv', from: ev.from, msgs: ev.msgs });
        else this.handle(h, h.node.step({ kind: 'recv', nowMs: this.now, from: ev.from, msgs: ev.msgs }));
        return;
      case 'send-failed':
        if (h.up && h.epoch === ev.epoch) this.feed(h, { kind: 'send-failed', to: ev.target, msg: ev.msg });
        return;
      case 'timer':
        if (!h.up || h.epoch !== ev.epoch || h.armedAtMs !== ev.atMs) return;
        h.armedAtMs = undefined;
        if (this.now < h.wantAtMs) {
          // Armed for an earlier wish: wait on for the current one.
          this.arm(h, h.wantAtMs);
          return;
        }
        if (h.slowMs > 0) h.timerDue = true;
        else this.handle(h, h.node.step({ kind: 'tick', nowMs: this.now }));
        return;
      case 'turn':
        if (!h.up || h.epoch !== ev.epoch || h.slowMs === 0) return;
        this.runTurn(h);
        this.schedule({ kind: 'turn', to: h.addr, epoch: h.epoch }, this.now + h.slowMs);
        return;
    }
  }

  private feed(h: Host<N>, input: InputWithoutTime): void {
    if (h.slowMs > 0) h.inbox.push(input);
    else this.handle(h, h.node.step({ ...input, nowMs: this.now }));
  }

  private runTurn(h: Host<N>): void {
    if (h.timerDue) {
      h.timerDue = false;
      this.handle(h, h.node.step({ kind: 'tick', nowMs: this.now }));
    }
    const inbox = h.inbox;
    h.inbox = [];
    for (const input of inbox) if (h.up) this.handle(h, h.node.step({ ...input, nowMs: this.now }));
    if (h.slowMs > 0 && this.now - h.lastStallReportMs >= this.stallReportMs) {
      h.lastStallReportMs = this.now;
      this.handle(h, h.node.step({ kind: 'local-stall', nowMs: this.now, lagMs: h.slowMs }));
    }
  }

  private handle(h: Host<N>, out: Output): void {
    for (const event of out.events) this.events.push({ atMs: this.now, observer: h.addr, event });
    for (const s of out.send) this.transmit(h, s.to, s.msgs);
    h.wantAtMs = Math.max(out.wakeAtMs, this.now + 1);
    if (h.armedAtMs === undefined || h.wantAtMs < h.armedAtMs) this.arm(h, h.wantAtMs);
  }

  private arm(h: Host<N>, atMs: number): void {
    h.armedAtMs = atMs;
    this.schedule({ kind: 'timer', to: h.addr, epoch: h.epoch }, atMs);
  }

  private transmit(h: Host<N>, to: Addr, msgs: SwimMessage[]): void {
    const reliable = msgs.some(isReliable);
    h.counters.packets++;
    h.counters.msgs += msgs.length;
    for (const m of msgs) h.counters.bytes += estimateSize(m);
    const target = this.hosts.get(to);
    if (reliable) {
      if (target === undefined || !target.up || this.cut(h.addr, to)) {
        for (const msg of msgs) this.failBack(h.addr, to, msg, this.now + this.connectTimeoutMs);
        return;
      }
    } else {
      if (this.lossRate > 0 && this.rng.next() < this.lossRate) return;
      if (target !== undefined && target.inboundLoss > 0 && this.rng.next() < target.inboundLoss) return;
    }
    this.schedule({ kind: 'packet', to, from: h.addr, msgs, reliable }, this.now + this.delay());
  }

  private failBack(sender: Addr, target: Addr, msg: SwimMessage, atMs: number): void {
    const h = this.hosts.get(sender);
    if (h !== undefined) this.schedule({ kind: 'send-failed', to: sender, target, msg, epoch: h.epoch }, atMs);
  }

  private delay(): number {
    const [lo, hi] = this.latency;
    return lo + this.rng.next() * (hi - lo);
  }

  private cut(a: Addr, b: Addr): boolean {
    for (const [x, y] of this.partitions) if ((x.has(a) && y.has(b)) || (y.has(a) && x.has(b))) return true;
    return false;
  }
}
