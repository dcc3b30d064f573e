import type { Command } from 'commander';
import type { GossipKeysResponse__Output } from '../../../proto/gen/belay/v1/GossipKeysResponse.js';
import { fingerprint, formatKey, generateKey, parseKey } from '../../transport/keyring.js';
import { connect, unary, type ConnectionFlags } from '../client.js';
import { CliError, EXIT } from '../exit-codes.js';
import { parseOutputFormat, print, renderTable } from '../output.js';

export function registerGossip(program: Command, flags: () => ConnectionFlags & { output: string }): void {
  const g = program
    .command('gossip')
    .summary('the gossip keyring: list, generate, install, use, remove')
    .description(
      'Every gossip packet between coordinators is encrypted and authenticated with AES-256-GCM under the cluster gossip key. A coordinator holds a keyring: the primary key encrypts, every installed key decrypts. Rotation without downtime: generate a key, install it everywhere, use it (make it primary) everywhere, remove the old one. Keys are shown by fingerprint only (first 8 hex digits of their sha256).',
    );
  const keys = g.command('keys').summary('manage the gossip keyring of every live coordinator');
  keys.addHelpText(
    'after',
    '\nRotation:\n  NEW=$(belayctl gossip keys generate)\n  belayctl gossip keys install "$NEW"\n  belayctl gossip keys use "$NEW"\n  belayctl gossip keys remove OLD_KEY\n',
  );

  const run = async (action: string, key: string): Promise<void> => {
    const f = flags();
    const format = parseOutputFormat(f.output);
    if (action !== 'list') {
      try {
        parseKey(key, 'KEY');
      } catch (err) {
        throw new CliError(
          err instanceof Error ? err.message : String(err),
          EXIT.usage,
          'a gossip key is base64 of 32 bytes: belayctl gossip keys generate makes one',
        );
      }
    }
    const conn = connect(f);
    try {
      const res = await unary<object, GossipKeysResponse__Output>(conn, 'GossipKeys', conn.coordinator.GossipKeys.bind(conn.coordinator), {
        action,
        key,
        localOnly: false,
      });
      const failed = res.members.filter((m) => !m.ok);
      print(format, res, () => {
        const head =
          action === 'list' ? '' : `${action} ${fingerprint(parseKey(key))}: done on ${res.members.length - failed.length}/${res.members.length} members\n`;
        return (
          head +
          renderTable(
            ['FINGERPRINT', 'PRIMARY ON', 'INSTALLED ON'],
            res.keys.map((k) => [k.fingerprint, `${k.primaryOn}/${res.members.length}`, `${k.installedOn}/${res.members.length}`]),
          ) +
          failed.map((m) => `${m.node}: ${m.error}\n`).join('')
        );
      });
      if (failed.length > 0) process.exitCode = EXIT.failed;
    } finally {
      conn.close();
    }
  };

  keys
    .command('list')
    .summary('the keys installed on the live members, with how many have each as primary')
    .action(() => run('list', ''));
  keys
    .command('generate')
    .summary('print a new random key (base64); changes nothing')
    .action(() => {
      process.stdout.write(`${formatKey(generateKey())}\n`);
    });
  keys
    .command('install <key>')
    .summary("add KEY to every live member's keyring (they accept packets sealed with it)")
    .action((key: string) => run('install', key));
  keys
    .command('use <key>')
    .summary('make KEY the primary (encrypting) key on every live member')
    .description('Refused (exit 3) unless KEY is installed on every live member and every one can be asked: a member without it could not read the others.')
    .action((key: string) => run('use', key));
  keys
    .command('remove <key>')
    .summary("remove KEY from every live member's keyring")
    .description('Refused (exit 3) while KEY is the primary key on any member, or while a live member cannot be asked.')
    .action((key: string) => run('remove', key));
}
