import { SWIM_LAN, type SwimConfig } from '../../../coordinator/swim/config.js';
import type { Addr, MemberSnapshot, SwimMessage } from '../../../coordinator/swim/messages.js';
import type { Output } from '../../../coordinator/swim/node-io.js';
import { SwimNode } from '../../../coordinator/swim/node.js';
import { seededRng } from '../../../proto/common/rng.js';

// Shared by the SwimNode tests. Drives one SwimNode ("m0") by hand through step(); its peers m1..mN exist
// only as the packets the test feeds it.

export const BOOT = '1-aaaaaaaa';
export const addrOf = (i: number): Addr => `m${i}:7946`;
export const snapshot = (i: number, o: Partial<MemberSnapshot> = {}): MemberSnapshot => ({
  name: `m${i}`,
  bootId: BOOT,
  addr: addrOf(i),
  incarnation: 0,
  state: 'alive',
  tags: {},
  ...o,
});

export function setup(others = 3, cfg: Partial<SwimConfig> = {}): SwimNode {
  const node = new SwimNode({ ...SWIM_LAN, ...cfg }, { name: 'm0', bootId: BOOT, addr: addrOf(0), tags: { role: 'master' } }, seededRng(1), 0);
  node.bootstrap(
    Array.from({ length: others }, (_, i) => snapshot(i + 1)),
    0,
  );
  return node;
}

export type Kind = SwimMessage['kind'];
export function sent<K extends Kind>(out: Output, kind: K, to?: Addr): Extract<SwimMessage, { kind: K }>[] {
  return out.send.filter((s) => to === undefined || s.to === to).flatMap((s) => s.msgs.filter((m): m is Extract<SwimMessage, { kind: K }> => m.kind === kind));
}

/** Ticks every 10 ms until the node starts a probe; the ping and when. */
export function nextPing(node: SwimNode, from: number): { at: number; to: Addr; seq: number; target: string; out: Output } {
  for (let t = from; t < from + 20_000; t += 10) {
    const out = node.step({ kind: 'tick', nowMs: t });
    const s = out.send.find((x) => x.msgs.some((m) => m.kind === 'ping'));
    const ping = s?.msgs.find((m) => m.kind === 'ping');
    if (s !== undefined && ping?.kind === 'ping') return { at: t, to: s.to, seq: ping.seq, target: ping.target, out };
  }
  throw new Error('no probe within 20 s');
}

export const recv = (node: SwimNode, nowMs: number, from: Addr, ...msgs: SwimMessage[]): Output => node.step({ kind: 'recv', nowMs, from, msgs });

/** Plays the peers: every member but the `silent` ones acks pings; helpers ack or nack indirect pings. */
export function answer(node: SwimNode, out: Output, nowMs: number, silent: readonly Addr[]): void {
  for (const s of out.send) {
    for (const m of s.msgs) {
      if (m.kind === 'ping' && !silent.includes(s.to)) recv(node, nowMs, s.to, { kind: 'ack', seq: m.seq, from: m.target });
      if (m.kind === 'indirect-ping')
        recv(node, nowMs, s.to, silent.includes(m.targetAddr) ? { kind: 'nack', seq: m.seq, from: 'helper' } : { kind: 'ack', seq: m.seq, from: m.target });
    }
  }
}
