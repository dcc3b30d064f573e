import * as grpc from '@grpc/grpc-js';
import type { Command } from 'commander';
import YAML from 'yaml';
import type { AgentEvent__Output } from '../../../proto/gen/belay/v1/AgentEvent.js';
import { cliErrorFromGrpc, connect, type ConnectionFlags } from '../client.js';
import { CliError, EXIT } from '../exit-codes.js';
import { parseOutputFormat, renderTable, type OutputFormat } from '../output.js';

export function registerEvents(program: Command, flags: () => ConnectionFlags & { output: string }): void {
  program
    .command('events')
    .summary('what happened on the masters: services started, died, hung, crash-looping, paused')
    .description(
      'Lists the recent events of every master, oldest first, as the coordinator holds them (the last 2000). With --follow, keeps printing new ones as they happen until interrupted. With -o json, one JSON object per line (also while following); with -o yaml, one document per event.',
    )
    .option('--node <name>', 'only this master')
    .option('--service <name>', 'only this service')
    .option('--limit <n>', 'at most the N newest past events', '0')
    .option('-f, --follow', 'keep the stream open and print new events')
    .addHelpText(
      'after',
      '\nSeverities: info (transitions), warning (degraded, self-healing), alert (someone must look, e.g. CrashLooping).\n' +
        '\nExamples:\n  belayctl events --service kubelet\n  belayctl events -f -o json | jq -c \'select(.severity == "alert")\'\n',
    )
    .action(async (o: { node?: string; service?: string; limit: string; follow?: boolean }) => {
      const f = flags();
      const format = parseOutputFormat(f.output);
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 0) throw new CliError(`--limit ${o.limit}: not a whole number`, EXIT.usage);
      const conn = connect(f);
      const call = conn.coordinator.Events(
        { node: o.node ?? '', service: o.service ?? '', follow: o.follow ?? false, limit },
        o.follow ? {} : { deadline: conn.deadline() },
      );
      const past: AgentEvent__Output[] = [];
      let header = false;
      try {
        await new Promise<void>((resolve, reject) => {
          call.on('data', (e: AgentEvent__Output) => {
            if (format === 'table' && !o.follow) {
              past.push(e);
              return;
            }
            if (format === 'table' && !header) {
              header = true;
              process.stdout.write(eventsTable([]).split('\n')[0] + '\n');
            }
            process.stdout.write(formatEvent(e, format));
          });
          call.on('end', resolve);
          call.on('error', (err: grpc.ServiceError) =>
            err.code === grpc.status.CANCELLED ? resolve() : reject(cliErrorFromGrpc(err, conn.endpoint, 'Events')),
          );
          process.once('SIGINT', () => call.cancel());
        });
        if (format === 'table' && !o.follow) process.stdout.write(past.length ? eventsTable(past) : 'no events\n');
      } finally {
        conn.close();
      }
    });
}

function formatEvent(e: AgentEvent__Output, format: OutputFormat): string {
  if (format === 'json') return JSON.stringify(e) + '\n';
  if (format === 'yaml') return '---\n' + YAML.stringify(e);
  return eventsTable([e]).split('\n').slice(1).join('\n');
}

function eventsTable(events: AgentEvent__Output[]): string {
  return renderTable(
    ['TIME', 'NODE', 'SERVICE', 'SEVERITY', 'EVENT', 'MESSAGE'],
    events.map((e) => [new Date(e.atMs).toISOString().replace('T', ' ').slice(0, 23), e.node, e.service || '-', e.severity, e.kind, e.message]),
  );
}
