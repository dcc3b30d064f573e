import type { Command } from 'commander';
import type { RolloutHistoryResponse__Output } from '../../../proto/gen/belay/v1/RolloutHistoryResponse.js';
import type { RolloutStatusResponse__Output } from '../../../proto/gen/belay/v1/RolloutStatusResponse.js';
import { connect, streamProgress, unary, type ConnectionFlags } from '../client.js';
import { CliError, EXIT } from '../exit-codes.js';
import { formatAge, parseOutputFormat, print, renderTable } from '../output.js';

const COMPONENTS = ['apiserver', 'scheduler', 'controller-manager'];

interface Record_ {
  component: string;
  revision: number;
  state: string;
  changes: string[];
  done: string[];
  order: string[];
  requestedBy: string;
  startedAtMs: number;
  updatedAtMs: number;
  undoOf?: number;
  haltReason?: string;
  failure?: { master: string; phase: string; reason: string; notReadyReason: string; logTail: string[]; afterMs: number; rolledBack?: string };
}

function checkComponent(name: string): void {
  if (!COMPONENTS.includes(name)) throw new CliError(`no component "${name}"`, EXIT.usage, `roll out one of ${COMPONENTS.join(', ')}`);
}

/** --set name=value (repeatable); name without dashes, an empty value removes the flag. */
function collectSet(v: string, prev: Record<string, string>): Record<string, string> {
  const i = v.indexOf('=');
  if (i <= 0) throw new CliError(`--set ${v}: give flag=value, e.g. --set v=4 (an empty value removes the flag)`, EXIT.usage);
  return { ...prev, [v.slice(0, i).replace(/^--?/, '')]: v.slice(i + 1) };
}

export function registerRollout(program: Command, flags: () => ConnectionFlags & { output: string }): void {
  const rollout = program
    .command('rollout')
    .summary('roll a control-plane component out master by master: apiserver, scheduler, controller-manager')
    .description(
      "A rollout changes a component's image or flags in the Cluster spec and the leader applies it one master at a time, and only while every other master's component is ready and etcd is healthy. For the apiserver it first drains that master's backend in every balancer (haproxy runtime API; new connections go to the others; open ones are waited for until they stop ending, at most 15 s: keep-alive connections and watches are closed by the apiserver's graceful shutdown), applies the new manifest, enables the backend again once the new apiserver is ready, and moves on once it has been ready without a break for spec.rollout.stableWindow (2s) and every balancer sees it UP. A master not ready within spec.rollout.readyTimeout (2m) is rolled back to its previous manifest, put back into the balancers, and the rollout halts: `rollout status` names the master, the probe and its last log lines. Progress lives in etcd: if the leader dies, the next one resumes, never taking a second master out. One rollout at a time, of any component.\n\nExit codes: 0 done (or started, without --wait), 1 failed or halted, 2 usage, 3 refused as unsafe (another rollout runs).",
    )
    .argument('<component>', COMPONENTS.join(' | '))
    .option('--image <image>', 'the new image, NAME:TAG (e.g. registry.k8s.io/kube-apiserver:v1.31.2)')
    .option('--set <flag=value>', 'set a flag (repeat for more; an empty value removes it), e.g. --set v=4', collectSet, {})
    .option('--dry-run', 'print the plan: revision, changes, order; change nothing')
    .option('--no-wait', 'return once the rollout is stored; follow it with rollout status')
    .action(async (name: string, o: { image?: string; set: Record<string, string>; dryRun?: boolean; wait: boolean }) => {
      checkComponent(name);
      await start(flags(), { component: name, image: o.image ?? '', set: o.set, undo: false, dryRun: o.dryRun ?? false, wait: o.wait });
    });

  rollout
    .command('undo')
    .summary('roll the component back to its previous revision, the same careful way')
    .argument('<component>', COMPONENTS.join(' | '))
    .option('--dry-run', 'print the plan; change nothing')
    .option('--no-wait', 'return once the rollout is stored')
    .action(async (name: string, o: { dryRun?: boolean; wait: boolean }) => {
      checkComponent(name);
      await start(flags(), { component: name, image: '', set: {}, undo: true, dryRun: o.dryRun ?? false, wait: o.wait });
    });

  rollout
    .command('restart')
    .summary('restart the component on every master, the same careful way (e.g. to load new certificates)')
    .description(
      "As kubectl rollout restart: a new kubectl.kubernetes.io/restartedAt annotation in the component's pod changes every master's manifest and nothing else, and the rollout restarts them one at a time as for a new image (drained, ready for the stable window, enabled again). An apiserver reads its serving certificate only at start: run this after `belayctl pki issue apiserver`.\n\nExit codes: 0 done, 1 failed or halted, 2 usage, 3 refused as unsafe (another rollout runs).",
    )
    .argument('<component>', COMPONENTS.join(' | '))
    .option('--dry-run', 'print the plan; change nothing')
    .option('--no-wait', 'return once the rollout is stored')
    .action(async (name: string, o: { dryRun?: boolean; wait: boolean }) => {
      checkComponent(name);
      await start(flags(), { component: name, image: '', set: {}, undo: false, restart: true, dryRun: o.dryRun ?? false, wait: o.wait });
    });

  rollout
    .command('status')
    .summary("the active rollout (or the component's latest): where it is, what the leader waits for")
    .argument('[component]', COMPONENTS.join(' | '))
    .action(async (name: string | undefined) => {
      if (name) checkComponent(name);
      const f = flags();
      const format = parseOutputFormat(f.output);
      const conn = connect(f);
      try {
        const res = await unary<object, RolloutStatusResponse__Output>(conn, 'RolloutStatus', conn.coordinator.RolloutStatus.bind(conn.coordinator), {
          component: name ?? '',
        });
        const record = res.recordJson ? (JSON.parse(res.recordJson) as Record_) : undefined;
        print(format, { summary: res.summary, step: res.step, record: record ?? null }, () => {
          let out = `${res.summary}\n`;
          if (res.step) out += `now: ${res.step}\n`;
          if (record?.changes.length) out += `changes: ${record.changes.join('; ')}\n`;
          if (record?.haltReason) out += `halted: ${record.haltReason}\n`;
          const fl = record?.failure;
          if (fl) {
            out += `failed on ${fl.master} (${fl.phase}) after ${Math.round(fl.afterMs / 1000)} s: ${fl.reason}\n`;
            if (fl.notReadyReason) out += `  probe: ${fl.notReadyReason}\n`;
            if (fl.rolledBack) out += `  rollback: ${fl.rolledBack}\n`;
            if (fl.logTail.length) out += `  last log lines:\n${fl.logTail.map((l) => `    ${l}`).join('\n')}\n`;
          }
          return out;
        });
        if (record?.state === 'halted') process.exitCode = EXIT.failed;
      } finally {
        conn.close();
      }
    });

  for (const action of ['pause', 'resume'] as const) {
    rollout
      .command(action)
      .summary(action === 'pause' ? 'finish the master mid-way, then take no other out' : 'go on with a paused rollout')
      .argument('<component>', COMPONENTS.join(' | '))
      .action(async (name: string) => {
        checkComponent(name);
        const f = flags();
        const format = parseOutputFormat(f.output);
        const conn = connect(f);
        try {
          const res = await unary<object, RolloutStatusResponse__Output>(conn, 'RolloutControl', conn.coordinator.RolloutControl.bind(conn.coordinator), {
            component: name,
            action,
          });
          print(format, { summary: res.summary }, () => `${res.summary}\n`);
        } finally {
          conn.close();
        }
      });
  }

  rollout
    .command('history')
    .summary("the component's revisions: changes, who, when, how each ended")
    .argument('<component>', COMPONENTS.join(' | '))
    .action(async (name: string) => {
      checkComponent(name);
      const f = flags();
      const format = parseOutputFormat(f.output);
      const conn = connect(f);
      try {
        const res = await unary<object, RolloutHistoryResponse__Output>(conn, 'RolloutHistory', conn.coordinator.RolloutHistory.bind(conn.coordinator), {
          component: name,
        });
        const records = res.recordsJson.map((j) => JSON.parse(j) as Record_);
        print(format, records, () => {
          if (records.length === 0) return `no rollout of ${name} yet: its manifests are as first deployed\n`;
          const now = Date.now();
          const rows = records.map((r) => [
            String(r.revision),
            r.state,
            `${r.done.length}/${r.order.length}`,
            `${formatAge(now - r.startedAtMs)} ago`,
            r.requestedBy,
            (r.undoOf !== undefined ? `undo of ${r.undoOf}: ` : '') + r.changes.join('; '),
          ]);
          return renderTable(['REVISION', 'STATE', 'DONE', 'STARTED', 'BY', 'CHANGES'], rows);
        });
      } finally {
        conn.close();
      }
    });
}

async function start(
  f: ConnectionFlags & { output: string },
  req: { component: string; image: string; set: Record<string, string>; undo: boolean; restart?: boolean; dryRun: boolean; wait: boolean },
): Promise<void> {
  const format = parseOutputFormat(f.output);
  const conn = connect(f);
  try {
    const last = await streamProgress(conn, 'Rollout', conn.coordinator.Rollout.bind(conn.coordinator), req, { json: format === 'json' });
    if (format !== 'json') process.stdout.write(`${last.message}\n`);
  } finally {
    conn.close();
  }
}
