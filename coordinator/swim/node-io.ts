// What a SwimNode takes (Input) and returns (Output, MemberEvent), and what it
// counts (SwimStats, from zeroCounters): the whole contract between the pure core (node.ts) and
// its shell (transport/driver.ts).
import type { MemberView, TransitionKind } from './membership.js';
import type { Addr, SwimMessage, Tags } from './messages.js';

export type Input =
  | { kind: 'tick'; nowMs: number }
  /** One (compound) packet from `from`. */
  | { kind: 'recv'; nowMs: number; from: Addr; msgs: SwimMessage[] }
  | { kind: 'join'; nowMs: number; seeds: Addr[] }
  | { kind: 'leave'; nowMs: number }
  | { kind: 'set-tags'; nowMs: number; tags: Tags }
  /** Event-loop lag measured by the shell. */
  | { kind: 'local-stall'; nowMs: number; lagMs: number }
  /** The shell could not send `msg` (a push-pull could not connect). */
  | { kind: 'send-failed'; nowMs: number; to: Addr; msg: SwimMessage };

export interface Send {
  readonly to: Addr;
  /** One packet's worth (by estimateSize) except push-pull, which the shell sends reliably. */
  readonly msgs: SwimMessage[];
}

export interface Output {
  /** Several entries may go to one address: each is packed on its own (a deliver must lead its packet). */
  send: Send[];
  events: MemberEvent[];
  /** The shell arms one timer for this; a tick before it is harmless. */
  wakeAtMs: number;
}

export type MemberEventKind = TransitionKind | 'conflict';

export interface MemberEvent {
  /**
   * joined | updated (tags or address) | suspected | refuted (suspect → alive) |
   * died | left | recovered (dead → alive) | restarted (a newer boot replaced
   * the one we knew) | conflict (a newer boot of a name at another address
   * while the one we know is alive, or a newer boot of our own name: refused)
   */
  readonly kind: MemberEventKind;
  readonly atMs: number;
  readonly member: MemberView;
  /** suspected, died: who said so. */
  readonly from?: string;
  /** restarted: the boot replaced; conflict: the boot refused. */
  readonly otherBootId?: string;
  /** conflict: the address the refused boot claims. */
  readonly otherAddr?: Addr;
}

export interface SwimSelf {
  readonly name: string;
  readonly bootId: string;
  readonly addr: Addr;
  readonly tags: Tags;
}

/** Counters for metrics and tests. */
export interface SwimStats {
  probes: number;
  confirmationProbes: number;
  indirectProbes: number;
  probesFailed: number;
  /** Deadline handled late: our stall, not the target's. */
  probesInconclusive: number;
  suspicionsRaised: number;
  refutations: number;
  declaredDead: number;
  /** Small clusters: members that never acked a direct delivery. */
  deliveriesGivenUp: number;
  /** Push-pulls we started: periodic, reconnects, digest fallbacks and pulls after a digest. */
  pushPulls: number;
  /** Small clusters: digests sent. */
  digests: number;
  /** Push-pulls started because a digest showed something newer than our view. */
  digestPulls: number;
}

/** SwimStats at start; deliveriesGivenUp is DirectDelivery's own count. */
export function zeroCounters(): Omit<SwimStats, 'deliveriesGivenUp'> {
  return {
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
}
