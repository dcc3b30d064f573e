import type { Command } from 'commander';
import type { ServiceStatus__Output } from '../../../proto/gen/belay/v1/ServiceStatus.js';
import type { StatusResponse__Output } from '../../../proto/gen/belay/v1/StatusResponse.js';
import { connect, unary, type ConnectionFlags } from '../client.js';
import { formatAge, formatBytes, parseOutputFormat, print, renderTable } from '../output.js';

export function registerSupervise(program: Command, flags: () => ConnectionFlags & { output: string }): void {
  const sup = program
    .command('supervise')
    .summary('list, pause and resume the services each agent supervises (kubelet, container runtime)')
    .description(
      "Every belay-agent supervises its master's kubelet and container runtime: it restarts them when they exit or hang, with backoff, and raises an alert when one crash-loops. These commands show that supervision and pause it for maintenance.",
    );

  sup
    .command('list')
    .summary('every supervised service of every master')
    .option('--node <name>', 'only this master')
    .addHelpText(
      'after',
      '\nStates:\n' +
        '  running        up, and its health check passes\n' +
        '  starting       started; its first health check has not passed yet\n' +
        '  unhealthy      up, but its last health check failed\n' +
        '  stopping       being stopped (it hung: SIGTERM, then SIGKILL)\n' +
        '  backoff        down; restart scheduled (NEXT column of -o json: nextRestartAtMs)\n' +
        '  crash-looping  down and restarted too often: an alert was raised; restarts go on at the capped backoff\n' +
        '  waiting        waiting for a service it depends on (kubelet waits for the runtime)\n' +
        '  paused         maintenance: not restarted until resumed\n',
    )
    .action(async (o: { node?: string }) => {
      const f = flags();
      const format = parseOutputFormat(f.output);
      const conn = connect(f);
      try {
        const res = await unary<object, StatusResponse__Output>(conn, 'Status', conn.coordinator.Status.bind(conn.coordinator), {});
        const nodes = res.nodes.filter((n) => !o.node || n.name === o.node);
        const rows = nodes.flatMap((n) => (n.report?.services ?? []).map((s) => ({ node: n.name, ...s })));
        print(format, { services: rows }, () => superviseTable(rows, res.nowMs));
      } finally {
        conn.close();
      }
    });

  for (const action of ['pause', 'resume'] as const) {
    sup
      .command(`${action} <node> <service>`)
      .summary(action === 'pause' ? 'stop restarting a service (maintenance); survives an agent restart' : 'supervise a paused service again')
      .description(
        action === 'pause'
          ? "Pauses the supervision of SERVICE on master NODE: the agent no longer restarts it or acts on its health checks, and shows it as paused, until `supervise resume`. The pause is kept on the master's disk, so an agent restart does not end it. The service itself is left as it is."
          : 'Resumes the supervision of SERVICE on master NODE: a running service is checked again, a stopped one is started.',
      )
      .addHelpText('after', `\nExample:\n  belayctl supervise ${action} m2 kubelet\n`)
      .action(async (node: string, service: string) => {
        const f = flags();
        const format = parseOutputFormat(f.output);
        const conn = connect(f);
        try {
          const s = await unary<object, ServiceStatus__Output>(conn, 'Supervise', conn.coordinator.Supervise.bind(conn.coordinator), { node, service, action });
          print(format, s, () => `${service} on ${node}: ${s.state}\n`);
        } finally {
          conn.close();
        }
      });
  }
}

function superviseTable(rows: (ServiceStatus__Output & { node: string })[], nowMs: number): string {
  if (rows.length === 0) return 'no supervised services (none configured or present on the masters)\n';
  return renderTable(
    ['NODE', 'SERVICE', 'STATE', 'READY', 'PID', 'UPTIME', 'RESTARTS', 'CPU', 'RSS', 'LAST FAILURE'],
    rows.map((s) => [
      s.node,
      s.name,
      s.state,
      s.ready ? 'yes' : 'no',
      s.pid ? String(s.pid) : '-',
      s.pid && s.startedAtMs ? formatAge(nowMs - s.startedAtMs) : '-',
      String(s.restarts),
      s.pid ? `${s.cpuPercent.toFixed(1)}%` : '-',
      s.pid ? formatBytes(s.rssBytes) : '-',
      s.lastFailure ? `${formatAge(nowMs - s.lastFailureAtMs)} ago: ${s.lastFailure}` : '-',
    ]),
  );
}
