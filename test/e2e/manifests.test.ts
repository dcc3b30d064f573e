import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type * as grpc from '@grpc/grpc-js';
import { belayProto, channelOptions, clientCredentials, DEFAULT_MAX_MESSAGE_BYTES, readTls } from '../../proto/common/grpc.js';
import type { AgentClient } from '../../proto/gen/belay/v1/Agent.js';
import type { ApplyManifestResponse__Output } from '../../proto/gen/belay/v1/ApplyManifestResponse.js';
import { belayctl } from '../harness/belayctl.js';
import { eventually, withCluster, type TestCluster } from '../harness/cluster.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'agent', 'manifests', 'fixtures');
const etcdYaml = fs.readFileSync(path.join(FIXTURES, 'etcd.yaml'), 'utf8');

interface ListJson {
  manifests: {
    file: string;
    podName: string;
    valid: boolean;
    drifted: boolean;
    sha256: string;
    problems: { line: number; column: number; message: string }[];
    containers: { name: string; probes: string[] }[];
  }[];
}

function agentClient(c: TestCluster): AgentClient {
  const tls = readTls({ ca: c.state.env.BELAY_CA, cert: c.state.env.BELAY_CERT, key: c.state.env.BELAY_KEY });
  const Client = belayProto().belay.v1.Agent;
  return new Client(`${c.state.masters[0]?.address ?? ''}:7701`, clientCredentials(tls), channelOptions(DEFAULT_MAX_MESSAGE_BYTES));
}

function apply(a: AgentClient, file: string, content: string, force = false): Promise<ApplyManifestResponse__Output> {
  return new Promise((resolve, reject) =>
    a.ApplyManifest({ file, content, force, requestedBy: 'test' }, (err, res) => (err || !res ? reject(err ?? new Error('empty')) : resolve(res))),
  );
}

/** Pids whose parent is `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function list(c: TestCluster): Promise<ListJson['manifests']> {
  const r = await belayctl(['manifests', 'list', 'm1', '-o', 'json'], c.env);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as ListJson).manifests;
}

test('the manifests dir under the kubelet runtime: inventory, invalid files with their position, get, diff, atomic apply, drift and bad requests; nothing but the files', async () => {
  await withCluster({ masters: 1, runtime: 'kubelet' }, async (c) => {
    const dir = path.join(c.state.masters[0]?.root ?? '', 'etc', 'kubernetes', 'manifests');
    const agent = agentClient(c);
    try {
      // a manifest written by hand (as kubeadm would) shows in the inventory
      fs.writeFileSync(path.join(dir, 'etcd.yaml'), etcdYaml);
      const [etcd] = await eventually(
        async () => {
          const l = await list(c);
          assert.equal(l.length, 1);
          return l;
        },
        { timeoutMs: 10_000, intervalMs: 200 },
      );
      assert.equal(etcd?.podName, 'etcd');
      assert.equal(etcd?.valid, true);
      assert.ok(etcd?.containers[0]?.probes.some((p) => p.startsWith('liveness: httpGet')));
      // broken YAML is reported with its position, and dotfiles are not looked at
      fs.writeFileSync(path.join(dir, 'broken.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n   bad: [\n');
      fs.writeFileSync(path.join(dir, '.hidden.yaml'), 'not even yaml: [');
      const broken = await eventually(
        async () => {
          const b = (await list(c)).find((m) => m.file === 'broken.yaml');
          assert.ok(b);
          return b;
        },
        { timeoutMs: 10_000, intervalMs: 200 },
      );
      assert.equal(broken.valid, false);
      assert.ok((broken.problems[0]?.line ?? 0) >= 4, JSON.stringify(broken.problems));
      assert.equal(
        (await list(c)).some((m) => m.file === '.hidden.yaml'),
        false,
      );
      // get returns the file as it is; diff against a local copy
      const got = await belayctl(['manifests', 'get', 'm1', 'etcd'], c.env);
      assert.equal(got.stdout, etcdYaml);
      const local = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'belay-diff-')), 'etcd.yaml');
      fs.writeFileSync(local, etcdYaml);
      assert.equal((await belayctl(['manifests', 'diff', 'm1', local], c.env)).code, 0);
      fs.writeFileSync(local, etcdYaml.replace('--snapshot-count=10000', '--snapshot-count=20000'));
      const d = await belayctl(['manifests', 'diff', 'm1', local], c.env);
      assert.equal(d.code, 1);
      assert.match(d.stdout, /^-.*--snapshot-count=10000$/m);
      assert.match(d.stdout, /^\+.*--snapshot-count=20000$/m);

      // apply through the agent: written atomically, the same content twice writes nothing
      const changed = etcdYaml.replace('--snapshot-count=10000', '--snapshot-count=20000');
      const first = await apply(agent, 'etcd.yaml', changed);
      assert.equal(first.changed, true);
      const mtime = fs.statSync(path.join(dir, 'etcd.yaml')).mtimeMs;
      assert.equal((await apply(agent, 'etcd.yaml', changed)).changed, false);
      assert.equal(fs.statSync(path.join(dir, 'etcd.yaml')).mtimeMs, mtime);
      assert.deepEqual(
        fs.readdirSync(dir).filter((f) => f.startsWith('.') && f !== '.hidden.yaml'),
        [],
        'no temp file left',
      );
      // someone edits it by hand: drift is reported, and not overwritten without force
      fs.writeFileSync(path.join(dir, 'etcd.yaml'), changed + '# hand edit\n');
      await eventually(async () => assert.equal((await list(c)).find((m) => m.file === 'etcd.yaml')?.drifted, true), { timeoutMs: 10_000, intervalMs: 200 });
      await assert.rejects(
        apply(agent, 'etcd.yaml', etcdYaml),
        (e: grpc.ServiceError) => /MANIFEST_DRIFTED|changed/.test(e.metadata.get('belay-code')[0]?.toString() ?? '') || /drift/i.test(e.details),
      );
      assert.equal((await apply(agent, 'etcd.yaml', etcdYaml, true)).changed, true);
      // bad requests are refused with nothing written
      const before = fs.readdirSync(dir).sort();
      for (const [file, content, why] of [
        ['../../etc/passwd', etcdYaml, /plain file name|must/],
        ['deploy.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n', /Pod/],
        ['big.yaml', etcdYaml + '#'.repeat(1024 * 1024), /limit/],
        ['bad.yaml', 'kind: Pod\n  x: [', /not a valid static pod/],
      ] as const) {
        await assert.rejects(apply(agent, file, content), (e: grpc.ServiceError) => why.test(e.details), file);
      }
      assert.deepEqual(fs.readdirSync(dir).sort(), before);
      assert.equal(fs.existsSync(path.join(c.state.masters[0]?.root ?? '', 'etc', 'passwd')), false);

      // kubelet runs the pods, not belay: the agent started nothing and asks kubelet for their state
      const agentPid = c.state.processes.find((p) => p.role === 'agent')?.pid ?? 0;
      // (host facts are gathered with short-lived commands such as df: only a pod's process would be etcd)
      const cmdlines = childrenOf(agentPid).map((pid) => {
        try {
          return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
        } catch {
          return '';
        }
      });
      assert.deepEqual(
        cmdlines.filter((l) => /etcd/.test(l)),
        [],
        'the agent started no etcd',
      );
      const sup = await belayctl(['supervise', 'list', '-o', 'json'], c.env);
      assert.deepEqual((JSON.parse(sup.stdout) as { services: unknown[] }).services, []);
      // and, with no kubelet answering (none runs here, and the control plane's client certificate is not issued), says so
      const pods = (await list(c)) as { file: string; podPhase?: string; podReady?: boolean; podNotReadyReason?: string }[];
      assert.ok(pods.length > 0);
      for (const m of pods) {
        assert.equal(m.podPhase, 'Unknown', JSON.stringify(m));
        assert.equal(m.podReady, false, JSON.stringify(m));
        assert.match(m.podNotReadyReason ?? '', /^kubelet's pods unknown: /, JSON.stringify(m));
      }
    } finally {
      agent.close();
    }
  });
});

const sleeper = (seconds: number): string => `apiVersion: v1
kind: Pod
metadata:
  name: sleeper
  namespace: kube-system
spec:
  hostNetwork: true
  containers:
  - name: sleeper
    image: registry.k8s.io/pause:3.9
    command: [sleep, "${seconds}"]
`;

test('belayctl manifests apply, remove, rollback and history go through the agent; drift is refused with exit 3', async () => {
  await withCluster({ masters: 1 }, async (c) => {
    const dir = path.join(c.state.masters[0]?.root ?? '', 'etc', 'kubernetes', 'manifests');
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-apply-'));
    const local = path.join(work, 'sleeper.yaml');
    try {
      fs.writeFileSync(local, sleeper(300));
      // dry run: a diff from nothing, nothing written
      const dry = await belayctl(['manifests', 'apply', 'm1', local, '--dry-run'], c.env);
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stdout, /^\+.*sleep/m);
      assert.equal(fs.existsSync(path.join(dir, 'sleeper.yaml')), false);

      const first = await belayctl(['manifests', 'apply', 'm1', local], c.env);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /m1:sleeper.yaml written/);
      assert.equal(fs.readFileSync(path.join(dir, 'sleeper.yaml'), 'utf8'), sleeper(300));
      // the host runtime (dev up's default) runs it: phase Running, ready (no readiness probe: running is ready)
      await eventually(
        async () => {
          const m = (await list(c)).find((x) => x.file === 'sleeper.yaml') as { podPhase?: string; podReady?: boolean } | undefined;
          assert.equal(m?.podPhase, 'Running');
          assert.equal(m?.podReady, true);
        },
        { timeoutMs: 15_000, intervalMs: 300 },
      );
      const table = await belayctl(['manifests', 'list', 'm1'], c.env);
      assert.match(table.stdout, /sleeper\.yaml\s+sleeper\s+kube-system\s+sleeper\s+yes\s+-\s+Running\s+yes/);
      const again = await belayctl(['manifests', 'apply', 'm1', local], c.env);
      assert.match(again.stdout, /unchanged/);

      fs.writeFileSync(local, sleeper(600));
      const second = await belayctl(['manifests', 'apply', 'm1', local, '-o', 'json'], c.env);
      assert.equal(second.code, 0, second.stderr);
      const res = JSON.parse(second.stdout) as { changed: boolean; previousSha256: string };
      assert.equal(res.changed, true);
      assert.match(res.previousSha256, /^[0-9a-f]{64}$/);

      const hist = await belayctl(['manifests', 'history', 'm1', 'sleeper.yaml', '-o', 'json'], c.env);
      assert.equal(hist.code, 0, hist.stderr);
      const versions = (JSON.parse(hist.stdout) as { versions: { sha256: string; reason: string }[] }).versions;
      assert.equal(versions[0]?.sha256, res.previousSha256);

      // rollback by prefix restores the first version byte for byte
      const rb = await belayctl(['manifests', 'rollback', 'm1', 'sleeper.yaml', '--to', res.previousSha256.slice(0, 10)], c.env);
      assert.equal(rb.code, 0, rb.stderr);
      assert.equal(fs.readFileSync(path.join(dir, 'sleeper.yaml'), 'utf8'), sleeper(300));

      // a hand edit is drift: apply refuses with exit 3 and says what to do; --force overwrites
      fs.writeFileSync(path.join(dir, 'sleeper.yaml'), sleeper(300) + '# hand edit\n');
      await eventually(
        async () => {
          const l = await list(c);
          assert.equal(l.find((m) => m.file === 'sleeper.yaml')?.drifted, true);
        },
        { timeoutMs: 10_000, intervalMs: 200 },
      );
      const refused = await belayctl(['manifests', 'apply', 'm1', local], c.env);
      assert.equal(refused.code, 3, refused.stderr);
      assert.match(refused.stderr, /--force|drift/i);
      assert.equal((await belayctl(['manifests', 'apply', 'm1', local, '--force'], c.env)).code, 0);

      // an invalid local file is refused before anything is written (exit 1, with the position)
      fs.writeFileSync(path.join(work, 'bad.yaml'), 'kind: Pod\n  x: [');
      const bad = await belayctl(['manifests', 'apply', 'm1', path.join(work, 'bad.yaml')], c.env);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /not a valid static pod/);
      assert.equal(fs.existsSync(path.join(dir, 'bad.yaml')), false);

      // remove keeps the file in history; rollback brings it back
      const rm = await belayctl(['manifests', 'remove', 'm1', 'sleeper.yaml'], c.env);
      assert.equal(rm.code, 0, rm.stderr);
      assert.equal(fs.existsSync(path.join(dir, 'sleeper.yaml')), false);
      await eventually(
        async () => {
          const sup = JSON.parse((await belayctl(['supervise', 'list', '-o', 'json'], c.env)).stdout) as { services: { name: string }[] };
          assert.equal(
            sup.services.some((x) => x.name === 'sleeper/sleeper'),
            false,
            'the pod stopped with its manifest',
          );
        },
        { timeoutMs: 15_000, intervalMs: 300 },
      );
      assert.equal((await belayctl(['manifests', 'rollback', 'm1', 'sleeper.yaml'], c.env)).code, 0);
      assert.equal(fs.readFileSync(path.join(dir, 'sleeper.yaml'), 'utf8'), sleeper(600));
      // an unknown master is an error naming it
      const unknown = await belayctl(['manifests', 'apply', 'm9', local], c.env);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /no master named "m9"/);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});

test('host runtime: an agent restart adopts the running pods instead of starting them twice', async () => {
  await withCluster({ masters: 1 }, async (c) => {
    const dir = path.join(c.state.masters[0]?.root ?? '', 'etc', 'kubernetes', 'manifests');
    fs.writeFileSync(path.join(dir, 'sleeper.yaml'), sleeper(301));
    const pidOf = async (): Promise<number> => {
      const sup = JSON.parse((await belayctl(['supervise', 'list', '-o', 'json'], c.env)).stdout) as {
        services: { name: string; pid: number; state: string }[];
      };
      const s = sup.services.find((x) => x.name === 'sleeper/sleeper');
      assert.equal(s?.state, 'running');
      assert.ok(s.pid > 0);
      return s.pid;
    };
    const before = await eventually(pidOf, { timeoutMs: 15_000, intervalMs: 300 });
    c.kill('m1', 'agent');
    c.restart('m1', 'agent');
    await eventually(async () => assert.equal(await pidOf(), before), { timeoutMs: 20_000, intervalMs: 300 });
    const sleepers = fs.readdirSync('/proc').filter((d) => {
      try {
        return /^\d+$/.test(d) && fs.readFileSync(`/proc/${d}/cmdline`, 'utf8') === 'sleep\u0000301\u0000';
      } catch {
        return false;
      }
    });
    assert.deepEqual(sleepers, [String(before)], 'one pod process, the one from before the restart');
  });
});
