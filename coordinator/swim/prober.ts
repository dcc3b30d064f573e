// Failure detection's moving parts (SWIM §3–4 with Lifeguard): our probes of
// others (direct ping, then indirect pings through helpers), the pings we
// answer, and the indirect pings we relay for others. probe.ts holds the
// records and rules; node.ts decides what a failed probe means.
import type { Rng } from '../../proto/common/rng.js';
import type { Awareness } from './awareness.js';
import type { Update } from './broadcast-queue.js';
import type { SwimConfig } from './config.js';
import type { MemberTable } from './member-table.js';
import { isLive, type Member } from './membership.js';
import type { Ack, Addr, IndirectPing, Nack, Ping } from './messages.js';
import type { SwimStats } from './node-io.js';
import type { Outbox } from './outbox.js';
import { NACK_FRACTION, ProbeOrder, handledLate, pickRandom, type Probe, type Relay } from './probe.js';

/** What the prober takes from its node. */
export interface ProberDeps {
  readonly cfg: Pick<SwimConfig, 'probeIntervalMs' | 'probeTimeoutMs' | 'indirectChecks'>;
  readonly rng: Rng;
  readonly self: { readonly name: string; readonly addr: Addr };
  readonly awareness: Awareness;
  readonly members: MemberTable;
  readonly out: Outbox;
  readonly counters: Pick<SwimStats, 'probes' | 'confirmationProbes' | 'indirectProbes' | 'probesFailed' | 'probesInconclusive'>;
  /** The node's seq counter: acks are matched by seq across probes, relays and deliveries. */
  nextSeq(): number;
  /** What we tell a member we suspect or think dead (gossip-forms.ts accusationOf). */
  accusationOf(m: Member): Update;
  /** A probe that no one acked, neither directly nor through a helper. */
  failed(nowMs: number, p: Probe): void;
}

export class Prober {
  private readonly probes = new Map<number, Probe>();
  private readonly relays = new Map<number, Relay>();
  private readonly lastProbeMs = new Map<string, number>();
  private readonly order = new ProbeOrder();

  constructor(
    private readonly d: ProberDeps,
    private nextProbeMs: number,
  ) {}

  /** Our probes are dropped (we leave); relays for others run out on their own. */
  dropProbes(): void {
    this.probes.clear();
  }

  onPing(from: Addr, ping: Ping): void {
    if (ping.target !== this.d.self.name) return;
    const ack: Ack = { kind: 'ack', seq: ping.seq, from: this.d.self.name };
    // Buddy system (Lifeguard §IV-C): tell a pinger we think is suspect or dead, so that it refutes now.
    const pinger = this.d.members.get(ping.from);
    if (pinger !== undefined && (pinger.state === 'suspect' || pinger.state === 'dead')) this.d.out.udp(from, ack, this.d.accusationOf(pinger));
    else this.d.out.udp(from, ack);
  }

  onIndirectPing(nowMs: number, from: Addr, req: IndirectPing): void {
    if (req.target === this.d.self.name) return;
    const seq = this.d.nextSeq();
    this.relays.set(seq, {
      requesterSeq: req.seq,
      requesterAddr: from,
      target: req.target,
      nackAtMs: req.wantNack ? nowMs + NACK_FRACTION * this.d.cfg.probeTimeoutMs : undefined,
      expireMs: nowMs + this.d.cfg.probeIntervalMs,
    });
    this.sendPing(seq, req.target, req.targetAddr);
  }

  /** True if `ack` answered one of our probes or relays; otherwise it may be a delivery's. */
  onAck(ack: Ack): boolean {
    if (this.probes.delete(ack.seq)) {
      this.d.awareness.apply(-1);
      return true;
    }
    const relay = this.relays.get(ack.seq);
    if (relay === undefined) return false;
    this.relays.delete(ack.seq);
    this.d.out.udp(relay.requesterAddr, { kind: 'ack', seq: relay.requesterSeq, from: relay.target });
    return true;
  }

  onNack(nack: Nack): void {
    const probe = this.probes.get(nack.seq);
    if (probe !== undefined) probe.nacks++;
  }

  /**
   * Small clusters: check someone else's suspicion ourselves at once, so that
   * its independent confirmations (or not) come within one probe interval.
   */
  confirm(nowMs: number, member: Member): void {
    const last = this.lastProbeMs.get(member.name);
    if (last !== undefined && nowMs - last < this.d.cfg.probeIntervalMs) return;
    if (this.probing(member.name)) return;
    this.d.counters.confirmationProbes++;
    this.start(nowMs, member, 'confirm');
  }

  /** Deadlines of our probes and of the relays we run for others. */
  runDue(nowMs: number): void {
    this.runProbes(nowMs);
    this.runRelays(nowMs);
  }

  /** The round's probe, if it is time: returns its target (a digest may ride on its ping). */
  runRegular(nowMs: number, leaving: boolean): Member | undefined {
    if (this.nextProbeMs > nowMs) return undefined;
    this.nextProbeMs = nowMs + this.d.awareness.scale(this.d.cfg.probeIntervalMs);
    if (leaving) return undefined;
    const { members } = this.d;
    const name = this.order.next(
      this.d.rng,
      () => [...members.liveNames()],
      (n) => {
        const m = members.get(n);
        return m !== undefined && isLive(m.state) && !this.probing(n);
      },
    );
    const target = name === undefined ? undefined : members.get(name);
    if (target !== undefined) this.start(nowMs, target, 'regular');
    return target;
  }

  nextWakeMs(): number {
    let at = this.nextProbeMs;
    for (const p of this.probes.values()) at = Math.min(at, p.stage === 'direct' ? p.directDeadlineMs : p.endDeadlineMs);
    for (const r of this.relays.values()) at = Math.min(at, r.nackAtMs ?? r.expireMs, r.expireMs);
    return at;
  }

  private probing(name: string): boolean {
    for (const p of this.probes.values()) if (p.target === name) return true;
    return false;
  }

  private start(nowMs: number, target: Member, kind: Probe['kind']): void {
    const { cfg, awareness } = this.d;
    const seq = this.d.nextSeq();
    this.probes.set(seq, {
      seq,
      target: target.name,
      targetBootId: target.bootId,
      targetAddr: target.addr,
      kind,
      startMs: nowMs,
      directDeadlineMs: nowMs + awareness.scale(cfg.probeTimeoutMs),
      endDeadlineMs: nowMs + awareness.scale(cfg.probeIntervalMs),
      stage: 'direct',
      nacks: 0,
    });
    this.lastProbeMs.set(target.name, nowMs);
    this.d.counters.probes++;
    this.sendPing(seq, target.name, target.addr);
  }

  private sendPing(seq: number, target: string, addr: Addr): void {
    const ping: Ping = { kind: 'ping', seq, target, from: this.d.self.name, fromAddr: this.d.self.addr };
    // Buddy system: a member we suspect learns it from the probe itself.
    const m = this.d.members.get(target);
    if (m !== undefined && m.state === 'suspect') this.d.out.udp(addr, ping, this.d.accusationOf(m));
    else this.d.out.udp(addr, ping);
  }

  private runProbes(nowMs: number): void {
    const { cfg, members, counters } = this.d;
    for (const p of [...this.probes.values()]) {
      if (p.stage === 'direct' && p.directDeadlineMs <= nowMs) {
        if (handledLate(p.directDeadlineMs, nowMs, cfg.probeTimeoutMs)) {
          this.inconclusive(p);
          continue;
        }
        p.stage = 'indirect';
        const helpers = pickRandom(
          this.d.rng,
          members.liveNames().filter((n) => n !== p.target && members.get(n)?.state === 'alive'),
          cfg.indirectChecks,
        );
        for (const h of helpers) {
          const req: IndirectPing = {
            kind: 'indirect-ping',
            seq: p.seq,
            target: p.target,
            targetAddr: p.targetAddr,
            from: this.d.self.name,
            fromAddr: this.d.self.addr,
            wantNack: true,
          };
          this.d.out.udp((members.get(h) as Member).addr, req);
        }
        counters.indirectProbes++;
      }
      if (p.stage === 'indirect' && p.endDeadlineMs <= nowMs) {
        this.probes.delete(p.seq);
        if (handledLate(p.endDeadlineMs, nowMs, cfg.probeTimeoutMs)) {
          this.inconclusive(p);
          continue;
        }
        counters.probesFailed++;
        // Lifeguard: no nack from any helper either means our own network or CPU is the likelier culprit.
        if (p.nacks === 0) this.d.awareness.apply(1);
        this.d.failed(nowMs, p);
      }
    }
  }

  private inconclusive(p: Probe): void {
    this.probes.delete(p.seq);
    this.d.counters.probesInconclusive++;
    this.d.awareness.apply(1);
  }

  private runRelays(nowMs: number): void {
    for (const [seq, r] of this.relays) {
      if (r.nackAtMs !== undefined && r.nackAtMs <= nowMs) {
        r.nackAtMs = undefined;
        this.d.out.udp(r.requesterAddr, { kind: 'nack', seq: r.requesterSeq, from: this.d.self.name });
      }
      if (r.expireMs <= nowMs) this.relays.delete(seq);
    }
  }
}
