import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { OperatorError } from '../../proto/common/errors.js';
import { NETNS_PREFIX, SUBNETS, inNamespace, netnsPlan, setupCommands, teardownCommands, type DevNetns } from './netns-plan.js';

/** Making and removing the network of `dev up --netns` (netns-plan.ts says what it is). Needs root (CAP_NET_ADMIN). */

function run(c: { file: string; args: string[] }): { ok: boolean; err: string } {
  const r = spawnSync(c.file, c.args, { encoding: 'utf8', timeout: 10_000 });
  return { ok: r.status === 0, err: (r.error ? String(r.error) : r.stderr).trim() };
}

/** Subnets a host interface already has an address in (another network than ours may use 10.77.N). */
function subnetsInUse(): Set<number> {
  const used = new Set<number>();
  for (const addrs of Object.values(os.networkInterfaces()))
    for (const a of addrs ?? []) if (a.family === 'IPv4' && a.address.startsWith(`${NETNS_PREFIX}.`)) used.add(Number(a.address.split('.')[2]));
  return used;
}

/**
 * Makes the bridge, the namespaces and their veths for these masters, on subnet `subnet` or the first
 * free one. Creating the bridge belayN is the claim on 10.77.N: two dev ups at once never get the same.
 */
export function createNetns(names: string[], subnet?: number): DevNetns {
  const used = subnetsInUse();
  const candidates = subnet !== undefined ? [subnet] : Array.from({ length: SUBNETS.last - SUBNETS.first + 1 }, (_, i) => SUBNETS.first + i);
  for (const n of candidates) {
    if (used.has(n)) continue;
    const plan = netnsPlan(n, names);
    const claim = run({ file: 'ip', args: ['link', 'add', plan.bridge, 'type', 'bridge'] });
    if (!claim.ok) {
      if (/exists/i.test(claim.err) && subnet === undefined) continue;
      throw new OperatorError({
        code: 'NETNS_UNAVAILABLE',
        message: `cannot create the bridge ${plan.bridge} for --netns: ${claim.err || 'ip failed'}`,
        hint: /exists/i.test(claim.err) ? 'give another subnet, or leave it out to take the first free one' : '--netns needs root (CAP_NET_ADMIN) and iproute2',
      });
    }
    for (const c of setupCommands(plan)) {
      const r = run(c);
      if (!r.ok) {
        removeNetns(plan);
        throw new OperatorError({
          code: 'NETNS_UNAVAILABLE',
          message: `--netns: \`${c.file} ${c.args.join(' ')}\` failed: ${r.err}`,
          hint: '--netns needs root (CAP_NET_ADMIN), iproute2 and iptables',
        });
      }
    }
    return plan;
  }
  throw new OperatorError({
    code: 'NETNS_UNAVAILABLE',
    message: `no free subnet ${NETNS_PREFIX}.N.0/24 for --netns`,
    hint: 'belayctl dev down the dev clusters you no longer use',
  });
}

/** Removes what createNetns made (after every process in the namespaces is stopped); what is already gone is skipped. Returns what could not be removed. */
export function removeNetns(n: DevNetns): string[] {
  const failed: string[] = [];
  for (const c of teardownCommands(n)) {
    const r = run(c);
    if (!r.ok && !/cannot find|no such|does not exist|bad rule/i.test(r.err)) failed.push(`${c.file} ${c.args.join(' ')}: ${r.err}`);
  }
  return failed;
}

/** Runs `file args` inside namespace `ns` (the partition harness's iptables rules). */
export function runInNamespace(ns: string, file: string, args: string[]): { ok: boolean; err: string } {
  return run(inNamespace(ns, file, args));
}
