// SWIM + Lifeguard settings. Reference: HashiCorp memberlist's
// DefaultLANConfig / DefaultWANConfig (docs/measured-behaviour.md, "Gossip"), tuned for
// belay's common case of 3–7 coordinators. `n` below is the number of live
// (alive or suspect) members including ourselves.

export interface SwimConfig {
  /**
   * Between probe rounds (one member pinged per round, round-robin over a
   * shuffled list); a probe without any ack by the end of its round makes the
   * member suspect. Lower finds failures sooner and costs 2 packets per member
   * per round. Scaled by the local health multiplier (awareness + 1).
   */
  readonly probeIntervalMs: number;
  /**
   * Wait for a direct ack before asking `indirectChecks` others to probe; near
   * the p99 round trip. Scaled by (awareness + 1). Indirect helpers answer a
   * nack after 80 % of it.
   */
  readonly probeTimeoutMs: number;
  /** Members asked to probe for us after a missed direct ack (SWIM's k). More: fewer false suspicions, more packets. */
  readonly indirectChecks: number;
  /**
   * Lifeguard's expected independent confirmations of a suspicion:
   * K = clamp(min(suspicionMult − 2, n − 2), 0). With K confirmations the
   * timeout has shrunk from max to min; K = 0 means min at once.
   */
  readonly suspicionMult: number;
  /**
   * Shortest suspect→dead timeout:
   * min = suspicionMinMult × max(suspicionMinFloor, log10 n) × probeIntervalMs.
   * memberlist uses suspicionMult here too (4 s at n ≤ 10 on a LAN); belay
   * decouples it from K so that small clusters keep Lifeguard's shrinking
   * (K = 2) yet reach a short min. Lower: faster detection, less time to refute.
   */
  readonly suspicionMinMult: number;
  /** Floor of the log10 n term in the min timeout: below 10^floor members the min no longer shrinks. */
  readonly suspicionMinFloor: number;
  /**
   * Longest suspect→dead timeout, with no confirmations:
   * max = suspicionMaxTimeoutMult × min. Higher: a member that is merely
   * unlucky (loss, one bad link) has longer to refute when nobody confirms.
   */
  readonly suspicionMaxTimeoutMult: number;
  /** Between gossip rounds (only when updates are queued). Lower spreads faster, costs more packets. */
  readonly gossipIntervalMs: number;
  /** Random live members each gossip round goes to (fan-out). */
  readonly gossipNodes: number;
  /**
   * Each update is sent at most retransmitMult × ceil(log10(n + 1)) times (per
   * packet, piggybacked or gossiped) before the queue drops it; SWIM's λ log n.
   */
  readonly retransmitMult: number;
  /**
   * Full-state sync (push-pull, over mutual-TLS gRPC) with one random alive
   * member: anti-entropy at every size, as memberlist and Serf do it (small
   * clusters also compare digests every smallClusterPushPullMs in between).
   * Above 32 members it is stretched like memberlist's:
   * × (ceil(log2 n − log2 32) + 1), so the cluster-wide rate stays about flat.
   * Lower heals lost updates sooner; each sync carries all n with their tags.
   */
  readonly pushPullIntervalMs: number;
  /**
   * Up to this n the cluster counts as small: membership changes a node
   * originates are also sent to every live member directly (retried until
   * acked), a suspect received from someone else triggers an immediate
   * confirmation probe, and digests are compared every smallClusterPushPullMs.
   * Costs about n packets per change; pointless above a few dozen members.
   */
  readonly smallClusterMax: number;
  /**
   * Digest period at n ≤ smallClusterMax (docs/measured-behaviour.md, "Gossip": waiting 30 s for a
   * lost update is the slow tail). A digest lists every member's boot,
   * incarnation and state, without addresses or tags, and rides on the next
   * regular probe's ping to its target; the receiver sends back what it knows
   * newer and starts a push-pull for what the sender knows newer, so a
   * converged cluster pays one digest per member per period instead of a full
   * sync (~250 bytes of tags per member, over TLS). A digest over `mtu` by
   * estimateSize falls back to the full push-pull. Lower repairs lost updates
   * sooner; costs one ~45 bytes-per-member packet per member per period.
   */
  readonly smallClusterPushPullMs: number;
  /** Direct delivery (small clusters): sends per member, every gossipIntervalMs, before giving up on an unacked member. */
  readonly deliverMaxTries: number;
  /** Join: push-pull to the seeds again after this long until one answer has been merged. */
  readonly joinRetryMs: number;
  /**
   * Push-pull with one random dead (not left) member this often, so that the
   * two sides of a healed partition find each other again. Lower heals sooner;
   * costs one failed connect per period while the member stays down.
   */
  readonly reconnectIntervalMs: number;
  /**
   * Lifeguard local health: awareness counts 0..awarenessMax, and (awareness + 1)
   * multiplies our probe interval, probe timeout and own suspicion timeouts.
   * Higher: a degraded member backs off further (and detects more slowly
   * meanwhile). 0 disables local health; the stall rule (a probe deadline
   * handled more than probeTimeoutMs / 2 late is inconclusive) stays.
   */
  readonly awarenessMax: number;
  /** Budget for one UDP packet, counted with messages.ts estimateSize() (which overestimates). */
  readonly mtu: number;
  /** Largest estimateSize() of our own alive message; set-tags beyond it is refused. Keeps an update piggybackable. */
  readonly maxTagsBytes: number;
}

/**
 * LAN, 3–7 coordinators (belay's common case). Kill of one of 5 → dead on all
 * survivors after: the first survivor's probe of it (~0.7 s median), that
 * probe's interval (1 s), the others' confirmation probes (1 s, which is also
 * the min timeout): ~2.7 s median, versus ~6 s with memberlist's defaults.
 */
export const SWIM_LAN = {
  probeIntervalMs: 1_000,
  probeTimeoutMs: 500,
  indirectChecks: 3,
  suspicionMult: 4,
  // 1 s at n ≤ 10, 2 s at 100, 3 s at 1000. At n ≤ 10 the K = 2 confirmations
  // take one probe interval to arrive anyway (confirmation probes), so a lower
  // min would not detect sooner; a higher one delays every detection by as
  // much (1.5 s: median 3.2 s at 5 members).
  suspicionMinMult: 1,
  suspicionMinFloor: 1,
  // 6 s without confirmations at n ≤ 10.
  suspicionMaxTimeoutMult: 6,
  gossipIntervalMs: 200,
  gossipNodes: 3,
  retransmitMult: 4,
  // memberlist's 30 s doubled: up to smallClusterMax the 5 s digests repair a lost update
  // long before, and one full sync over TLS costs ~5 kB (bench:gossip: 162 B/s per member at
  // 30 s, which put belay above Serf's bytes at rest). Above smallClusterMax, where there are
  // no digests, it is the only anti-entropy: see memberlist's 30 s if you run 17+ masters.
  pushPullIntervalMs: 60_000,
  smallClusterMax: 16,
  smallClusterPushPullMs: 5_000,
  deliverMaxTries: 10,
  joinRetryMs: 1_000,
  reconnectIntervalMs: 10_000,
  awarenessMax: 8,
  mtu: 1_400,
  maxTagsBytes: 512,
} as const satisfies SwimConfig;

export const SWIM_DEFAULTS: SwimConfig = SWIM_LAN;

/** Across regions: memberlist's DefaultWANConfig (min suspicion 30 s at n ≤ 10). */
export const SWIM_WAN = {
  ...SWIM_LAN,
  probeIntervalMs: 5_000,
  probeTimeoutMs: 3_000,
  suspicionMult: 6,
  suspicionMinMult: 6,
  gossipIntervalMs: 500,
  gossipNodes: 4,
  pushPullIntervalMs: 60_000,
  smallClusterPushPullMs: 15_000,
  joinRetryMs: 5_000,
  reconnectIntervalMs: 30_000,
} as const satisfies SwimConfig;
