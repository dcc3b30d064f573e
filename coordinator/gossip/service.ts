// Wires the gossip of one coordinator: keyring, UDP socket, SWIM core,
// driver, push-pull clients to the peers, and the master summary it spreads.
import fs from 'node:fs';
import type * as grpc from '@grpc/grpc-js';
import type { Registry } from 'prom-client';
import { OperatorError, errorText } from '../../proto/common/errors.js';
import { belayProto, channelOptions, clientCredentials, type TlsMaterial } from '../../proto/common/grpc.js';
import type { Logger } from '../../proto/common/log.js';
import type { HostPaths } from '../../proto/common/paths.js';
import { systemRng } from '../../proto/common/rng.js';
import type { CoordinatorClient } from '../../proto/gen/belay/v1/Coordinator.js';
import type { GossipEnvelope__Output } from '../../proto/gen/belay/v1/GossipEnvelope.js';
import type { HostReport__Output } from '../../proto/gen/belay/v1/HostReport.js';
import type { CoordinatorConfig } from '../config.js';
import type { ReportStore } from '../reports/store.js';
import { newBootId, type MemberView } from '../swim/membership.js';
import { SwimNode } from '../swim/node.js';
import { GossipDriver } from '../transport/driver.js';
import { Keyring, parseKey } from '../transport/keyring.js';
import { GossipSocket } from '../transport/udp.js';
import { summarize } from './summary.js';

/** How often the local agent's summary is looked at (it is spread only when it changed). */
const SUMMARY_INTERVAL_MS = 2_000;

export interface Gossip {
  readonly driver: GossipDriver;
  readonly keyring: Keyring;
  members(): MemberView[];
  localHealth(): number;
  /** Saves the keyring after a change made through `keyring`. */
  saveKeyring(): Promise<void>;
  /** A coordinator client for a peer's gRPC address (our certificate), for fan-out calls. */
  peer(grpcAddr: string): CoordinatorClient;
  stop(): Promise<void>;
}

/** Loads the keyring: the kept one, else the initial key from keyFile (then kept). Undefined when there is no key at all. */
async function loadKeyring(cfg: CoordinatorConfig, paths: HostPaths, log: Logger): Promise<Keyring | undefined> {
  const keyringFile = paths.host(cfg.gossip.keyringFile);
  if (fs.existsSync(keyringFile)) return Keyring.load(keyringFile, log);
  const keyFile = paths.host(cfg.gossip.keyFile);
  let text: string;
  try {
    text = fs.readFileSync(keyFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new OperatorError({
      code: 'GOSSIP_KEY_UNREADABLE',
      message: `cannot read gossip.keyFile ${keyFile}: ${errorText(err)}`,
      hint: 'the file holds the cluster gossip key, base64 of 32 bytes (belayctl gossip keys generate)',
    });
  }
  const keyring = new Keyring(parseKey(text.trim(), 'gossip.keyFile'));
  await keyring.save(keyringFile);
  return keyring;
}

export async function startGossip(d: {
  cfg: CoordinatorConfig;
  paths: HostPaths;
  tls: TlsMaterial | 'insecure';
  log: Logger;
  registry: Registry;
  store: ReportStore;
}): Promise<Gossip | undefined> {
  const { cfg, log } = d;
  if (!cfg.gossip.enabled) return undefined;
  const keyring = await loadKeyring(cfg, d.paths, log);
  if (!keyring) {
    log.warn('gossip off: no gossip key', {
      path: d.paths.host(cfg.gossip.keyFile),
      code: 'GOSSIP_NO_KEY',
      hint: 'put the cluster gossip key (belayctl gossip keys generate) in gossip.keyFile, or set gossip.enabled: false; without gossip this coordinator sees only the agents that report to it',
    });
    return undefined;
  }
  const socket = await GossipSocket.bind({
    host: cfg.gossip.listen.host,
    port: cfg.gossip.listen.port,
    keyring,
    mtu: cfg.gossip.mtu,
    replayWindowMs: cfg.gossip.replayWindowMs,
    metrics: d.registry,
    log: log.child({ component: 'gossip-udp' }),
  });
  const api = cfg.listen;
  const summary = (): Record<string, string> => {
    const me = d.store.status(Date.now()).find((n) => n.name === cfg.node.name);
    return { api, ...summarize((me?.report ?? undefined) as HostReport__Output | undefined, me?.agentConnected ?? false) };
  };
  let tags = summary();
  const node = new SwimNode(
    cfg.gossip.swim,
    { name: cfg.node.name, bootId: newBootId(Date.now(), systemRng()), addr: socket.addr, tags },
    systemRng(),
    Date.now(),
  );

  const clients = new Map<string, CoordinatorClient>();
  const peer = (grpcAddr: string): CoordinatorClient => {
    let c = clients.get(grpcAddr);
    if (!c) {
      const Client = belayProto().belay.v1.Coordinator;
      c = new Client(grpcAddr, clientCredentials(d.tls), channelOptions(cfg.maxMessageBytes, { keepalive: false }));
      clients.set(grpcAddr, c);
    }
    return c;
  };
  const driver = new GossipDriver({
    node,
    socket,
    keyring,
    log: log.child({ component: 'gossip' }),
    registry: d.registry,
    maxMessageBytes: cfg.maxMessageBytes,
    grpcAddrOf: (addr, members) => members.find((m) => m.addr === addr)?.tags.api,
    pushPull: {
      call: (grpcAddr, sealed) =>
        new Promise((resolve, reject) => {
          peer(grpcAddr).PushPull({ sealed }, { deadline: new Date(Date.now() + 5_000) }, (err: grpc.ServiceError | null, res?: GossipEnvelope__Output) => {
            if (err || !res) reject(err ?? new Error('empty answer'));
            else resolve(res.sealed);
          });
        }),
    },
  });
  driver.start(cfg.gossip.seeds);
  const publish = setInterval(() => {
    const next = summary();
    if (JSON.stringify(next) === JSON.stringify(tags)) return;
    tags = next;
    driver.setTags(next);
  }, SUMMARY_INTERVAL_MS);
  log.info('gossip started', { addr: socket.addr, seeds: cfg.gossip.seeds, keys: keyring.list().map((k) => k.fingerprint) });
  return {
    driver,
    keyring,
    members: () => node.members(),
    localHealth: () => node.localHealth(),
    saveKeyring: () => keyring.save(d.paths.host(cfg.gossip.keyringFile)),
    peer,
    async stop() {
      clearInterval(publish);
      await driver.leave();
      await socket.close();
      for (const c of clients.values()) c.close();
    },
  };
}
