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
      'Asks one coordinator for the state of every master it knows: whether the master\'s agent has a report stream open, the age of its latest report, load average, available memory, free space on the filesystem holding the etcd data dir, and the control-plane processes found running (kubelet, containerd, dockerd, etcd, kube-apiserver, kube-scheduler, kube-controller-manager, haproxy).',
    )
    .addHelpText(
      'after',
      '\nColumns:\n' +
        '  AGENT      connected: a report stream is open now; down: none (see the agent\'s log)\n' +
        '  REPORT     age of the latest report on the coordinator\'s clock (default every 5s)\n' +
        '  LOAD       1-minute load average / cores\n' +
        '  MEMORY     available / total\n' +
        '  ETCD-DISK  free / size of the filesystem holding the etcd data dir (etcd wants headroom)\n' +
        '  SERVICES   supervised services and their state (belayctl supervise list for details)\n' +
        '\nExamples:\n  belayctl status\n  belayctl status -o json | jq \'.nodes[] | select(.agentConnected | not) | .name\'\n',
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
  const rows = res.nodes.map((n) => statusRow(n));
  const connected = res.nodes.filter((n) => n.agentConnected).length;
  return (
    renderTable(['NODE', 'ADDRESS', 'AGENT', 'REPORT', 'LOAD', 'MEMORY', 'ETCD-DISK', 'SERVICES', 'PROCESSES'], rows) +
    `\n${connected}/${res.nodes.length} agents connected (answered by coordinator ${res.coordinator}, belay ${res.version})\n`
  );
}

function statusRow(n: NodeStatus__Output): string[] {
  const r = n.report;
  const agent = n.agentConnected ? 'connected' : 'down';
  if (!r) return [n.name, n.address, agent, 'never', '-', '-', '-', '-', '-'];
  const h = r.host;
  const load = h ? `${h.load1.toFixed(2)}/${h.cpuCores}` : '-';
  const mem = h ? `${formatBytes(h.memoryAvailableBytes)}/${formatBytes(h.memoryTotalBytes)}` : '-';
  const fs = r.filesystems.find((f) => f.holdsEtcdData);
  const disk = fs ? `${formatBytes(fs.availableBytes)}/${formatBytes(fs.sizeBytes)}${fs.readOnly ? ' (read-only!)' : ''}` : '-';
  const procs = r.processes.length ? r.processes.map((p) => `${p.name}(${p.pid})`).join(',') : 'none';
  // Supervised services by state: "kubelet:running,containerd:crash-looping".
  const services = r.services.length ? r.services.map((s) => `${s.name}:${s.state}`).join(',') : 'none';
  return [n.name, n.address, agent, formatAge(Number(n.lastReportAgeMs)), load, mem, disk, services, procs];
}
