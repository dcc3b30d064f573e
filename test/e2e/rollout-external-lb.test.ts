import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import YAML from 'yaml';
import { showServers } from '../../agent/balancer/runtime-api.js';
import { HAPROXY_DEFAULTS } from '../../coordinator/balancer/haproxy-config.js';
import { startLoad } from '../harness/apiserver-load.js';
import { belayctl, runBin } from '../harness/belayctl.js';
import { adminTls, apiserverVersion } from '../harness/control-plane.js';
import { eventually, withCluster } from '../harness/cluster.js';

/**
 * spec.loadBalancer.mode external: an haproxy belay does not run (started
 * here, with a config written here), which belay only drains and enables
 * through its runtime API socket, via the agent of runtimeApi.master. The
 * cluster comes up in static-pod mode as dev up makes it, is switched to
 * external with `apply`, and the apiserver is rolled out with clients going
 * through the external haproxy only; then a 4th master joins, and the leader
 * adds its apiserver to that haproxy at run time.
 */

const HAPROXY = '/usr/sbin/haproxy';
/** On m1's address: belay binds 6443, 8443, 8404, 2379-2381 and 77xx there, never this. */
const PORT = 9443;
/**
 * The socket as the spec names it. The agent speaks only to sockets under
 * /run (agent/rpc/balancer.ts), taken under its --root: the haproxy must
 * listen on <m1 root>/run/..., which on a real master is /run/... itself.
 */
const SPEC_SOCKET = '/run/haproxy-external/admin.sock';
/** As belay's own haproxy (spec defaults), so the apiserver's shutdown delay covers its detection window. */
const CHECK = { interval: 500, fall: 2, rise: 2 };
/** Backend name belay addresses (BACKEND in haproxy-config.ts); spelled out so a rename there shows here. */
const BACKEND = 'kube-apiserver';

/** Fails fast, naming the port, rather than letting haproxy exit with "cannot bind". */
async function assertFree(host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const s = net.createServer();
    s.once('error', (err) => reject(new Error(`${host}:${port} is taken (${String(err)}): the external haproxy needs it`)));
    s.listen(port, host, () => s.close(() => resolve()));
  });
}

/** The config an operator would give an external haproxy, mirroring what haproxy-config.ts renders for the static pods. */
function externalConfig(o: { bind: string; socket: string; servers: { name: string; address: string }[] }): string {
  return [
    'global',
    `  stats socket ${o.socket} mode 600 level admin`,
    '',
    'defaults',
    '  mode tcp',
    '  timeout connect 5s',
    '  timeout client 1h',
    '  timeout server 1h',
    '  retries 3',
    '  option redispatch',
    '',
    // Not named like the backend: `show stat <name>` would pick the frontend.
    'frontend external-apiserver',
    `  bind ${o.bind}`,
    `  default_backend ${BACKEND}`,
    '',
    `backend ${BACKEND}`,
    '  balance roundrobin',
    '  option httpchk GET /readyz',
    '  http-check expect status 200',
    `  default-server check check-ssl verify none inter ${CHECK.interval}ms fall ${CHECK.fall} rise ${CHECK.rise}`,
    `  timeout check ${HAPROXY_DEFAULTS.checkTimeoutMs}ms`,
    ...o.servers.map((s) => `  server ${s.name} ${s.address}:6443`),
    '',
  ].join('\n');
}

/** haproxy in the foreground (-db) as a child of the test; its output kept for a failure message. */
function startHaproxy(cfg: string): { child: ChildProcess; output: () => string; stop(): Promise<void> } {
  const child = spawn(HAPROXY, ['-f', cfg, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      // haproxy -db stops at once on SIGTERM; SIGKILL if it does not within 5 s.
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

interface Watched {
  samples: number;
  /** Samples whose runtime API call failed. */
  unreadable: number;
  /** Longest time between two samples' starts: what a shorter outage could hide in. */
  maxGapMs: number;
  maxOut: number;
  /** Each server in the order it was first seen out (not READY or not UP). */
  outOrder: string[];
  /** Servers seen in DRAIN: only belay, through the runtime API, sets that. */
  drained: string[];
}

/** Samples the external haproxy's backend every 100 ms until stopped. */
function watchBackend(socket: string): { stop(): Promise<Watched> } {
  let stopped = false;
  const w: Watched = { samples: 0, unreadable: 0, maxGapMs: 0, maxOut: 0, outOrder: [], drained: [] };
  const loop = (async () => {
    let last: number | undefined;
    while (!stopped) {
      const now = performance.now();
      if (last !== undefined) w.maxGapMs = Math.max(w.maxGapMs, Math.round(now - last));
      last = now;
      try {
        const servers = await showServers(socket, BACKEND);
        const out = servers.filter((s) => s.adminState !== 'READY' || s.operationalState !== 'UP').map((s) => s.name);
        w.maxOut = Math.max(w.maxOut, out.length);
        for (const n of out) if (!w.outOrder.includes(n)) w.outOrder.push(n);
        for (const s of servers) if (s.adminState === 'DRAIN' && !w.drained.includes(s.name)) w.drained.push(s.name);
      } catch {
        w.unreadable++;
      }
      w.samples++;
      // Every 100 ms from the last sample's start: a slow answer under load does not stretch the period further.
      await new Promise((r) => setTimeout(r, Math.max(0, 100 - (performance.now() - now))));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return { ...w, drained: [...w.drained].sort() };
    },
  };
}

const allReadyUp = async (socket: string): Promise<void> => {
  const servers = await showServers(socket, BACKEND);
  assert.deepEqual(servers.map((s) => `${s.name} ${s.adminState} ${s.operationalState}`).sort(), ['m1 READY UP', 'm2 READY UP', 'm3 READY UP']);
};

test(
  "rollout apiserver behind an external haproxy: drained and enabled through its runtime API by m1's agent, no failed request, never two out; a joining master is added to it",
  { timeout: 600_000 },
  async () => {
    await withCluster({ masters: 4, specMasters: 3, bootstrap: true, controlPlane: true }, async (c) => {
      const env = c.env;
      const masters = c.state.masters.slice(0, 3);
      const m4 = c.state.masters[3];
      assert.ok(m4);
      const m1 = masters[0];
      assert.ok(m1);

      // given an haproxy belay does not run, on m1's address, its runtime API socket where m1's agent may reach it
      await assertFree(m1.address, PORT);
      const socket = path.join(m1.root, SPEC_SOCKET);
      fs.mkdirSync(path.dirname(socket), { recursive: true });
      const cfg = path.join(c.dir, 'external-haproxy.cfg');
      fs.writeFileSync(cfg, externalConfig({ bind: `${m1.address}:${PORT}`, socket, servers: masters }));
      const haproxy = startHaproxy(cfg);
      try {
        await eventually(() => allReadyUp(socket), { timeoutMs: 20_000, intervalMs: 200 }).catch((err: unknown) => {
          throw new Error(`the external haproxy never had all three apiservers UP: ${String(err)}\nhaproxy said:\n${haproxy.output()}`);
        });

        // and the spec switched to it under the running cluster, with a short stable window
        const spec = YAML.parse((await belayctl(['get', 'cluster', '-o', 'yaml'], env)).stdout) as { spec: Record<string, unknown> };
        spec.spec.loadBalancer = {
          ...(spec.spec.loadBalancer as object),
          mode: 'external',
          address: m1.address,
          port: PORT,
          runtimeApi: { master: 'm1', socket: SPEC_SOCKET },
        };
        spec.spec.rollout = { stableWindow: '1s', readyTimeout: '30s' };
        const file = path.join(c.dir, 'cluster-external-lb.yaml');
        fs.writeFileSync(file, YAML.stringify(spec));
        const applied = await belayctl(['apply', '-f', file], env);
        process.stderr.write(`apply (static-pod → external):\n${applied.stdout}${applied.stderr}`);
        assert.equal(applied.code, 0, applied.stderr + applied.stdout);
        assert.match(applied.stdout, /spec\.loadBalancer\.mode: "static-pod" → "external"/);

        const tls = adminTls(m1.root);
        for (const m of masters) assert.equal(await apiserverVersion(m.address, tls, 6443), 'v1.31.0');
        assert.equal(await apiserverVersion(m1.address, tls, PORT), 'v1.31.0', 'the external haproxy serves before the rollout');

        // when the apiserver is rolled out under a client loop through the external haproxy only
        const load = startLoad({ targets: [{ host: m1.address, port: PORT }], tls, path: '/api/v1/namespaces/default/configmaps', maxRequests: 200_000 });
        const backend = watchBackend(socket);
        const t0 = performance.now();
        // belayctl follows the rollout to its end; more than runBin's 60 s default on a loaded 2-core host.
        const r = await runBin('belayctl', ['rollout', 'apiserver', '--image', 'registry.k8s.io/kube-apiserver:v1.31.1'], { env, timeoutMs: 240_000 });
        const took = performance.now() - t0;
        const seen = await load.stop();
        const out = await backend.stop();
        process.stderr.write(
          `external-lb rollout: ${(took / 1000).toFixed(1)} s, exit ${String(r.code)}; requests ${seen.sent}, ok ${seen.ok}, failed ${seen.failed} ${JSON.stringify(seen.errors)} ${seen.samples.join(' | ')}; ` +
            `backend samples ${out.samples} (${out.unreadable} unreadable, longest gap ${out.maxGapMs} ms), most out at once ${out.maxOut}, out in order ${out.outOrder.join(', ')}, drained ${out.drained.join(', ')}\n`,
        );

        // then it completes, no client request failed, each master was drained in turn and never two were out
        assert.equal(r.code, 0, r.stderr + r.stdout);
        assert.match(r.stdout, /kube-apiserver revision 1: complete, 3 of 3 done/);
        assert.equal(seen.failed, 0, seen.samples.join('\n'));
        assert.ok(seen.ok > 50, `only ${seen.ok} requests answered`);
        assert.equal(out.unreadable, 0, 'the runtime API answered every sample');
        assert.equal(out.maxOut, 1, 'at most one master out of the external haproxy at any time');
        assert.deepEqual(out.outOrder, ['m1', 'm2', 'm3']);
        assert.deepEqual(out.drained, ['m1', 'm2', 'm3'], 'each was set to DRAIN through the runtime API');
        // and all three end READY and UP, on the new version
        await eventually(() => allReadyUp(socket), { timeoutMs: 10_000, intervalMs: 200 });
        for (const m of masters) assert.equal(await apiserverVersion(m.address, tls, 6443), 'v1.31.1');
        assert.equal(haproxy.child.exitCode, null, `the external haproxy kept running:\n${haproxy.output()}`);

        // when a 4th master joins the spec
        const grown = YAML.parse((await belayctl(['get', 'cluster', '-o', 'yaml'], env)).stdout) as { spec: { masters: { name: string; address: string }[] } };
        grown.spec.masters.push({ name: m4.name, address: m4.address });
        const grownFile = path.join(c.dir, 'cluster-external-lb-4.yaml');
        fs.writeFileSync(grownFile, YAML.stringify(grown));
        const joined = await belayctl(['apply', '-f', grownFile], env);
        assert.equal(joined.code, 0, joined.stderr + joined.stdout);
        // then the leader adds its apiserver to the external haproxy through the runtime API, the others left as they are,
        // and m4 takes traffic once it is ready
        await eventually(
          async () => {
            const servers = await showServers(socket, BACKEND);
            assert.deepEqual(servers.map((s) => `${s.name} ${s.adminState} ${s.operationalState}`).sort(), [
              'm1 READY UP',
              'm2 READY UP',
              'm3 READY UP',
              'm4 READY UP',
            ]);
            assert.equal(servers.find((s) => s.name === 'm4')?.address, `${m4.address}:6443`);
          },
          { timeoutMs: 240_000, intervalMs: 1_000 },
        );
        // and says what to write in that haproxy's config, which is the operator's. haproxy shows a server it was just
        // given at once, before the leader has its answer and logs it: the line is looked for until it comes.
        await eventually(
          () => {
            const said = c.state.masters.map((m) => c.log(m.name, 'coordinator')).join('\n');
            const warning = said.split('\n').find((l) => l.includes('servers added to the external haproxy at run time'));
            assert.match(warning ?? '', /add to backend kube-apiserver in its haproxy\.cfg: server m4 127\.\d+\.\d+\.4:6443 check/, said.slice(-2000));
          },
          { timeoutMs: 15_000, intervalMs: 250 },
        );
        assert.equal(haproxy.child.exitCode, null, `the external haproxy kept running:\n${haproxy.output()}`);
      } finally {
        await haproxy.stop();
      }
    });
  },
);
