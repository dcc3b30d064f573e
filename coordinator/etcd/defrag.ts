import { OperatorError } from '../../proto/common/errors.js';
import { hexId, shortError, type EndpointStatus, type EtcdCluster, type EtcdMemberInfo } from './client.js';
import { answersDespiteAlarms, disarmDecision, type DataFs } from './nospace.js';

/**
 * `belayctl etcd defrag`: one member at a time, followers first and the etcd
 * leader last (defragmenting blocks a member's reads and writes; the leader
 * last means one leader change at most, and only if it is slow), each step
 * only while every voting member is healthy, and each member checked
 * healthy again before the next. A member that answers with only alarms
 * in its status errors counts as healthy here: defragmenting is how a
 * NOSPACE alarm is answered. Then the NOSPACE alarms are disarmed when
 * disarmDecision (nospace.ts) allows.
 */

type Progress = (step: string, message: string, planned?: boolean) => void;

const mib = (b: number): string => `${(b / 1024 ** 2).toFixed(1)} MiB`;

export function defragOrder(members: EtcdMemberInfo[], statuses: Map<string, EndpointStatus>): EtcdMemberInfo[] {
  const isLeader = (m: EtcdMemberInfo): boolean => {
    const s = statuses.get(m.id);
    return Boolean(s?.ok && s.memberId === s.leaderId);
  };
  return [...members.filter((m) => !isLeader(m)), ...members.filter(isLeader)];
}

export async function defragCluster(
  cluster: EtcdCluster,
  observe: () => Promise<{ members: EtcdMemberInfo[] | undefined; statuses: Map<string, EndpointStatus> }>,
  progress: Progress,
  dryRun: boolean,
  healthyTimeoutMs = 30_000,
): Promise<{ message: string; complete: boolean }> {
  const first = await observe();
  if (!first.members)
    throw new OperatorError({
      code: 'ETCD_UNAVAILABLE',
      message: 'cannot read the member list',
      hint: 'belayctl status shows whether etcd has quorum',
      retryable: true,
    });
  const order = defragOrder(first.members, first.statuses);
  if (dryRun) {
    for (const m of order) {
      const s = first.statuses.get(m.id);
      progress(
        'plan',
        `defragment ${m.name || hexId(m.id)}${s?.ok && s.memberId === s.leaderId ? ' (the etcd leader, last)' : ''}: db ${s?.ok ? `${mib(s.dbSizeBytes)}, ${mib(s.dbSizeInUseBytes)} in use` : 'unknown'}`,
        true,
      );
    }
    return { message: 'dry run: nothing was changed', complete: false };
  }
  let freed = 0;
  let done = 0;
  for (const m of order) {
    const now = await observe();
    const sick = (now.members ?? []).filter((x) => !x.isLearner && !answering(now.statuses.get(x.id)));
    if (!now.members || sick.length > 0) {
      throw new OperatorError({
        code: 'ETCD_UNHEALTHY',
        message: `stopping before ${m.name}: ${sick.map((x) => x.name || hexId(x.id)).join(', ') || 'the member list'} is not healthy`,
        hint: 'defragment again once every member is healthy (belayctl etcd members); the members done so far stay done',
      });
    }
    const url = m.clientUrls[0];
    if (!url) continue;
    const before = now.statuses.get(m.id);
    progress('defrag', `defragmenting ${m.name} (db ${before ? mib(before.dbSizeBytes) : '?'})`);
    const t0 = Date.now();
    try {
      await cluster.endpoint(url).maintenance.defragment({ deadline: Date.now() + 300_000 });
    } catch (err) {
      throw new OperatorError({
        code: 'DEFRAG_FAILED',
        message: `defragmenting ${m.name} failed: ${shortError(err)}`,
        hint: 'see its etcd log; the members before it are done',
      });
    }
    const deadline = Date.now() + healthyTimeoutMs;
    let after: EndpointStatus;
    for (;;) {
      after = await cluster.status(url, 2_000);
      if (answersDespiteAlarms(after)) break;
      if (Date.now() > deadline)
        throw new OperatorError({
          code: 'ETCD_UNHEALTHY',
          message: `${m.name} is not healthy ${healthyTimeoutMs / 1000} s after its defragmentation: ${after.error}`,
          hint: 'look at its etcd log before going on',
        });
      await new Promise((r) => setTimeout(r, 250));
    }
    freed += Math.max(0, (before?.dbSizeBytes ?? 0) - after.dbSizeBytes);
    done++;
    progress('defrag', `${m.name} done in ${Date.now() - t0} ms: db ${before ? mib(before.dbSizeBytes) : '?'} → ${mib(after.dbSizeBytes)}, healthy`);
  }
  return {
    message: `defragmented ${done} of ${order.length} members${done < order.length ? ' (the others have no client URL yet)' : ''}, ${mib(freed)} freed`,
    complete: done === order.length,
  };
}

const answering = (s: EndpointStatus | undefined): boolean => s !== undefined && answersDespiteAlarms(s);

export interface DisarmInput {
  cluster: EtcdCluster;
  observe: () => Promise<{ members: EtcdMemberInfo[] | undefined; statuses: Map<string, EndpointStatus> }>;
  /** The filesystem under member `name`'s data dir, from its master's report now. */
  dataFs: (name: string) => Promise<DataFs | undefined>;
  quotaBackendBytes: number;
  maxDbQuotaFraction: number;
  /** Every member was defragmented (false in a dry run). */
  complete: boolean;
  /** --no-disarm */
  disarm: boolean;
  dryRun: boolean;
  progress: Progress;
}

/** After a defragmentation: disarms the NOSPACE alarms if disarmDecision allows; returns what was done, '' without alarms. */
export async function disarmNospace(i: DisarmInput): Promise<string> {
  const alarms = (await i.cluster.alarms()).filter((a) => a.alarm === 'NOSPACE');
  if (alarms.length === 0) return '';
  const now = await i.observe();
  const members = now.members ?? [];
  const nameOf = (id: string): string => members.find((m) => m.id === id)?.name || hexId(id);
  const on = alarms.map((a) => nameOf(a.memberId)).join(', ');
  if (!i.disarm) return `NOSPACE on ${on} left armed (--no-disarm): belayctl etcd defrag disarms it`;
  const decision = disarmDecision({
    members: await Promise.all(
      members.map(async (m) => {
        const s = now.statuses.get(m.id);
        return { name: m.name || hexId(m.id), dbSizeBytes: s && answering(s) ? s.dbSizeBytes : undefined, dataFs: await i.dataFs(m.name) };
      }),
    ),
    // A dry run changes nothing: judge as if every member had been defragmented to the sizes it has now.
    allDefragmented: i.complete || i.dryRun,
    quotaBackendBytes: i.quotaBackendBytes,
    maxDbQuotaFraction: i.maxDbQuotaFraction,
  });
  if (i.dryRun) {
    const line = decision.disarm
      ? `disarm NOSPACE on ${on} once every member is defragmented and every db still fits (now: ${decision.line})`
      : `would not disarm NOSPACE on ${on} as things are now: ${decision.line.replace(/^NOSPACE not disarmed: /, '')}`;
    i.progress('plan', line, true);
    return line;
  }
  if (!decision.disarm)
    throw new OperatorError({ code: 'NOSPACE_NOT_DISARMED', message: decision.line, hint: 'belayctl status names the cause of each alarm' });
  for (const a of alarms) await i.cluster.disarm(a.memberId, a.alarm);
  i.progress('disarm', `NOSPACE on ${on} disarmed: ${decision.line}`);
  return `NOSPACE on ${on} disarmed`;
}
