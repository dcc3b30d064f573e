import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type * as grpc from '@grpc/grpc-js';
import YAML from 'yaml';
import type { GetClusterResponse__Output } from '../../proto/gen/belay/v1/GetClusterResponse.js';
import type { RolloutHistoryResponse__Output } from '../../proto/gen/belay/v1/RolloutHistoryResponse.js';
import type { RolloutStatusResponse__Output } from '../../proto/gen/belay/v1/RolloutStatusResponse.js';
import type { CoordinatorClient } from '../../proto/gen/belay/v1/Coordinator.js';
import { belayctl, type Run } from '../harness/belayctl.js';
import { eventually, withCluster, type TestCluster } from '../harness/cluster.js';

/**
 * Bad input to `belayctl rollout` and `belayctl apply`: each is refused with
 * an error that names the problem (and a hint), and leaves the cluster as it
 * was: the stored spec, the rollout history and every master's manifests.
 * One cluster for every case: a start costs about 35 s.
 */

const MANIFESTS = ['kube-apiserver.yaml', 'kube-scheduler.yaml'] as const;

interface Snapshot {
  /** `belayctl get cluster -o yaml`: the stored spec as text. */
  spec: string;
  /** `belayctl rollout history COMPONENT -o json`, per component. */
  history: Record<string, unknown>;
  /** sha256 of each master's control-plane manifests, by "m1/kube-apiserver.yaml". */
  manifests: Record<string, string>;
}

async function ok(args: string[], env: Record<string, string>): Promise<Run> {
  const r = await belayctl(args, env);
  assert.equal(r.code, 0, `belayctl ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r;
}

/** A unary call on the in-process client: far cheaper than a belayctl process (~2 s of tsx each) for the checks between cases. */
function call<T>(fn: (cb: (err: grpc.ServiceError | null, res?: T) => void) => unknown): Promise<T> {
  return new Promise((resolve, reject) => fn((err, res) => (err || res === undefined ? reject(err ?? new Error('empty answer')) : resolve(res))));
}

const clients = new WeakMap<TestCluster, CoordinatorClient>();
/** One client of m1's coordinator per cluster (the harness closes it). */
function m1(c: TestCluster): CoordinatorClient {
  let rpc = clients.get(c);
  if (!rpc) clients.set(c, (rpc = c.coordinator(0)));
  return rpc;
}

/** What a refusal must leave alone, read through m1's coordinator (BELAY_ENDPOINT's): what `get cluster -o yaml` and `rollout history -o json` print, and the files. */
async function snapshot(c: TestCluster): Promise<Snapshot> {
  const rpc = m1(c);
  const spec = (await call<GetClusterResponse__Output>((cb) => rpc.GetCluster({}, cb))).spec;
  const history: Record<string, unknown> = {};
  for (const component of ['apiserver', 'scheduler']) {
    history[component] = (await call<RolloutHistoryResponse__Output>((cb) => rpc.RolloutHistory({ component }, cb))).recordsJson.map(
      (j) => JSON.parse(j) as unknown,
    );
  }
  const manifests: Record<string, string> = {};
  for (const m of c.state.masters) {
    for (const f of MANIFESTS)
      manifests[`${m.name}/${f}`] = createHash('sha256')
        .update(fs.readFileSync(path.join(m.root, 'etc/kubernetes/manifests', f)))
        .digest('hex');
  }
  return { spec, history, manifests };
}

/** A refusal: this exit code, stderr matching every pattern, and nothing changed since `before`. */
async function refused(c: TestCluster, before: Snapshot, args: string[], code: number, ...patterns: RegExp[]): Promise<Run> {
  const r = await belayctl(args, c.env);
  assert.equal(r.code, code, `belayctl ${args.join(' ')} exited ${String(r.code)}: ${r.stderr}${r.stdout}`);
  for (const p of patterns) assert.match(r.stderr, p, `belayctl ${args.join(' ')}`);
  assert.deepEqual(await snapshot(c), before, `belayctl ${args.join(' ')} changed something`);
  return r;
}

/** `belayctl apply -f` that must succeed. */
async function apply(file: string, env: Record<string, string>): Promise<void> {
  const r = await belayctl(['apply', '-f', file], env);
  assert.equal(r.code, 0, `belayctl apply -f ${file}: ${r.stderr}`);
}

type SpecDoc = {
  spec: {
    masters: { name: string; address: string }[];
    etcd: { clientPort: number };
    apiserver: { image?: string; extraArgs: Record<string, string> };
    scheduler: { image?: string };
    rollout: Record<string, string>;
  };
};

test(
  'rollout and apply refuse bad input with clear errors and change nothing; a second rollout while one runs is refused naming it',
  { timeout: 300_000 },
  async (t) => {
    await withCluster({ masters: 3, bootstrap: true, controlPlane: true }, async (c) => {
      const env = c.env;
      const writeSpec = (name: string, doc: unknown): string => {
        const file = path.join(c.dir, name);
        fs.writeFileSync(file, YAML.stringify(doc));
        return file;
      };
      // given a shorter stable window and ready timeout (defaults 2s, 2m), so the one real rollout below is quick, yet
      // at least 3 × 3 s: still running while the commands that must find it running start (each ~1-4 s of tsx)
      const doc = YAML.parse((await ok(['get', 'cluster', '-o', 'yaml'], env)).stdout) as SpecDoc;
      doc.spec.rollout = { stableWindow: '3s', readyTimeout: '30s' };
      await apply(writeSpec('cluster-rollout.yaml', doc), env);
      const before = await snapshot(c);
      const specOf = (s: Snapshot): SpecDoc => YAML.parse(s.spec) as SpecDoc;
      assert.deepEqual(before.history, { apiserver: [], scheduler: [] }, 'a fresh cluster has no rollout');

      // when belayctl is given an option it does not know: a usage error (2), before anything is asked
      await refused(
        c,
        before,
        ['rollout', 'apiserver', '--imag', 'registry.k8s.io/kube-apiserver:v1.31.1'],
        2,
        /unknown option '--imag'/,
        /Did you mean --image\?/,
      );

      // when a flag kube-apiserver v1.31 does not have is set: refused (1), naming the flag; a near miss names the real one
      await refused(
        c,
        before,
        ['rollout', 'apiserver', '--set', 'no-such-flag=1'],
        1,
        /not starting a rollout of kube-apiserver: spec\.apiserver\.extraArgs\.no-such-flag: got "1": not a kube-apiserver 1\.31 flag/,
        /hint: fix --image or --set/,
      );
      await refused(
        c,
        before,
        ['rollout', 'apiserver', '--set', 'audit-log-max-age=7'],
        1,
        /audit-log-max-age: got "7": not a kube-apiserver 1\.31 flag: did you mean "audit-log-maxage"\?/,
        /hint: /,
      );

      // when a flag belay sets itself is set, here --etcd-servers at an address that is no member of this cluster's etcd:
      // refused (1), as every apiserver would lose its etcd
      await refused(
        c,
        before,
        ['rollout', 'apiserver', '--set', 'etcd-servers=https://10.0.0.1:2379'],
        1,
        /spec\.apiserver\.extraArgs\.etcd-servers: got "https:\/\/10\.0\.0\.1:2379": is set by belay from the spec/,
        /hint: /,
      );

      // when the image has no tag: refused (1), since each master would run whatever "latest" is there
      await refused(
        c,
        before,
        ['rollout', 'apiserver', '--image', 'registry.k8s.io/kube-apiserver'],
        1,
        /spec\.apiserver\.image: got "registry\.k8s\.io\/kube-apiserver": must be an image with a tag/,
        /hint: /,
      );

      // when undo is asked with no rollout in the history: refused (1), pointing at a roll forward
      await refused(
        c,
        before,
        ['rollout', 'undo', 'apiserver'],
        1,
        /cannot undo kube-apiserver: it has no rollout in its history/,
        /hint: roll forward instead: belayctl rollout apiserver --image IMAGE/,
      );

      // when a spec is applied that would leave the apiservers with no etcd member, or without one of them
      const without = (change: (d: SpecDoc) => void): SpecDoc => {
        const d = structuredClone(specOf(before));
        change(d);
        return d;
      };
      // then no masters at all is invalid (1, checked by belayctl before sending it)
      await refused(
        c,
        before,
        [
          'apply',
          '-f',
          writeSpec(
            'no-masters.yaml',
            without((d) => (d.spec.masters = [])),
          ),
        ],
        1,
        /spec\.masters: got \[\]: must list at least one master/,
      );
      // and dropping or moving an etcd member, or etcd's client port, is refused as unsafe (3)
      await refused(
        c,
        before,
        [
          'apply',
          '-f',
          writeSpec(
            'drop-m3.yaml',
            without((d) => (d.spec.masters = d.spec.masters.filter((m) => m.name !== 'm3'))),
          ),
        ],
        3,
        /the spec drops m3, which is an etcd member/,
        /hint: remove it from etcd first \(belayctl etcd remove m3/,
      );
      await refused(
        c,
        before,
        [
          'apply',
          '-f',
          writeSpec(
            'move-m2.yaml',
            without((d) => (d.spec.masters = d.spec.masters.map((m) => (m.name === 'm2' ? { ...m, address: '10.255.255.2' } : m)))),
          ),
        ],
        3,
        /the spec moves etcd member m2 to 10\.255\.255\.2/,
        /hint: /,
      );
      await refused(
        c,
        before,
        [
          'apply',
          '-f',
          writeSpec(
            'client-port.yaml',
            without((d) => (d.spec.etcd.clientPort = 12379)),
          ),
        ],
        3,
        /spec\.etcd\.clientPort cannot change on a running cluster \(2379 → 12379\)/,
        /hint: keep the current value/,
      );

      // when the same bad flags come through `apply -f` (spec.apiserver.extraArgs) instead of `rollout --set`
      for (const [name, value, why] of [
        ['etcd-servers', 'https://10.0.0.1:2379', /spec\.apiserver\.extraArgs\.etcd-servers: got "https:\/\/10\.0\.0\.1:2379": is set by belay from the spec/],
        ['no-such-flag', '1', /spec\.apiserver\.extraArgs\.no-such-flag: got "1": not a kube-apiserver 1\.31 flag/],
      ] as const) {
        await t.test(`apply refuses spec.apiserver.extraArgs ${name}, as rollout --set does`, async () => {
          const file = writeSpec(
            `extra-${name}.yaml`,
            without((d) => (d.spec.apiserver.extraArgs = { [name]: value })),
          );
          try {
            // then it is refused (1), naming the flag, and nothing is stored
            await refused(c, before, ['apply', '-f', file], 1, why, /hint: /);
          } finally {
            // put the spec back if it was taken, so that the cases after this one start from `before`
            if ((await snapshot(c)).spec !== before.spec) await apply(writeSpec('restore.yaml', specOf(before)), env);
          }
        });
      }
      assert.equal((await snapshot(c)).spec, before.spec);

      // when a rollout runs (started without waiting, so it is running when the next commands come)
      const started = await ok(['rollout', 'apiserver', '--image', 'registry.k8s.io/kube-apiserver:v1.31.1', '--no-wait'], env);
      assert.match(started.stdout, /kube-apiserver revision 1 started/);
      // then a rollout of another component, another of the same, and an undo are refused as unsafe (3),
      // each naming the running rollout (component and revision) and what to do about it
      const others = await Promise.all([
        belayctl(['rollout', 'scheduler', '--image', 'registry.k8s.io/kube-scheduler:v1.31.1'], env),
        belayctl(['rollout', 'apiserver', '--set', 'v=3'], env),
        belayctl(['rollout', 'undo', 'apiserver'], env),
      ]);
      for (const [r, what] of [
        [others[0], 'a rollout of kube-scheduler'],
        [others[1], 'a rollout of kube-apiserver'],
        [others[2], 'an undo of kube-apiserver'],
      ] as const) {
        assert.equal(r.code, 3, `${what}: ${r.stderr}${r.stdout}`);
        assert.match(r.stderr, new RegExp(`not starting ${what}: kube-apiserver revision 1: `));
        assert.match(r.stderr, /hint: wait for it \(belayctl rollout status\), or belayctl rollout pause apiserver/);
      }
      // and so is a change of the balancers it drains and enables masters in
      const lbDoc = structuredClone(doc) as SpecDoc & { spec: { loadBalancer?: Record<string, unknown> } };
      lbDoc.spec.loadBalancer = { ...(lbDoc.spec.loadBalancer ?? {}), checkIntervalMs: 1000 };
      const lb = await belayctl(['apply', '-f', writeSpec('cluster-lb.yaml', lbDoc)], env);
      assert.equal(lb.code, 3, lb.stderr + lb.stdout);
      assert.match(lb.stderr, /spec\.loadBalancer cannot change while the kube-apiserver rollout \(revision 1, running\)/);
      // and they stored nothing: the spec is the running rollout's (m1's copy follows etcd within a refresh), the histories
      // hold it alone, the scheduler untouched
      const expected = structuredClone(specOf(before));
      expected.spec.apiserver.image = 'registry.k8s.io/kube-apiserver:v1.31.1';
      await eventually(async () => assert.deepEqual(specOf(await snapshot(c)), expected), { timeoutMs: 15_000, intervalMs: 250 });
      const after = await snapshot(c);
      assert.deepEqual(after.history.scheduler, []);
      assert.deepEqual(
        (after.history.apiserver as { revision: number }[]).map((h) => h.revision),
        [1],
      );

      // and the running rollout finishes as it would have alone
      const record = await eventually(
        async () => {
          const st = await call<RolloutStatusResponse__Output>((cb) => m1(c).RolloutStatus({ component: 'apiserver' }, cb));
          const r = st.recordJson ? (JSON.parse(st.recordJson) as { state: string; done: string[]; changes: string[] }) : undefined;
          // complete or halted ends the wait (a halt fails at once below, not after the timeout)
          assert.ok(r && (r.state === 'complete' || r.state === 'halted'), st.summary);
          return r;
        },
        { timeoutMs: 120_000, intervalMs: 500 },
      );
      assert.equal(record.state, 'complete', JSON.stringify(record));
      assert.deepEqual([...record.done].sort(), ['m1', 'm2', 'm3']);
      assert.deepEqual(record.changes, ['image: (default) → registry.k8s.io/kube-apiserver:v1.31.1']);
      // then, also after every refusal above had time to reach m1's copy, the spec holds only that rollout's image
      const end = await snapshot(c);
      assert.deepEqual(specOf(end), expected, "only the first rollout's image is in the spec");
      assert.deepEqual(
        (end.history.apiserver as { revision: number }[]).map((h) => h.revision),
        [1],
      );
      assert.deepEqual(end.history.scheduler, []);
      for (const m of c.state.masters) {
        assert.equal(end.manifests[`${m.name}/kube-scheduler.yaml`], before.manifests[`${m.name}/kube-scheduler.yaml`], `${m.name}'s scheduler untouched`);
        const manifest = fs.readFileSync(path.join(m.root, 'etc/kubernetes/manifests/kube-apiserver.yaml'), 'utf8');
        assert.match(manifest, /image: registry\.k8s\.io\/kube-apiserver:v1\.31\.1/);
        assert.doesNotMatch(manifest, /--v=3/);
      }
    });
  },
);
