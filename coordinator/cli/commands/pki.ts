import type { Command } from 'commander';
import { initPki, parseNodeList } from '../../pki/init.js';

export function registerPki(program: Command): void {
  const pki = program.command('pki').summary('make and check the cluster\'s certificates');
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
}
