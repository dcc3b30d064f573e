import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { Manifest__Output } from '../../../proto/gen/belay/v1/Manifest.js';
import type { StatusResponse__Output } from '../../../proto/gen/belay/v1/StatusResponse.js';
import { unifiedDiff } from '../../../proto/common/diff.js';
import { connect, unary, type ConnectionFlags } from '../client.js';
import { CliError, EXIT } from '../exit-codes.js';
import { formatAge, parseOutputFormat, print, renderTable } from '../output.js';

export function registerManifests(program: Command, flags: () => ConnectionFlags & { output: string }): void {
  const m = program
    .command('manifests')
    .summary('the static pod manifests on each master: list, get, diff')
    .description(
      'Each belay-agent owns its master\'s /etc/kubernetes/manifests: it knows every file in it (pod, containers, probes, hostPath volumes, hash), validates each as a v1 Pod, and reports files changed by someone else (drift).',
    );

  m.command('list <node>')
    .summary('every manifest on a master, with its pod, validity and drift')
    .action(async (node: string) => {
      const f = flags();
      const format = parseOutputFormat(f.output);
      const conn = connect(f);
      try {
        const res = await unary<object, StatusResponse__Output>(conn, 'Status', conn.coordinator.Status.bind(conn.coordinator), {});
        const n = res.nodes.find((x) => x.name === node);
        if (!n) throw new CliError(`no master named "${node}"`, EXIT.failed, 'belayctl status lists the masters');
        const manifests = n.report?.manifests ?? [];
        print(format, { node, manifests }, () =>
          manifests.length === 0
            ? `no manifests on ${node}\n`
            : renderTable(
                ['FILE', 'POD', 'NAMESPACE', 'CONTAINERS', 'VALID', 'DRIFT', 'SHA256', 'AGE'],
                manifests.map((x) => [
                  x.file,
                  x.podName || '-',
                  x.namespace || '-',
                  x.containers.map((c) => c.name).join(',') || '-',
                  x.valid ? 'yes' : `no: ${x.problems[0] ? `${x.problems[0].line}:${x.problems[0].column}: ${x.problems[0].message}` : '?'}`,
                  x.drifted ? 'DRIFTED' : '-',
                  x.sha256.slice(0, 12),
                  formatAge(res.nowMs - x.mtimeMs),
                ]),
              ),
        );
      } finally {
        conn.close();
      }
    });

  m.command('get <node> <pod>')
    .summary('one manifest: its content (-o yaml, the default here) or content and inventory (-o json)')
    .description('Prints the manifest file as it is on the master (-o yaml, or table: the file itself), or its inventory entry and content as JSON (-o json). POD is a pod name (etcd) or a file name (etcd.yaml).')
    .action(async (node: string, pod: string) => {
      const f = flags();
      const format = parseOutputFormat(f.output);
      const conn = connect(f);
      try {
        const res = await unary<object, Manifest__Output>(conn, 'GetManifest', conn.coordinator.GetManifest.bind(conn.coordinator), { node, name: pod });
        if (format === 'json') process.stdout.write(JSON.stringify(res, null, 2) + '\n');
        else process.stdout.write(res.content);
      } finally {
        conn.close();
      }
    });

  m.command('diff <node> <file>')
    .summary('compare a local manifest file with the one of the same name on a master')
    .description('Prints a unified diff from the master\'s copy of FILE\'s name to the local FILE. Exit status, like diff(1) and kubectl diff: 0 the same, 1 different (or failed: see stderr).')
    .addHelpText('after', '\nExample:\n  belayctl manifests diff m1 ./etcd.yaml\n')
    .action(async (node: string, file: string) => {
      const f = flags();
      let local: string;
      try {
        local = fs.readFileSync(file, 'utf8');
      } catch (err) {
        throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, EXIT.failed);
      }
      const conn = connect(f);
      try {
        const name = path.basename(file);
        const res = await unary<object, Manifest__Output>(conn, 'GetManifest', conn.coordinator.GetManifest.bind(conn.coordinator), { node, name });
        if (res.content === local) return;
        process.stdout.write(unifiedDiff(res.content, local, `${node}:${name} (${res.info?.sha256.slice(0, 12) ?? ''})`, file));
        process.exitCode = 1;
      } finally {
        conn.close();
      }
    });
}

