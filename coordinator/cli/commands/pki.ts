import { Argument, type Command } from 'commander';
import type { PkiCheckResponse__Output } from '../../../proto/gen/belay/v1/PkiCheckResponse.js';
import type { PkiFinding__Output } from '../../../proto/gen/belay/v1/PkiFinding.js';
import { initPki, parseNodeList } from '../../pki/init.js';
import { connect, streamProgress, unary, type ConnectionFlags } from '../client.js';
import { CliError, EXIT } from '../exit-codes.js';
import { parseOutputFormat, print, renderTable } from '../output.js';

const NODE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** `flags`: the global connection flags; by default read from `program` itself. */
export function registerPki(
  program: Command,
  flags: () => ConnectionFlags & { output: string } = () => program.opts<ConnectionFlags & { output: string }>(),
): void {
  const pki = program
    .command('pki')
    .summary("make and check the cluster's certificates")
    .description(
      "Two PKIs. belay's own (pki init): the CA and certificates its daemons and belayctl use for mutual-TLS gRPC. The control plane's (pki check, pki issue): kubeadm's layout under /etc/kubernetes on every master, which the leader coordinator deploys from the CAs it keeps in etcd (the cluster CA, the front-proxy CA and the service-account keys; the etcd CA).",
    );
  pki
    .command('init')
    .summary('make a cluster CA and a certificate per master plus an admin certificate')
    .description(
      'Writes into DIR: ca.crt and ca.key (the cluster CA), for each master NAME.crt and NAME.key (common name NAME, SANs NAME and its address, good for serving and as a client), and admin.crt/admin.key (client only, for belayctl). Keys are written 0600. Copy to each master ca.crt and its own pair only (into /etc/belay/pki/); keep ca.key offline.',
    )
    .requiredOption('--out <dir>', 'directory to write into (made 0700 if missing)')
    .requiredOption('--nodes <list>', 'masters as NAME=ADDRESS pairs, comma-separated')
    .option('--days <n>', 'validity of the master and admin certificates, days', '365')
    .option('--force', 'replace an existing CA (every certificate it signed stops working)')
    .addHelpText('after', '\nExample:\n  belayctl pki init --out ./pki --nodes m1=10.0.0.11,m2=10.0.0.12,m3=10.0.0.13\n')
    .action(async (o: { out: string; nodes: string; days: string; force?: boolean }) => {
      const r = await initPki({ outDir: o.out, nodes: parseNodeList(o.nodes), days: Number(o.days), force: o.force ?? false });
      for (const f of r.files) process.stdout.write(`wrote ${f}\n`);
    });

  pki
    .command('check')
    .summary("check every master's control-plane certificates against the spec and the cluster's CAs")
    .description(
      "Reads each master's /etc/kubernetes/pki and kubeconfigs through its agent (certificates, public keys and kubeconfigs; of a private key only the sha256 of its public half: no private key leaves a master) and judges them against the Cluster spec and the CAs kept in etcd. Works through any coordinator. Each finding names the command that repairs it, mostly belayctl pki issue TARGET --node NAME.",
    )
    .option('--node <name>', 'check this master only (default: every master of the spec)')
    .option('--warn-days <n>', 'warn about certificates ending within this many days', '30')
    .addHelpText(
      'after',
      '\nWhat it reports, per master and file:\n' +
        '  - a missing file, or one the agent could not read or parse\n' +
        '  - a certificate not signed by its CA (Kubernetes CA, front-proxy CA, etcd CA),\n' +
        "    or a CA copy that is not the cluster's\n" +
        "  - a key that is not its certificate's (compared by public key); sa.key and sa.pub\n" +
        "    not a pair, or sa.pub not the cluster's\n" +
        '  - a missing serving SAN: apiserver.crt needs the kubernetes Service names and IP,\n' +
        "    the master's name and address, spec.loadBalancer.address and, in static-pod\n" +
        "    balancer mode, every master's address; etcd/server.crt and etcd/peer.crt need\n" +
        "    the master's address\n" +
        '  - a kubeconfig (admin.conf, scheduler.conf, controller-manager.conf) that trusts\n' +
        "    another CA, whose client certificate is not the Kubernetes CA's, or whose\n" +
        "    client key is not its certificate's\n" +
        '  - an expired certificate (error) or one ending within --warn-days (warning),\n' +
        '    certificates belay does not manage included\n' +
        '  - the etcd CA key on a master (warning: belay keeps it in etcd only)\n' +
        '  - a kube-apiserver serving another certificate than its apiserver.crt (it reads\n' +
        '    the file at start only: warning; error when the served one lacks a SAN);\n' +
        '    the fix is belayctl rollout restart apiserver\n' +
        '\nOutput:\n' +
        '  table      MASTER FILE SEVERITY DAYS MESSAGE (DAYS: days left until the certificate\n' +
        '             ends, negative once expired), then each fix command with the files it\n' +
        '             repairs; "all certificates of m1, m2, m3 are fine" when nothing is found\n' +
        '  json|yaml  findings, the masters checked, and those whose agent could not be asked\n' +
        '\nExit status:\n  0  no error found (warnings are printed, and do not fail)\n  1  an error found on some master, a master whose agent could not be asked,\n     or the check itself failed (no etcd, no spec, an unknown --node)\n  2  usage error\n' +
        '\nExamples:\n  belayctl pki check\n  belayctl pki check --node m2 --warn-days 60\n  belayctl pki check -o json | jq \'.findings[] | select(.severity == "error")\'\n',
    )
    .action(async (o: { node?: string; warnDays: string }) => {
      const f = flags();
      const format = parseOutputFormat(f.output);
      const warnDays = Number(o.warnDays);
      if (!Number.isInteger(warnDays) || warnDays < 1 || warnDays > 3650)
        throw new CliError(`--warn-days ${o.warnDays}: not a whole number of days from 1 to 3650`, EXIT.usage, 'e.g. --warn-days 30');
      if (o.node !== undefined && !NODE_NAME.test(o.node))
        throw new CliError(`--node ${o.node}: not a master name`, EXIT.usage, 'belayctl status lists the masters');
      const conn = connect(f);
      let res: PkiCheckResponse__Output;
      try {
        res = await unary<object, PkiCheckResponse__Output>(conn, 'PkiCheck', conn.coordinator.PkiCheck.bind(conn.coordinator), {
          node: o.node ?? '',
          warnDays,
        });
      } finally {
        conn.close();
      }
      // The findings without the generated code's oneof markers (_daysLeft).
      const shown = {
        ...res,
        findings: res.findings.map((x) => ({
          master: x.master,
          file: x.file,
          severity: x.severity,
          message: x.message,
          fix: x.fix,
          ...(x.daysLeft === undefined ? {} : { daysLeft: x.daysLeft }),
        })),
      };
      print(format, shown, () => renderCheck(res));
      const errors = res.findings.filter((x) => x.severity !== 'warning');
      const mastersWithErrors = [...new Set(errors.map((x) => x.master))];
      if (errors.length > 0) {
        throw new CliError(
          `${errors.length} certificate error${errors.length === 1 ? '' : 's'} on ${mastersWithErrors.join(', ')}`,
          EXIT.failed,
          'run the fix commands listed above, then belayctl pki check again',
        );
      }
      if (res.unreachable.length > 0) {
        const names = res.unreachable.map((u) => u.split(':')[0] ?? u);
        throw new CliError(
          `${names.length} master${names.length === 1 ? ' was' : 's were'} not checked (${names.join(', ')}): ${format === 'table' ? 'see above why' : res.unreachable.join('; ')}`,
          EXIT.failed,
          'is belay-agent running there? (belayctl status; journalctl -u belay-agent on the master)',
        );
      }
    });

  pki
    .command('issue')
    .summary("issue a master's certificates again from the CAs kept in etcd, and write them through its agent")
    .description(
      "Issues a master's certificates again from the CAs kept in etcd, with new keys (the CAs stay), and writes them through its agent. Runs on the leader coordinator (whichever coordinator you ask relays it there), fenced by the leader's term like every leader write. The components read most of these files only when they start: restart them afterwards with a rollout (one master at a time, behind the balancer); the command says which.",
    )
    .addArgument(new Argument('<target>', 'what to issue').choices(['apiserver', 'kubeconfigs', 'etcd']))
    .requiredOption('--node <name>', 'the master to issue for')
    .option('--dry-run', 'print what would be issued and written; change nothing')
    .addHelpText(
      'after',
      '\nTargets:\n' +
        '  apiserver    pki/apiserver.crt and apiserver.key: the serving certificate with the SANs\n' +
        '               the spec asks for now; kube-apiserver loads it when it starts\n' +
        '  kubeconfigs  admin.conf, scheduler.conf and controller-manager.conf, each with a new\n' +
        '               client certificate; the scheduler and controller-manager read theirs at start\n' +
        "  etcd         an etcd member's server, peer, healthcheck-client, apiserver-etcd-client and\n" +
        '               belay-coordinator certificates (only the client ones for a master that is\n' +
        '               not a member); etcd picks them up at each new connection\n' +
        '\nExit status:\n  0  issued and written (or, with --dry-run, planned)\n  1  failed: an unknown master, no leader, no CA in etcd yet, or the agent refused\n     or could not be reached (nothing was written then, unless listed)\n  2  usage error\n' +
        '\nExamples:\n  belayctl pki issue apiserver --node m2 --dry-run\n  belayctl pki issue apiserver --node m2\n  belayctl pki issue etcd --node m3\n',
    )
    .action(async (target: string, o: { node: string; dryRun?: boolean }) => {
      const f = flags();
      const format = parseOutputFormat(f.output);
      if (!NODE_NAME.test(o.node)) throw new CliError(`--node ${o.node}: not a master name`, EXIT.usage, 'belayctl status lists the masters');
      const conn = connect(f);
      try {
        const last = await streamProgress(
          conn,
          'PkiIssue',
          conn.coordinator.PkiIssue.bind(conn.coordinator),
          { target, node: o.node, dryRun: o.dryRun ?? false },
          { json: format === 'json' },
        );
        if (format !== 'json') process.stdout.write(`${last.message}\n`);
      } finally {
        conn.close();
      }
    });
}

/** The findings as a table, then each fix once with the files it repairs; or the "fine" line. */
export function renderCheck(res: Pick<PkiCheckResponse__Output, 'findings' | 'checked' | 'unreachable'>): string {
  const notChecked = res.unreachable.map((u) => `not checked: ${u}\n`).join('');
  if (res.findings.length === 0) {
    return (res.checked.length > 0 ? `all certificates of ${res.checked.join(', ')} are fine\n` : '') + notChecked;
  }
  const rows = res.findings.map((x) => [x.master, x.file, x.severity, x.daysLeft === undefined ? '-' : String(x.daysLeft), x.message]);
  const fixes = new Map<string, PkiFinding__Output[]>();
  for (const x of res.findings) fixes.set(x.fix, [...(fixes.get(x.fix) ?? []), x]);
  const width = Math.max(...[...fixes.keys()].map((f) => f.length));
  const fixLines = [...fixes].map(([fix, xs]) => `  ${fix.padEnd(width)}  # ${[...new Set(xs.map((x) => `${x.master} ${x.file}`))].join(', ')}\n`).join('');
  const errors = res.findings.filter((x) => x.severity !== 'warning').length;
  const warnings = res.findings.length - errors;
  const clean = res.checked.filter((m) => !res.findings.some((x) => x.master === m));
  return (
    renderTable(['MASTER', 'FILE', 'SEVERITY', 'DAYS', 'MESSAGE'], rows) +
    `\nto fix:\n${fixLines}` +
    `\n${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}${clean.length > 0 ? `; all certificates of ${clean.join(', ')} are fine` : ''}\n` +
    notChecked
  );
}
