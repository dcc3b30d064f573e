import { AssertionError } from 'node:assert/strict';
import type { SwimConfig } from '../../coordinator/swim/config.js';
import { newBootId } from '../../coordinator/swim/membership.js';
import type { Addr } from '../../coordinator/swim/messages.js';
import { SwimNode } from '../../coordinator/swim/node.js';
import { SimNetwork, type NodeFactory, type SimOptions } from './network.js';

/** Nodes named m<index>, with a fresh boot id at every (re)start. */
export function swimNodes(cfg: SwimConfig): NodeFactory {
  return (addr, rng, nowMs, index) => new SwimNode(cfg, { name: `m${index}`, bootId: newBootId(nowMs, rng), addr, tags: { role: 'master' } }, rng, nowMs);
}

/** SIM_SEED, if set, replaces the seed(s) a simulation would use. */
export function simSeeds(fallback: readonly number[]): number[] {
  const env = process.env.SIM_SEED;
  return env === undefined || env === '' ? [...fallback] : [Number(env)];
}

export function simSeed(fallback: number): number {
  return simSeeds([fallback])[0] as number;
}

/** Runs a simulation body; a failing assertion names the seed that replays it. */
export function withSeed<T>(seed: number, body: () => T): T {
  try {
    return body();
  } catch (err) {
    if (err instanceof AssertionError) err.message = `${err.message}\n    replay: SIM_SEED=${seed}`;
    throw err;
  }
}

/** n members that already know each other (bootstrap), as after a long quiet run. */
export function converged(n: number, cfg: SwimConfig, o: Omit<SimOptions, 'seed'> & { seed: number }): { net: SimNetwork; ids: Addr[] } {
  const net = new SimNetwork({ latencyMs: [1, 5], ...o });
  const ids = net.spawn(n, swimNodes(cfg));
  net.bootstrap(ids);
  return { net, ids };
}

/** n members that join through the first one, the way a real cluster forms. */
export function joined(n: number, cfg: SwimConfig, o: Omit<SimOptions, 'seed'> & { seed: number }): { net: SimNetwork; ids: Addr[] } {
  const net = new SimNetwork({ latencyMs: [1, 5], ...o });
  const ids = net.spawn(n, swimNodes(cfg));
  for (const id of ids.slice(1)) net.join(id, [ids[0] as Addr]);
  return { net, ids };
}

/** Whether every up member sees every up member alive. */
export function oneView(net: SimNetwork, ids: readonly Addr[]): boolean {
  return ids.every((o) => ids.every((s) => net.view(o, s) === 'alive'));
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

/** 2 · log2(n) gossip rounds: the convergence aim for one update. */
export const roundsBound = (n: number): number => 2 * Math.log2(n);
