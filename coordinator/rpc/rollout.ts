import * as grpc from '@grpc/grpc-js';
import { ETCD_KEYS } from '../cluster/etcd-keys.js';
import { readRolloutHistory } from '../leader/rollouts.js';
import { activeRollout, pauseRollout, resumeRollout, rolloutHistory } from '../controlplane/rollout-requests.js';
import type { RolloutComponent, RolloutRecord } from '../controlplane/rollout-record.js';
import { rolloutSummary } from '../controlplane/rollout-summary.js';
import type { EtcdService } from '../leader/service.js';
import type { Gossip } from '../gossip/service.js';
import { OperatorError } from '../../proto/common/errors.js';
import { unary } from '../../proto/common/handlers.js';
import type { Logger } from '../../proto/common/log.js';
import type { CoordinatorHandlers } from '../../proto/gen/belay/v1/Coordinator.js';
import type { Progress } from '../../proto/gen/belay/v1/Progress.js';
import type { RolloutControlRequest__Output } from '../../proto/gen/belay/v1/RolloutControlRequest.js';
import type { RolloutStatusResponse } from '../../proto/gen/belay/v1/RolloutStatusResponse.js';

type RolloutHandlers = Pick<CoordinatorHandlers, 'Rollout' | 'RolloutStatus' | 'RolloutControl' | 'RolloutHistory'>;

/** belayctl's words → the component. */
export const COMPONENTS: Record<string, RolloutComponent> = {
  apiserver: 'kube-apiserver',
  'kube-apiserver': 'kube-apiserver',
  scheduler: 'kube-scheduler',
  'kube-scheduler': 'kube-scheduler',
  'controller-manager': 'kube-controller-manager',
  'kube-controller-manager': 'kube-controller-manager',
};

function component(name: string): RolloutComponent {
  const c = COMPONENTS[name];
  if (!c)
    throw new OperatorError({ code: 'ROLLOUT_BAD_COMPONENT', message: `no component "${name}"`, hint: 'roll out apiserver, scheduler or controller-manager' });
  return c;
}

export interface RolloutHandlerDeps {
  node: string;
  etcd: EtcdService;
  gossip: Gossip | undefined;
  log: Logger;
  caller(call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>): string;
  /** Runs a stream on the leader (here, or relayed with the caller's name): cluster.ts's relay. */
  onLeader<Req>(
    method: 'Rollout',
    call: grpc.ServerWritableStream<Req, Progress>,
    work: (progress: (step: string, message: string, planned?: boolean) => void) => Promise<string | { message: string; result: unknown }>,
    o?: { exclusive?: boolean },
  ): void;
}

/**
 * Rollouts over gRPC. Starting one, pausing and resuming run on the leader,
 * in turn with its rollout passes; status and history are read from etcd
 * by any coordinator.
 */
export function rolloutHandlers(d: RolloutHandlerDeps): RolloutHandlers {
  const client = () => {
    const c = d.etcd.client();
    if (!c)
      throw new OperatorError({
        code: 'NO_ETCD',
        message: 'etcd has not been bootstrapped yet (or this master has no etcd client certificate)',
        hint: 'belayctl bootstrap --node NAME creates it',
      });
    return c;
  };
  const statusOf = async (name: string): Promise<RolloutStatusResponse> => {
    const history = await readRolloutHistory(client());
    const r = name
      ? rolloutHistory(history, component(name)).at(-1)
      : (activeRollout(history) ?? [...history].sort((a, b) => a.updatedAtMs - b.updatedAtMs).at(-1));
    if (!r) return { recordJson: '', summary: name ? `${component(name)} has no rollout yet` : 'no rollout yet', step: '' };
    const step = (await client().kv.get(ETCD_KEYS.rolloutStatus).string()) ?? '';
    return { recordJson: JSON.stringify(r), summary: rolloutSummary(r), step: r.state === 'running' || r.state === 'paused' ? step : '' };
  };
  const ctx = { node: d.node, log: d.log };

  /** pause / resume reach the leader, which writes the record in turn with its passes. */
  const relayControl = (call: grpc.ServerUnaryCall<RolloutControlRequest__Output, RolloutStatusResponse>): Promise<RolloutStatusResponse> => {
    const leader = d.etcd.summary().leader;
    const api = leader ? d.gossip?.members().find((m) => m.name === leader.name)?.tags.api : undefined;
    const peer = api ? d.gossip?.peer(api) : undefined;
    if (!leader || !peer)
      throw new OperatorError({
        code: 'NO_LEADER',
        message: 'no leader to pause or resume the rollout (no etcd quorum, or it is not in gossip)',
        hint: 'belayctl status shows why; retry in a few seconds',
        retryable: true,
      });
    const md = new grpc.Metadata();
    md.set('belay-on-behalf-of', d.caller(call));
    return new Promise((resolve, reject) =>
      peer.RolloutControl(call.request, md, { deadline: new Date(Date.now() + 30_000) }, (err, res) =>
        err || !res ? reject(err ?? new Error('empty answer')) : resolve(res),
      ),
    );
  };

  return {
    Rollout(call) {
      d.onLeader(
        'Rollout',
        call,
        async (progress) => {
          const runner = d.etcd.leaderRollout();
          if (!runner) throw new OperatorError({ code: 'NO_LEADER', message: 'this coordinator stopped leading', hint: 'retry', retryable: true });
          const { component: name, image, set, undo, restart, dryRun, wait } = call.request;
          const c = component(name);
          if ((undo || restart) && (image || Object.keys(set).length > 0))
            throw new OperatorError({
              code: 'ROLLOUT_BAD_REQUEST',
              message: `${undo ? 'undo' : 'restart'} takes no --image or --set`,
              hint: undo ? 'undo goes back to the previous revision as it was' : 'restart restarts the component as it is',
            });
          if (undo && restart) throw new OperatorError({ code: 'ROLLOUT_BAD_REQUEST', message: 'undo and restart together', hint: 'one or the other' });
          if (!undo && !restart && !image && Object.keys(set).length === 0)
            throw new OperatorError({
              code: 'ROLLOUT_BAD_REQUEST',
              message: 'nothing to change: give --image, --set flag=value, or use rollout undo or rollout restart',
              hint: `belayctl rollout ${name} --image IMAGE`,
            });
          const by = d.caller(call);
          const { record, plan } = await runner.exclusive(() =>
            runner.start({ component: c, ...(image ? { image } : {}), set, undo, restart, requestedBy: by, dryRun }),
          );
          for (const line of plan) progress(dryRun ? 'plan' : 'start', line, dryRun);
          if (dryRun) return `dry run: ${c} revision ${record.revision} not started`;
          if (!wait) return { message: `${c} revision ${record.revision} started: belayctl rollout status ${name} follows it`, result: record };
          let last = '';
          for (;;) {
            await new Promise((r) => setTimeout(r, 500));
            const history = await readRolloutHistory(client());
            const now = history.find((h) => h.id === record.id);
            if (!now) throw new Error(`the record of ${record.id} is gone from etcd`);
            const line = rolloutSummary(now);
            if (line !== last) progress('rollout', line);
            last = line;
            if (now.state === 'complete') return { message: line, result: now };
            if (now.state === 'halted') {
              throw new OperatorError({
                code: 'ROLLOUT_HALTED',
                message: `${line}${now.failure ? `; ${now.failure.master}: ${now.failure.notReadyReason || now.failure.reason}` : ''}`,
                hint: `belayctl rollout status ${name} shows the last log lines; fix the spec and roll out again, or belayctl rollout undo ${name}`,
              });
            }
          }
        },
        { exclusive: false },
      );
    },

    RolloutStatus: unary(ctx, 'RolloutStatus', (request) => statusOf(request.component)),

    RolloutControl: unary(ctx, 'RolloutControl', async (request, call) => {
      const { action } = request;
      const name = request.component;
      if (action !== 'pause' && action !== 'resume')
        throw new OperatorError({
          code: 'ROLLOUT_BAD_REQUEST',
          message: `action ${JSON.stringify(action)} is not pause or resume`,
          hint: 'belayctl rollout pause|resume COMPONENT',
        });
      const runner = d.etcd.leaderRollout();
      if (!runner) return relayControl(call);
      await runner.exclusive(async () => {
        const r: RolloutRecord | undefined = rolloutHistory(await readRolloutHistory(client()), component(name)).at(-1);
        if (!r)
          throw new OperatorError({
            code: 'ROLLOUT_NOT_ACTIVE',
            message: `${component(name)} has no rollout`,
            hint: 'belayctl rollout history shows the revisions',
          });
        const next = action === 'pause' ? pauseRollout(r, Date.now()) : resumeRollout(r, Date.now());
        if (next !== r) await runner.store(next);
      });
      return statusOf(name);
    }),

    RolloutHistory: unary(ctx, 'RolloutHistory', async (request) => ({
      recordsJson: rolloutHistory(await readRolloutHistory(client()), component(request.component)).map((r) => JSON.stringify(r)),
    })),
  };
}
