import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { createCa, issueCert, loadCa } from '../../coordinator/pki/ca.js';
import { belayProto, channelOptions, clientCredentials, DEFAULT_MAX_MESSAGE_BYTES } from '../../proto/common/grpc.js';
import type { CoordinatorClient } from '../../proto/gen/belay/v1/Coordinator.js';
import type { HostReport } from '../../proto/gen/belay/v1/HostReport.js';
import type { StatusResponse__Output } from '../../proto/gen/belay/v1/StatusResponse.js';
import { eventually, withCluster, type TestCluster } from '../harness/cluster.js';

const Client = belayProto().belay.v1.Coordinator;

function client(c: TestCluster, tls: { ca: Buffer; cert?: Buffer; key?: Buffer }): CoordinatorClient {
  const creds = tls.cert && tls.key ? clientCredentials({ ca: tls.ca, cert: tls.cert, key: tls.key }) : grpc.credentials.createSsl(tls.ca);
  return new Client(c.state.env.BELAY_ENDPOINT, creds, channelOptions(DEFAULT_MAX_MESSAGE_BYTES));
}

function status(cl: CoordinatorClient): Promise<StatusResponse__Output> {
  return new Promise((resolve, reject) =>
    cl.Status({}, { deadline: new Date(Date.now() + 5000) }, (err, res) => (err || !res ? reject(err ?? new Error('empty')) : resolve(res))),
  );
}

/** Opens a report stream, sends one report, and resolves with how the stream ended. */
function reportOnce(cl: CoordinatorClient, report: HostReport): Promise<grpc.ServiceError | 'acked'> {
  return new Promise((resolve) => {
    const call = cl.StreamReports();
    call.on('data', () => {
      call.end();
      resolve('acked');
    });
    call.on('error', (err: grpc.ServiceError) => resolve(err));
    call.write({ report });
  });
}

async function signedBy(caDir: string, cn: string): Promise<{ cert: Buffer; key: Buffer }> {
  const ca = await loadCa(path.join(caDir, 'ca.crt'), path.join(caDir, 'ca.key'));
  const leaf = await issueCert(ca, { commonName: cn, dnsNames: [cn], ipAddresses: ['127.0.0.1'], usages: ['client'], days: 1 });
  return { cert: Buffer.from(leaf.certPem), key: Buffer.from(leaf.keyPem) };
}

const report = (node: string, extra: Partial<HostReport> = {}): HostReport => ({
  node,
  address: '127.0.0.1',
  seq: 1,
  agentInstance: 'test',
  collectedAtMs: Date.now(),
  ...extra,
});

test('mutual TLS: only clients with a certificate from the cluster CA get in', async () => {
  await withCluster({ masters: 1 }, async (c) => {
    const pki = path.dirname(c.state.env.BELAY_CA);
    const ca = fs.readFileSync(c.state.env.BELAY_CA);
    // an admin certificate from the cluster CA is accepted
    const admin = client(c, { ca, cert: fs.readFileSync(c.state.env.BELAY_CERT), key: fs.readFileSync(c.state.env.BELAY_KEY) });
    assert.equal((await status(admin)).coordinator, 'm1');
    // no client certificate: refused in the handshake
    const anonymous = client(c, { ca });
    await assert.rejects(status(anonymous), (e: grpc.ServiceError) => e.code === grpc.status.UNAVAILABLE);
    // a certificate from another CA, even with a known name: refused
    const other = await createCa({ clusterName: 'other', days: 2 });
    const forged = await issueCert(other, { commonName: 'admin', dnsNames: [], ipAddresses: [], usages: ['client'], days: 1 });
    const stranger = client(c, { ca, cert: Buffer.from(forged.certPem), key: Buffer.from(forged.keyPem) });
    await assert.rejects(status(stranger), (e: grpc.ServiceError) => e.code === grpc.status.UNAVAILABLE);
    // and the coordinator keeps serving
    assert.equal((await status(admin)).nodes.length, 1);
    assert.ok(fs.existsSync(path.join(pki, 'ca.key')));
    [admin, anonymous, stranger].forEach((x) => x.close());
  });
});

test("reports from an unknown master, under another master's name, or over the size limit are refused and logged; the coordinator keeps running", async () => {
  await withCluster({ masters: 2 }, async (c) => {
    const pki = path.dirname(c.state.env.BELAY_CA);
    const ca = fs.readFileSync(c.state.env.BELAY_CA);
    // given a master m9 with a valid certificate that no coordinator config lists
    const m9 = client(c, { ca, ...(await signedBy(pki, 'm9')) });
    const r9 = await reportOnce(m9, report('m9'));
    assert.notEqual(r9, 'acked');
    assert.equal((r9 as grpc.ServiceError).code, grpc.status.PERMISSION_DENIED);
    assert.match((r9 as grpc.ServiceError).details, /report from unknown master "m9" refused; known: m1, m2/);
    assert.match((r9 as grpc.ServiceError).metadata.get('belay-hint')[0]?.toString() ?? '', /add m9 to nodes/);

    // m1's certificate reporting as m2
    const m1 = client(c, { ca, cert: fs.readFileSync(path.join(pki, 'm1.crt')), key: fs.readFileSync(path.join(pki, 'm1.key')) });
    const spoof = await reportOnce(m1, report('m2'));
    assert.equal((spoof as grpc.ServiceError).code, grpc.status.PERMISSION_DENIED);
    assert.match((spoof as grpc.ServiceError).details, /certificate is for "m1"/);

    // a 5 MiB report (the limit is 4 MiB)
    const huge = await reportOnce(m1, report('m1', { collectErrors: ['x'.repeat(5 * 1024 * 1024)] }));
    assert.equal((huge as grpc.ServiceError).code, grpc.status.RESOURCE_EXHAUSTED);

    // then each refusal is in the coordinator's log with its code, and it still answers
    await eventually(
      () => {
        const log = c.log('m1', 'coordinator');
        assert.match(log, /"code":"UNKNOWN_NODE"/);
        assert.match(log, /"code":"NODE_NAME_MISMATCH"/);
        assert.match(log, /"code":"CALL_CUT".*over maxMessageBytes \(4194304\).*StreamReports/);
      },
      { timeoutMs: 5000 },
    );
    const admin = client(c, { ca, cert: fs.readFileSync(c.state.env.BELAY_CERT), key: fs.readFileSync(c.state.env.BELAY_KEY) });
    const s = await status(admin);
    assert.deepEqual(
      s.nodes.map((n) => [n.name, n.agentConnected]),
      [
        ['m1', true],
        ['m2', true],
      ],
    );
    [m9, m1, admin].forEach((x) => x.close());
  });
});

test('/metrics on each daemon counts reports, latency, gRPC errors and RSS', async () => {
  await withCluster({ masters: 1 }, async (c) => {
    const addr = c.state.masters[0]?.address ?? '';
    const coord = await eventually(
      async () => {
        const body = await (await fetch(`http://${addr}:7712/metrics`)).text();
        assert.match(body, /^belay_reports_received_total\{node="m1",daemon="coordinator"\} [1-9]/m);
        return body;
      },
      { timeoutMs: 10_000, intervalMs: 250 },
    );
    assert.match(coord, /^belay_report_latency_seconds_count\{daemon="coordinator"\} [1-9]/m);
    assert.match(coord, /^# TYPE belay_grpc_errors_total counter/m);
    assert.match(coord, /^process_resident_memory_bytes\{daemon="coordinator"\} \d+/m);
    assert.match(coord, /^belay_agents_connected\{daemon="coordinator"\} 1/m);
    const agent = await (await fetch(`http://${addr}:7711/metrics`)).text();
    assert.match(agent, /^belay_reports_collected_total\{daemon="agent"\} [1-9]/m);
    assert.match(agent, /^belay_report_latency_seconds_count\{daemon="agent"\} [1-9]/m);
    assert.match(agent, /^process_resident_memory_bytes\{daemon="agent"\} \d+/m);
    assert.equal((await fetch(`http://${addr}:7712/other`)).status, 404);
  });
});
