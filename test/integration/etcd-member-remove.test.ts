import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { EtcdCluster, EtcdError, type EtcdErrorCode } from '../../coordinator/etcd/client.js';
import { startTlsEtcd } from '../harness/tls-etcd.js';

/** A one-member etcd with TLS, and belay's client for it. */
async function oneMemberEtcd(t: TestContext): Promise<{ cluster: EtcdCluster; endpoint: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-member-remove-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const etcd = await startTlsEtcd(t, dir);
  const cluster = new EtcdCluster([etcd.endpoint], {
    ca: fs.readFileSync(etcd.files.ca),
    cert: fs.readFileSync(etcd.files.client),
    key: fs.readFileSync(etcd.files.clientKey),
  });
  t.after(() => cluster.close());
  return { cluster, endpoint: etcd.endpoint };
}

test('removing a member that is already gone succeeds: a remove retried after the member answering it left', async (t) => {
  const { cluster } = await oneMemberEtcd(t);
  // given a learner that never started (a peer URL nothing listens on)
  const learner = await cluster.addLearner('https://127.0.0.1:1');
  assert.ok((await cluster.members()).some((m) => m.id === learner.id));
  // when it is removed, and removed again (as etcd3's retry on another member does)
  await cluster.remove(learner.id);
  await cluster.remove(learner.id);
  // then it is gone, and the second remove did not fail
  assert.ok(!(await cluster.members()).some((m) => m.id === learner.id));
});

test("the client's membership calls throw etcd's refusals as EtcdError with belay's code", async (t) => {
  const { cluster, endpoint } = await oneMemberEtcd(t);
  const refused = async (code: EtcdErrorCode, call: () => Promise<unknown>): Promise<void> => {
    await assert.rejects(call, (err) => err instanceof EtcdError && err.code === code && err.message.includes('etcdserver: '));
  };
  const [voter] = await cluster.members();
  assert.ok(voter);
  // given a learner that never started
  const learner = await cluster.addLearner('https://127.0.0.1:1');
  await refused('LEARNER_NOT_READY', () => cluster.promote(learner.id));
  await refused('MEMBER_NOT_LEARNER', () => cluster.promote(voter.id));
  await refused('TOO_MANY_LEARNERS', () => cluster.addLearner('https://127.0.0.1:2'));
  await refused('BAD_LEADER_TRANSFEREE', () => cluster.moveLeader(endpoint, learner.id));
});
