/**
 * The network of `dev up --netns`, as data: each master in its own network namespace, joined to
 * the host by a veth pair whose host end is on a bridge, with an address of 10.77.N.0/24 (the host's
 * bridge end is 10.77.N.254). Pure: the commands to make and remove it are returned, the shell
 * (netns.ts) runs them and records the plan in dev-state.json, so that dev down removes exactly it.
 */

export interface DevNetnsMaster {
  master: string;
  /** The namespace (`ip netns add`), under /run/netns. */
  name: string;
  /** The host end of the veth pair, on the bridge; the namespace's end is eth0. */
  hostVeth: string;
  address: string;
}

export interface DevNetns {
  /** N of 10.77.N.0/24. */
  subnet: number;
  bridge: string;
  hostAddress: string;
  masters: DevNetnsMaster[];
  /** Host iptables rules dev up added (the arguments after -I/-D), removed by dev down. */
  iptables: string[][];
}

export const NETNS_PREFIX = '10.77';
export const SUBNETS = { first: 1, last: 250 } as const;

/** The plan for subnet N and these masters (at most 253: .254 is the host). */
export function netnsPlan(subnet: number, names: string[]): DevNetns {
  if (!Number.isInteger(subnet) || subnet < SUBNETS.first || subnet > SUBNETS.last)
    throw new Error(`subnet ${subnet}: must be a whole number from ${SUBNETS.first} to ${SUBNETS.last}`);
  const bridge = `belay${subnet}`;
  return {
    subnet,
    bridge,
    hostAddress: `${NETNS_PREFIX}.${subnet}.254`,
    // Interface names have at most 15 characters: bl250m7 is 7.
    masters: names.map((master, i) => ({
      master,
      name: `belay${subnet}-${master}`,
      hostVeth: `bl${subnet}${master}`,
      address: `${NETNS_PREFIX}.${subnet}.${i + 1}`,
    })),
    // Frames between two veths of the bridge cross the host's FORWARD chain when br_netfilter is loaded.
    iptables: [['FORWARD', '-i', bridge, '-o', bridge, '-j', 'ACCEPT']],
  };
}

/** One command: `ip ...` or `iptables ...`, run in order. */
export type NetCommand = { file: 'ip' | 'iptables'; args: string[] };

/** The commands after the bridge exists (its `ip link add` is the claim on subnet N, made first by the shell). */
export function setupCommands(n: DevNetns): NetCommand[] {
  const ip = (...args: string[]): NetCommand => ({ file: 'ip', args });
  const inNs = (ns: string, ...args: string[]): NetCommand => ip('netns', 'exec', ns, 'ip', ...args);
  return [
    ip('addr', 'add', `${n.hostAddress}/24`, 'dev', n.bridge),
    ip('link', 'set', n.bridge, 'up'),
    ...n.masters.flatMap((m) => [
      ip('netns', 'add', m.name),
      ip('link', 'add', m.hostVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', m.name),
      ip('link', 'set', m.hostVeth, 'master', n.bridge),
      ip('link', 'set', m.hostVeth, 'up'),
      inNs(m.name, 'addr', 'add', `${m.address}/24`, 'dev', 'eth0'),
      inNs(m.name, 'link', 'set', 'eth0', 'up'),
      inNs(m.name, 'link', 'set', 'lo', 'up'),
    ]),
    ...n.iptables.map((r): NetCommand => ({ file: 'iptables', args: ['-I', ...r] })),
  ];
}

/** The commands that remove everything setupCommands and the bridge made; each may fail (already gone) and the rest still run. */
export function teardownCommands(n: DevNetns): NetCommand[] {
  return [
    ...n.iptables.map((r): NetCommand => ({ file: 'iptables', args: ['-D', ...r] })),
    // Deleting a namespace's name frees it once no process is left in it; its veth goes with it, the host end too.
    ...n.masters.flatMap((m): NetCommand[] => [
      { file: 'ip', args: ['link', 'del', m.hostVeth] },
      { file: 'ip', args: ['netns', 'del', m.name] },
    ]),
    { file: 'ip', args: ['link', 'del', n.bridge] },
  ];
}

/** The command that runs `file args` inside namespace `ns` (`ip netns exec` execs in place: the pid is the daemon's). */
export function inNamespace(ns: string, file: string, args: string[]): { file: string; args: string[] } {
  return { file: 'ip', args: ['netns', 'exec', ns, file, ...args] };
}
