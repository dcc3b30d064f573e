import fs from 'node:fs';
import path from 'node:path';

/** bench:etcd's reading of the daemons' JSON logs. */

interface LogLine {
  timestamp?: string;
  message?: string;
  [k: string]: unknown;
}

/**
 * Every coordinator's and m4 agent's log lines while the join ran, as offsets (s) from the apply:
 * the leader before the apply is not always the one that joins m4.
 */
export function joinSteps(b: { dir: string; state: { masters: { name: string }[] } }, fromWallMs: number, toWallMs: number, agents = ['m4']): string[] {
  const files = [
    ...b.state.masters.map((m) => ({ who: `${m.name} coordinator`, file: path.join(b.dir, m.name, 'var/log/belay/coordinator.log') })),
    ...agents.map((a) => ({ who: `${a} agent`, file: path.join(b.dir, a, 'var/log/belay/agent.log') })),
  ];
  const out: { at: number; line: string }[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = fs.readFileSync(f.file, 'utf8');
    } catch {
      continue;
    }
    for (const raw of text.split('\n')) {
      let j: LogLine;
      try {
        j = JSON.parse(raw) as LogLine;
      } catch {
        continue;
      }
      const at = Date.parse(j.timestamp ?? '');
      if (!Number.isFinite(at) || at < fromWallMs - 50 || at > toWallMs + 200) continue;
      const { timestamp: _t, level: _l, message, component: _c, ...rest } = j;
      // Logged after each of the leader's calls to the agent and each Status poll, and gossip: noise here.
      if (message === 'call cut' || message === 'member updated') continue;
      const fields = Object.entries(rest)
        .filter(([k]) => !['term', 'memberId', 'node', 'paths', 'sha256', 'hint'].includes(k))
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      out.push({ at, line: `${f.who}: ${String(message)}${fields ? ` ${fields}` : ''}` });
    }
  }
  return out.sort((a, b2) => a.at - b2.at).map((x) => `+${((x.at - fromWallMs) / 1000).toFixed(2)} s  ${x.line.slice(0, 220)}`);
}
