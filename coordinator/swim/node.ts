// One SWIM + Lifeguard member as a pure state machine (docs/architecture.md, "Pure
// cores and thin shells"): time arrives as nowMs, randomness from the injected Rng,
// and every effect is returned as packets to send, events to report and the
// next time to be woken. transport/driver.ts owns sockets and the timer.
//
// References: Das, Gupta, Motivala, "SWIM" (DSN 2002); Dadgar, Phillips,
// Currey, "Lifeguard" (2018); HashiCorp memberlist. belay additions for small
// clusters (docs/measured-behaviour.md, "Gossip"): changes sent directly to every member with
// retries, confirmation probes, frequent digest anti-entropy.
import { OperatorError } from '../../proto/common/errors.js';
import type { Rng } from '../../proto/common/rng.js';
import { Awareness } from './awareness.js';
import { BroadcastQueue, retransmitLimit, type Update } from './broadcast-queue.js';
import type { SwimConfig } from './config.js';
import { DirectDelivery } from './direct-delivery.js';
import { accusationOf, aliveOf, isAccusation, updateOf } from './gossip-forms.js';
import { MemberTable } from './member-table.js';
import {
  bootOrder,
  claimOfMessage,
  claimOfSnapshot,
  isLive,
  mergeClaim,
  sameTags,
  transitionOf,
  viewOf,
  type Claim,
  type Member,
  type MemberView,
} from './membership.js';
import { estimateSize, type Addr, type Alive, type Digest, type MemberSnapshot, type PushPull, type SwimMessage, type Tags } from './messages.js';
import { zeroCounters, type Input, type Output, type SwimSelf, type SwimStats } from './node-io.js';
import { Outbox } from './outbox.js';
import { Prober } from './prober.js';
import { pickRandom, type Probe } from './probe.js';
import { suspicionBounds } from './suspicion.js';
import { SuspicionTimers } from './suspicion-timers.js';
import { Syncer } from './sync.js';

export class SwimNode {
  private self: Member;
  private readonly known = new MemberTable();
  private readonly queue = new BroadcastQueue();
  private readonly awareness: Awareness;
  private readonly suspicions = new SuspicionTimers();
  private readonly prober: Prober;
  private readonly sync: Syncer;
  private readonly direct: DirectDelivery;
  private readonly conflictsSeen = new Set<string>();
  private readonly out = new Outbox();
  private seq = 0;
  private lastNowMs: number;
  private nextGossipMs: number;
  private leaving = false;
  private readonly counters = zeroCounters();

  constructor(
    private readonly cfg: SwimConfig,
    self: SwimSelf,
    private readonly rng: Rng,
    nowMs: number,
  ) {
    this.self = { ...self, incarnation: 0, state: 'alive', tagsIncarnation: 0, stateSinceMs: nowMs };
    this.awareness = new Awareness(cfg.awarenessMax);
    this.direct = new DirectDelivery(cfg, self.name, () => this.nextSeq());
    this.lastNowMs = nowMs;
    // Random phases, so that members started together do not probe and sync in lockstep.
    const firstProbeMs = nowMs + rng.int(cfg.probeIntervalMs);
    this.nextGossipMs = nowMs + rng.int(cfg.gossipIntervalMs);
    this.sync = new Syncer(
      {
        cfg,
        rng,
        members: this.known,
        out: this.out,
        counters: this.counters,
        self: () => this.self,
        leaving: () => this.leaving,
        liveCount: () => this.liveCount(),
        firstFrom: (name) => this.suspicions.firstFrom(name),
      },
      nowMs,
    );
    this.prober = new Prober(
      {
        cfg,
        rng,
        self: { name: self.name, addr: self.addr },
        awareness: this.awareness,
        members: this.known,
        out: this.out,
        counters: this.counters,
        nextSeq: () => this.nextSeq(),
        accusationOf: (m) => this.accusationOf(m),
        failed: (now, p) => this.suspectAfterProbe(now, p),
      },
      firstProbeMs,
    );
    this.queue.enqueue(aliveOf(this.self));
  }

  get name(): string {
    return this.self.name;
  }

  get bootId(): string {
    return this.self.bootId;
  }

  get incarnation(): number {
    return this.self.incarnation;
  }

  /** Lifeguard's local health score: 0 healthy .. awarenessMax. */
  localHealth(): number {
    return this.awareness.score;
  }

  stats(): Readonly<SwimStats> {
    return { ...this.counters, deliveriesGivenUp: this.direct.givenUp };
  }

  /** Ourselves first, then everyone we know of, dead and left included. */
  members(): MemberView[] {
    return [viewOf(this.self), ...[...this.known.values()].map(viewOf)];
  }

  member(name: string): MemberView | undefined {
    const m = name === this.self.name ? this.self : this.known.get(name);
    return m === undefined ? undefined : viewOf(m);
  }

  /** Live members including ourselves: the n of the formulas. */
  liveCount(): number {
    return this.known.liveCount + (this.leaving ? 0 : 1);
  }

  /** Direct deliveries not yet acked: after `leave`, the shell may stop once this is 0. */
  pendingDeliveries(): number {
    return this.direct.size;
  }

  /**
   * Installs members without gossiping or reporting them: for simulations and
   * benchmarks that start from a converged cluster. Not for production use:
   * a real member learns through join and push-pull.
   */
  bootstrap(members: readonly MemberSnapshot[], nowMs: number): void {
    for (const s of members) {
      if (s.name === this.self.name) continue;
      this.known.set({
        name: s.name,
        bootId: s.bootId,
        addr: s.addr,
        incarnation: s.incarnation,
        state: s.state,
        tags: s.tags,
        tagsIncarnation: s.state === 'alive' ? s.incarnation : -1,
        stateSinceMs: nowMs,
      });
      if (s.state === 'suspect') this.startSuspicion(nowMs, s.name, 'bootstrap');
    }
    this.sync.bootstrap(nowMs);
  }

  step(input: Input): Output {
    const now = Math.max(input.nowMs, this.lastNowMs);
    this.lastNowMs = now;
    this.out.reset();
    switch (input.kind) {
      case 'tick':
        break;
      case 'recv':
        this.receive(now, input.from, input.msgs);
        break;
      case 'join':
        this.join(now, input.seeds);
        break;
      case 'leave':
        this.leave(now);
        break;
      case 'set-tags':
        this.setTags(input.tags);
        break;
      case 'local-stall':
        if (input.lagMs > this.cfg.probeTimeoutMs / 2) this.awareness.apply(1);
        break;
      case 'send-failed':
        // A push-pull that could not connect: the next period (or join retry) tries again.
        break;
    }
    this.runDue(now);
    return this.finishStep(now);
  }

  // Inputs.

  private receive(now: number, from: Addr, msgs: readonly SwimMessage[]): void {
    let deliverSeq: number | undefined;
    for (const msg of msgs) {
      switch (msg.kind) {
        case 'deliver':
          deliverSeq = msg.seq;
          break;
        case 'ping':
          this.prober.onPing(from, msg);
          break;
        case 'indirect-ping':
          this.prober.onIndirectPing(now, from, msg);
          break;
        case 'ack':
          if (!this.prober.onAck(msg)) this.direct.ack(msg.seq);
          break;
        case 'nack':
          this.prober.onNack(msg);
          break;
        case 'alive':
        case 'suspect':
        case 'dead':
          this.applyClaim(now, claimOfMessage(msg), false, from);
          break;
        case 'push-pull':
          this.onPushPull(now, from, msg);
          break;
        case 'digest':
          this.onDigest(now, from, msg);
          break;
      }
    }
    // Acked after the rest of the packet has been applied.
    if (deliverSeq !== undefined) this.out.udp(from, { kind: 'ack', seq: deliverSeq, from: this.self.name });
  }

  private join(now: number, seeds: readonly Addr[]): void {
    if (this.leaving) {
      // Rejoining after a leave: a higher incarnation overrides our own `left`.
      this.leaving = false;
      this.self = { ...this.self, state: 'alive', incarnation: this.self.incarnation + 1, tagsIncarnation: this.self.incarnation + 1, stateSinceMs: now };
      this.originate(aliveOf(this.self));
    }
    const others = seeds.filter((a) => a !== this.self.addr);
    if (others.length === 0) return; // the first member
    this.sync.join(now, others);
  }

  private leave(now: number): void {
    if (this.leaving) return;
    this.leaving = true;
    this.self = { ...this.self, state: 'left', stateSinceMs: now };
    this.sync.joined();
    this.prober.dropProbes();
    this.suspicions.clear();
    // A dead message from the member itself is a graceful leave.
    this.originate({ kind: 'dead', name: this.self.name, bootId: this.self.bootId, incarnation: this.self.incarnation, from: this.self.name });
  }

  private setTags(tags: Tags): void {
    const alive: Alive = { ...aliveOf(this.self), incarnation: this.self.incarnation + 1, tags };
    const size = estimateSize(alive);
    if (size > this.cfg.maxTagsBytes) {
      throw new OperatorError({
        code: 'SWIM_TAGS_TOO_LARGE',
        message: `not setting gossip tags: our alive message would take ${size} bytes, at most ${this.cfg.maxTagsBytes} (maxTagsBytes)`,
        hint: 'use fewer or shorter tags: each tags change is gossiped in every packet budget',
      });
    }
    if (this.leaving) return;
    this.self = { ...this.self, incarnation: alive.incarnation, tags, tagsIncarnation: alive.incarnation };
    this.originate(alive);
  }

  private onPushPull(now: number, from: Addr, pp: PushPull): void {
    for (const s of pp.members) this.applyClaim(now, claimOfSnapshot(s, pp.from), false);
    // Answered after merging, so that the reply carries any refutation the merge caused.
    if (!pp.reply) this.sync.reply(from, pp.join);
    if (pp.reply && this.sync.joining) {
      this.sync.joined();
      // Now that we know the members, make sure each hears of us directly (small clusters).
      this.originate(aliveOf(this.self));
    }
  }

  /** Small clusters' anti-entropy (anti-entropy.ts compareDigest): answer, or pull when the sender knows more. */
  private onDigest(now: number, from: Addr, d: Digest): void {
    if (d.from === this.self.name) return;
    const c = this.sync.compare(d);
    // A newer claim about ourselves is merged as gossip would be (we refute it), before a pull carries our record.
    if (c.selfClaim !== undefined) this.applyClaim(now, c.selfClaim, false, from);
    this.sync.answer(now, from, d, c);
  }

  // Merging.

  /** `replyTo`: where the claim came from in a packet, to correct it if it is stale. */
  private applyClaim(now: number, claim: Claim, originated: boolean, replyTo?: Addr): void {
    if (claim.name === this.self.name) {
      this.claimAboutSelf(claim, replyTo);
      return;
    }
    const current = this.known.get(claim.name);
    const out = mergeClaim(current, claim, now);
    if (out.kind === 'conflict') {
      this.reportConflict(now, out.current, claim);
      return;
    }
    if (out.kind === 'ignored') {
      if (
        replyTo !== undefined &&
        current?.state === 'alive' &&
        isAccusation(claim) &&
        (out.reason === 'older-boot' || current.incarnation > claim.incarnation)
      ) {
        // The sender accuses a member that has refuted since (or restarted): pass the refutation back.
        // Without this, a node that hears a suspicion after the refutation stopped circulating declares a live member dead.
        this.out.udp(replyTo, updateOf(current, undefined, this.self.name));
      }
      // Another suspecter of what we already suspect: a Lifeguard confirmation.
      if (
        current?.state === 'suspect' &&
        claim.state === 'suspect' &&
        claim.bootId === current.bootId &&
        claim.incarnation === current.incarnation &&
        claim.from !== undefined
      ) {
        this.confirm(now, current, claim.from, originated);
      }
      return;
    }
    const { before, member } = out;
    this.known.set(member);
    const kind = transitionOf(before, member, out.newBoot, out.infoChanged);
    if (kind !== undefined) {
      this.out.event({
        kind,
        atMs: now,
        member: viewOf(member),
        ...(claim.from !== undefined && (kind === 'suspected' || kind === 'died') ? { from: claim.from } : {}),
        ...(kind === 'restarted' && before !== undefined ? { otherBootId: before.bootId } : {}),
      });
    }
    const stillSuspected = member.state === 'suspect' && before?.state === 'suspect' && !out.newBoot && this.suspicions.has(member.name);
    if (member.state !== 'suspect') this.suspicions.delete(member.name);
    else if (!stillSuspected) this.startSuspicion(now, member.name, claim.from ?? this.self.name);
    if (!isLive(member.state)) this.direct.drop(member.name);
    if (out.advanced) {
      const update = updateOf(member, claim.from, this.self.name);
      this.queue.enqueue(update);
      if (originated) this.deliverToAll(update);
    }
    if (member.state === 'suspect' && claim.from !== undefined) {
      if (stillSuspected) this.confirm(now, member, claim.from, originated);
      else if (claim.from !== this.self.name) this.confirmationProbe(now, member);
    }
  }

  private claimAboutSelf(claim: Claim, replyTo: Addr | undefined): void {
    if (this.leaving) return;
    const boot = bootOrder(claim.bootId, this.self.bootId);
    const stale = boot < 0 || (boot === 0 && claim.incarnation < this.self.incarnation);
    if (stale && replyTo !== undefined && isAccusation(claim)) this.out.udp(replyTo, aliveOf(this.self));
    if (boot < 0) return; // our previous boot: the others replace it as they hear from us
    if (boot > 0) {
      this.reportConflict(this.lastNowMs, this.self, claim);
      return;
    }
    if (claim.state === 'alive') {
      const differs = claim.addr !== undefined && claim.tags !== undefined && (claim.addr !== this.self.addr || !sameTags(claim.tags, this.self.tags));
      if (claim.incarnation > this.self.incarnation || (claim.incarnation === this.self.incarnation && differs)) this.refute(claim.incarnation);
      return;
    }
    if (claim.incarnation < this.self.incarnation) return; // refuted already
    // Lifeguard: having to refute is a sign that we are the slow one.
    this.awareness.apply(1);
    this.refute(claim.incarnation);
  }

  private refute(seenIncarnation: number): void {
    const incarnation = Math.max(this.self.incarnation, seenIncarnation) + 1;
    this.self = { ...this.self, incarnation, tagsIncarnation: incarnation };
    this.counters.refutations++;
    this.originate(aliveOf(this.self));
  }

  private reportConflict(now: number, current: Member, claim: Claim): void {
    const key = `${claim.name}\u0000${claim.bootId}`;
    if (this.conflictsSeen.has(key)) return;
    this.conflictsSeen.add(key);
    this.out.event({
      kind: 'conflict',
      atMs: now,
      member: viewOf(current),
      otherBootId: claim.bootId,
      ...(claim.addr === undefined ? {} : { otherAddr: claim.addr }),
    });
  }

  private startSuspicion(now: number, name: string, from: string): void {
    this.suspicions.start(now, name, suspicionBounds(this.cfg, this.liveCount()), from);
  }

  private confirm(now: number, member: Member, from: string, originated: boolean): void {
    if (!this.suspicions.confirm(member.name, from)) return;
    // Spread the confirmation too: others' timeouts shrink with it (memberlist re-broadcasts as well).
    const update: Update = { kind: 'suspect', name: member.name, bootId: member.bootId, incarnation: member.incarnation, from };
    this.queue.enqueue(update);
    if (originated) this.deliverToAll(update);
    if (from !== this.self.name) this.confirmationProbe(now, member);
  }

  /** Small clusters check someone else's suspicion themselves at once (Prober.confirm). */
  private confirmationProbe(now: number, member: Member): void {
    if (this.leaving || this.liveCount() > this.cfg.smallClusterMax) return;
    this.prober.confirm(now, member);
  }

  private suspectAfterProbe(now: number, p: Probe): void {
    const m = this.known.get(p.target);
    if (m === undefined || m.bootId !== p.targetBootId || !isLive(m.state) || this.leaving) return;
    this.counters.suspicionsRaised++;
    this.applyClaim(now, { name: m.name, bootId: m.bootId, incarnation: m.incarnation, state: 'suspect', from: this.self.name }, true);
  }

  private runSuspicions(now: number): void {
    if (this.leaving) return;
    for (const due of this.suspicions.due(now, this.awareness.score + 1, this.cfg.probeTimeoutMs)) {
      const m = this.known.get(due.name);
      if (m === undefined || m.state !== 'suspect') continue;
      if (due.kind === 'regossip') {
        // If the member refuted and we missed it, whoever hears this stale suspicion answers with the refutation (applyClaim).
        this.queue.enqueue({ kind: 'suspect', name: due.name, bootId: m.bootId, incarnation: m.incarnation, from: due.firstFrom });
      } else {
        this.counters.declaredDead++;
        this.applyClaim(now, { name: due.name, bootId: m.bootId, incarnation: m.incarnation, state: 'dead', from: this.self.name }, true);
      }
    }
  }

  // Dissemination.

  /** A change we made: gossip it, and in small clusters send it to every live member until acked. */
  private originate(update: Update): void {
    this.queue.enqueue(update);
    this.deliverToAll(update);
  }

  private deliverToAll(update: Update): void {
    if (this.liveCount() <= this.cfg.smallClusterMax) this.direct.add(this.known.liveNames(), update);
  }

  private runGossip(now: number): void {
    if (this.nextGossipMs > now) return;
    const missed = Math.floor((now - this.nextGossipMs) / this.cfg.gossipIntervalMs);
    this.nextGossipMs += (missed + 1) * this.cfg.gossipIntervalMs;
    if (this.queue.length === 0) return;
    // Empty packets: the step's end fills them from the queue.
    for (const name of pickRandom(this.rng, this.known.liveNames(), this.cfg.gossipNodes)) this.out.gossip((this.known.get(name) as Member).addr);
  }

  // The step's end.

  private runDue(now: number): void {
    this.prober.runDue(now);
    this.runSuspicions(now);
    const target = this.prober.runRegular(now, this.leaving);
    if (target !== undefined) this.sync.probed(target.addr);
    this.runGossip(now);
    this.sync.runDue(now);
  }

  private finishStep(now: number): Output {
    this.out.send(...this.direct.packets(now, (name) => this.known.liveAddr(name)));
    const { send, events } = this.out.finish(this.queue, this.cfg.mtu, retransmitLimit(this.cfg.retransmitMult, this.liveCount()));
    return { send, events, wakeAtMs: this.nextWakeMs(now) };
  }

  private nextWakeMs(now: number): number {
    let at = Math.min(this.prober.nextWakeMs(), this.nextGossipMs, this.sync.nextWakeMs(), this.direct.nextWakeMs());
    if (!this.leaving) at = Math.min(at, this.suspicions.nextWakeMs(this.awareness.score + 1));
    return Math.max(at, now);
  }

  private nextSeq(): number {
    this.seq = (this.seq + 1) >>> 0; // uint32 on the wire
    return this.seq;
  }

  private accusationOf(m: Member): Update {
    return accusationOf(m, this.suspicions.firstFrom(m.name), this.self.name);
  }
}
