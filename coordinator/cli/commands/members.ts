import type { Command } from 'commander';
import type { MembersResponse__Output } from '../../../proto/gen/belay/v1/MembersResponse.js';
import { connect, unary, type ConnectionFlags } from '../client.js';
import { formatAge, parseOutputFormat, print, renderTable } from '../output.js';

export function registerMembers(program: Command, flags: () => ConnectionFlags & { output: string }): void {
  program
    .command('members')
    .summary('the coordinators in gossip, as one coordinator sees them')
    .description(
      'Lists every coordinator the answering one knows through gossip (SWIM with Lifeguard): its name, gossip address, state, incarnation, tags and since when. alive: answers probes; suspect: missed a direct and an indirect probe and has a few seconds to refute; dead: did not refute (killed, host down, cut off); left: stopped gracefully. A restarted coordinator comes back with a new boot id at once. Gossip verdicts are advisory: belay never changes etcd membership on them alone.',
    )
    .addHelpText('after', '\nExamples:\n  belayctl members\n  belayctl members -o json | jq -r \'.members[] | select(.state != "alive") | .name\'\n')
    .action(async () => {
      const f = flags();
      const format = parseOutputFormat(f.output);
      const conn = connect(f);
      try {
        const res = await unary<object, MembersResponse__Output>(conn, 'Members', conn.coordinator.Members.bind(conn.coordinator), {});
        print(format, res, () => {
          const now = Number(res.nowMs);
          return (
            renderTable(
              ['NAME', 'ADDRESS', 'STATE', 'INCARNATION', 'SINCE', 'TAGS'],
              res.members.map((m) => [
                m.name,
                m.address,
                m.state,
                String(m.incarnation),
                formatAge(now - Number(m.sinceMs)),
                Object.entries(m.tags)
                  .filter(([k]) => k === 'api' || k === 'etcd' || k === 'kubelet' || k === 'agent')
                  .map(([k, v]) => `${k}=${v}`)
                  .join(','),
              ]),
            ) +
            `\n${res.members.filter((m) => m.state === 'alive').length}/${res.members.length} alive (answered by ${res.coordinator}; local health ${res.localHealth}${res.localHealth > 0 ? ': this coordinator has missed acks or stalled lately' : ''})\n`
          );
        });
      } finally {
        conn.close();
      }
    });
}
