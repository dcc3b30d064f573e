/**
 * Leader terms from the coordinators' logs (coordinator/etcd/election.ts logs "elected leader" with its
 * term): across the cluster's timeline, each election must have a higher term than every earlier one,
 * so that two coordinators never act as leader with the same or a lower term. Pure: the logs are text in.
 */

export interface Election {
  master: string;
  term: number;
  atMs: number;
}

/** The "elected leader" lines of one coordinator's JSON log. */
export function electionsFromLog(master: string, log: string): Election[] {
  const out: Election[] = [];
  for (const line of log.split('\n')) {
    if (!line.includes('"elected leader"')) continue;
    try {
      const e = JSON.parse(line) as { message?: unknown; term?: unknown; timestamp?: unknown };
      if (e.message === 'elected leader' && typeof e.term === 'number' && typeof e.timestamp === 'string')
        out.push({ master, term: e.term, atMs: Date.parse(e.timestamp) });
    } catch {
      // a line cut by a crash: not an election
    }
  }
  return out;
}

/** Every election whose term is not above the one before it in time, as a sentence; none when terms strictly increase. */
export function termViolations(elections: Election[]): string[] {
  const sorted = [...elections].sort((a, b) => a.atMs - b.atMs || a.term - b.term);
  const out: string[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    const cur = sorted[i];
    if (prev && cur && cur.term <= prev.term)
      out.push(`${cur.master} elected with term ${cur.term} at ${new Date(cur.atMs).toISOString()}, after ${prev.master} with term ${prev.term}`);
  }
  return out;
}
