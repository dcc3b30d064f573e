import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { EtcdCluster } from '../../coordinator/etcd/client.js';
import { startTlsEtcd } from '../harness/tls-etcd.js';

test('removing a member that is already gone succeeds: a remove retried after the member answering it left', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-member-remove-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const etcd = await startTlsEtcd(t, dir);
  const cluster = new EtcdCluster([etcd.endpoint], {
    ca: fs.readFileSync(etcd.files.ca),
    cert: fs.readFileSync(etcd.files.client),
    key: fs.readFileSync(etcd.files.clientKey),
  });
  t.after(() => cluster.close());
  // given a learner that never started (a peer URL nothing listens on)
  const learner = await cluster.addLearner('https://127.0.0.1:1');
  assert.ok((await cluster.members()).some((m) => m.id === learner.id));
  // when it is removed, and removed again (as etcd3's retry on another member does)
  await cluster.remove(learner.id);
  await cluster.remove(learner.id);
  // then it is gone, and the second remove did not fail
  assert.ok(!(await cluster.members()).some((m) => m.id === learner.id));
});
