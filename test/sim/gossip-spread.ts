import type { SwimConfig } from '../../coordinator/swim/config.js';
import type { Addr } from '../../coordinator/swim/messages.js';
import { converged } from './swim-cluster.js';

export interface Spread {
  readonly n: number;
  /** From set-tags on one member until every member has the new tags. */
  readonly ms: number;
  /** The same in gossip intervals. */
  readonly rounds: number;
  /** Over `windowMs` from the update, per member per probe interval: UDP packets, messages in them, bytes (estimateSize), push-pulls included. */
  readonly packetsPerPeriod: number;
  readonly msgsPerPeriod: number;
  readonly bytesPerPeriod: number;
}

/**
 * One update (a tags change) in a converged, quiet cluster of n: how many
 * gossip rounds until all n have it, and what every member sends meanwhile.
 */
export function measureSpread(n: number, cfg: SwimConfig, seed: number, windowMs = 10 * cfg.probeIntervalMs): Spread {
  const { net, ids } = converged(n, cfg, { seed });
  net.runFor(3 * cfg.probeIntervalMs);
  net.resetCounters();
  const src = ids[0] as Addr;
  const name = net.nameOf(src);
  net.input(src, { kind: 'set-tags', tags: { role: 'master', rev: '2' } });
  const incarnation = net.node(src).incarnation;
  const ms = net.runUntil(() => ids.every((id) => (net.node(id).member(name)?.incarnation ?? -1) >= incarnation), { timeoutMs: windowMs, checkEveryMs: 10 });
  if (ms === undefined) throw new Error(`${n} members: the update did not reach everyone within ${windowMs} ms (seed ${seed})`);
  net.runFor(windowMs - ms);
  let packets = 0;
  let msgs = 0;
  let bytes = 0;
  for (const id of ids) {
    const c = net.counters(id);
    packets += c.packets;
    msgs += c.msgs;
    bytes += c.bytes;
  }
  const perMemberPeriod = n * (windowMs / cfg.probeIntervalMs);
  return {
    n,
    ms,
    rounds: ms / cfg.gossipIntervalMs,
    packetsPerPeriod: packets / perMemberPeriod,
    msgsPerPeriod: msgs / perMemberPeriod,
    bytesPerPeriod: bytes / perMemberPeriod,
  };
}
