import type { Command } from 'commander';
import type { EtcdMembersResponse__Output } from '../../../proto/gen/belay/v1/EtcdMembersResponse.js';
import type { EtcdSnapshotsResponse__Output } from '../../../proto/gen/belay/v1/EtcdSnapshotsResponse.js';
import { connect, streamProgress, unary, type ConnectionFlags } from '../client.js';
import { CliError, EXIT } from '../exit-codes.js';
import { formatAge, formatBytes, parseOutputFormat, print, renderTable } from '../output.js';

export function registerEtcd(program: Command, flags: () => ConnectionFlags & { output: string }): void {
  const etcd = program
    .command('etcd')
    .summary('the etcd cluster: members, add, remove, snapshot(s), restore, defrag')
    .description(
      'etcd as belay keeps it: the elected leader joins every master of the Cluster spec as a learner, one at a time, promotes it once in sync, and replaces members whose host is gone, never below quorum. These commands show the members and change them by hand; changes run on the leader (whichever coordinator you ask), one at a time.',
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
      "Removes one member: refused (exit 3) when the voting members that stay would have fewer healthy members than their quorum, or when it is the last voting member. The etcd leader's leadership is moved to a healthy member first. Its etcd is stopped (etcd.yaml removed; the data dir is kept) and the master is kept out of automatic joins until `belayctl etcd add NAME` (or until it is dropped from the spec).",
    )
    .option('--dry-run', 'check and print the plan; change nothing')
    .addHelpText('after', '\nExamples:\n  belayctl etcd remove m3 --dry-run\n  belayctl etcd remove m3\n')
    .action(change('EtcdRemove'));

  etcd
    .command('snapshot')
    .summary('take a verified snapshot now (on the leader, into its backup dir)')
    .description(
      "The leader takes a snapshot (etcdctl snapshot save) from a healthy member (its own master's when healthy) into spec.backup.dir (and spec.backup.secondaryDir), fsyncs it, writes a sha256 sidecar (sha256sum -c format) and checks it with etcdctl snapshot status; it records the key count and a sample of keys at the snapshot's revision for restore drills, and prunes the oldest beyond spec.backup.retain. The leader also does this every spec.backup.interval by itself. -o json prints the snapshot taken.",
    )
    .action(async () => {
      const f = flags();
      const format = parseOutputFormat(f.output);
      const conn = connect(f);
      try {
        const last = await streamProgress(conn, 'EtcdSnapshot', conn.coordinator.EtcdSnapshot.bind(conn.coordinator), {}, { json: false });
        if (format === 'table') process.stdout.write(`${last.message}\n`);
        else print(format, JSON.parse(last.resultJson || '{}'), () => '');
      } finally {
        conn.close();
      }
    });

  etcd
    .command('snapshots')
    .summary("the snapshots kept on the answering coordinator's master, and the last restore drill")
    .description(
      'Lists spec.backup.dir and spec.backup.secondaryDir on the master whose coordinator answers (snapshots are kept where the leader that took them runs: use --endpoint to ask another master), newest first, and the last restore drill recorded in etcd.',
    )
    .action(async () => {
      const f = flags();
      const format = parseOutputFormat(f.output);
      const conn = connect(f);
      try {
        const res = await unary<object, EtcdSnapshotsResponse__Output>(conn, 'EtcdSnapshots', conn.coordinator.EtcdSnapshots.bind(conn.coordinator), {});
        print(format, res, () => {
          const now = Date.now();
          const rows = res.snapshots.map((x) => [
            x.name,
            formatAge(now - Number(x.takenAtMs)),
            String(x.revision),
            String(x.keyCount),
            formatBytes(Number(x.sizeBytes)),
            x.verified ? 'verified' : `NOT VERIFIED (${x.error})`,
            x.takenFrom,
            x.file,
          ]);
          const d = res.lastDrill;
          const drill = d
            ? `last restore drill: ${d.ok ? 'passed' : 'FAILED'} ${formatAge(now - Number(d.atMs))} ago on ${d.node} (${d.snapshot}: ${d.restoredKeys}/${d.expectedKeys} keys, ${d.sampleChecked} sampled values${d.error ? `; ${d.error}` : ''}${d.mismatches.length ? `; ${d.mismatches.join('; ')}` : ''})`
            : 'no restore drill yet';
          return (
            (rows.length ? renderTable(['NAME', 'AGE', 'REVISION', 'KEYS', 'SIZE', 'CHECK', 'FROM', 'FILE'], rows) : `no snapshots on ${res.node}\n`) +
            `\n${drill}\n${res.error ? `could not read: ${res.error}\n` : ''}`
          );
        });
      } finally {
        conn.close();
      }
    });

  etcd
    .command('restore')
    .summary('recover from a lost quorum: restore a snapshot and rebuild the cluster')
    .description(
      "For a quorum lost for good. Checks the snapshot first (its sha256 sidecar, etcdctl snapshot status, a restore into a scratch etcd, and that it is a snapshot of this cluster), then stops etcd on every master, moves the restore master's data dir aside (kept, never deleted), restores the snapshot there as a new one-member cluster, starts it, and waits while the leader joins the other masters again as learners (their old data dirs kept aside too). Refused (exit 3) while the current cluster has quorum, unless --force: every write since the snapshot is lost. SNAPSHOT is a host path on the master of the coordinator you ask.",
    )
    .requiredOption('--snapshot <file>', "the snapshot, a host path on the answering coordinator's master (belayctl etcd snapshots lists them)")
    .option('--node <name>', "the master to restore on (default: the answering coordinator's)")
    .option('--dry-run', 'check the snapshot and print the plan; change nothing')
    .option('--force', 'restore even though the current cluster has quorum')
    .addHelpText(
      'after',
      '\nExamples:\n  belayctl etcd restore --snapshot /var/lib/belay/backups/etcd/etcd-prod-20261126T010000Z-rev4711.db --dry-run\n  belayctl etcd restore --snapshot /var/lib/belay/backups/etcd/etcd-prod-20261126T010000Z-rev4711.db\n',
    )
    .action(async (o: { snapshot: string; node?: string; dryRun?: boolean; force?: boolean }) => {
      const f = flags();
      const format = parseOutputFormat(f.output);
      const conn = connect(f);
      try {
        const last = await streamProgress(
          conn,
          'EtcdRestore',
          conn.coordinator.EtcdRestore.bind(conn.coordinator),
          { snapshot: o.snapshot, node: o.node ?? '', dryRun: o.dryRun ?? false, force: o.force ?? false },
          { json: format === 'json' },
        );
        if (format !== 'json') process.stdout.write(`${last.message}\n`);
      } finally {
        conn.close();
      }
    });

  etcd
    .command('defrag')
    .summary('defragment every member, one at a time, followers first, the leader last')
    .description(
      "Defragmenting returns the space freed by compaction to the filesystem; it blocks one member while it runs. belay does one member at a time, only while every voting member is healthy (a member whose only fault is an alarm counts as healthy), followers first and the etcd leader last, and checks each healthy before the next. Then it disarms etcd's NOSPACE alarms, once every member has been defragmented and every db is under spec.etcd.preflight.maxDbQuotaFraction of spec.etcd.quotaBackendBytes; it refuses (exit 1, NOSPACE_NOT_DISARMED) while the filesystem under a member's data dir is still full, saying which. NOSPACE and other alarms show in belayctl status, with their cause, and in etcd members.",
    )
    .option('--dry-run', 'print the order, db sizes and whether the NOSPACE alarms would be disarmed; change nothing')
    .option('--no-disarm', 'defragment only; leave NOSPACE alarms armed')
    .addHelpText('after', '\nExamples:\n  belayctl etcd defrag --dry-run\n  belayctl etcd defrag\n  belayctl etcd defrag --no-disarm\n')
    .action(async (o: { dryRun?: boolean; disarm?: boolean }) => {
      const f = flags();
      const format = parseOutputFormat(f.output);
      const conn = connect(f);
      try {
        const last = await streamProgress(
          conn,
          'EtcdDefrag',
          conn.coordinator.EtcdDefrag.bind(conn.coordinator),
          { dryRun: o.dryRun ?? false, noDisarm: o.disarm === false },
          { json: format === 'json' },
        );
        if (format !== 'json') process.stdout.write(`${last.message}\n`);
      } finally {
        conn.close();
      }
    });
}
