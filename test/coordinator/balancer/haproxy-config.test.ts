import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { parseManifest } from '../../../agent/manifests/parse.js';
import { podServices } from '../../../agent/manifests/pod-services.js';
import { parseClusterSpec, type ClusterSpec } from '../../../coordinator/cluster/spec.js';
import { haproxyPaths, renderHaproxyConfig, type HaproxyConfigInput } from '../../../coordinator/balancer/haproxy-config.js';
import { renderHaproxyManifest } from '../../../coordinator/balancer/haproxy-manifest.js';
import { OperatorError } from '../../../proto/common/errors.js';

const run = promisify(execFile);
const HAPROXY = '/usr/sbin/haproxy';

function spec(loadBalancer: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): ClusterSpec {
  return parseClusterSpec(
    JSON.stringify({
      apiVersion: 'belay.dev/v1alpha1',
      kind: 'Cluster',
      metadata: { name: 'prod' },
      spec: {
        masters: [
          { name: 'm1', address: '10.0.0.11' },
          { name: 'm2', address: '10.0.0.12' },
          { name: 'm3', address: 'fd00::13' },
        ],
        loadBalancer,
        ...extra,
      },
    }),
  );
}

const S = spec();

function input(o: Partial<HaproxyConfigInput> = {}): HaproxyConfigInput {
  return { spec: S, master: 'm1', root: '/', ...o };
}

/** The spec with its masters replaced after validation: input the spec schema would refuse. */
function withMasters(masters: { name: string; address: string }[]): ClusterSpec {
  return { ...S, spec: { ...S.spec, masters } };
}

function throwsOperator(fn: () => unknown, code: string, mention: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof OperatorError, String(e));
    assert.equal(e.code, code, e.message);
    assert.ok(e.message.includes(mention), e.message);
    assert.notEqual(e.hint, '');
    return true;
  });
}

async function haproxyPresent(t: { skip(msg: string): void }): Promise<boolean> {
  try {
    await fs.access(HAPROXY);
    return true;
  } catch {
    if (process.env.CI === 'true') assert.fail(`${HAPROXY} missing: apt-get install haproxy`);
    t.skip(`${HAPROXY} missing: apt-get install haproxy`);
    return false;
  }
}

/** Only the config lines (no comments, no blanks), trimmed. */
function directives(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

describe('renderHaproxyConfig', () => {
  test('defaults: the whole config for m1 under root "/"', () => {
    assert.deepEqual(directives(renderHaproxyConfig(input())), [
      'global',
      'stats socket /run/belay/haproxy/admin.sock mode 600 level admin expose-fd listeners',
      'defaults',
      'mode tcp',
      'timeout connect 5s',
      'timeout client 1h',
      'timeout server 1h',
      'retries 3',
      'option redispatch',
      'frontend apiserver',
      'bind 10.0.0.11:8443',
      'default_backend kube-apiserver',
      'frontend healthz',
      'mode http',
      'bind 10.0.0.11:8404',
      'monitor-uri /healthz',
      'timeout client 5s',
      'timeout http-request 5s',
      'backend kube-apiserver',
      'balance roundrobin',
      'option httpchk GET /readyz',
      'http-check expect status 200',
      'default-server check check-ssl verify none inter 500ms fall 2 rise 2',
      'timeout check 2000ms',
      'server m1 10.0.0.11:6443',
      'server m2 10.0.0.12:6443',
      'server m3 [fd00::13]:6443',
    ]);
  });

  test('same input, same bytes; each master binds its own address, with the same servers', () => {
    assert.equal(renderHaproxyConfig(input()), renderHaproxyConfig(input()));
    const m3 = directives(renderHaproxyConfig(input({ master: 'm3' })));
    assert.ok(m3.includes('bind [fd00::13]:8443'));
    assert.ok(m3.includes('bind [fd00::13]:8404'));
    const servers = (t: string[]) => t.filter((l) => l.startsWith('server '));
    assert.deepEqual(servers(m3), servers(directives(renderHaproxyConfig(input()))));
  });

  test('spec values reach the config: ports, check timing; the health port is an input', () => {
    const s = spec({ port: 9443, checkIntervalMs: 200, fall: 3, rise: 4 }, { apiserver: { securePort: 7443 } });
    const d = directives(renderHaproxyConfig({ spec: s, master: 'm2', root: '/', healthPort: 9404 }));
    assert.ok(d.includes('bind 10.0.0.12:9443'));
    assert.ok(d.includes('bind 10.0.0.12:9404'));
    assert.ok(d.includes('default-server check check-ssl verify none inter 200ms fall 3 rise 4'));
    assert.ok(d.includes('server m1 10.0.0.11:7443'));
  });

  test('the runtime socket lives under the root; haproxyPaths names it', () => {
    const p = haproxyPaths('/tmp/x/m1/');
    assert.deepEqual(p, {
      configDir: '/tmp/x/m1/etc/haproxy',
      configFile: '/tmp/x/m1/etc/haproxy/haproxy.cfg',
      socketDir: '/tmp/x/m1/run/belay/haproxy',
      socket: '/tmp/x/m1/run/belay/haproxy/admin.sock',
    });
    assert.ok(directives(renderHaproxyConfig(input({ root: '/tmp/x/m1/' }))).includes(`stats socket ${p.socket} mode 600 level admin expose-fd listeners`));
  });

  test('no server is rendered drained, disabled or in maintenance: that is runtime state only', () => {
    const text = directives(renderHaproxyConfig(input())).join('\n');
    assert.doesNotMatch(text, /\b(disabled|drain|maint|weight 0|backup|server-state-file|shutdown-sessions)\b/);
  });

  test('haproxy -c accepts the rendered config, without warnings', async (t) => {
    if (!(await haproxyPresent(t))) return;
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'belay-haproxy-c-'));
    t.after(() => fs.rm(dir, { recursive: true, force: true }));
    for (const master of ['m1', 'm3']) {
      const file = path.join(dir, `${master}.cfg`);
      await fs.writeFile(file, renderHaproxyConfig(input({ master, root: dir })));
      const { stdout, stderr } = await run(HAPROXY, ['-c', '-f', file], { timeout: 10_000 });
      assert.match(stdout, /Configuration file is valid/);
      assert.doesNotMatch(stdout + stderr, /WARNING|ALERT/, stdout + stderr);
    }
  });

  describe('bad input', () => {
    test('a master not in the spec', () => throwsOperator(() => renderHaproxyConfig(input({ master: 'm9' })), 'HAPROXY_RENDER_UNKNOWN_MASTER', 'm9'));

    test('external mode: belay does not run that haproxy', () => {
      const s = spec({ mode: 'external', address: '10.0.0.100', runtimeApi: { master: 'm1', socket: '/run/haproxy.sock' } });
      throwsOperator(() => renderHaproxyConfig(input({ spec: s })), 'HAPROXY_RENDER_NOT_STATIC_POD', 'external');
    });

    test('an address that is not an IP, on any master', () => {
      for (const bad of ['10.0.0.256', 'api.example.com', '10.0.0.1 ', 'fd00::1::2', '1:2:3:4:5:6:7:8:9', 'fd00::1%eth0', '::ffff:1.2.3']) {
        throwsOperator(
          () =>
            renderHaproxyConfig(
              input({
                spec: withMasters([
                  { name: 'm1', address: '10.0.0.11' },
                  { name: 'm2', address: bad },
                ]),
              }),
            ),
          'HAPROXY_RENDER_BAD_ADDRESS',
          JSON.stringify(bad),
        );
      }
      for (const good of ['::1', '::', 'fd00::', '1:2:3:4:5:6:7:8', '::ffff:10.0.0.1', '1:2:3:4:5:6:1.2.3.4']) {
        assert.doesNotThrow(() => renderHaproxyConfig(input({ spec: withMasters([{ name: 'm1', address: good }]) })), good);
      }
    });

    test('ports: out of range, or two on the master address alike', () => {
      throwsOperator(() => renderHaproxyConfig(input({ healthPort: 0 })), 'HAPROXY_RENDER_BAD_PORT', 'healthPort is 0');
      throwsOperator(() => renderHaproxyConfig(input({ healthPort: 65536 })), 'HAPROXY_RENDER_BAD_PORT', 'healthPort');
      throwsOperator(() => renderHaproxyConfig(input({ healthPort: 8443 })), 'HAPROXY_RENDER_PORT_CONFLICT', 'spec.loadBalancer.port');
      throwsOperator(() => renderHaproxyConfig(input({ spec: spec({ port: 2379 }) })), 'HAPROXY_RENDER_PORT_CONFLICT', 'spec.etcd.clientPort');
    });

    test('check timing that is not a whole positive number', () => {
      const s = spec();
      const bad = { ...s, spec: { ...s.spec, loadBalancer: { ...s.spec.loadBalancer, fall: 0 } } };
      throwsOperator(() => renderHaproxyConfig(input({ spec: bad })), 'HAPROXY_RENDER_BAD_CHECK', 'fall is 0');
    });

    test('a root that is relative, or makes the socket path too long for a unix socket', () => {
      throwsOperator(() => renderHaproxyConfig(input({ root: 'tmp/m1' })), 'PATH_NOT_ABSOLUTE', 'tmp/m1');
      throwsOperator(() => renderHaproxyConfig(input({ root: `/tmp/${'x'.repeat(90)}` })), 'HAPROXY_RENDER_SOCKET_PATH_TOO_LONG', 'admin.sock');
      throwsOperator(() => renderHaproxyConfig(input({ root: '/tmp/my root' })), 'HAPROXY_RENDER_BAD_PATH', 'my root');
    });
  });
});

interface Pod {
  metadata: { name: string; namespace: string; annotations?: Record<string, string> };
  spec: {
    hostNetwork: boolean;
    terminationGracePeriodSeconds: number;
    containers: {
      image: string;
      command: string[];
      livenessProbe: { httpGet: Record<string, unknown> };
      volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
    }[];
    volumes: { name: string; hostPath: { path: string; type: string } }[];
  };
}

describe('renderHaproxyManifest', () => {
  const root = '/tmp/x/m1';

  test('haproxy in the foreground on the host network, its config and socket dirs as hostPath volumes under the root', () => {
    const text = renderHaproxyManifest({ spec: S, master: 'm1', root });
    assert.equal(text, renderHaproxyManifest({ spec: S, master: 'm1', root }));
    const pod = YAML.parse(text) as Pod;
    assert.equal(pod.metadata.name, 'haproxy');
    assert.equal(pod.metadata.namespace, 'kube-system');
    assert.equal(pod.metadata.annotations, undefined);
    assert.equal(pod.spec.hostNetwork, true);
    const [c] = pod.spec.containers;
    assert.ok(c);
    assert.equal(c.image, 'haproxy:2.6');
    assert.deepEqual(c.command, ['haproxy', '-f', `${root}/etc/haproxy/haproxy.cfg`, '-db']);
    assert.deepEqual(c.livenessProbe.httpGet, { host: '10.0.0.11', path: '/healthz', port: 8404, scheme: 'HTTP' });
    assert.deepEqual(pod.spec.volumes, [
      { name: 'haproxy-config', hostPath: { path: `${root}/etc/haproxy`, type: 'DirectoryOrCreate' } },
      { name: 'haproxy-run', hostPath: { path: `${root}/run/belay/haproxy`, type: 'DirectoryOrCreate' } },
    ]);
    assert.deepEqual(c.volumeMounts, [
      { name: 'haproxy-config', mountPath: `${root}/etc/haproxy`, readOnly: true },
      { name: 'haproxy-run', mountPath: `${root}/run/belay/haproxy` },
    ]);
  });

  test('the config hash becomes an annotation, so a new config restarts the pod', () => {
    const sha = 'ab'.repeat(32);
    const pod = YAML.parse(renderHaproxyManifest({ spec: S, master: 'm1', root, configSha256: sha, image: 'registry.local/haproxy:2.6.12' })) as Pod;
    assert.deepEqual(pod.metadata.annotations, { 'belay.dev/haproxy-config-sha256': sha });
    assert.equal(pod.spec.containers[0]?.image, 'registry.local/haproxy:2.6.12');
    throwsOperator(() => renderHaproxyManifest({ spec: S, master: 'm1', root, configSha256: 'nope' }), 'HAPROXY_RENDER_BAD_HASH', 'nope');
    throwsOperator(() => renderHaproxyManifest({ spec: S, master: 'm9', root }), 'HAPROXY_RENDER_UNKNOWN_MASTER', 'm9');
  });

  test('the agent accepts it, and the host runtime runs haproxy with the monitor endpoint as its health check', () => {
    const parsed = parseManifest('haproxy.yaml', renderHaproxyManifest({ spec: S, master: 'm1', root }));
    assert.deepEqual(parsed.problems, []);
    assert.equal(parsed.valid, true);
    const { defs, problems } = podServices(parsed.pod, { host: (p) => p, logDir: '/logs' });
    assert.deepEqual(problems, []);
    const [d] = defs;
    assert.equal(d?.name, 'haproxy/haproxy');
    assert.deepEqual(d?.command, ['haproxy', '-f', `${root}/etc/haproxy/haproxy.cfg`, '-db']);
    assert.deepEqual(d?.health, { type: 'http', url: 'http://10.0.0.11:8404/healthz' });
    assert.deepEqual(d?.readiness?.check, { type: 'http', url: 'http://10.0.0.11:8404/healthz' });
    assert.equal(d?.policy.stopTimeoutMs, 5_000);
  });
});
