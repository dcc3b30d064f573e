/**
 * Gossip figures (issue 5), belay next to HashiCorp Serf in one run, printed:
 *  - kill -9 of one of 5 members → dead (Serf: failed) on every survivor, over
 *    BENCH_KILLS kills each (default 20), median / p90 / worst;
 *  - the killed member started again → alive on all 5 (a new member seen by all);
 *  - false positives: a member other than the victim seen not alive by anyone;
 *  - per member at rest: RSS, CPU, and bytes/s (iptables counters on the traffic
 *    to each member's own loopback address, IP headers included; belay: UDP gossip
 *    + push-pull gRPC both ways, with the agents stopped so that their reports are
 *    not counted).
 * Both at the same probe interval (1 s: Serf's LAN default and belay's LAN profile).
 * Views are polled every 100 ms on every survivor at once, the same way for both.
 * Usage: npm run build && npm run bench:gossip   (root for iptables; BENCH_KILLS=20 BENCH_IDLE_S=30)
 */
import '../proto/common/warnings.js';
import { fromDist } from './dist.js';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sampleUsage } from '../agent/supervisor/liveness.js';
import type { MembersResponse__Output } from '../proto/gen/belay/v1/MembersResponse.js';
import type { CoordinatorClient } from '../proto/gen/belay/v1/Coordinator.js';
import { findOnPath } from '../test/harness/runtimes.js';

type Cluster = typeof import('../coordinator/dev/cluster.js');
type Grpc = typeof import('../proto/common/grpc.js');

const serfBin = findOnPath('serf');
if (!serfBin) {
  console.error('bench: serf is not installed (apt-get install serf; scripts/setup.sh does it)');
  process.exit(1);
}
const SERF: string = serfBin;
const cluster = await fromDist<Cluster>('coordinator/dev/cluster.js', 'bench:gossip');
const g = await fromDist<Grpc>('proto/common/grpc.js', 'bench:gossip');

const N = 5;
const KILLS = Number(process.env.BENCH_KILLS ?? 20);
const IDLE_S = Number(process.env.BENCH_IDLE_S ?? 30);
const POLL_MS = 100;
const TICKS_PER_S = 100;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;
const s = (ms: number): string => (ms / 1000).toFixed(2);

/** One system under test: N members, each with a view of the others. */
interface System {
  name: string;
  members: string[];
  address(member: string): string;
  pid(member: string): number;
  /** member → state as `observer` sees it; 'alive' | 'dead' | ... (Serf's failed → dead). */
  view(observer: string): Promise<Record<string, string> | undefined>;
  kill(member: string): void;
  restart(member: string): Promise<void>;
  /**
   * iptables matches for the gossip traffic addressed to the member: what all
   * members receive is what all members send, and matching on the destination
   * also counts TCP connections the kernel sources from 127.0.0.1.
   */
  trafficRules(member: string): string[][];
  stop(): Promise<void>;
}

async function belaySystem(): Promise<System> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-bench-gossip-'));
  const base = `127.4.${1 + Math.floor(Math.random() * 250)}.1`;
  const state = await cluster.devUp({ masters: N, dir, baseAddress: base, reportIntervalMs: 5000 });
  // Coordinators alone: the agents' report streams would be counted as coordinator traffic.
  for (const p of state.processes.filter((x) => x.role === 'agent')) process.kill(p.pid, 'SIGTERM');
  const tls = g.readTls({ ca: state.env.BELAY_CA, cert: state.env.BELAY_CERT, key: state.env.BELAY_KEY });
  const Client = g.belayProto().belay.v1.Coordinator;
  const clients = new Map<string, CoordinatorClient>(
    state.masters.map((m) => [
      m.name,
      new Client(`${m.address}:7702`, g.clientCredentials(tls), g.channelOptions(g.DEFAULT_MAX_MESSAGE_BYTES, { keepalive: false })),
    ]),
  );
  const proc = (m: string) => state.processes.find((p) => p.master === m && p.role === 'coordinator');
  return {
    name: 'belay',
    members: state.masters.map((m) => m.name),
    address: (m) => state.masters.find((x) => x.name === m)?.address ?? '',
    pid: (m) => proc(m)?.pid ?? 0,
    view: (o) =>
      new Promise((resolve) =>
        clients
          .get(o)
          ?.Members({}, { deadline: new Date(Date.now() + 1000) }, (err: unknown, res?: MembersResponse__Output) =>
            resolve(err || !res ? undefined : Object.fromEntries(res.members.map((x) => [x.name, x.state]))),
          ),
      ),
    kill: (m) => process.kill(proc(m)?.pid ?? 0, 'SIGKILL'),
    restart(m) {
      const old = proc(m);
      const master = state.masters.find((x) => x.name === m);
      if (!old || !master) return Promise.reject(new Error(`no ${m}`));
      state.processes[state.processes.indexOf(old)] = cluster.startDaemon('coordinator', master, old.config, 'json');
      return Promise.resolve();
    },
    trafficRules: (m) => {
      const a = state.masters.find((x) => x.name === m)?.address ?? '';
      return [
        ['-d', a, '-p', 'udp', '--dport', '7703'],
        ['-d', a, '-p', 'tcp', '--dport', '7702'],
        ['-d', a, '-p', 'tcp', '--sport', '7702'],
      ];
    },
    async stop() {
      clients.forEach((c) => c.close());
      await cluster.devDown(dir, { purge: true });
    },
  };
}

async function serfSystem(): Promise<System> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-bench-serf-'));
  const base = 1 + Math.floor(Math.random() * 250);
  const key = randomBytes(32).toString('base64');
  const names = Array.from({ length: N }, (_, i) => `s${i + 1}`);
  const addr = (m: string): string => `127.5.${base}.${names.indexOf(m) + 1}`;
  const procs = new Map<string, ChildProcess>();
  const start = (m: string): void => {
    const log = fs.openSync(path.join(dir, `${m}.log`), 'a');
    // retry-join: the first agents start before the others listen (a plain -join gives up and exits).
    const others = names.filter((x) => x !== m).map((x) => `-retry-join=${addr(x)}:7946`);
    // Serf's LAN profile (memberlist DefaultLANConfig): probe 1 s, timeout 500 ms, suspicion mult 4, push-pull 30 s.
    const child = spawn(
      SERF,
      [
        'agent',
        `-node=${m}`,
        `-bind=${addr(m)}:7946`,
        `-rpc-addr=${addr(m)}:7373`,
        `-encrypt=${key}`,
        '-profile=lan',
        '-log-level=info',
        '-retry-interval=1s',
        ...others,
      ],
      { stdio: ['ignore', log, log] },
    );
    fs.closeSync(log);
    procs.set(m, child);
  };
  names.forEach(start);
  const sys: System = {
    name: 'serf',
    members: names,
    address: addr,
    pid: (m) => procs.get(m)?.pid ?? 0,
    view: (o) =>
      new Promise((resolve) => {
        const c = spawn(SERF, ['members', `-rpc-addr=${addr(o)}:7373`, '-format=json'], { stdio: ['ignore', 'pipe', 'ignore'] });
        let out = '';
        c.stdout.on('data', (b: Buffer) => (out += b.toString()));
        const t = setTimeout(() => c.kill('SIGKILL'), 1000);
        c.on('close', (code) => {
          clearTimeout(t);
          try {
            if (code !== 0) return resolve(undefined);
            const j = JSON.parse(out) as { members: { name: string; status: string }[] };
            resolve(Object.fromEntries(j.members.map((x) => [x.name, x.status === 'failed' ? 'dead' : x.status])));
          } catch {
            resolve(undefined);
          }
        });
      }),
    kill: (m) => procs.get(m)?.kill('SIGKILL'),
    restart: async (m) => {
      await sleep(200); // its ports are free once the killed process is reaped
      start(m);
    },
    trafficRules: (m) => [
      ['-d', addr(m), '-p', 'udp', '--dport', '7946'],
      ['-d', addr(m), '-p', 'tcp', '--dport', '7946'],
      ['-d', addr(m), '-p', 'tcp', '--sport', '7946'],
    ],
    async stop() {
      for (const c of procs.values()) c.kill('SIGKILL');
      await sleep(200);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  // Wait until every member sees all alive.
  for (let i = 0; i < 100; i++) {
    const views = await Promise.all(names.map((o) => sys.view(o)));
    if (views.every((v) => v && names.every((n) => v[n] === 'alive'))) return sys;
    await sleep(200);
  }
  throw new Error(`serf cluster did not form; logs in ${dir}`);
}

interface Round {
  detectMs: number;
  joinMs: number;
}

/** Kills one member, waits until every survivor marks it dead, starts it again, waits until all see it alive. */
async function round(sys: System, victim: string, falsePositives: Set<string>): Promise<Round> {
  const survivors = sys.members.filter((m) => m !== victim);
  const t0 = performance.now();
  sys.kill(victim);
  const seen = new Map<string, number>();
  while (seen.size < survivors.length && performance.now() - t0 < 60_000) {
    const views = await Promise.all(survivors.map((o) => sys.view(o)));
    views.forEach((v, i) => {
      const o = survivors[i] ?? '';
      if (!v) return;
      if (v[victim] === 'dead' && !seen.has(o)) seen.set(o, performance.now() - t0);
      for (const m of survivors) if (v[m] !== undefined && v[m] !== 'alive') falsePositives.add(`${o} saw ${m} ${v[m]}`);
    });
    await sleep(POLL_MS);
  }
  const detectMs = seen.size === survivors.length ? Math.max(...seen.values()) : Infinity;
  const t1 = performance.now();
  await sys.restart(victim);
  for (;;) {
    const views = await Promise.all(sys.members.map((o) => sys.view(o)));
    if (views.every((v) => v && sys.members.every((m) => v[m] === 'alive'))) break;
    if (performance.now() - t1 > 60_000) break;
    await sleep(POLL_MS);
  }
  const joinMs = performance.now() - t1;
  await sleep(2_000); // let the cluster settle before the next kill
  return { detectMs, joinMs };
}

/** RSS, CPU and bytes sent per member at rest over IDLE_S seconds. */
async function idle(sys: System): Promise<{ rssMb: number; cpuPct: number; bytesPerS: number }> {
  const chain = `BELAY_BENCH_${sys.name.toUpperCase()}`;
  const ipt = (...args: string[]): void => {
    execFileSync('iptables', args, { stdio: 'ignore' });
  };
  try {
    ipt('-N', chain);
    ipt('-I', 'OUTPUT', '-j', chain);
    for (const m of sys.members) for (const r of sys.trafficRules(m)) ipt('-A', chain, ...r);
  } catch (err) {
    console.error(`bench: iptables not usable (${String(err)}): bytes/s not measured`);
  }
  const t0 = performance.now();
  const c0 = sys.members.map((m) => sampleUsage(sys.pid(m))?.ticks ?? 0);
  const rss: number[] = [];
  while (performance.now() - t0 < IDLE_S * 1000) {
    for (const m of sys.members) rss.push(sampleUsage(sys.pid(m))?.rssBytes ?? 0);
    await sleep(1000);
  }
  const el = (performance.now() - t0) / 1000;
  const cpu = sys.members.map((m, i) => (((sampleUsage(sys.pid(m))?.ticks ?? 0) - (c0[i] ?? 0)) / TICKS_PER_S / el) * 100);
  let bytes = NaN;
  try {
    const out = execFileSync('iptables', ['-nvxL', chain], { encoding: 'utf8' });
    const rows = out
      .split('\n')
      .slice(2)
      .filter((l) => l.trim())
      .map((l) => ({ bytes: Number(l.trim().split(/\s+/)[1] ?? 0), rule: l.trim().split(/\s+/).slice(2).join(' ') }));
    bytes = rows.reduce((a, r) => a + (Number.isFinite(r.bytes) ? r.bytes : 0), 0);
    // Where the bytes go, summed over members by protocol and port.
    const byKind = new Map<string, number>();
    for (const r of rows) {
      const kind = r.rule.replace(/127\.\d+\.\d+\.\d+/g, 'ADDR').replace(/\s+/g, ' ');
      byKind.set(kind, (byKind.get(kind) ?? 0) + r.bytes);
    }
    for (const [k, b] of byKind) console.log(`  ${sys.name} at rest: ${(b / el / sys.members.length).toFixed(0)} B/s per member from ${k}`);
  } catch {
    // measured as NaN
  } finally {
    try {
      ipt('-D', 'OUTPUT', '-j', chain);
      ipt('-F', chain);
      ipt('-X', chain);
    } catch {
      // nothing to remove
    }
  }
  return {
    rssMb: rss.reduce((a, b) => a + b, 0) / rss.length / 1e6,
    cpuPct: cpu.reduce((a, b) => a + b, 0) / cpu.length,
    bytesPerS: bytes / el / sys.members.length,
  };
}

console.log(`bench: ${N} belay coordinators and ${N} serf agents on loopback; ${KILLS} kills each; idle window ${IDLE_S} s`);
const belay = await belaySystem();
const serf = await serfSystem().catch(async (err: unknown) => {
  await belay.stop();
  throw err;
});
try {
  await sleep(5_000);
  const idleB = await idle(belay);
  const idleS = await idle(serf);
  const results = new Map<string, { rounds: Round[]; fp: Set<string> }>([
    ['belay', { rounds: [], fp: new Set() }],
    ['serf', { rounds: [], fp: new Set() }],
  ]);
  for (let k = 0; k < KILLS; k++) {
    // Alternate, so that both see the same machine conditions.
    for (const sys of [belay, serf]) {
      const r = results.get(sys.name);
      if (!r) continue;
      const victim = sys.members[k % N] ?? '';
      const res = await round(sys, victim, r.fp);
      r.rounds.push(res);
      console.log(`  ${sys.name} kill ${k + 1}/${KILLS} (${victim}): dead on all survivors after ${s(res.detectMs)} s, back on all after ${s(res.joinMs)} s`);
    }
  }
  const row = (name: string, idleR: { rssMb: number; cpuPct: number; bytesPerS: number }): string => {
    const r = results.get(name);
    const d = r?.rounds.map((x) => x.detectMs) ?? [];
    const j = r?.rounds.map((x) => x.joinMs) ?? [];
    return [
      name.padEnd(6),
      `${s(pct(d, 50))} / ${s(pct(d, 90))} / ${s(Math.max(...d))}`.padEnd(22),
      `${s(pct(j, 50))} / ${s(Math.max(...j))}`.padEnd(15),
      String(r?.fp.size ?? 0).padEnd(6),
      idleR.rssMb.toFixed(1).padEnd(8),
      idleR.cpuPct.toFixed(2).padEnd(7),
      idleR.bytesPerS.toFixed(0),
    ].join('  ');
  };
  console.log('\nkill -9 → dead on all 4 survivors (median / p90 / worst, s), rejoin → alive on all 5 (median / worst, s),');
  console.log('false positives, and per member at rest: RSS (MB), CPU (% of one core), bytes/s sent');
  console.log(
    ['system', 'detect med/p90/worst'.padEnd(22), 'join med/worst'.padEnd(15), 'false'.padEnd(6), 'RSS MB'.padEnd(8), 'CPU %'.padEnd(7), 'B/s'].join('  '),
  );
  console.log(row('belay', idleB));
  console.log(row('serf', idleS));
  for (const [name, r] of results) for (const f of [...r.fp].slice(0, 5)) console.log(`  false positive (${name}): ${f}`);
} finally {
  await serf.stop();
  await belay.stop();
}
