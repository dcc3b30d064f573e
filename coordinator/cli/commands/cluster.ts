import fs from 'node:fs';
import type { Command } from 'commander';
import type { ApplyClusterResponse__Output } from '../../../proto/gen/belay/v1/ApplyClusterResponse.js';
import type { GetClusterResponse__Output } from '../../../proto/gen/belay/v1/GetClusterResponse.js';
import { ConfigError } from '../../../proto/common/config-file.js';
import { MAX_SPEC_BYTES, parseClusterSpec } from '../../cluster/spec.js';
import { connect, streamProgress, unary, type ConnectionFlags } from '../client.js';
import { CliError, EXIT } from '../exit-codes.js';
import { parseOutputFormat, print } from '../output.js';

export function registerCluster(program: Command, flags: () => ConnectionFlags & { output: string }): void {
  program
    .command('apply')
    .summary('store the Cluster spec (validated first)')
    .description(
      "Validates a Cluster spec (apiVersion belay.dev/v1alpha1, kind Cluster) and stores it: in etcd under /belay/ once etcd exists, and in the state dir of every live coordinator (before bootstrap that is the only copy). Every problem is reported with the field it concerns and nothing is stored. A change that drops or moves a master that is an etcd member, or changes etcd's ports, data dir or cluster name under a running cluster, is refused (exit 3). docs/config.md lists every field and default.",
    )
    .requiredOption('-f, --filename <file>', 'the spec, YAML or JSON ("-" for stdin)')
    .option('--dry-run', 'validate and show what would change; store nothing')
    .addHelpText('after', '\nExamples:\n  belayctl apply -f cluster.yaml --dry-run\n  belayctl apply -f cluster.yaml\n')
    .action(async (o: { filename: string; dryRun?: boolean }) => {
      const f = flags();
      const format = parseOutputFormat(f.output);
      let text: string;
      try {
        text = o.filename === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(o.filename, 'utf8');
      } catch (err) {
        throw new CliError(`cannot read ${o.filename}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, EXIT.failed, 'give an existing file with -f');
      }
      if (Buffer.byteLength(text) > MAX_SPEC_BYTES)
        throw new CliError(`${o.filename} is over ${MAX_SPEC_BYTES} bytes`, EXIT.failed, 'a Cluster spec is a few KiB');
      // Checked here first so that the errors name the file; the coordinator checks again.
      try {
        parseClusterSpec(text, o.filename);
      } catch (err) {
        if (err instanceof ConfigError)
          throw new CliError(
            `the spec is not valid:\n  ${err.problems.map((p) => `${o.filename}: ${p}`).join('\n  ')}`,
            EXIT.failed,
            'fix the fields named above (docs/config.md, "Cluster spec")',
          );
        throw err;
      }
      const conn = connect(f);
      try {
        const res = await unary<object, ApplyClusterResponse__Output>(conn, 'ApplyCluster', conn.coordinator.ApplyCluster.bind(conn.coordinator), {
          spec: text,
          dryRun: o.dryRun ?? false,
          localOnly: false,
        });
        print(format, res, () => {
          const lines = [
            ...res.warnings.map((w) => `warning: ${w}`),
            ...(res.changed ? res.changes.map((c) => `  ${c}`) : []),
            o.dryRun
              ? `dry run: ${res.changed ? 'the changes above would be stored' : 'the same spec is already stored'}`
              : res.changed
                ? `cluster spec stored in ${res.storedIn === 'etcd' ? 'etcd' : "the coordinators' state dirs"} (${res.coordinators.join(', ')})`
                : `cluster spec unchanged (${res.coordinators.join(', ')})`,
            ...res.errors.map((e) => `not stored on ${e}`),
          ];
          return lines.join('\n') + '\n';
        });
        if (res.errors.length > 0 && res.storedIn !== 'etcd') process.exitCode = EXIT.failed;
      } finally {
        conn.close();
      }
    });

  const get = program.command('get').summary('show stored objects (cluster)');
  get
    .command('cluster')
    .summary('the stored Cluster spec, every default filled in')
    .description(
      "Prints the Cluster spec as stored (YAML by default; -o json for JSON), with where it is kept (etcd or the coordinators' state dirs) on stderr.",
    )
    .action(async () => {
      const f = flags();
      const format = parseOutputFormat(f.output);
      const conn = connect(f);
      try {
        const res = await unary<object, GetClusterResponse__Output>(conn, 'GetCluster', conn.coordinator.GetCluster.bind(conn.coordinator), {});
        if (!res.spec) throw new CliError('no Cluster spec has been applied yet', EXIT.failed, 'belayctl apply -f cluster.yaml');
        if (format === 'json') process.stdout.write(JSON.stringify({ ...res, spec: parseClusterSpec(res.spec, 'stored spec') }, null, 2) + '\n');
        else {
          process.stdout.write(res.spec);
          process.stderr.write(`# stored in ${res.storedIn}, applied ${new Date(Number(res.appliedAtMs)).toISOString()}\n`);
        }
      } finally {
        conn.close();
      }
    });

  program
    .command('bootstrap')
    .summary('create the etcd cluster on one master (explicit, once)')
    .description(
      "The only way an etcd cluster is created. On the master given: issues the etcd CA and that master's certificates (kubeadm's /etc/kubernetes/pki/etcd layout), moves any old data dir aside (kept, never deleted), applies etcd.yaml with initial-cluster-state new through its agent, waits until etcd is healthy, and stores the spec and the etcd CA in etcd under /belay/. The elected leader then joins every other master of the spec as a learner, one at a time. Refused (exit 3) when an etcd of this cluster answers on any master, or another master already has an etcd.yaml. Progress goes to stderr.",
    )
    .requiredOption('--node <name>', 'the master to create the one-member cluster on')
    .option('--dry-run', 'check and print the plan; change nothing')
    .addHelpText('after', '\nExamples:\n  belayctl bootstrap --node m1 --dry-run\n  belayctl bootstrap --node m1 && belayctl etcd members\n')
    .action(async (o: { node: string; dryRun?: boolean }) => {
      const f = flags();
      const format = parseOutputFormat(f.output);
      const conn = connect(f);
      try {
        const last = await streamProgress(
          conn,
          'Bootstrap',
          conn.coordinator.Bootstrap.bind(conn.coordinator),
          { node: o.node, dryRun: o.dryRun ?? false },
          { json: format === 'json' },
        );
        if (format !== 'json') process.stdout.write(`${last.message}\n`);
      } finally {
        conn.close();
      }
    });
}
