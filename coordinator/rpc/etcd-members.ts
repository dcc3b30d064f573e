import { OperatorError, unsafeError } from '../../proto/common/errors.js';
import type { CoordinatorHandlers } from '../../proto/gen/belay/v1/Coordinator.js';
import type { EtcdMember } from '../../proto/gen/belay/v1/EtcdMember.js';
import { ETCD_KEYS } from '../cluster/etcd-keys.js';
import { bootstrapEtcd } from '../etcd/bootstrap.js';
import { hexId, shortError } from '../etcd/client.js';
import { EtcdObserver, type EtcdObservation } from '../leader/observation.js';
import { defragCluster, disarmNospace } from '../etcd/defrag.js';
import { dataFsOf } from '../etcd/nospace.js';
import { masterOf } from '../etcd/plan.js';
import { canRemoveMember } from '../etcd/removal.js';
import { clientUrl, peerUrl } from '../etcd/render.js';
import type { ClusterHandlerDeps } from './deps.js';
import type { LeaderRelay } from './leader-relay.js';
import { specUnaryOf } from './spec-errors.js';

/**
 * Bootstrap and etcd membership over gRPC. Membership changes run on the
 * leader only (forwarded to it from any coordinator), in turn with its
 * reconcile passes, so there is never more than one at a time.
 */
export function etcdMemberHandlers(
  d: ClusterHandlerDeps,
  { streamed, onLeader }: LeaderRelay,
): Pick<CoordinatorHandlers, 'Bootstrap' | 'EtcdMembers' | 'EtcdAdd' | 'EtcdRemove' | 'EtcdDefrag'> {
  const specUnary = specUnaryOf(d);

  return {
    Bootstrap(call) {
      const { node, dryRun } = call.request;
      const by = d.caller(call);
      streamed('Bootstrap', call, async (progress) => {
        await bootstrapEtcd({ me: d.node, local: d.local, agent: d.agent, requestedBy: by, progress }, node, dryRun);
        if (dryRun) return 'dry run: nothing was changed';
        d.log.warn('etcd bootstrapped', { node, by });
        void d.etcd.refresh().catch(() => undefined);
        return `etcd bootstrapped on ${node}; the leader now joins the other masters one at a time (belayctl etcd members)`;
      });
    },

    EtcdMembers: specUnary('EtcdMembers', async () => {
      const cluster = d.etcd.client();
      const leader = d.etcd.summary().leader;
      const base = { coordinator: d.node, leader: leader?.name ?? '', term: leader?.term ?? 0 };
      if (!cluster)
        return { ...base, members: [], clusterId: '', error: 'no etcd yet (or this master has no etcd client certificate): belayctl bootstrap --node NAME' };
      let list;
      try {
        list = await cluster.members();
      } catch (err) {
        return { ...base, members: [], clusterId: '', error: `cannot list members: ${shortError(err)}` };
      }
      const spec = d.local.read()?.spec;
      const alarms = await cluster.alarms().catch(() => []);
      const rows: EtcdMember[] = await Promise.all(
        list.map(async (m) => {
          const master = spec
            ? masterOf(
                m,
                spec.spec.masters.map((x) => ({ name: x.name, peerUrl: peerUrl(spec, x.name) })),
              )
            : undefined;
          const url = m.clientUrls[0] ?? (spec && master ? clientUrl(spec, master) : undefined);
          const s = url ? await cluster.status(url, 1_500) : undefined;
          const role = m.isLearner ? 'learner' : s?.ok && s.memberId === s.leaderId ? 'leader' : 'follower';
          return {
            name: m.name || (master ? `${master} (not started)` : ''),
            id: hexId(m.id),
            peerUrls: m.peerUrls,
            clientUrls: m.clientUrls,
            role,
            healthy: Boolean(s?.ok),
            dbSizeBytes: s?.dbSizeBytes ?? 0,
            dbSizeInUseBytes: s?.dbSizeInUseBytes ?? 0,
            raftIndex: s?.raftIndex ?? 0,
            raftTerm: s?.raftTerm ?? 0,
            version: s?.version ?? '',
            alarms: alarms.filter((a) => a.memberId === m.id).map((a) => a.alarm),
            error: s?.ok ? '' : (s?.error ?? 'not started: no client URL yet'),
          };
        }),
      );
      const clusterId = await cluster.kv.maintenance
        .status()
        .then((s) => hexId(s.header.cluster_id))
        .catch(() => '');
      rows.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
      return { ...base, members: rows, clusterId, error: '' };
    }),

    EtcdRemove(call) {
      const { name, dryRun } = call.request;
      const by = d.caller(call);
      onLeader('EtcdRemove', call, async (progress) => {
        const rec = d.etcd.leaderReconciler();
        const cluster = d.etcd.client();
        const spec = d.local.read()?.spec;
        if (!rec || !cluster || !spec)
          throw new OperatorError({ code: 'NO_LEADER', message: 'this coordinator stopped leading', hint: 'retry', retryable: true });
        const { members, statuses } = await rec.observe();
        if (!members)
          throw new OperatorError({
            code: 'ETCD_UNAVAILABLE',
            message: 'cannot read the member list',
            hint: 'belayctl status shows whether etcd has quorum',
            retryable: true,
          });
        const masters = spec.spec.masters.map((m) => ({ name: m.name, peerUrl: peerUrl(spec, m.name) }));
        const target = members.find((m) => m.name === name || masterOf(m, masters) === name);
        if (!target)
          throw new OperatorError({
            code: 'NO_SUCH_MEMBER',
            message: `${name} is not an etcd member (members: ${members.map((m) => m.name || hexId(m.id)).join(', ')})`,
            hint: 'belayctl etcd members lists them',
          });
        const removal = canRemoveMember(
          members.map((m) => ({ id: m.id, name: m.name || hexId(m.id), isLearner: m.isLearner, healthy: statuses.get(m.id)?.ok === true })),
          { id: target.id, name, isLearner: target.isLearner },
        );
        if (!removal.ok) throw unsafeError(removal);
        const isLeader = statuses.get(target.id)?.ok === true && statuses.get(target.id)?.memberId === statuses.get(target.id)?.leaderId;
        const plan = [
          ...(isLeader ? [`move etcd leadership away from ${name}`] : []),
          `remove member ${name} (${hexId(target.id)}${target.isLearner ? ', learner' : ''}) from etcd`,
          `stop etcd on ${name} (remove its etcd.yaml; its data dir is kept)`,
          `keep ${name} out of automatic joins until belayctl etcd add ${name}`,
        ];
        if (dryRun) {
          for (const line of plan) progress('plan', line, true);
          return 'dry run: nothing was changed';
        }
        const master = masterOf(target, masters);
        if (master) await cluster.kv.put(ETCD_KEYS.heldOut + master).value(JSON.stringify({ atMs: Date.now(), by }));
        await rec.removeByHand({ memberId: target.id, master, isLearner: target.isLearner, isLeader, reason: `removed by ${by}` }, members, statuses, progress);
        d.log.warn('etcd member removed by hand', { name, by });
        return `${name} removed from etcd`;
      });
    },

    EtcdDefrag(call) {
      const { dryRun, noDisarm } = call.request;
      const run = async (progress: (step: string, message: string, planned?: boolean) => void, observe: () => Promise<EtcdObservation>): Promise<string> => {
        const cluster = d.etcd.client();
        const spec = d.local.read()?.spec;
        if (!cluster || !spec)
          throw new OperatorError({ code: 'NO_ETCD', message: 'no etcd client here yet', hint: 'belayctl status; bootstrap first if there is no etcd' });
        const done = await defragCluster(cluster, observe, progress, dryRun);
        const disarmed = await disarmNospace({
          cluster,
          observe,
          dataFs: async (name) =>
            dataFsOf(
              await d
                .agent(name)
                ?.GetReport({ refresh: true })
                .catch(() => undefined),
            ),
          quotaBackendBytes: spec.spec.etcd.quotaBackendBytes,
          maxDbQuotaFraction: spec.spec.etcd.preflight.maxDbQuotaFraction,
          complete: done.complete,
          disarm: !noDisarm,
          dryRun,
          progress,
        });
        return disarmed ? `${done.message}; ${disarmed}` : done.message;
      };
      // NOSPACE refuses the campaign's write: with no leader, the defrag that clears it runs here (no
      // membership change can happen without a leader, so nothing else runs beside it).
      if (!d.etcd.summary().leader) {
        streamed('EtcdDefrag', call, (progress) => {
          const cluster = d.etcd.client();
          const spec = d.local.read()?.spec;
          if (!cluster || !spec) throw new OperatorError({ code: 'NO_ETCD', message: 'no etcd client here yet', hint: 'belayctl status' });
          // The leader's observation, made here for this call: members, statuses and alarms read now.
          const observer = new EtcdObserver(cluster, () => spec, d.log);
          return run(progress, () => observer.observe(0));
        });
        return;
      }
      onLeader('EtcdDefrag', call, async (progress) => {
        const rec = d.etcd.leaderReconciler();
        if (!rec) throw new OperatorError({ code: 'NO_LEADER', message: 'this coordinator stopped leading', hint: 'retry', retryable: true });
        // onLeader runs this in turn with the reconcile passes already.
        return run(progress, () => rec.observe());
      });
    },

    EtcdAdd(call) {
      const { name, dryRun } = call.request;
      onLeader('EtcdAdd', call, async (progress) => {
        const rec = d.etcd.leaderReconciler();
        const cluster = d.etcd.client();
        const spec = d.local.read()?.spec;
        if (!rec || !cluster || !spec)
          throw new OperatorError({ code: 'NO_LEADER', message: 'this coordinator stopped leading', hint: 'retry', retryable: true });
        if (!spec.spec.masters.some((m) => m.name === name)) {
          throw new OperatorError({
            code: 'NOT_IN_SPEC',
            message: `${name} is not a master of the spec (masters: ${spec.spec.masters.map((m) => m.name).join(', ')})`,
            hint: `add it to spec.masters and belayctl apply -f first`,
          });
        }
        const pf = await rec.preflightOk(name, spec, (await rec.observe()).statuses);
        if (dryRun) {
          progress('plan', pf.line, true);
          for (const line of [
            `add ${name} as a learner (${peerUrl(spec, name)})`,
            `write its etcd certificates and etcd.yaml (initial-cluster-state existing)`,
            'promote it once in sync',
            'wait until it is healthy',
          ])
            progress('plan', line, true);
          return 'dry run: nothing was changed';
        }
        await cluster.kv.delete().key(ETCD_KEYS.heldOut + name);
        rec.clearBackoff(name);
        if (!pf.ok)
          throw new OperatorError({
            code: 'PREFLIGHT_FAILED',
            message: pf.line,
            hint: 'fix the host (or relax spec.etcd.preflight); the leader retries by itself',
          });
        progress('preflight', pf.line);
        return rec.joinByHand(name, progress);
      });
    },
  };
}
