/** bench-supervisor's agent CPU and RSS: the built agent supervising containerd, dockerd and a kubelet stand-in, sampled while idle. */
import path from 'node:path';
import { sampleUsage } from '../../agent/supervisor/liveness.js';
import { dockerdCommand, unmountUnder } from '../../test/harness/runtimes.js';
import { mb, sleep } from './common.js';
import { agentDied, startAgent, stopAgent } from './supervisor-belay.js';
import { ready } from './supervisor-fault.js';
import { log, now, sweep, TICKS_PER_S, waitHealthy } from './supervisor-processes.js';
import { ctdService, under, type Bench } from './supervisor-setup.js';

/** Measures and stores the usage line in b.results.usage. */
export async function agentUsage(b: Bench): Promise<void> {
  const dkrDir = path.join(b.root, 'dkr');
  const dkr = dockerdCommand(dkrDir, { containerdSocket: b.ctd.socket });
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const tsx = import.meta.resolve('tsx');
  const died = (): string | undefined => agentDied(b);
  await startAgent(b, 'three', {
    containerd: ctdService(b, 'child'),
    docker: {
      mode: 'pidfile',
      pidfile: under(b, dkr.pidfile),
      command: [dkr.file, ...dkr.args],
      health: { type: 'unix-http', socket: under(b, dkr.socket), path: '/_ping' },
      dependsOn: ['containerd'],
    },
    kubelet: {
      mode: 'child',
      command: [
        process.execPath,
        '--import',
        tsx,
        path.join(b.top, 'test/stand-ins/kubelet-stand-in.ts'),
        '--port',
        String(port),
        '--runtime-socket',
        b.ctd.socket,
      ],
      health: { type: 'http', url: `http://127.0.0.1:${port}/healthz` },
      dependsOn: ['containerd'],
    },
  });
  try {
    await ready(b, 'belay, three services', died);
    for (const [name, check] of [
      ['dockerd', { type: 'unix-http', socket: dkr.socket, path: '/_ping' }],
      ['kubelet stand-in', { type: 'http', url: `http://127.0.0.1:${port}/healthz` }],
    ] as const) {
      if ((await waitHealthy(check, 60_000, died)) === undefined) throw new Error(`${name} not healthy within 60 s; ${b.agent?.log}`);
    }
    const pid = b.agent?.child.pid;
    if (pid === undefined) throw new Error('no agent pid');
    const idleSeconds = b.trials.idleSeconds;
    log(`agent supervising containerd (child), dockerd (pidfile) and a kubelet stand-in (child); settling 5 s, then ${idleSeconds} s idle`);
    await sleep(5_000);
    const t0 = now();
    const c0 = sampleUsage(pid)?.ticks ?? 0;
    const rss: number[] = [];
    while (now() - t0 < idleSeconds * 1000) {
      const why = died();
      if (why) throw new Error(why);
      rss.push(sampleUsage(pid)?.rssBytes ?? 0);
      await sleep(1_000);
    }
    const secs = (now() - t0) / 1000;
    const cpu = (((sampleUsage(pid)?.ticks ?? c0) - c0) / TICKS_PER_S / secs) * 100;
    b.results.usage = `agent CPU ${cpu.toFixed(2)} % of one core, RSS mean ${mb(rss.reduce((a, x) => a + x, 0) / rss.length)} MB / max ${mb(Math.max(...rss))} MB over ${secs.toFixed(0)} s, supervising containerd (child) + dockerd (pidfile, on that containerd) + kubelet stand-in (child); checks at the defaults; no coordinator listening (reports are collected, not sent)`;
  } finally {
    await stopAgent(b);
    // dockerd gets SIGTERM and time: it unmounts what it mounted only on a clean exit
    await sweep(b.tmp, 'SIGTERM', 15_000);
    await unmountUnder(dkrDir);
  }
}
