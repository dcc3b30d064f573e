#!/usr/bin/env node
import '../../proto/common/warnings.js';
import { Command, CommanderError, Option } from 'commander';
import { OperatorError, errorText } from '../../proto/common/errors.js';
import { BELAY_VERSION } from '../../proto/common/version.js';
import type { ConnectionFlags } from './client.js';
import { registerCluster } from './commands/cluster.js';
import { registerDev } from './commands/dev.js';
import { registerEtcd } from './commands/etcd.js';
import { registerRollout } from './commands/rollout.js';
import { registerGossip } from './commands/gossip.js';
import { registerMembers } from './commands/members.js';
import { registerPki } from './commands/pki.js';
import { registerStatus } from './commands/status.js';
import { registerEvents } from './commands/events.js';
import { registerManifests } from './commands/manifests.js';
import { registerSupervise } from './commands/supervise.js';
import { CliError, EXIT } from './exit-codes.js';

const program = new Command('belayctl')
  .summary('operate a belay highly-available Kubernetes control plane')
  .description(
    'belayctl talks to any belay-coordinator of a cluster over mutual-TLS gRPC. It finds the coordinator with --endpoint or BELAY_ENDPOINT, and its TLS files with --ca/--cert/--key or BELAY_CA/BELAY_CERT/BELAY_KEY.',
  )
  .version(BELAY_VERSION)
  .option('--endpoint <host:port>', 'coordinator to talk to (env BELAY_ENDPOINT)')
  .option('--ca <file>', 'cluster CA certificate (env BELAY_CA)')
  .option('--cert <file>', 'client certificate, e.g. admin.crt (env BELAY_CERT)')
  .option('--key <file>', 'client private key (env BELAY_KEY)')
  .option('--insecure', 'plaintext gRPC, for a coordinator started with insecure: true')
  .option('--timeout <duration>', 'deadline of each call, e.g. 10s or 500ms', '10s')
  .addOption(new Option('-o, --output <format>', 'output of read commands').choices(['table', 'json', 'yaml']).default('table'))
  .addHelpText(
    'after',
    '\nExit status:\n  0 done   1 failed   2 usage error   3 refused as unsafe (e.g. would lose etcd quorum)\n' +
      '\nGetting started:\n  belayctl dev up                      start 3 local masters; prints an export line\n' +
      '  eval "$(belayctl dev up | tail -n 1)"\n  belayctl status                      every master at a glance\n' +
      '\nDocs: README.md, docs/operator-guide.md, docs/config.md, docs/grpc-api.md',
  )
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

const connection = (): ConnectionFlags & { output: string } => program.opts<ConnectionFlags & { output: string }>();
registerStatus(program, connection);
registerMembers(program, connection);
registerCluster(program, connection);
registerEtcd(program, connection);
registerRollout(program, connection);
registerGossip(program, connection);
registerSupervise(program, connection);
registerEvents(program, connection);
registerManifests(program, connection);
registerPki(program);
registerDev(program, () => connection().output);

const overrideAll = (c: Command): void => {
  c.exitOverride();
  c.commands.forEach(overrideAll);
};
overrideAll(program);

function fail(message: string, hint: string | undefined, code: number): never {
  process.stderr.write(`belayctl: ${message}\n`);
  if (hint) process.stderr.write(`  hint: ${hint}\n`);
  process.exit(code);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // help and version are exit 0; everything else commander refuses is a usage error.
    process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage);
  }
  if (err instanceof CliError) fail(err.message, err.hint, err.exitCode);
  if (err instanceof OperatorError) fail(err.message, err.hint, err.unsafe ? EXIT.unsafe : EXIT.failed);
  fail(errorText(err), undefined, EXIT.failed);
}
