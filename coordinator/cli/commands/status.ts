import type { Command } from 'commander';
import type { NodeStatus__Output } from '../../../proto/gen/belay/v1/NodeStatus.js';
import type { StatusResponse__Output } from '../../../proto/gen/belay/v1/StatusResponse.js';
import { connect, unary, type ConnectionFlags } from '../client.js';
import { formatAge, formatBytes, parseOutputFormat, print, renderTable } from '../output.js';

export function registerStatus(program: Command, flags: () => ConnectionFlags & { output: string }): void {
  program
    .command('status')
    .summary('show every master: agent, last report, load, memory, etcd disk, processes')
    .description(
      "Asks one coordinator for the state of every master it knows: whether the master's agent has a report stream open, the age of its latest report, load average, available memory, free space on the filesystem holding the etcd data dir, and the control-plane processes found running (kubelet, containerd, dockerd, etcd, kube-apiserver, kube-scheduler, kube-controller-manager, haproxy).",
    )
    .addHelpText(
      'after',
      '\nColumns:\n' +
        "  COORD      the master's coordinator in gossip: alive, suspect, dead (kill -9, host down, cut off) or left;\n" +
        '             - when gossip is off on the answering coordinator\n' +
        "  AGENT      connected: a report stream is open now; down: none (see the agent's log);\n" +
        "             via gossip: no report here, the row is the master's own summary spread by gossip\n" +
        "  REPORT     age of the latest report on the coordinator's clock (default every 5s)\n" +
        '  LOAD       1-minute load average / cores\n' +
        '  MEMORY     available / total\n' +
        '  ETCD-DISK  free / size of the filesystem holding the etcd data dir (etcd wants headroom)\n' +
        '  SERVICES   supervised services and their state (belayctl supervise list for details)\n' +
        "\nThe last line: etcd's phase (no-spec, awaiting-bootstrap, healthy, degraded, no-quorum), the leader\n" +
        'coordinator (holder of the etcd lease) with its election term, and what the leader is doing or waiting for.\n' +
        "\nExamples:\n  belayctl status\n  belayctl status -o json | jq '.nodes[] | select(.agentConnected | not) | .name'\n",
    )
    .action(async () => {
      const f = flags();
      const format = parseOutputFormat(f.output);
      const conn = connect(f);
      try {
        const res = await unary<object, StatusResponse__Output>(conn, 'Status', conn.coordinator.Status.bind(conn.coordinator), {});
        print(format, res, () => statusTable(res));
      } finally {
        conn.close();
      }
    });
}

export function statusTable(res: StatusResponse__Output): string {
  const rows = res.nodes.map((n) => statusRow(n, Number(res.nowMs)));
  const connected = res.nodes.filter((n) => n.agentConnected).length;
  const gossip = res.nodes.some((n) => n.member);
  const alive = res.nodes.filter((n) => n.member?.state === 'alive').length;
  return (
    renderTable(['NODE', 'ADDRESS', 'COORD', 'AGENT', 'REPORT', 'LOAD', 'MEMORY', 'ETCD-DISK', 'SERVICES', 'PROCESSES'], rows) +
    `\n${connected}/${res.nodes.length} agents connected${gossip ? `, ${alive}/${res.nodes.length} coordinators alive in gossip` : ', gossip off'} (answered by coordinator ${res.coordinator}, belay ${res.version})\n` +
    `etcd: ${res.etcdPhase || 'unknown'}; leader: ${res.leader ? `${res.leader} (term ${res.leaderTerm})` : 'none'}${res.reconcile ? `; ${res.reconcile}` : ''}\n` +
    // One line each: every alarm is a sentence with its member, cause and remedy (etcd/nospace.ts).
    res.etcdAlarms.map((a) => `ALERT: etcd ${a}\n`).join('') +
    backupLine(res) +
    controlPlaneLine(res)
  );
}

const CONTROL_PLANE_PODS: [string, string][] = [
  ['kube-apiserver.yaml', 'kube-apiserver'],
  ['kube-controller-manager.yaml', 'kube-controller-manager'],
  ['kube-scheduler.yaml', 'kube-scheduler'],
  ['haproxy.yaml', 'haproxy'],
];

/** Ready pods of each control-plane component across the masters (from the reports here), and the leader's line. */
function controlPlaneLine(res: StatusResponse__Output): string {
  const counts = CONTROL_PLANE_PODS.map(([file, name]) => {
    const pods = res.nodes.map((n) => n.report?.manifests.find((m) => m.file === file)).filter((m) => m !== undefined);
    return pods.length ? `${name} ${pods.filter((m) => m.podReady).length}/${pods.length} ready` : '';
  }).filter(Boolean);
  if (counts.length === 0 && !res.controlPlane) return '';
  return `control plane: ${counts.join(', ') || 'no pods yet'}${res.controlPlane ? `; ${res.controlPlane}` : ''}\n`;
}

function backupLine(res: StatusResponse__Output): string {
  const now = Number(res.nowMs);
  const s = res.lastSnapshot;
  const d = res.lastDrill;
  if (!s && !d) return res.etcdPhase === 'healthy' || res.etcdPhase === 'degraded' ? 'backups: none yet\n' : '';
  const snap = s
    ? `last snapshot ${formatAge(now - Number(s.takenAtMs))} ago (revision ${s.revision}, ${s.verified ? 'verified' : 'NOT verified'})`
    : 'no snapshot yet';
  const drill = d ? `last restore drill ${d.ok ? 'passed' : 'FAILED'} ${formatAge(now - Number(d.atMs))} ago` : 'no restore drill yet';
  return `backups: ${snap}; ${drill}\n${res.backupAlert ? `${res.backupAlert}\n` : ''}`;
}

function statusRow(n: NodeStatus__Output, nowMs: number): string[] {
  const r = n.report;
  const coord = n.member ? n.member.state : '-';
  const agent = n.agentConnected ? 'connected' : 'down';
  const sum = n.summary;
  if (!r && sum.report_at_ms !== undefined) {
    // No report here: the master's own summary, as its coordinator spreads it.
    const at = Number(sum.report_at_ms);
    const free = sum.etcd_free_bytes ? formatBytes(Number(sum.etcd_free_bytes)) : '-';
    const health =
      ['kubelet', 'runtime', 'etcd', 'apiserver']
        .filter((k) => sum[k] && sum[k] !== 'absent')
        .map((k) => `${k}:${sum[k] ?? ''}`)
        .join(',') || 'none';
    const stale = n.member?.state === 'alive' ? '' : ' (last known)';
    return [n.name, n.address, coord, `via gossip (${sum.agent ?? '?'})`, at > 0 ? `~${formatAge(nowMs - at)}${stale}` : 'never', '-', '-', free, health, '-'];
  }
  if (!r) return [n.name, n.address, coord, agent, 'never', '-', '-', '-', '-', '-'];
  const h = r.host;
  const load = h ? `${h.load1.toFixed(2)}/${h.cpuCores}` : '-';
  const mem = h ? `${formatBytes(h.memoryAvailableBytes)}/${formatBytes(h.memoryTotalBytes)}` : '-';
  const fs = r.filesystems.find((f) => f.holdsEtcdData);
  const disk = fs ? `${formatBytes(fs.availableBytes)}/${formatBytes(fs.sizeBytes)}${fs.readOnly ? ' (read-only!)' : ''}` : '-';
  const procs = r.processes.length ? r.processes.map((p) => `${p.name}(${p.pid})`).join(',') : 'none';
  // Supervised services by state: "kubelet:running,containerd:crash-looping".
  const services = r.services.length ? r.services.map((s) => `${s.name}:${s.state}`).join(',') : 'none';
  return [n.name, n.address, coord, agent, formatAge(Number(n.lastReportAgeMs)), load, mem, disk, services, procs];
}
