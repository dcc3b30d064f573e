/**
 * bench-supervisor's figures and what it prints of them: the side-by-side
 * table, belay's aim verdicts and the notes that explain them.
 */
import { CAP_MS } from './supervisor-fault.js';

export type Mode = 'child' | 'pidfile';
export type Series = (number | null)[];
export interface Figures {
  killDetected: Series;
  killBegun: Series;
  killHealthy: Series;
  hangLong: Series;
  hangAfter: Series;
  loopHealthy: Series;
}
const emptyFigures = (): Figures => ({ killDetected: [], killBegun: [], killHealthy: [], hangLong: [], hangAfter: [], loopHealthy: [] });

/** Everything one run measured, filled in as it goes. */
export interface Results {
  figures: Record<Mode | 'monit', Figures>;
  /** Kill trials the agent acted on as a hang: its checks failed twice before its liveness poll saw the exit. */
  killSeenAsHang: Record<Mode, number>;
  /** Whether monit ran under a subreaper; undefined: monit did not run. */
  tiniUsed: boolean | undefined;
  /** How long each failing start of the looper held monit's loop, s (from its log: whole seconds). */
  monitLoopBlock: number[];
  /** The agent CPU/RSS line; '' when not measured. */
  usage: string;
}
export const emptyResults = (): Results => ({
  figures: { child: emptyFigures(), pidfile: emptyFigures(), monit: emptyFigures() },
  killSeenAsHang: { child: 0, pidfile: 0 },
  tiniUsed: undefined,
  monitLoopBlock: [],
  usage: '',
});

export const ms = (v: number | null): string => (v === null || v === Infinity ? `> ${CAP_MS / 1000} s` : Number.isNaN(v) ? 'n/a' : `${Math.round(v)} ms`);

/** The median with a miss (null) counted as longer than anything measured; NaN for none. */
function med(xs: Series): number {
  const v = xs.map((x) => x ?? Infinity).sort((a, b) => a - b);
  return v.length === 0 ? NaN : v.length % 2 === 1 ? (v[(v.length - 1) / 2] ?? NaN) : ((v[v.length / 2 - 1] ?? NaN) + (v[v.length / 2] ?? NaN)) / 2;
}

function stats(xs: Series): string {
  if (xs.length === 0) return '—';
  const v = xs.map((x) => x ?? Infinity).sort((a, b) => a - b);
  const fmt = (x: number): string => (x === Infinity ? `>${CAP_MS / 1000} s` : x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`);
  const misses = xs.filter((x) => x === null).length;
  if (misses === xs.length) return `not within ${CAP_MS / 1000} s (n=${xs.length})`;
  return `${fmt(med(xs))} / ${fmt(v[v.length - 1] ?? NaN)} (n=${xs.length})`;
}

export function table(figures: Results['figures']): string {
  const c = figures.child;
  const p = figures.pidfile;
  const m = figures.monit;
  const rows: string[][] = [
    ['case (median / max)', 'belay child', 'belay pidfile', 'monit 5.33', 'aim'],
    [
      "(a) kill -9 → detected (agent's own event)",
      stats(c.killDetected),
      stats(p.killDetected),
      '— (log in whole s)',
      'child ≤ 50 ms; pidfile ≤ 1 poll (1000 ms)',
    ],
    ['(a) kill -9 → restart begun', stats(c.killBegun), stats(p.killBegun), stats(m.killBegun), ''],
    ['(a) kill -9 → healthy again', stats(c.killHealthy), stats(p.killHealthy), stats(m.killHealthy), '—'],
    ['(b) hang, long-running → restarted', stats(c.hangLong), stats(p.hangLong), stats(m.hangLong), '≤ 3000 ms'],
    ['(b) hang 2 s after a restart → restarted', stats(c.hangAfter), stats(p.hangAfter), stats(m.hangAfter), '≤ 3000 ms'],
    ['(c) kill -9 → healthy, other crash-looping', stats(c.loopHealthy), 'not measured (*)', stats(m.loopHealthy), 'no slower than alone'],
    ['(c)   … alone (= (a) healthy again)', stats(c.killHealthy), '', stats(m.killHealthy), ''],
  ];
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string =>
    r
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join(' | ')
      .trimEnd();
  const sep = widths.map((w) => '-'.repeat(w)).join('-|-');
  return [line(rows[0] ?? []), sep, ...rows.slice(1).map(line)].join('\n');
}

/** Aim verdicts for belay, one line each. */
export function verdicts(figures: Results['figures']): string[] {
  const max = (xs: Series): number => (xs.length === 0 ? NaN : Math.max(...xs.map((x) => x ?? Infinity)));
  const say = (ok: boolean, text: string): string => (text.includes('n/a') ? `n/a    ${text}` : `${ok ? 'met   ' : 'MISSED'} ${text}`);
  const c = figures.child;
  const p = figures.pidfile;
  return [
    say(max(c.killDetected) <= 50, `child mode: kill -9 detected ≤ 50 ms (max ${ms(max(c.killDetected))}; restart begun max ${ms(max(c.killBegun))})`),
    say(
      max(p.killDetected) <= 1_000,
      `pidfile mode: kill -9 detected ≤ one 1 s poll (max ${ms(max(p.killDetected))}; restart begun max ${ms(max(p.killBegun))})`,
    ),
    say(max([...c.hangLong, ...c.hangAfter]) <= 3_000, `child mode: hang → restarted ≤ 3 s, both cases (max ${ms(max([...c.hangLong, ...c.hangAfter]))})`),
    say(max([...p.hangLong, ...p.hangAfter]) <= 3_000, `pidfile mode: hang → restarted ≤ 3 s, both cases (max ${ms(max([...p.hangLong, ...p.hangAfter]))})`),
    // "no slower": within 20 % or 50 ms of the median alone, whichever is larger (run-to-run noise)
    ...(['child'] as const).map((mode) => {
      const f = figures[mode];
      const alone = med(f.killHealthy);
      const loop = med(f.loopHealthy);
      return say(
        loop <= alone + Math.max(50, alone * 0.2),
        `${mode} mode: recovery during a crash loop no slower than alone (median ${ms(loop)} vs ${ms(alone)}; allowance max(50 ms, 20 %))`,
      );
    }),
  ];
}

/** The whole report after the run: what was measured and how, the table, the agent's usage and the verdicts. */
export function printReport(r: Results, head: { ctdVersion: string; tookS: number; failed: boolean }): void {
  const { figures, killSeenAsHang, tiniUsed, monitLoopBlock, usage } = r;
  console.log('');
  console.log(
    `Supervision of containerd ${head.ctdVersion} — belay-agent (built, shipped supervision defaults) vs monit 5.33 (set daemon 1), run took ${head.tookS.toFixed(0)} s`,
  );
  console.log('Measured from outside: restart begun = a new containerd process exists (/proc scan every 5 ms, identity pid + start time);');
  console.log('healthy again = its gRPC Version call answers (polled every 20 ms from restart begun); times from the kill -9 / SIGSTOP.');
  console.log(
    "belay: a fresh agent per trial (its policy then is a long-healthy daemon's: no backoff streak); detected = the agent's own Exited/Hung event (its log, ms).",
  );
  if (tiniUsed !== undefined)
    console.log(
      `monit: ${tiniUsed ? 'under tini -s (a subreaper reaps the dead daemon at once, as systemd would; PID 1 here reaps late and monit takes a zombie for running)' : 'without a subreaper (PID 1 here reaps late: monit waits for the zombie to go)'}.`,
    );
  console.log(
    'pidfile mode and monit start containerd through the same script (containerd &; echo $! > pidfile). monit tests the socket with `if failed unixsocket` (connect only: it cannot speak gRPC).',
  );
  console.log('pidfile mode (a): killed ≥ 10.6 s after the start, past the 50 ms polling that follows a start, i.e. at the steady 1 s poll.');
  for (const mode of ['child', 'pidfile'] as const) {
    if (killSeenAsHang[mode] > 0) {
      console.log(
        `${mode} mode: ${killSeenAsHang[mode]} of ${figures[mode].killDetected.length} kill -9s were acted on as a hang (Hung event): two health checks (500 ms apart) failed before the ${mode === 'pidfile' ? '1 s liveness poll' : 'exit event'} saw the process gone.`,
      );
    }
  }
  console.log('(*) (c) in child mode only: in pidfile mode the 0-1 s poll phase would swamp the comparison (the runners are independent in both modes).');
  if ([...figures.monit.hangLong, ...figures.monit.hangAfter].some((x) => x === null)) {
    console.log(
      'monit (b): a SIGSTOPped containerd still accepts connections on its socket (the kernel queues them), so `if failed unixsocket` passes; and for its 30 s start timeout after a start monit skips the test altogether.',
    );
  }
  if (monitLoopBlock.length > 0) {
    console.log(
      `(c) monit: each failing start of the other service held its single loop ${Math.min(...monitLoopBlock)}-${Math.max(...monitLoopBlock)} s (its log, ${monitLoopBlock.length} starts): a kill waits for the rest of that, 0-${Math.max(...monitLoopBlock) + 1} s by phase, ~${Math.round(Math.max(...monitLoopBlock) / 2)} s on average.`,
    );
  }
  console.log(
    '(c) belay: a second service `sh -c exit 1` in the same agent, already crash-looping (alert raised; budget 3, backoff capped at 1 s so it restarts every second);',
  );
  console.log('    monit: a second `check process` whose start program exits 1 (monit then waits its 30 s start timeout for the pidfile).');
  console.log('');
  console.log(table(figures));
  console.log('');
  console.log(usage === '' ? `agent CPU/RSS: not measured (${head.failed ? 'the run failed before' : 'not run'})` : usage);
  console.log('');
  for (const v of verdicts(figures)) console.log(v);
}
