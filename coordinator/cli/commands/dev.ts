import os from 'node:os';
import path from 'node:path';
import { type Command, Option } from 'commander';
import { devDown, devUp } from '../../dev/cluster.js';
import { devPs } from '../../dev/processes.js';
import { exportLine, readState } from '../../dev/state.js';
import { CliError, EXIT } from '../exit-codes.js';
import { parseOutputFormat, print, renderTable } from '../output.js';

export const DEFAULT_DEV_DIR = path.join(os.tmpdir(), 'belay-dev');

export function registerDev(program: Command, output: () => string): void {
  const dev = program
    .command('dev')
    .summary('run a local cluster of masters on this machine (demo, e2e tests)')
    .description(
      'Starts, lists and stops a local cluster: N masters, each an agent and a coordinator with its own --root under DIR and its own loopback address (127.0.1.1, 127.0.1.2, ...), talking mutual TLS with certificates made for the occasion under DIR/pki.',
    );

  dev
    .command('up')
    .summary('start N masters in the background and print how to reach them')
    .description(
      "Issues a CA and certificates (DIR/pki), writes each master's configs under DIR/mN/etc/belay, starts belay-coordinator and belay-agent per master in the background, and waits until every agent reports to every coordinator. Then (unless --no-bootstrap) it applies a Cluster spec of every master (DIR/cluster.yaml), bootstraps etcd on m1 and waits until the leader has joined every other master: real etcd, run by the agents (host runtime) from etcd.yaml, with TLS from the etcd CA. Then (unless --no-control-plane) the leader deploys the control plane on every master (certificates and kubeconfigs from the cluster CA, haproxy on MASTER:8443 in front of every apiserver, kube-apiserver, kube-controller-manager, kube-scheduler) and dev up waits until every pod is ready; with no kube-apiserver on PATH the agents run belay's test stand-ins (test/stand-ins/bin), and dev up says so. The last line printed is an `export` for BELAY_ENDPOINT, BELAY_CA, BELAY_CERT and BELAY_KEY: eval it to use belayctl against the cluster. Logs: DIR/mN/var/log/belay/{agent,coordinator}.log.",
    )
    .option('--masters <n>', 'number of masters (3, 5 or 7 for HA; 1 to 7)', '3')
    .option('--root <dir>', "directory holding every master's root", DEFAULT_DEV_DIR)
    .option('--base-address <ip>', 'address of the first master; the others count up from it', '127.0.1.1')
    .option('--report-interval <ms>', "agents' report interval in ms", '5000')
    .option(
      '--runtime <runtime>',
      'how the agents run static pods: host (each container a supervised host process; no kubelet needed) or kubelet (manifests written for a kubelet)',
      'host',
    )
    .option('--no-control-plane', 'etcd only: no apiserver, scheduler, controller-manager or balancer (spec.controlPlane.enabled: false)')
    .option(
      '--no-bootstrap',
      'masters up, but no Cluster spec and no etcd (try belayctl apply and bootstrap by hand); the default with --runtime kubelet, as no kubelet runs etcd.yaml here',
    )
    .option(
      '--netns [n]',
      'each master in its own network namespace, on a bridge belayN at 10.77.N.k/24 (the host is 10.77.N.254) instead of a loopback address; N: the first free one unless given. Needs root; dev down removes them',
    )
    .addHelpText('after', '\nExample:\n  eval "$(belayctl dev up | tail -n 1)" && belayctl status\n')
    .action(
      async (o: {
        masters: string;
        root: string;
        baseAddress: string;
        reportInterval: string;
        runtime: string;
        bootstrap: boolean;
        controlPlane: boolean;
        netns?: boolean | string;
      }) => {
        if (o.runtime !== 'host' && o.runtime !== 'kubelet') throw new CliError(`--runtime ${o.runtime}: must be host or kubelet`, EXIT.usage);
        const subnet = typeof o.netns === 'string' ? Number(o.netns) : undefined;
        if (subnet !== undefined && (!Number.isInteger(subnet) || subnet < 1 || subnet > 250))
          throw new CliError(`--netns ${o.netns}: must be a whole number from 1 to 250 (the N of 10.77.N.0/24)`, EXIT.usage);
        const masters = Number(o.masters);
        const intervalMs = Number(o.reportInterval);
        if (!Number.isInteger(masters)) throw new CliError(`--masters ${o.masters}: not a whole number`, EXIT.usage, 'use --masters 3');
        if (!Number.isInteger(intervalMs) || intervalMs < 500)
          throw new CliError(`--report-interval ${o.reportInterval}: must be a whole number of ms, at least 500`, EXIT.usage);
        const started = Date.now();
        const state = await devUp({
          masters,
          dir: o.root,
          baseAddress: o.baseAddress,
          reportIntervalMs: intervalMs,
          runtime: o.runtime,
          ...(o.bootstrap === false ? { bootstrap: false } : {}),
          ...(o.controlPlane === false ? { controlPlane: false } : {}),
          ...(o.netns !== undefined ? { netns: subnet ?? true } : {}),
          progress: (l) => process.stderr.write(`${l}\n`),
        });
        process.stdout.write(
          `${masters} masters up in ${((Date.now() - started) / 1000).toFixed(1)}s under ${state.dir}; stop them with: belayctl dev down --root ${state.dir}\n`,
        );
        process.stdout.write(exportLine(state) + '\n');
      },
    );

  dev
    .command('ps')
    .summary('list the processes dev up started, per master')
    .option('--root <dir>', "the dev cluster's directory", DEFAULT_DEV_DIR)
    .action((o: { root: string }) => {
      const format = parseOutputFormat(output());
      const procs = devPs(o.root);
      print(format, { dir: path.resolve(o.root), processes: procs }, () =>
        procs.length === 0
          ? `no dev cluster in ${path.resolve(o.root)} (start one with belayctl dev up)\n`
          : renderTable(
              ['MASTER', 'ROLE', 'PID', 'STATE', 'ADDRESS', 'ROOT'],
              procs.map((p) => [p.master, p.role, String(p.pid), p.running ? 'running' : 'exited', p.address, p.root]),
            ),
      );
    });

  dev
    .command('env')
    .summary('print the export line for the running dev cluster again')
    .option('--root <dir>', "the dev cluster's directory", DEFAULT_DEV_DIR)
    .action((o: { root: string }) => {
      const state = readState(o.root);
      if (!state) throw new CliError(`no dev cluster in ${path.resolve(o.root)}`, EXIT.failed, 'start one with belayctl dev up');
      process.stdout.write(exportLine(state) + '\n');
    });

  dev
    .command('down')
    .summary('stop every process dev up started')
    .description(
      'SIGTERM to each process dev up started (checked by pid and start time, so a reused pid is never signalled), SIGKILL after the grace period; then removes what --netns made (namespaces, veths, bridge, host iptables rule). Keeps the directory and logs unless --purge.',
    )
    .option('--root <dir>', "the dev cluster's directory", DEFAULT_DEV_DIR)
    .option('--purge', 'also remove the directory, if dev up made it')
    .addOption(new Option('--grace <ms>', 'ms to wait after SIGTERM before SIGKILL').default('10000'))
    .action(async (o: { root: string; purge?: boolean; grace: string }) => {
      const r = await devDown(o.root, { purge: o.purge ?? false, graceMs: Number(o.grace) });
      process.stdout.write(`stopped ${r.stopped.length} processes${r.purged ? `, removed ${path.resolve(o.root)}` : ''}\n`);
    });
}
