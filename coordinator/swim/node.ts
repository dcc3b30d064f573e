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
import {
  bootOrder,
  claimOfMessage,
  claimOfSnapshot,
  isLive,
  mergeClaim,
  overrides,
  sameTags,
  snapshotOf,
  transitionOf,
  viewOf,
  type Claim,
  type Member,
  type MemberView,
} from './membership.js';
import {
  estimateSize,
  type Ack,
  type Addr,
  type Alive,
  type Digest,
  type DigestEntry,
  type IndirectPing,
  type MemberSnapshot,
  type Nack,
  type Ping,
  type PushPull,
  type SwimMessage,
  type Tags,
} from './messages.js';
import { NACK_FRACTION, ProbeOrder, handledLate, pickRandom, type Probe, type Relay } from './probe.js';
import { Suspicion, suspicionBounds } from './suspicion.js';
import type { Input, MemberEvent, Output, Send, SwimSelf, SwimStats } from './node-io.js';

interface SuspicionState {
  readonly suspicion: Suspicion;
  /** A deadline that came while we were stalled is given one probe timeout more, to read what queued up. */
  deferredToMs: number | undefined;
  /** Gossiped again halfway through, so that a refutation we missed comes back as a correction. */
  regossiped: boolean;
}

export class SwimNode {
  private self: Member;
  private readonly known = new Map<string, Member>();
  private liveOthers = 0;
  private liveNamesCache: string[] | undefined;
  private readonly queue = new BroadcastQueue();
  private readonly awareness: Awareness;
  private readonly suspicions = new Map<string, SuspicionState>();
  private readonly probes = new Map<number, Probe>();
  private readonly relays = new Map<number, Relay>();
  private readonly direct: DirectDelivery;
  private readonly lastProbeMs = new Map<string, number>();
  private readonly conflictsSeen = new Set<string>();
  private readonly order = new ProbeOrder();
  private seq = 0;
  private lastNowMs: number;
  private nextProbeMs: number;
  private nextGossipMs: number;
  private nextPushPullMs: number;
  private nextDigestMs: number;
  /** A digest is due: it rides on the next regular probe's ping, saving a datagram's headers and seal. */
  private digestDue = false;
  /** Per digest sender, when we last pulled from it: at most one pull per sender per smallClusterPushPullMs. */
  private readonly lastDigestPullMs = new Map<string, number>();
  private nextReconnectMs: number;
  private joinSeeds: Addr[] | undefined;
  private nextJoinMs = 0;
  private leaving = false;
  private readonly counters: Omit<SwimStats, 'deliveriesGivenUp'> = {
    probes: 0,
    confirmationProbes: 0,
    indirectProbes: 0,
    probesFailed: 0,
    probesInconclusive: 0,
    suspicionsRaised: 0,
    refutations: 0,
    declaredDead: 0,
    pushPulls: 0,
    digests: 0,
    digestPulls: 0,
  };
  // Per step.
  private readonly packets = new Map<Addr, SwimMessage[]>();
  private extra: Send[] = [];
  private events: MemberEvent[] = [];

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
    this.nextProbeMs = nowMs + rng.int(cfg.probeIntervalMs);
    this.nextGossipMs = nowMs + rng.int(cfg.gossipIntervalMs);
    // A first full sync early (a joiner's seed answer may be partial), then every pushPullPeriodMs.
    this.nextPushPullMs = nowMs + cfg.smallClusterPushPullMs / 2 + rng.int(cfg.smallClusterPushPullMs);
    this.nextDigestMs = nowMs + cfg.smallClusterPushPullMs / 2 + rng.int(cfg.smallClusterPushPullMs);
    this.nextReconnectMs = nowMs + cfg.reconnectIntervalMs / 2 + rng.int(cfg.reconnectIntervalMs);
    this.queue.enqueue(this.aliveOfSelf());
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
    return this.liveOthers + (this.leaving ? 0 : 1);
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
      this.setMember({
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
    // As in a cluster that has run for a while: syncs spread over the period for this size.
    this.nextPushPullMs = nowMs + this.rng.int(this.pushPullPeriodMs());
    this.nextDigestMs = nowMs + this.rng.int(this.cfg.smallClusterPushPullMs);
  }

  step(input: Input): Output {
    const now = Math.max(input.nowMs, this.lastNowMs);
    this.lastNowMs = now;
    this.packets.clear();
    this.extra = [];
    this.events = [];
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
          this.onPing(from, msg);
          break;
        case 'indirect-ping':
          this.onIndirectPing(now, from, msg);
          break;
        case 'ack':
          this.onAck(msg);
          break;
        case 'nack':
          this.onNack(msg);
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
    if (deliverSeq !== undefined) this.sendUdp(from, { kind: 'ack', seq: deliverSeq, from: this.self.name });
  }

  private join(now: number, seeds: readonly Addr[]): void {
    if (this.leaving) {
      // Rejoining after a leave: a higher incarnation overrides our own `left`.
      this.leaving = false;
      this.self = { ...this.self, state: 'alive', incarnation: this.self.incarnation + 1, tagsIncarnation: this.self.incarnation + 1, stateSinceMs: now };
      this.originate(this.aliveOfSelf());
    }
    const others = seeds.filter((a) => a !== this.self.addr);
    if (others.length === 0) return; // the first member
    this.joinSeeds = others;
    this.nextJoinMs = now;
  }

  private leave(now: number): void {
    if (this.leaving) return;
    this.leaving = true;
    this.self = { ...this.self, state: 'left', stateSinceMs: now };
    this.joinSeeds = undefined;
    this.probes.clear();
    this.suspicions.clear();
    // A dead message from the member itself is a graceful leave.
    this.originate({ kind: 'dead', name: this.self.name, bootId: this.self.bootId, incarnation: this.self.incarnation, from: this.self.name });
  }

  private setTags(tags: Tags): void {
    const alive: Alive = { ...this.aliveOfSelf(), incarnation: this.self.incarnation + 1, tags };
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

  private onPing(from: Addr, ping: Ping): void {
    if (ping.target !== this.self.name) return;
    const ack: Ack = { kind: 'ack', seq: ping.seq, from: this.self.name };
    // Buddy system (Lifeguard §IV-C): tell a pinger we think is suspect or dead, so that it refutes now.
    const pinger = this.known.get(ping.from);
    if (pinger !== undefined && (pinger.state === 'suspect' || pinger.state === 'dead')) this.sendUdp(from, ack, this.accusationOf(pinger));
    else this.sendUdp(from, ack);
  }

  private onIndirectPing(now: number, from: Addr, req: IndirectPing): void {
    if (req.target === this.self.name) return;
    const seq = this.nextSeq();
    this.relays.set(seq, {
      requesterSeq: req.seq,
      requesterAddr: from,
      target: req.target,
      nackAtMs: req.wantNack ? now + NACK_FRACTION * this.cfg.probeTimeoutMs : undefined,
      expireMs: now + this.cfg.probeIntervalMs,
    });
    this.sendPing(seq, req.target, req.targetAddr);
  }

  private onAck(ack: Ack): void {
    const probe = this.probes.get(ack.seq);
    if (probe !== undefined) {
      this.probes.delete(ack.seq);
      this.awareness.apply(-1);
      return;
    }
    const relay = this.relays.get(ack.seq);
    if (relay !== undefined) {
      this.relays.delete(ack.seq);
      this.sendUdp(relay.requesterAddr, { kind: 'ack', seq: relay.requesterSeq, from: relay.target });
      return;
    }
    this.direct.ack(ack.seq);
  }

  private onNack(nack: Nack): void {
    const probe = this.probes.get(nack.seq);
    if (probe !== undefined) probe.nacks++;
  }

  private onPushPull(now: number, from: Addr, pp: PushPull): void {
    for (const s of pp.members) this.applyClaim(now, claimOfSnapshot(s, pp.from), false);
    // Answered after merging, so that the reply carries any refutation the merge caused.
    if (!pp.reply) this.extra.push({ to: from, msgs: [this.pushPullOf(pp.join, true)] });
    if (pp.reply && this.joinSeeds !== undefined) {
      this.joinSeeds = undefined;
      // Now that we know the members, make sure each hears of us directly (small clusters).
      this.originate(this.aliveOfSelf());
    }
  }

  /**
   * Small clusters' anti-entropy (see Digest in messages.ts). Each member of
   * either view is compared by version: boot (bootOrder), then within a boot
   * by overrides() (incarnation, then alive < suspect < dead < left).
   * - We know it newer: our view goes back over UDP (alive, or the suspect or
   *   dead/leave message). A newer boot that is not alive needs its address,
   *   which only a push-pull carries: we start one.
   * - The sender lacks a member we think live: its alive (then our suspicion).
   * - The sender knows it newer, or knows an alive member we lack: a push-pull
   *   with the sender, at most one per sender per smallClusterPushPullMs; it
   *   carries everything, so no separate updates then.
   * - Equal, or a dead or left member one side never knew (no message could
   *   teach it: mergeClaim learns unknown members only from alive claims):
   *   nothing, so a converged cluster pays one packet per member per period.
   * A newer claim about ourselves is merged as gossip would be: we refute it.
   */
  private onDigest(now: number, from: Addr, d: Digest): void {
    if (d.from === this.self.name) return;
    const theirs = new Map<string, DigestEntry>();
    for (const e of d.members) theirs.set(e.name, e);
    const updates: SwimMessage[] = [];
    let sync = false;
    const mine = theirs.get(this.self.name);
    if (mine === undefined) {
      if (!this.leaving) updates.push(this.aliveOfSelf());
    } else {
      const order = compareVersions(this.self, mine);
      if (order > 0) updates.push(this.updateOf(this.self, undefined));
      else if (order < 0)
        this.applyClaim(now, { name: mine.name, bootId: mine.bootId, incarnation: mine.incarnation, state: mine.state, from: d.from }, false, from);
    }
    for (const m of this.known.values()) {
      const e = theirs.get(m.name);
      if (e === undefined) {
        if (isLive(m.state)) updates.push(this.updateOf({ ...m, state: 'alive' }, undefined), ...(m.state === 'suspect' ? [this.accusationOf(m)] : []));
        continue;
      }
      const order = compareVersions(m, e);
      if (order < 0) sync = true;
      else if (order > 0 && m.state !== 'alive' && m.bootId !== e.bootId) sync = true;
      else if (order > 0) updates.push(m.state === 'suspect' ? this.accusationOf(m) : this.updateOf(m, undefined));
    }
    for (const e of d.members) if (e.state === 'alive' && e.name !== this.self.name && !this.known.has(e.name)) sync = true;
    const last = this.lastDigestPullMs.get(d.from);
    if (sync && !this.leaving && (last === undefined || now - last >= this.cfg.smallClusterPushPullMs)) {
      this.lastDigestPullMs.set(d.from, now);
      this.counters.digestPulls++;
      this.startPushPull(d.fromAddr);
      return;
    }
    if (updates.length > 0) this.sendUdp(from, ...updates);
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
        this.sendUdp(replyTo, this.updateOf(current, undefined));
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
    this.setMember(member);
    const kind = transitionOf(before, member, out.newBoot, out.infoChanged);
    if (kind !== undefined) {
      this.events.push({
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
      const update = this.updateOf(member, claim.from);
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
    if (stale && replyTo !== undefined && isAccusation(claim)) this.sendUdp(replyTo, this.aliveOfSelf());
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
    this.originate(this.aliveOfSelf());
  }

  private reportConflict(now: number, current: Member, claim: Claim): void {
    const key = `${claim.name}\u0000${claim.bootId}`;
    if (this.conflictsSeen.has(key)) return;
    this.conflictsSeen.add(key);
    this.events.push({
      kind: 'conflict',
      atMs: now,
      member: viewOf(current),
      otherBootId: claim.bootId,
      ...(claim.addr === undefined ? {} : { otherAddr: claim.addr }),
    });
  }

  private startSuspicion(now: number, name: string, from: string): void {
    this.suspicions.set(name, { suspicion: new Suspicion(now, suspicionBounds(this.cfg, this.liveCount()), from), deferredToMs: undefined, regossiped: false });
  }

  private confirm(now: number, member: Member, from: string, originated: boolean): void {
    const s = this.suspicions.get(member.name);
    if (s === undefined || !s.suspicion.confirm(from)) return;
    // Spread the confirmation too: others' timeouts shrink with it (memberlist re-broadcasts as well).
    const update: Update = { kind: 'suspect', name: member.name, bootId: member.bootId, incarnation: member.incarnation, from };
    this.queue.enqueue(update);
    if (originated) this.deliverToAll(update);
    if (from !== this.self.name) this.confirmationProbe(now, member);
  }

  /**
   * Small clusters: check someone else's suspicion ourselves at once, so that
   * its independent confirmations (or not) come within one probe interval.
   */
  private confirmationProbe(now: number, member: Member): void {
    if (this.leaving || this.liveCount() > this.cfg.smallClusterMax) return;
    const last = this.lastProbeMs.get(member.name);
    if (last !== undefined && now - last < this.cfg.probeIntervalMs) return;
    for (const p of this.probes.values()) if (p.target === member.name) return;
    this.counters.confirmationProbes++;
    this.startProbe(now, member, 'confirm');
  }

  // Probing.

  private startProbe(now: number, target: Member, kind: Probe['kind']): void {
    const seq = this.nextSeq();
    this.probes.set(seq, {
      seq,
      target: target.name,
      targetBootId: target.bootId,
      targetAddr: target.addr,
      kind,
      startMs: now,
      directDeadlineMs: now + this.awareness.scale(this.cfg.probeTimeoutMs),
      endDeadlineMs: now + this.awareness.scale(this.cfg.probeIntervalMs),
      stage: 'direct',
      nacks: 0,
    });
    this.lastProbeMs.set(target.name, now);
    this.counters.probes++;
    this.sendPing(seq, target.name, target.addr);
  }

  private sendPing(seq: number, target: string, addr: Addr): void {
    const ping: Ping = { kind: 'ping', seq, target, from: this.self.name, fromAddr: this.self.addr };
    // Buddy system: a member we suspect learns it from the probe itself.
    const m = this.known.get(target);
    if (m !== undefined && m.state === 'suspect') this.sendUdp(addr, ping, this.accusationOf(m));
    else this.sendUdp(addr, ping);
  }

  private runProbes(now: number): void {
    for (const p of [...this.probes.values()]) {
      if (p.stage === 'direct' && p.directDeadlineMs <= now) {
        if (handledLate(p.directDeadlineMs, now, this.cfg.probeTimeoutMs)) {
          this.inconclusive(p);
          continue;
        }
        p.stage = 'indirect';
        const helpers = pickRandom(
          this.rng,
          this.liveNames().filter((n) => n !== p.target && this.known.get(n)?.state === 'alive'),
          this.cfg.indirectChecks,
        );
        for (const h of helpers) {
          const helper = this.known.get(h) as Member;
          const req: IndirectPing = {
            kind: 'indirect-ping',
            seq: p.seq,
            target: p.target,
            targetAddr: p.targetAddr,
            from: this.self.name,
            fromAddr: this.self.addr,
            wantNack: true,
          };
          this.sendUdp(helper.addr, req);
        }
        this.counters.indirectProbes++;
      }
      if (p.stage === 'indirect' && p.endDeadlineMs <= now) {
        this.probes.delete(p.seq);
        if (handledLate(p.endDeadlineMs, now, this.cfg.probeTimeoutMs)) {
          this.inconclusive(p);
          continue;
        }
        this.counters.probesFailed++;
        // Lifeguard: no nack from any helper either means our own network or CPU is the likelier culprit.
        if (p.nacks === 0) this.awareness.apply(1);
        this.suspectAfterProbe(now, p);
      }
    }
  }

  private inconclusive(p: Probe): void {
    this.probes.delete(p.seq);
    this.counters.probesInconclusive++;
    this.awareness.apply(1);
  }

  private suspectAfterProbe(now: number, p: Probe): void {
    const m = this.known.get(p.target);
    if (m === undefined || m.bootId !== p.targetBootId || !isLive(m.state) || this.leaving) return;
    this.counters.suspicionsRaised++;
    this.applyClaim(now, { name: m.name, bootId: m.bootId, incarnation: m.incarnation, state: 'suspect', from: this.self.name }, true);
  }

  private runRegularProbe(now: number): void {
    if (this.nextProbeMs > now) return;
    this.nextProbeMs = now + this.awareness.scale(this.cfg.probeIntervalMs);
    if (this.leaving) return;
    const name = this.order.next(
      this.rng,
      () => [...this.liveNames()],
      (n) => {
        const m = this.known.get(n);
        if (m === undefined || !isLive(m.state)) return false;
        for (const p of this.probes.values()) if (p.target === n) return false;
        return true;
      },
    );
    const target = name === undefined ? undefined : this.known.get(name);
    if (target === undefined) return;
    this.startProbe(now, target, 'regular');
    if (this.digestDue) {
      this.digestDue = false;
      this.sendDigest(target.addr);
    }
  }

  private runRelays(now: number): void {
    for (const [seq, r] of this.relays) {
      if (r.nackAtMs !== undefined && r.nackAtMs <= now) {
        r.nackAtMs = undefined;
        this.sendUdp(r.requesterAddr, { kind: 'nack', seq: r.requesterSeq, from: this.self.name });
      }
      if (r.expireMs <= now) this.relays.delete(seq);
    }
  }

  private runSuspicions(now: number): void {
    if (this.leaving) return;
    const scale = this.awareness.score + 1;
    for (const [name, s] of [...this.suspicions]) {
      const deadline = Math.max(s.suspicion.deadlineMs(scale), s.deferredToMs ?? 0);
      if (!s.regossiped && halfwayMs(s, deadline) <= now) {
        // Still suspect halfway: if the member refuted and we missed it, whoever hears this
        // stale suspicion answers with the refutation (applyClaim). Costs one more round per suspicion.
        s.regossiped = true;
        const m = this.known.get(name);
        if (m !== undefined && m.state === 'suspect')
          this.queue.enqueue({ kind: 'suspect', name, bootId: m.bootId, incarnation: m.incarnation, from: s.suspicion.firstFrom });
      }
      if (deadline > now) continue;
      if (s.deferredToMs === undefined && handledLate(deadline, now, this.cfg.probeTimeoutMs)) {
        // We were stalled: the refutation may be queued right behind this timer.
        s.deferredToMs = now + this.cfg.probeTimeoutMs;
        continue;
      }
      this.suspicions.delete(name);
      const m = this.known.get(name);
      if (m === undefined || m.state !== 'suspect') continue;
      this.counters.declaredDead++;
      this.applyClaim(now, { name, bootId: m.bootId, incarnation: m.incarnation, state: 'dead', from: this.self.name }, true);
    }
  }

  // Dissemination.

  /** A change we made: gossip it, and in small clusters send it to every live member until acked. */
  private originate(update: Update): void {
    this.queue.enqueue(update);
    this.deliverToAll(update);
  }

  private deliverToAll(update: Update): void {
    if (this.liveCount() <= this.cfg.smallClusterMax) this.direct.add(this.liveNames(), update);
  }

  private liveAddr(name: string): Addr | undefined {
    const m = this.known.get(name);
    return m !== undefined && isLive(m.state) ? m.addr : undefined;
  }

  private runGossip(now: number): void {
    if (this.nextGossipMs > now) return;
    const missed = Math.floor((now - this.nextGossipMs) / this.cfg.gossipIntervalMs);
    this.nextGossipMs += (missed + 1) * this.cfg.gossipIntervalMs;
    if (this.queue.length === 0) return;
    for (const name of pickRandom(this.rng, this.liveNames(), this.cfg.gossipNodes)) {
      const m = this.known.get(name) as Member;
      // An empty packet: finishStep fills it from the queue.
      if (!this.packets.has(m.addr)) this.packets.set(m.addr, []);
    }
  }

  // Anti-entropy and joining.

  private runPushPull(now: number): void {
    if (this.joinSeeds !== undefined && this.nextJoinMs <= now) {
      this.nextJoinMs = now + this.cfg.joinRetryMs;
      for (const seed of this.joinSeeds) this.extra.push({ to: seed, msgs: [this.pushPullOf(true, false)] });
    }
    if (this.nextPushPullMs <= now) {
      this.nextPushPullMs = now + this.pushPullPeriodMs();
      const target = this.randomAlive();
      if (target !== undefined && !this.leaving) this.startPushPull(target.addr);
    }
    if (this.nextDigestMs <= now) {
      this.nextDigestMs = now + this.cfg.smallClusterPushPullMs;
      // Sent with the next regular probe (within one probe interval), to its target: a shuffled round-robin.
      this.digestDue = this.liveCount() <= this.cfg.smallClusterMax && !this.leaving;
    }
    if (this.nextReconnectMs <= now) {
      this.nextReconnectMs = now + this.cfg.reconnectIntervalMs;
      // A dead member may be alive behind a healed partition; left ones asked not to be bothered.
      const dead = [...this.known.values()].filter((m) => m.state === 'dead');
      const m = dead[this.rng.int(dead.length)];
      if (m !== undefined && !this.leaving) this.startPushPull(m.addr);
    }
  }

  private sendDigest(to: Addr): void {
    const digest = this.digestOf();
    // One UDP packet or nothing: a view too large for it is synced in full instead.
    if (estimateSize(digest) <= this.cfg.mtu) {
      this.counters.digests++;
      this.sendUdp(to, digest);
    } else {
      this.startPushPull(to);
    }
  }

  private randomAlive(): Member | undefined {
    const alive = this.liveNames().filter((n) => this.known.get(n)?.state === 'alive');
    const name = alive[this.rng.int(alive.length)];
    return name === undefined ? undefined : this.known.get(name);
  }

  private startPushPull(to: Addr): void {
    this.counters.pushPulls++;
    this.extra.push({ to, msgs: [this.pushPullOf(false, false)] });
  }

  /**
   * Full-state sync period. Small clusters sync in full as often as memberlist
   * does (pushPullIntervalMs) and compare digests every smallClusterPushPullMs
   * in between; above 32 members memberlist's pushPullScale stretches it so
   * that the cluster-wide sync rate stays about flat.
   */
  private pushPullPeriodMs(): number {
    const n = this.liveCount();
    if (n <= 32) return this.cfg.pushPullIntervalMs;
    return this.cfg.pushPullIntervalMs * (Math.ceil(Math.log2(n) - Math.log2(32)) + 1);
  }

  /** Every member we know, ourselves and dead and left ones included, as versions only. */
  private digestOf(): Digest {
    const members: DigestEntry[] = [entryOf(this.self)];
    for (const m of this.known.values()) members.push(entryOf(m));
    return { kind: 'digest', from: this.self.name, fromAddr: this.self.addr, members };
  }

  private pushPullOf(join: boolean, reply: boolean): PushPull {
    const members = [snapshotOf(this.self)];
    for (const m of this.known.values()) members.push(snapshotOf(m));
    return { kind: 'push-pull', from: this.self.name, join, reply, members };
  }

  // The step's end.

  private runDue(now: number): void {
    this.runProbes(now);
    this.runRelays(now);
    this.runSuspicions(now);
    this.runRegularProbe(now);
    this.runGossip(now);
    this.runPushPull(now);
  }

  private finishStep(now: number): Output {
    this.extra.push(...this.direct.packets(now, (name) => this.liveAddr(name)));
    const send: Send[] = [];
    const limit = retransmitLimit(this.cfg.retransmitMult, this.liveCount());
    for (const [to, msgs] of this.packets) {
      let used = 0;
      for (const m of msgs) used += estimateSize(m);
      let fill = this.queue.take(this.cfg.mtu - used, limit);
      // A buddy-system accusation already in the packet need not ride twice.
      if (fill.length > 0 && msgs.some(isAccusationMsg)) fill = fill.filter((u) => !msgs.some((m) => isAccusationMsg(m) && sameUpdate(m, u)));
      const all = fill.length === 0 ? msgs : msgs.concat(fill);
      if (all.length > 0) send.push({ to, msgs: all });
    }
    send.push(...this.extra);
    return { send, events: this.events, wakeAtMs: this.nextWakeMs(now) };
  }

  private nextWakeMs(now: number): number {
    let at = Math.min(this.nextProbeMs, this.nextGossipMs, this.nextPushPullMs, this.nextDigestMs, this.nextReconnectMs);
    if (this.joinSeeds !== undefined) at = Math.min(at, this.nextJoinMs);
    for (const p of this.probes.values()) at = Math.min(at, p.stage === 'direct' ? p.directDeadlineMs : p.endDeadlineMs);
    for (const r of this.relays.values()) at = Math.min(at, r.nackAtMs ?? r.expireMs, r.expireMs);
    at = Math.min(at, this.direct.nextWakeMs());
    if (!this.leaving) {
      const scale = this.awareness.score + 1;
      for (const s of this.suspicions.values()) {
        const deadline = Math.max(s.suspicion.deadlineMs(scale), s.deferredToMs ?? 0);
        at = Math.min(at, s.regossiped ? deadline : halfwayMs(s, deadline));
      }
    }
    return Math.max(at, now);
  }

  // Helpers.

  private sendUdp(to: Addr, ...msgs: SwimMessage[]): void {
    const packet = this.packets.get(to);
    if (packet === undefined) this.packets.set(to, msgs);
    else packet.push(...msgs);
  }

  private nextSeq(): number {
    this.seq = (this.seq + 1) >>> 0; // uint32 on the wire
    return this.seq;
  }

  private setMember(m: Member): void {
    const old = this.known.get(m.name);
    const wasLive = old !== undefined && isLive(old.state);
    const live = isLive(m.state);
    if (wasLive !== live) {
      this.liveOthers += live ? 1 : -1;
      this.liveNamesCache = undefined;
    }
    this.known.set(m.name, m);
  }

  /** Names of live members other than ourselves (cached until liveness changes). */
  private liveNames(): readonly string[] {
    if (this.liveNamesCache === undefined) {
      this.liveNamesCache = [];
      for (const m of this.known.values()) if (isLive(m.state)) this.liveNamesCache.push(m.name);
    }
    return this.liveNamesCache;
  }

  private aliveOfSelf(): Alive {
    const s = this.self;
    return { kind: 'alive', name: s.name, bootId: s.bootId, addr: s.addr, incarnation: s.incarnation, tags: s.tags };
  }

  /** What we believe about a suspect or dead member, to tell it so that it refutes. */
  private accusationOf(m: Member): Update {
    const from = this.suspicions.get(m.name)?.suspicion.firstFrom ?? this.self.name;
    return m.state === 'suspect'
      ? { kind: 'suspect', name: m.name, bootId: m.bootId, incarnation: m.incarnation, from }
      : { kind: 'dead', name: m.name, bootId: m.bootId, incarnation: m.incarnation, from: this.self.name };
  }

  /** The gossip form of our current view of `m`. */
  private updateOf(m: Member, from: string | undefined): Update {
    switch (m.state) {
      case 'alive':
        return { kind: 'alive', name: m.name, bootId: m.bootId, addr: m.addr, incarnation: m.incarnation, tags: m.tags };
      case 'suspect':
        return { kind: 'suspect', name: m.name, bootId: m.bootId, incarnation: m.incarnation, from: from ?? this.self.name };
      case 'dead':
        return { kind: 'dead', name: m.name, bootId: m.bootId, incarnation: m.incarnation, from: from ?? this.self.name };
      case 'left':
        return { kind: 'dead', name: m.name, bootId: m.bootId, incarnation: m.incarnation, from: m.name };
    }
  }
}

function entryOf(m: Member): DigestEntry {
  return { name: m.name, bootId: m.bootId, incarnation: m.incarnation, state: m.state };
}

/** Positive: `a` is the newer version of the member (a newer boot, or the same boot and overrides()); 0: the same. */
function compareVersions(a: DigestEntry | Member, b: DigestEntry | Member): number {
  const boot = bootOrder(a.bootId, b.bootId);
  if (boot !== 0) return boot;
  if (overrides(a, b)) return 1;
  return overrides(b, a) ? -1 : 0;
}

function isAccusation(claim: Claim): boolean {
  return claim.state === 'suspect' || claim.state === 'dead';
}

function isAccusationMsg(m: SwimMessage): m is Update {
  return m.kind === 'suspect' || m.kind === 'dead';
}

function sameUpdate(a: Update, b: Update): boolean {
  return a.kind === b.kind && a.name === b.name && a.bootId === b.bootId && a.incarnation === b.incarnation;
}

function halfwayMs(s: SuspicionState, deadlineMs: number): number {
  return s.suspicion.startMs + (deadlineMs - s.suspicion.startMs) / 2;
}
