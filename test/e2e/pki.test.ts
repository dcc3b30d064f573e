import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parseClusterSpec } from '../../coordinator/cluster/spec.js';
import { COORDINATOR_DEFAULTS } from '../../coordinator/config.js';
import { caFromPem, issueCert } from '../../coordinator/pki/ca.js';
import { apiserverSans } from '../../coordinator/pki/control-plane.js';
import { belayctl } from '../harness/belayctl.js';
import { withCluster } from '../harness/cluster.js';

interface CheckJson {
  findings: { master: string; file: string; severity: string; message: string; fix: string }[];
  checked: string[];
  unreachable: string[];
}

test(
  'pki check finds a master whose apiserver certificate lacks its address; pki issue repairs it, through any coordinator',
  { timeout: 420_000 },
  async () => {
    await withCluster({ bootstrap: true, controlPlane: true }, async (c) => {
      const m2 = c.state.masters.find((m) => m.name === 'm2');
      assert.ok(m2);
      const m2Pki = path.join(m2.root, 'etc/kubernetes/pki');

      // given a fresh cluster: every certificate of every master is fine
      const fresh = await belayctl(['pki', 'check'], c.env);
      assert.equal(fresh.code, 0, fresh.stdout + fresh.stderr);
      assert.match(fresh.stdout, /^all certificates of m1, m2, m3 are fine$/m);

      // when m2's apiserver certificate is replaced by one (from the right CA) without m2's address
      const spec = parseClusterSpec(fs.readFileSync(path.join(c.dir, 'cluster.yaml'), 'utf8'));
      const ca = await caFromPem(fs.readFileSync(path.join(m2Pki, 'ca.crt'), 'utf8'), fs.readFileSync(path.join(m2Pki, 'ca.key'), 'utf8'));
      const sans = apiserverSans(spec, m2);
      const bad = await issueCert(ca, {
        commonName: 'kube-apiserver',
        dnsNames: sans.dnsNames,
        ipAddresses: sans.ipAddresses.filter((a) => a !== m2.address),
        usages: ['server'],
        days: 365,
      });
      fs.writeFileSync(path.join(m2Pki, 'apiserver.crt'), bad.certPem);
      fs.writeFileSync(path.join(m2Pki, 'apiserver.key'), bad.keyPem, { mode: 0o600 });

      // then pki check fails, naming m2, the file, the missing address and the fix
      const found = await belayctl(['pki', 'check'], c.env);
      assert.equal(found.code, 1, found.stdout + found.stderr);
      const row = found.stdout.split('\n').find((l) => /^m2\s+pki\/apiserver\.crt\s+error\s/.test(l));
      assert.ok(row, found.stdout);
      assert.match(row, new RegExp(`lacks the SAN ${m2.address.replace(/\./g, '\\.')} \\(the master's address\\)`));
      assert.match(found.stdout, /^\s+belayctl pki issue apiserver --node m2\s+# m2 pki\/apiserver\.crt$/m);
      assert.match(found.stdout, /all certificates of m1, m3 are fine/);
      assert.match(found.stderr, /1 certificate error on m2/);
      const json = await belayctl(['pki', 'check', '--node', 'm2', '-o', 'json'], c.env);
      assert.equal(json.code, 1, json.stderr);
      const parsed = JSON.parse(json.stdout) as CheckJson;
      assert.deepEqual(parsed.checked, ['m2']);
      // (and the apiserver still serves the certificate it started with, which the file no longer is)
      assert.deepEqual(
        parsed.findings.map((f) => [f.master, f.file, f.severity, f.fix]),
        [
          ['m2', 'pki/apiserver.crt', 'error', 'belayctl pki issue apiserver --node m2'],
          ['m2', 'pki/apiserver.crt', 'warning', 'belayctl rollout restart apiserver'],
        ],
      );

      // a dry run plans and writes nothing
      const dry = await belayctl(['pki', 'issue', 'apiserver', '--node', 'm2', '--dry-run'], c.env);
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stderr, new RegExp(`plan: issue pki/apiserver\\.crt and a new key for m2, with SANs .*${m2.address.replace(/\./g, '\\.')}`));
      assert.match(dry.stdout, /dry run: nothing was changed/);
      assert.equal(fs.readFileSync(path.join(m2Pki, 'apiserver.crt'), 'utf8'), bad.certPem);

      // when it is issued again, asked through a coordinator that does not lead (relayed to the leader)
      const st = JSON.parse((await belayctl(['status', '-o', 'json'], c.env)).stdout) as { leader: string };
      const follower = c.state.masters.find((m) => m.name !== st.leader);
      assert.ok(follower && st.leader, JSON.stringify(st));
      const viaFollower = { ...c.env, BELAY_ENDPOINT: `${follower.address}:${COORDINATOR_DEFAULTS.port}` };
      const issued = await belayctl(['pki', 'issue', 'apiserver', '--node', 'm2'], viaFollower);
      assert.equal(issued.code, 0, issued.stderr);
      assert.match(issued.stderr, /wrote \/etc\/kubernetes\/pki\/apiserver\.crt, \/etc\/kubernetes\/pki\/apiserver\.key on m2/);
      assert.match(issued.stdout, /restart it with a rollout of the apiserver/);
      assert.notEqual(fs.readFileSync(path.join(m2Pki, 'apiserver.crt'), 'utf8'), bad.certPem);
      assert.equal(fs.statSync(path.join(m2Pki, 'apiserver.key')).mode & 0o777, 0o600);

      // then the files are right; the apiserver serves the new certificate only once restarted, and the check says so
      const files = await belayctl(['pki', 'check'], c.env);
      assert.equal(files.code, 0, files.stdout + files.stderr);
      assert.match(files.stdout, /^m2\s+pki\/apiserver\.crt\s+warning\s+-\s+the kube-apiserver on m2 serves another certificate than pki\/apiserver\.crt/m);
      assert.match(files.stdout, /belayctl rollout restart apiserver/);
      // and after a restart of the apiservers, one master at a time, the check passes again
      const restart = await belayctl(['rollout', 'restart', 'apiserver'], c.env);
      assert.equal(restart.code, 0, restart.stderr + restart.stdout);
      const again = await belayctl(['pki', 'check'], c.env);
      assert.equal(again.code, 0, again.stdout + again.stderr);
      assert.match(again.stdout, /^all certificates of m1, m2, m3 are fine$/m);

      // and a master that is not in the spec is a clear error; a bad target a usage error
      const nosuch = await belayctl(['pki', 'issue', 'apiserver', '--node', 'nosuch'], c.env);
      assert.equal(nosuch.code, 1, nosuch.stderr);
      assert.match(nosuch.stderr, /PkiIssue failed: nosuch is not a master of the spec \(masters: m1, m2, m3\)/);
      assert.match(nosuch.stderr, /hint: /);
      const badTarget = await belayctl(['pki', 'issue', 'everything', '--node', 'm2'], c.env);
      assert.equal(badTarget.code, 2, badTarget.stderr);

      // a master whose agent is down is not checked, and that fails the check; the others are still judged
      c.kill('m3', 'agent');
      const down = await belayctl(['pki', 'check'], c.env);
      assert.equal(down.code, 1, down.stdout + down.stderr);
      assert.match(down.stdout, /^all certificates of m1, m2 are fine$/m);
      assert.match(down.stdout, /^not checked: m3: cannot reach the agent of m3/m);
      assert.match(down.stderr, /1 master was not checked \(m3\)/);
      const m2Only = await belayctl(['pki', 'check', '--node', 'm2'], c.env);
      assert.equal(m2Only.code, 0, m2Only.stdout + m2Only.stderr);
    });
  },
);
