import { OperatorError } from '../../proto/common/errors.js';
import type { HostReport__Output } from '../../proto/gen/belay/v1/HostReport.js';
import type { NodeStatus } from '../../proto/gen/belay/v1/NodeStatus.js';

export interface NodeRef {
  name: string;
  address: string;
}

interface Entry {
  ref: NodeRef;
  /** Open report streams from this master's agent (a reconnect may overlap the old stream briefly). */
  streams: number;
  latest?: HostReport__Output;
  receivedAtMs?: number;
}

/**
 * The latest host report of every known master. Pure: the caller passes the
 * clock, and the peer's identity as proven by its TLS certificate.
 */
export class ReportStore {
  private readonly entries = new Map<string, Entry>();

  constructor(nodes: readonly NodeRef[]) {
    for (const n of nodes) this.entries.set(n.name, { ref: n, streams: 0 });
  }

  /**
   * Checks that `peer` may report as `node`: the master must be known, and its
   * certificate must be its own (a master cannot report for another).
   * `peer` is undefined only on an insecure server.
   */
  authorize(peer: string | undefined, node: string): void {
    if (!this.entries.has(node)) {
      throw new OperatorError({
        code: 'UNKNOWN_NODE',
        message: `report from unknown master "${node}" refused; known: ${[...this.entries.keys()].join(', ')}`,
        hint: `add ${node} to nodes in this coordinator's config, or fix node.name in that agent's config`,
      });
    }
    if (peer !== undefined && peer !== node) {
      throw new OperatorError({
        code: 'NODE_NAME_MISMATCH',
        message: `report for master "${node}" refused: the client certificate is for "${peer}"`,
        hint: `give the agent of ${node} its own certificate (belayctl pki init) or fix node.name in its config`,
      });
    }
  }

  streamOpened(node: string): void {
    const e = this.entries.get(node);
    if (e) e.streams++;
  }

  streamClosed(node: string): void {
    const e = this.entries.get(node);
    if (e && e.streams > 0) e.streams--;
  }

  /**
   * Stores a report if it is newer than the one held. Returns false for an
   * older one (same agent process, lower or equal seq), which can arrive when
   * a reconnect overlaps the old stream.
   */
  record(report: HostReport__Output, nowMs: number): boolean {
    const e = this.entries.get(report.node);
    if (!e) throw new Error(`record before authorize: ${report.node}`);
    const held = e.latest;
    if (held && held.agentInstance === report.agentInstance && report.seq <= held.seq) return false;
    e.latest = report;
    e.receivedAtMs = nowMs;
    return true;
  }

  /** The latest report of `node`, if it ever reported here. */
  latest(node: string): HostReport__Output | undefined {
    return this.entries.get(node)?.latest;
  }

  connectedCount(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.streams > 0) n++;
    return n;
  }

  status(nowMs: number): NodeStatus[] {
    return [...this.entries.values()].map((e) => ({
      name: e.ref.name,
      address: e.ref.address,
      agentConnected: e.streams > 0,
      // Measured on this coordinator's clock alone, so skew between masters cannot distort it.
      lastReportAgeMs: e.receivedAtMs === undefined ? -1 : Math.max(0, nowMs - e.receivedAtMs),
      report: e.latest ?? null,
    }));
  }
}
