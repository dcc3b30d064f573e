import type * as grpc from '@grpc/grpc-js';
import { Metadata } from '@grpc/grpc-js';
import { OperatorError } from '../../proto/common/errors.js';
import { toServiceError } from '../../proto/common/grpc.js';
import { serverStream } from '../../proto/common/handlers.js';
import type { CoordinatorClient } from '../../proto/gen/belay/v1/Coordinator.js';
import type { Progress, Progress__Output } from '../../proto/gen/belay/v1/Progress.js';
import type { ClusterHandlerDeps } from './deps.js';
import { asSpecInvalid } from './spec-errors.js';

/** A step line of a long operation; `planned`: a line of a dry run's plan. */
export type ProgressLine = (step: string, message: string, planned?: boolean) => void;

/** A long operation's work: its last line, or its last line and a result for result_json. */
export type StreamedWork = (progress: ProgressLine) => Promise<string | { message: string; result: unknown }>;

/** The Coordinator methods that stream Progress, which `onLeader` can relay. */
export type ProgressMethod = {
  [K in keyof CoordinatorClient]: CoordinatorClient[K] extends (...args: never[]) => grpc.ClientReadableStream<Progress__Output> ? K : never;
}[keyof CoordinatorClient];

/**
 * Long operations on a server stream (`streamed`), and the relay that runs
 * leader-only ones on the leader (`onLeader`): there in turn with its
 * reconcile passes, from any other coordinator relayed to it on behalf of
 * the caller. Shared by every handler module with leader-only work.
 */
export function leaderRelay(d: Pick<ClusterHandlerDeps, 'node' | 'etcd' | 'gossip' | 'log' | 'caller'>): {
  streamed: (method: string, call: grpc.ServerWritableStream<unknown, Progress>, work: StreamedWork) => void;
  onLeader: <Req>(method: ProgressMethod, call: grpc.ServerWritableStream<Req, Progress>, work: StreamedWork, o?: { exclusive?: boolean }) => void;
} {
  const fail = (method: string, err: unknown): grpc.ServiceError => toServiceError(asSpecInvalid(err), d.log, d.node, method);

  /** Runs a long operation on a server stream: progress lines, then done, or the error. */
  const streamed = (method: string, call: grpc.ServerWritableStream<unknown, Progress>, work: StreamedWork): void => {
    const progress = (step: string, message: string, planned = false): void => {
      call.write({ atMs: Date.now(), step, message, done: false, planned });
    };
    serverStream({ node: d.node, log: d.log }, method, async () => {
      let last: Awaited<ReturnType<StreamedWork>>;
      try {
        last = await work(progress);
      } catch (err) {
        throw asSpecInvalid(err);
      }
      const { message, result } = typeof last === 'string' ? { message: last, result: undefined } : last;
      call.write({ atMs: Date.now(), step: 'done', message, done: true, planned: false, resultJson: result === undefined ? '' : JSON.stringify(result) });
    })(call);
  };

  /** Who leads now: its coordinator's gRPC address from gossip. */
  const leaderPeer = (): { name: string; api: string } => {
    const leader = d.etcd.summary().leader;
    if (!leader)
      throw new OperatorError({
        code: 'NO_LEADER',
        message: 'no coordinator leads right now (no etcd yet, or no quorum)',
        hint: 'belayctl status shows why; bootstrap first if there is no etcd',
        retryable: true,
      });
    const api = d.gossip?.members().find((m) => m.name === leader.name)?.tags.api;
    if (!api)
      throw new OperatorError({
        code: 'NO_LEADER',
        message: `the leader ${leader.name} is not reachable through gossip`,
        hint: 'retry in a few seconds',
        retryable: true,
      });
    return { name: leader.name, api };
  };

  /** Runs `work` here if this coordinator leads, else relays the leader's stream. */
  /** `exclusive: false`: the work takes its own locks (a rollout that follows itself for minutes must not hold etcd's passes). */
  const onLeader = <Req>(method: ProgressMethod, call: grpc.ServerWritableStream<Req, Progress>, work: StreamedWork, o: { exclusive?: boolean } = {}): void => {
    const rec = d.etcd.leaderReconciler();
    if (rec) {
      streamed(method, call, (p) => (o.exclusive === false ? work(p) : rec.exclusive(() => work(p))));
      return;
    }
    try {
      const leader = leaderPeer();
      const peer = d.gossip?.peer(leader.api);
      if (!peer) throw new Error('gossip is off');
      const md = new Metadata();
      md.set('belay-on-behalf-of', d.caller(call));
      const up = (peer[method] as (req: Req, md: Metadata, opts: grpc.CallOptions) => grpc.ClientReadableStream<Progress>).call(peer, call.request, md, {
        deadline: new Date(Date.now() + 15 * 60_000),
      });
      up.on('data', (m: Progress) => call.write(m));
      up.on('error', (err: grpc.ServiceError) => call.emit('error', err));
      up.on('end', () => call.end());
      call.on('cancelled', () => up.cancel());
    } catch (err) {
      call.emit('error', fail(method, err));
    }
  };
  return { streamed, onLeader };
}

export type LeaderRelay = ReturnType<typeof leaderRelay>;
