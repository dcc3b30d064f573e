import fs from 'node:fs';
import { noop } from 'cockatiel';
import { AlarmAction, AlarmType, Etcd3, type IOptions } from 'etcd3';
import { OperatorError, errorText } from '../../proto/common/errors.js';
import type { HostPaths } from '../../proto/common/paths.js';

/**
 * The coordinator's etcd client (etcd3 over gRPC, mutual TLS with the
 * master's belay-coordinator certificate from the etcd CA). One pooled
 * client for the cluster's keys, members and leases; one client per
 * endpoint for what must be asked of a given member (status, moving
 * leadership), since the pool picks any.
 */

/** kubeadm's layout: the etcd CA's certificate and belay's client certificate for this master. */
export const ETCD_PKI = {
  ca: '/etc/kubernetes/pki/etcd/ca.crt',
  cert: '/etc/kubernetes/pki/etcd/belay-coordinator.crt',
  key: '/etc/kubernetes/pki/etcd/belay-coordinator.key',
} as const;

export interface EtcdTls {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

/** This master's etcd client credentials, or undefined while they have not been handed to it yet. */
export function readEtcdTls(paths: HostPaths): EtcdTls | undefined {
  try {
    return { ca: fs.readFileSync(paths.host(ETCD_PKI.ca)), cert: fs.readFileSync(paths.host(ETCD_PKI.cert)), key: fs.readFileSync(paths.host(ETCD_PKI.key)) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export interface EtcdMemberInfo {
  /** Member id as etcd gives it (decimal uint64). */
  id: string;
  /** Empty for a learner that was added but never started. */
  name: string;
  peerUrls: string[];
  clientUrls: string[];
  isLearner: boolean;
}

export interface EndpointStatus {
  url: string;
  ok: boolean;
  error: string;
  memberId: string;
  leaderId: string;
  version: string;
  dbSizeBytes: number;
  dbSizeInUseBytes: number;
  raftIndex: number;
  raftTerm: number;
  isLearner: boolean;
  errors: string[];
}

export function hexId(id: string): string {
  try {
    return BigInt(id).toString(16);
  } catch {
    return id;
  }
}

export class EtcdCluster {
  readonly kv: Etcd3;
  private readonly single = new Map<string, Etcd3>();

  constructor(
    readonly endpoints: string[],
    readonly tls: EtcdTls,
    private readonly callTimeoutMs = 5_000,
  ) {
    // The pool keeps etcd3's defaults: a failed call is retried on another member.
    this.kv = new Etcd3(this.options(endpoints, false));
  }

  private options(hosts: string[], single: boolean): IOptions {
    return {
      hosts,
      credentials: { rootCertificate: this.tls.ca, privateKey: this.tls.key, certChain: this.tls.cert },
      dialTimeout: 2_000,
      // grpc-js backs off reconnects up to 120 s: a member down for a minute (a restore, a replaced host)
      // would then look down for long after it is back, and every step waiting on its health with it.
      grpcOptions: { 'grpc.initial_reconnect_backoff_ms': 200, 'grpc.max_reconnect_backoff_ms': 1_000 },
      // A one-member client answers for that member now: no retries, no circuit breaker holding a past failure.
      ...(single ? { faultHandling: { global: noop, host: () => noop } } : {}),
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + this.callTimeoutMs }),
    };
  }

  /** A client that talks to `url` only. */
  endpoint(url: string): Etcd3 {
    let c = this.single.get(url);
    if (!c) {
      c = new Etcd3(this.options([url], true));
      this.single.set(url, c);
    }
    return c;
  }

  async members(): Promise<EtcdMemberInfo[]> {
    const res = await translated(this.kv.cluster.memberList({ linearizable: true }));
    return res.members.map((m) => ({ id: m.ID, name: m.name, peerUrls: m.peerURLs, clientUrls: m.clientURLs, isLearner: Boolean(m.isLearner) }));
  }

  async status(url: string, timeoutMs = 2_000): Promise<EndpointStatus> {
    const base = {
      url,
      memberId: '',
      leaderId: '',
      version: '',
      dbSizeBytes: 0,
      dbSizeInUseBytes: 0,
      raftIndex: 0,
      raftTerm: 0,
      isLearner: false,
      errors: [] as string[],
    };
    try {
      const s = await this.endpoint(url).maintenance.status({ deadline: Date.now() + timeoutMs });
      return {
        ...base,
        ok: s.leader !== '0' && s.errors.length === 0,
        error: s.leader === '0' ? 'no leader' : s.errors.join('; '),
        memberId: s.header.member_id,
        leaderId: s.leader,
        version: s.version,
        dbSizeBytes: Number(s.dbSize),
        dbSizeInUseBytes: Number(s.dbSizeInUse),
        raftIndex: Number(s.raftIndex),
        raftTerm: Number(s.raftTerm),
        isLearner: s.isLearner,
        errors: s.errors,
      };
    } catch (err) {
      // A fresh channel next time: the failed one may sit in its reconnect backoff after the member is back.
      this.single.get(url)?.close();
      this.single.delete(url);
      return { ...base, ok: false, error: shortError(err) };
    }
  }

  async alarms(): Promise<{ memberId: string; alarm: string }[]> {
    const res = await translated(this.kv.maintenance.alarm({ action: 'Get', memberID: '0', alarm: 'None' } as never));
    // etcd's names (NOSPACE, CORRUPT) as they come off the wire, whatever etcd3's types say.
    return (res.alarms ?? []).map((a) => ({ memberId: a.memberID, alarm: String(a.alarm).toUpperCase() }));
  }

  /** Disarms `alarm` (etcd's name: NOSPACE, CORRUPT) raised by member `memberId`. */
  async disarm(memberId: string, alarm: string): Promise<void> {
    // Numbers: the request's enums are encoded from etcd's proto names or numbers, and etcd3's typed names are neither.
    const type = alarm === 'NOSPACE' ? AlarmType.Nospace : alarm === 'CORRUPT' ? AlarmType.Corrupt : undefined;
    if (type === undefined) throw new Error(`no such etcd alarm: ${alarm}`);
    await translated(this.kv.maintenance.alarm({ action: AlarmAction.Deactivate, memberID: memberId, alarm: type }));
  }

  async addLearner(peerUrl: string): Promise<EtcdMemberInfo> {
    const res = await translated(this.kv.cluster.memberAdd({ peerURLs: [peerUrl], isLearner: true }));
    return { id: res.member.ID, name: res.member.name, peerUrls: res.member.peerURLs, clientUrls: res.member.clientURLs, isLearner: true };
  }

  async promote(id: string): Promise<void> {
    await translated(this.kv.cluster.memberPromote({ ID: id }));
  }

  /**
   * Removes member `id`. The pool retries a call cut by a member going away on another member, and
   * the member removed may be the one answering (it shuts down as it applies its own removal): the
   * retry then finds it gone, "member not found", although the remove was done. Gone is what was asked.
   */
  async remove(id: string): Promise<void> {
    try {
      await translated(this.kv.cluster.memberRemove({ ID: id }));
    } catch (err) {
      if (!(err instanceof EtcdError && err.code === 'MEMBER_NOT_FOUND')) throw err;
      if ((await this.members()).some((m) => m.id === id)) throw err;
    }
  }

  /** Asks the leader (at `leaderUrl`) to hand leadership to member `to`. */
  async moveLeader(leaderUrl: string, to: string): Promise<void> {
    await translated(this.endpoint(leaderUrl).maintenance.moveLeader({ targetID: to }));
  }

  close(): void {
    this.kv.close();
    for (const c of this.single.values()) c.close();
    this.single.clear();
  }
}

/**
 * etcd's refusals that belay acts on: belay's code → the description etcd
 * sends (etcd's api/v3rpc/rpctypes/error.go; its names in the comments).
 * etcd3 types only a few errors (auth, leases), so this table is the one
 * place where etcd's error text is read: the client's membership calls
 * throw an EtcdError with the code, and callers decide on the code.
 */
export const ETCD_ERRORS = {
  /** ErrGRPCUnhealthy: a member change before the leader has been connected to every member for 5 s (right after a change, or with one down). */
  UNHEALTHY_CLUSTER: 'etcdserver: unhealthy cluster',
  /** ErrGRPCLearnerNotReady: a promote before the learner caught up with the leader. */
  LEARNER_NOT_READY: 'etcdserver: can only promote a learner member which is in sync with leader',
  /** ErrGRPCMemberNotLearner: a promote of a voter. */
  MEMBER_NOT_LEARNER: 'etcdserver: can only promote a learner member',
  /** ErrGRPCTooManyLearners */
  TOO_MANY_LEARNERS: 'etcdserver: too many learner members in cluster',
  /** ErrGPRCNotSupportedForLearner: the call reached a learner, which serves almost nothing. */
  NOT_SUPPORTED_FOR_LEARNER: 'etcdserver: rpc not supported for learner',
  /** ErrGRPCMemberNotFound */
  MEMBER_NOT_FOUND: 'etcdserver: member not found',
  /** ErrGRPCMemberExist */
  MEMBER_EXISTS: 'etcdserver: member ID already exist',
  /** ErrGRPCPeerURLExist */
  PEER_URL_EXISTS: 'etcdserver: Peer URLs already exists',
  /** ErrGRPCMemberNotEnoughStarted */
  NOT_ENOUGH_STARTED_MEMBERS: 'etcdserver: re-configuration failed due to not enough started members',
  /** ErrGRPCMemberBadURLs */
  BAD_PEER_URLS: 'etcdserver: given member URLs are invalid',
  /** ErrGRPCBadLeaderTransferee: leadership moved to a learner or an unknown member. */
  BAD_LEADER_TRANSFEREE: 'etcdserver: bad leader transferee',
} as const;

export type EtcdErrorCode = keyof typeof ETCD_ERRORS;

const CODE_OF = new Map(Object.entries(ETCD_ERRORS).map(([code, description]) => [description as string, code as EtcdErrorCode]));

/** A refusal by etcd that belay knows, with its code; the message is etcd's error as it came. */
export class EtcdError extends Error {
  constructor(
    readonly code: EtcdErrorCode,
    message: string,
    options?: { cause: unknown },
  ) {
    super(message, options);
    this.name = 'EtcdError';
  }
}

/** The code of an etcd error in the table, or undefined (not etcd's refusal, or one belay does not act on). */
export function etcdErrorCode(err: unknown): EtcdErrorCode | undefined {
  if (err instanceof EtcdError) return err.code;
  return CODE_OF.get(shortError(err));
}

/** `err` as an EtcdError when it is one of the table's, else as it is. */
export function translateEtcdError(err: unknown): unknown {
  const code = etcdErrorCode(err);
  return code && !(err instanceof EtcdError) ? new EtcdError(code, errorText(err), { cause: err }) : err;
}

async function translated<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    throw translateEtcdError(err);
  }
}

/** The first line of an etcd/gRPC error, without the library's prefixes. */
export function shortError(err: unknown): string {
  return (
    errorText(err)
      .split('\n')[0]
      ?.replace(/^\d+ [A-Z_]+: /, '') ?? 'unknown error'
  );
}

export function notBootstrapped(): OperatorError {
  return new OperatorError({
    code: 'NO_ETCD',
    message: 'etcd has not been bootstrapped yet (or this master has no etcd client certificate)',
    hint: 'belayctl bootstrap --node NAME creates it',
  });
}
