import * as grpc from '@grpc/grpc-js';
import { OperatorError, errorText } from '../../proto/common/errors.js';
import { peerName } from '../../proto/common/grpc.js';
import { unary } from '../../proto/common/handlers.js';
import type { Logger } from '../../proto/common/log.js';
import type { CoordinatorHandlers } from '../../proto/gen/belay/v1/Coordinator.js';
import type { GossipKeyResult } from '../../proto/gen/belay/v1/GossipKeyResult.js';
import type { GossipKeysResponse__Output } from '../../proto/gen/belay/v1/GossipKeysResponse.js';
import type { GossipMember } from '../../proto/gen/belay/v1/GossipMember.js';
import type { Gossip } from '../gossip/service.js';
import type { MemberView } from '../swim/membership.js';
import { PushPullRefused } from '../transport/driver.js';
import { fingerprint, parseKey } from '../transport/keyring.js';

type GossipHandlers = Pick<CoordinatorHandlers, 'PushPull' | 'Members' | 'GossipKeys'>;

export function memberOf(m: MemberView): GossipMember {
  return { name: m.name, address: m.addr, state: m.state, incarnation: m.incarnation, tags: { ...m.tags }, sinceMs: m.stateSinceMs, bootId: m.bootId };
}

const gossipOff = (node: string): OperatorError =>
  new OperatorError({
    code: 'GOSSIP_OFF',
    message: `gossip is off on ${node}`,
    hint: `its log says why (no gossip key in gossip.keyFile, or gossip.enabled: false)`,
  });

/** belay.v1.Coordinator's gossip methods: push-pull between coordinators, the member list, and the keyring. */
export function gossipHandlers(d: { node: string; gossip: Gossip | undefined; log: Logger; insecure: boolean; nowMs: () => number }): GossipHandlers {
  const ctx = { node: d.node, log: d.log };

  const localKeys = async (action: string, keyText: string): Promise<GossipKeyResult> => {
    const g = d.gossip;
    if (!g) throw gossipOff(d.node);
    if (action !== 'list') {
      const key = parseKey(keyText, 'key');
      if (action === 'install') g.keyring.install(key);
      else if (action === 'use') g.keyring.use(key);
      else if (action === 'remove') g.keyring.remove(key);
      else throw new OperatorError({ code: 'BAD_ACTION', message: `unknown gossip keys action "${action}"`, hint: 'use list, install, use or remove' });
      await g.saveKeyring();
      d.log.info('gossip keyring changed', { action, fingerprint: fingerprint(key) });
    }
    return { node: d.node, ok: true, error: '', fingerprints: g.keyring.list().map((k) => k.fingerprint) };
  };

  /** Asks every live member (alive or suspect) but us, in parallel; a member that fails is reported, not fatal. */
  const fanOut = async (action: string, key: string): Promise<GossipKeyResult[]> => {
    const g = d.gossip;
    if (!g) throw gossipOff(d.node);
    const others = g.members().filter((m) => m.name !== d.node && (m.state === 'alive' || m.state === 'suspect'));
    return Promise.all(
      others.map(
        (m) =>
          new Promise<GossipKeyResult>((resolve) => {
            const api = m.tags.api;
            if (!api) {
              resolve({ node: m.name, ok: false, error: 'no gRPC address in its gossip tags', fingerprints: [] });
              return;
            }
            g.peer(api).GossipKeys(
              { action, key, localOnly: true },
              { deadline: new Date(d.nowMs() + 10_000) },
              (err: grpc.ServiceError | null, res?: GossipKeysResponse__Output) => {
                const mine = res?.members[0];
                if (err || !mine) resolve({ node: m.name, ok: false, error: err?.details ?? 'empty answer', fingerprints: [] });
                else resolve({ node: m.name, ok: mine.ok, error: mine.error, fingerprints: mine.fingerprints });
              },
            );
          }),
      ),
    );
  };

  const summarizeKeys = (results: GossipKeyResult[]): GossipKeysResponse__Output => {
    const keys = new Map<string, { fingerprint: string; primaryOn: number; installedOn: number }>();
    for (const r of results) {
      (r.fingerprints ?? []).forEach((f, i) => {
        const k = keys.get(f) ?? { fingerprint: f, primaryOn: 0, installedOn: 0 };
        k.installedOn++;
        if (i === 0) k.primaryOn++;
        keys.set(f, k);
      });
    }
    return {
      keys: [...keys.values()],
      members: results.map((r) => ({ node: r.node ?? '', ok: r.ok ?? false, error: r.error ?? '', fingerprints: r.fingerprints ?? [] })),
    };
  };

  return {
    PushPull: unary(ctx, 'PushPull', (request, call) => {
      const g = d.gossip;
      if (!g) throw gossipOff(d.node);
      try {
        const caller = d.insecure ? undefined : peerName(call);
        return { sealed: g.driver.answerPushPull(request.sealed, caller) };
      } catch (err) {
        if (!(err instanceof PushPullRefused)) throw err;
        const auth = err.reason === 'auth';
        d.log.warn('push-pull refused', { peer: call.getPeer(), reason: err.reason });
        throw new OperatorError({
          code: auth ? 'GOSSIP_KEY_MISMATCH' : 'GOSSIP_PUSH_PULL_REFUSED',
          message: auth ? 'push-pull sealed with a key this coordinator does not have' : `push-pull refused: ${err.reason}`,
          hint: auth ? 'install the cluster gossip key on the caller (belayctl gossip keys)' : 'see the log of both coordinators',
        });
      }
    }),

    Members: unary(ctx, 'Members', () => {
      const g = d.gossip;
      if (!g) throw gossipOff(d.node);
      return { coordinator: d.node, nowMs: d.nowMs(), members: g.members().map(memberOf), localHealth: g.localHealth() };
    }),

    GossipKeys: unary(ctx, 'GossipKeys', async (request) => {
      const { action, key, localOnly } = request;
      // A key change on every member: check first that it is safe, as Serf does not.
      if (!localOnly && (action === 'use' || action === 'remove')) {
        const now = summarizeKeys([await localKeys('list', ''), ...(await fanOut('list', ''))]);
        const fp = fingerprint(parseKey(key, 'key'));
        const unreachable = now.members.filter((m) => !m.ok).map((m) => m.node);
        if (unreachable.length > 0) {
          throw new OperatorError({
            code: 'GOSSIP_MEMBERS_UNREACHABLE',
            message: `cannot ${action} a key while ${unreachable.join(', ')} cannot be asked`,
            hint: 'bring them back (belayctl members) or remove them first',
            unsafe: true,
          });
        }
        const k = now.keys.find((x) => x.fingerprint === fp);
        if (action === 'use' && (k?.installedOn ?? 0) < now.members.length) {
          throw new OperatorError({
            code: 'GOSSIP_KEY_NOT_EVERYWHERE',
            message: `key ${fp} is installed on ${k?.installedOn ?? 0} of ${now.members.length} members: members without it could not read the others`,
            hint: 'belayctl gossip keys install KEY first, then use it',
            unsafe: true,
          });
        }
        if (action === 'remove' && (k?.primaryOn ?? 0) > 0) {
          throw new OperatorError({
            code: 'GOSSIP_KEY_IS_PRIMARY',
            message: `key ${fp} is the primary key on ${k?.primaryOn ?? 0} members`,
            hint: 'belayctl gossip keys use ANOTHER_KEY first, then remove this one',
            unsafe: true,
          });
        }
      }
      const mine = await localKeys(action, key).catch((err: unknown) => {
        if (localOnly) throw err;
        return { node: d.node, ok: false, error: err instanceof OperatorError ? err.message : errorText(err), fingerprints: [] };
      });
      const results = localOnly ? [mine] : [mine, ...(await fanOut(action, key))];
      return summarizeKeys(results);
    }),
  };
}
