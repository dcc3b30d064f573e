import * as grpc from '@grpc/grpc-js';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { OperatorError, errorText } from '../../proto/common/errors.js';
import { peerName, toServiceError } from '../../proto/common/grpc.js';
import type { Logger } from '../../proto/common/log.js';
import { BELAY_VERSION } from '../../proto/common/version.js';
import type { CoordinatorHandlers } from '../../proto/gen/belay/v1/Coordinator.js';
import type { HostReport__Output } from '../../proto/gen/belay/v1/HostReport.js';
import type { ReportAck } from '../../proto/gen/belay/v1/ReportAck.js';
import type { ReportStore } from '../reports/store.js';

export interface CoordinatorServiceDeps {
  node: string;
  store: ReportStore;
  log: Logger;
  registry: Registry;
  /** Plaintext server: there is no certificate to tell who is calling. */
  insecure: boolean;
  nowMs: () => number;
}

/** belay.v1.Coordinator: decode, check who calls, call the store, map errors. */
export function coordinatorService(d: CoordinatorServiceDeps): { handlers: CoordinatorHandlers; endStreams(): void } {
  /** Open report streams, ended at shutdown so that draining does not wait out the grace period on them. */
  const open = new Set<grpc.ServerDuplexStream<HostReport__Output, ReportAck>>();
  const received = new Counter({ name: 'belay_reports_received_total', help: 'Host reports stored, by master', labelNames: ['node'] as const, registers: [d.registry] });
  const refused = new Counter({ name: 'belay_reports_refused_total', help: 'Report streams refused, by reason code', labelNames: ['code'] as const, registers: [d.registry] });
  const latency = new Histogram({
    name: 'belay_report_latency_seconds',
    help: 'From the end of a report collection on the agent to its storage here (includes clock skew between masters)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [d.registry],
  });
  new Gauge({ name: 'belay_agents_connected', help: 'Masters with an open report stream', registers: [d.registry], collect() { this.set(d.store.connectedCount()); } });

  const fail = (method: string, err: unknown): grpc.ServiceError => toServiceError(err, d.log, d.node, method);

  const handlers: CoordinatorHandlers = {
    StreamReports(call) {
      open.add(call);
      const peer = d.insecure ? undefined : peerName(call);
      let node: string | undefined;
      let closed = false;
      const close = (): void => {
        if (closed) return;
        closed = true;
        open.delete(call);
        if (node) {
          d.store.streamClosed(node);
          d.log.info('agent disconnected', { node });
        }
      };
      call.on('data', (r: HostReport__Output) => {
        if (closed) return;
        try {
          if (!d.insecure && peer === undefined) {
            throw new OperatorError({ code: 'NO_CLIENT_CERTIFICATE', message: 'report stream without a client certificate', hint: 'configure the agent with tls.cert and tls.key' });
          }
          if (node !== undefined && r.node !== node) {
            throw new OperatorError({ code: 'NODE_NAME_MISMATCH', message: `stream of ${node} sent a report for ${r.node}`, hint: 'one stream carries one master' });
          }
          if (node === undefined) {
            d.store.authorize(peer, r.node);
            node = r.node;
            d.store.streamOpened(node);
            d.log.info('agent connected', { node, peer: call.getPeer() });
          }
          const now = d.nowMs();
          if (d.store.record(r, now)) {
            received.inc({ node });
            latency.observe(Math.max(0, now - r.collectedAtMs - r.collectDurationMs) / 1000);
          }
          const ack: ReportAck = { seq: r.seq, receivedAtMs: now };
          call.write(ack);
        } catch (err) {
          const code = err instanceof OperatorError ? err.code : 'INTERNAL';
          refused.inc({ code });
          if (err instanceof OperatorError) d.log.warn('report refused', { node: r.node, peer, code, err: err.message });
          close();
          call.emit('error', fail('StreamReports', err));
        }
      });
      call.on('end', () => {
        close();
        call.end();
      });
      call.on('error', (err) => {
        d.log.debug('report stream error', { node, err: errorText(err) });
        close();
      });
      call.on('cancelled', close);
      call.on('close', close);
    },

    Status(_call, callback) {
      try {
        callback(null, { coordinator: d.node, nowMs: d.nowMs(), nodes: d.store.status(d.nowMs()), version: BELAY_VERSION });
      } catch (err) {
        callback(fail('Status', err));
      }
    },
  };
  return {
    handlers,
    endStreams() {
      for (const call of open) call.end();
    },
  };
}
