import { spawnSync } from 'node:child_process';
import { runInNamespace } from '../../coordinator/dev/netns.js';
import type { DevState } from '../../coordinator/dev/state.js';

/**
 * Network partitions between the masters of a `dev up --netns` cluster: iptables DROP rules inside
 * the masters' namespaces (INPUT from and OUTPUT to the other side, on both sides). The host keeps
 * reaching every master over the bridge, so the test still sees each one's view. Every rule is
 * recorded and removed by heal(); the cluster harness heals before it tears the cluster down.
 */
export interface Partition {
  /** Drops every packet between masters a and b, both ways. */
  cut(a: string, b: string): void;
  /** Cuts master m from every other master. */
  isolate(m: string): void;
  /** Removes every rule cut and isolate added. */
  heal(): void;
  /** The rules in place now, as "namespace: iptables args". */
  readonly rules: string[];
}

export function partitions(state: DevState): Partition {
  const added: { ns: string; rule: string[] }[] = [];
  const master = (name: string): { ns: string; address: string } => {
    const m = state.masters.find((x) => x.name === name);
    if (!m?.netns) throw new Error(`master ${name} is not in a network namespace (start the cluster with netns: true)`);
    return { ns: m.netns, address: m.address };
  };
  const drop = (ns: string, rule: string[]): void => {
    if (added.some((r) => r.ns === ns && r.rule.join(' ') === rule.join(' '))) return;
    const r = runInNamespace(ns, 'iptables', ['-I', ...rule]);
    if (!r.ok) throw new Error(`iptables -I ${rule.join(' ')} in ${ns}: ${r.err}`);
    added.push({ ns, rule });
  };
  const cut = (a: string, b: string): void => {
    const [x, y] = [master(a), master(b)];
    for (const [from, to] of [
      [x, y],
      [y, x],
    ] as const) {
      drop(from.ns, ['INPUT', '-s', to.address, '-j', 'DROP']);
      drop(from.ns, ['OUTPUT', '-d', to.address, '-j', 'DROP']);
    }
  };
  return {
    cut,
    isolate(m) {
      for (const other of state.masters) if (other.name !== m) cut(m, other.name);
    },
    heal() {
      const failed: string[] = [];
      while (added.length > 0) {
        const r = added.pop();
        if (!r) break;
        const res = runInNamespace(r.ns, 'iptables', ['-D', ...r.rule]);
        if (!res.ok) failed.push(`${r.ns}: iptables -D ${r.rule.join(' ')}: ${res.err}`);
      }
      if (failed.length > 0) throw new Error(`heal left rules behind: ${failed.join('; ')}`);
    },
    get rules() {
      return added.map((r) => `${r.ns}: ${r.rule.join(' ')}`);
    },
  };
}

/** Why network namespaces cannot be made here (not root, no iproute2), or undefined when they can: tests skip with it. */
export function netnsUnavailable(): string | undefined {
  const name = `belay-probe-${process.pid}`;
  const add = spawnSync('ip', ['netns', 'add', name], { encoding: 'utf8' });
  if (add.status !== 0) return `ip netns add failed: ${(add.error ? String(add.error) : add.stderr).trim()}`;
  spawnSync('ip', ['netns', 'del', name]);
  const ipt = spawnSync('iptables', ['-S', 'FORWARD'], { encoding: 'utf8' });
  if (ipt.status !== 0) return `iptables failed: ${(ipt.error ? String(ipt.error) : ipt.stderr).trim()}`;
  return undefined;
}
