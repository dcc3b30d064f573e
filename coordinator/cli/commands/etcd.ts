import type { Command } from 'commander';
import type { EtcdMembersResponse__Output } from '../../../proto/gen/belay/v1/EtcdMembersResponse.js';
import { connect, streamProgress, unary, type ConnectionFlags } from '../client.js';
import { CliError, EXIT } from '../exit-codes.js';
import { formatBytes, parseOutputFormat, print, renderTable } from '../output.js';

export function registerEtcd(program: Command, flags: () => ConnectionFlags & { output: string }): void {
  const etcd = program
    .command('etcd')
    .summary('the etcd cluster: members, add, remove')
    .description(
      'etcd membership as belay keeps it: the elected leader joins every master of the Cluster spec as a learner, one at a time, promotes it once in sync, and replaces members whose host is gone, never below quorum. These commands show the members and change them by hand; changes run on the leader (whichever coordinator you ask), one at a time.',
    );

  etcd
    .command('members')
    .summary('every member: role, health, db size, raft index, version, alarms')
    .addHelpText(
      'after',
      '\nColumns:\n  ROLE     leader, follower or learner (not yet promoted)\n  HEALTH   its endpoint answered status with a leader and no errors\n  DB       db size on disk (in use after compaction)\n  RAFT     raft index (a learner catching up trails the leader)\n',
    )
    .action(async () => {
      const f = flags();
      const format = parseOutputFormat(f.output);
      const conn = connect(f);
      try {
        const res = await unary<object, EtcdMembersResponse__Output>(conn, 'EtcdMembers', conn.coordinator.EtcdMembers.bind(conn.coordinator), {});
        print(format, res, () => {
          if (res.error && res.members.length === 0) return `${res.error}\n`;
          const rows = res.members.map((m) => [
            m.name,
            m.id,
            m.role,
            m.healthy ? 'healthy' : `unhealthy${m.error ? ` (${m.error})` : ''}`,
            m.dbSizeBytes ? `${formatBytes(Number(m.dbSizeBytes))} (${formatBytes(Number(m.dbSizeInUseBytes))})` : '-',
            m.raftIndex ? String(m.raftIndex) : '-',
            m.version || '-',
            m.peerUrls.join(','),
            m.clientUrls.join(',') || '-',
            m.alarms.join(',') || '-',
          ]);
          const healthy = res.members.filter((m) => m.healthy && m.role !== 'learner').length;
          const voters = res.members.filter((m) => m.role !== 'learner').length;
          return (
            renderTable(['NAME', 'ID', 'ROLE', 'HEALTH', 'DB', 'RAFT', 'VERSION', 'PEER URLS', 'CLIENT URLS', 'ALARMS'], rows) +
            `\n${healthy}/${voters} voting members healthy (quorum ${Math.floor(voters / 2) + 1}); cluster ${res.clusterId || '?'}; leader coordinator ${res.leader || 'none'} (term ${res.term}); answered by ${res.coordinator}\n`
          );
        });
      } finally {
        conn.close();
      }
    });

  const change = (method: 'EtcdAdd' | 'EtcdRemove') => async (name: string, o: { dryRun?: boolean }) => {
    const f = flags();
    const format = parseOutputFormat(f.output);
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) throw new CliError(`${name} is not a master name`, EXIT.usage, 'belayctl etcd members lists them');
    const conn = connect(f);
    try {
      const fn = method === 'EtcdAdd' ? conn.coordinator.EtcdAdd.bind(conn.coordinator) : conn.coordinator.EtcdRemove.bind(conn.coordinator);
      const last = await streamProgress(conn, method, fn, { name, dryRun: o.dryRun ?? false }, { json: format === 'json' });
      if (format !== 'json') process.stdout.write(`${last.message}\n`);
    } finally {
      conn.close();
    }
  };

  etcd
    .command('add <name>')
    .summary('join master NAME of the spec to etcd now (learner, then promoted)')
    .description(
      'Joins a master of the Cluster spec: preflight (free space and inodes where the data dir lives, fdatasync p99, clock skew, db size against the quota, alarms, kubelet and runtime health), its etcd certificates, member add as a learner, etcd.yaml with initial-cluster-state existing through its agent, promote once in sync, wait until healthy. The leader does the same by itself for every master of the spec; use this to bring back a master removed by hand, or to retry a failed join without waiting for its backoff. Refused for a name that is not in the spec.',
    )
    .option('--dry-run', 'run the preflight and print the plan; change nothing')
    .action(change('EtcdAdd'));

  etcd
    .command('remove <name>')
    .summary('remove member NAME from etcd (refused if it would cost quorum)')
    .description(
      'Removes one member: refused (exit 3) when the voting members that stay would have fewer healthy members than their quorum, or when it is the last voting member. The etcd leader\'s leadership is moved to a healthy member first. Its etcd is stopped (etcd.yaml removed; the data dir is kept) and the master is kept out of automatic joins until `belayctl etcd add NAME` (or until it is dropped from the spec).',
    )
    .option('--dry-run', 'check and print the plan; change nothing')
    .addHelpText('after', '\nExamples:\n  belayctl etcd remove m3 --dry-run\n  belayctl etcd remove m3\n')
    .action(change('EtcdRemove'));
}
