import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { ApplyManifestResponse__Output } from '../../../proto/gen/belay/v1/ApplyManifestResponse.js';
import type { Manifest__Output } from '../../../proto/gen/belay/v1/Manifest.js';
import type { ManifestHistoryResponse__Output } from '../../../proto/gen/belay/v1/ManifestHistoryResponse.js';
import type { StatusResponse__Output } from '../../../proto/gen/belay/v1/StatusResponse.js';
import { unifiedDiff } from '../../../proto/common/diff.js';
import { connect, unary, type ConnectionFlags } from '../client.js';
import { CliError, EXIT } from '../exit-codes.js';
import { formatAge, formatBytes, parseOutputFormat, print, renderTable, type OutputFormat } from '../output.js';

export function registerManifests(program: Command, flags: () => ConnectionFlags & { output: string }): void {
  const m = program
    .command('manifests')
    .summary('the static pod manifests on each master: list, get, diff, apply, remove, rollback, history')
    .description(
      "Each belay-agent owns its master's /etc/kubernetes/manifests: it knows every file in it (pod, containers, probes, hostPath volumes, hash), validates each as a v1 Pod, and reports files changed by someone else (drift). Writes go through the agent: validated first, atomic (dot-temp file, fsync, rename, fsync of the dir), the replaced version kept (the last 10 per file) for rollback, and a drifted file is not overwritten without --force.",
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
                ['FILE', 'POD', 'NAMESPACE', 'CONTAINERS', 'VALID', 'DRIFT', 'PHASE', 'READY', 'SHA256', 'AGE'],
                manifests.map((x) => [
                  x.file,
                  x.podName || '-',
                  x.namespace || '-',
                  x.containers.map((c) => c.name).join(',') || '-',
                  x.valid ? 'yes' : `no: ${x.problems[0] ? `${x.problems[0].line}:${x.problems[0].column}: ${x.problems[0].message}` : '?'}`,
                  x.drifted ? 'DRIFTED' : '-',
                  // Empty under kubelet: kubelet owns the pod's status.
                  x.podPhase || '-',
                  x.podPhase ? (x.podReady ? 'yes' : `no: ${x.podNotReadyReason || '?'}`) : '-',
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
    .description(
      'Prints the manifest file as it is on the master (-o yaml, or table: the file itself), or its inventory entry and content as JSON (-o json). POD is a pod name (etcd) or a file name (etcd.yaml).',
    )
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
    .description(
      "Prints a unified diff from the master's copy of FILE's name to the local FILE. Exit status, like diff(1) and kubectl diff: 0 the same, 1 different (or failed: see stderr).",
    )
    .addHelpText('after', '\nExample:\n  belayctl manifests diff m1 ./etcd.yaml\n')
    .action(async (node: string, file: string) => {
      const f = flags();
      const local = readLocal(file);
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

  m.command('apply <node> <file>')
    .summary("write a local manifest file into a master's manifests dir, through its agent")
    .description(
      "Sends FILE to NODE's agent, which validates it as a static pod (nothing is written if it is not), writes it atomically under FILE's name and keeps the version it replaces. The same content twice writes nothing, so kubelet restarts nothing. A file someone else changed on the master (drift) is refused with exit 3 unless --force. Prints what changed (-o json: the agent's answer).",
    )
    .option('--force', 'overwrite even if the file on the master drifted (was changed by someone else)', false)
    .option('--dry-run', "print the diff from the master's copy to FILE and change nothing", false)
    .addHelpText('after', '\nExamples:\n  belayctl manifests apply m1 ./etcd.yaml\n  belayctl manifests apply m1 ./etcd.yaml --dry-run\n')
    .action(async (node: string, file: string, o: { force: boolean; dryRun: boolean }) => {
      const f = flags();
      const format = parseOutputFormat(f.output);
      const content = readLocal(file);
      const name = path.basename(file);
      const conn = connect(f);
      try {
        if (o.dryRun) {
          const current = await unary<object, Manifest__Output>(conn, 'GetManifest', conn.coordinator.GetManifest.bind(conn.coordinator), { node, name }).catch(
            (err: unknown) => {
              if (err instanceof CliError && /no manifest/.test(err.message)) return undefined;
              throw err;
            },
          );
          const before = current?.content ?? '';
          const diff = before === content ? '' : unifiedDiff(before, content, current ? `${node}:${name}` : '/dev/null', file);
          print(format, { node, file: name, dryRun: true, changed: diff !== '', diff }, () =>
            diff ? `${diff}(dry run: nothing written)\n` : `${node}:${name} unchanged (dry run)\n`,
          );
          return;
        }
        const res = await unary<object, ApplyManifestResponse__Output>(conn, 'ApplyManifest', conn.coordinator.ApplyManifest.bind(conn.coordinator), {
          node,
          request: { file: name, content, force: o.force },
        });
        printChange(format, node, name, res, 'written');
      } finally {
        conn.close();
      }
    });

  m.command('remove <node> <file>')
    .summary('remove a manifest from a master (kept in its history for rollback)')
    .description(
      "Removes FILE (a file name such as etcd.yaml) from NODE's manifests dir through its agent: under kubelet or the host runtime the pod stops. The removed version is kept and `manifests rollback` brings it back. A drifted file is refused with exit 3 unless --force.",
    )
    .option('--force', 'remove even if the file drifted', false)
    .action(async (node: string, file: string, o: { force: boolean }) => {
      const f = flags();
      const format = parseOutputFormat(f.output);
      const conn = connect(f);
      try {
        const res = await unary<object, ApplyManifestResponse__Output>(conn, 'RemoveManifest', conn.coordinator.RemoveManifest.bind(conn.coordinator), {
          node,
          request: { file, force: o.force },
        });
        printChange(format, node, file, res, 'removed');
      } finally {
        conn.close();
      }
    });

  m.command('rollback <node> <file>')
    .summary('restore a kept version of a manifest, byte for byte')
    .description(
      'Restores FILE on NODE to a version kept in its history: by default the one before the current (after a remove, the removed one); --to SHA picks one from `manifests history` (a unique prefix is enough).',
    )
    .option('--to <sha256>', 'the version to restore (sha256 or a unique prefix, from `manifests history`)')
    .action(async (node: string, file: string, o: { to?: string }) => {
      const f = flags();
      const format = parseOutputFormat(f.output);
      const conn = connect(f);
      try {
        let toSha256 = o.to ?? '';
        if (toSha256 && toSha256.length < 64) {
          const h = await unary<object, ManifestHistoryResponse__Output>(conn, 'ManifestHistory', conn.coordinator.ManifestHistory.bind(conn.coordinator), {
            node,
            name: file,
          });
          const hits = h.versions.filter((v) => v.sha256.startsWith(toSha256));
          if (hits.length !== 1)
            throw new CliError(
              `--to ${toSha256}: ${hits.length === 0 ? 'no kept version' : `${hits.length} kept versions`} of ${file} on ${node} start with it`,
              EXIT.usage,
              `belayctl manifests history ${node} ${file} lists them`,
            );
          toSha256 = hits[0]?.sha256 ?? '';
        }
        const res = await unary<object, ApplyManifestResponse__Output>(conn, 'RollbackManifest', conn.coordinator.RollbackManifest.bind(conn.coordinator), {
          node,
          request: { file, toSha256 },
        });
        printChange(format, node, file, res, 'rolled back');
      } finally {
        conn.close();
      }
    });

  m.command('history <node> <file>')
    .summary('the kept versions of a manifest, newest first')
    .action(async (node: string, file: string) => {
      const f = flags();
      const format = parseOutputFormat(f.output);
      const conn = connect(f);
      try {
        const res = await unary<object, ManifestHistoryResponse__Output>(conn, 'ManifestHistory', conn.coordinator.ManifestHistory.bind(conn.coordinator), {
          node,
          name: file,
        });
        print(format, { node, file, versions: res.versions }, () =>
          res.versions.length === 0
            ? `no kept versions of ${file} on ${node}\n`
            : renderTable(
                ['SHA256', 'SAVED', 'REASON', 'SIZE'],
                res.versions.map((v) => [v.sha256.slice(0, 12), `${formatAge(Date.now() - v.savedAtMs)} ago`, v.reason, formatBytes(v.sizeBytes)]),
              ),
        );
      } finally {
        conn.close();
      }
    });
}

function readLocal(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, EXIT.failed);
  }
}

function printChange(format: OutputFormat, node: string, file: string, res: ApplyManifestResponse__Output, verb: string): void {
  print(format, { node, file, ...res }, () => {
    if (!res.changed) return `${node}:${file} unchanged (already so: nothing written)\n`;
    const now = res.info ? ` (sha256 ${res.info.sha256.slice(0, 12)})` : '';
    const prev = res.previousSha256 ? `; previous ${res.previousSha256.slice(0, 12)} kept for rollback` : '';
    return `${node}:${file} ${verb}${now}${prev}\n`;
  });
}
