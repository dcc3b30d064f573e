import * as grpc from '@grpc/grpc-js';
import type { Histogram } from 'prom-client';
import { RECONNECT_BACKOFF, backoffDelayMs } from '../../proto/common/backoff.js';
import { errorText } from '../../proto/common/errors.js';
import { belayProto, channelOptions } from '../../proto/common/grpc.js';
import type { Logger } from '../../proto/common/log.js';
import type { CoordinatorClient } from '../../proto/gen/belay/v1/Coordinator.js';
import type { AgentEvent } from '../../proto/gen/belay/v1/AgentEvent.js';
import type { AgentMessage } from '../../proto/gen/belay/v1/AgentMessage.js';
import type { HostReport } from '../../proto/gen/belay/v1/HostReport.js';
import type { ReportAck__Output } from '../../proto/gen/belay/v1/ReportAck.js';

export interface ReportStreamDeps {
  endpoint: string;
  credentials: grpc.ChannelCredentials;
  maxMessageBytes: number;
  log: Logger;
  ackLatency: Histogram;
  random: () => number;
  /** The agent's recent events, sent again after every reconnect. */
  recentEvents: () => readonly AgentEvent[];
}

/**
 * One agent → coordinator report stream. Keeps a StreamReports call open,
 * reconnects with jittered exponential backoff, and sends the latest report
 * and the recent events at once after every (re)connect, so a coordinator
 * that restarts knows this master's state without waiting a report interval.
 */
export class ReportStream {
  private readonly client: CoordinatorClient;
  private call: grpc.ClientDuplexStream<AgentMessage, ReportAck__Output> | undefined;
  private latest: HostReport | undefined;
  private readonly sentAtMs = new Map<number, number>();
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Last logged state, so that a long outage logs once, not every retry. */
  private up: boolean | undefined;

  constructor(private readonly d: ReportStreamDeps) {
    const Client = belayProto().belay.v1.Coordinator;
    this.client = new Client(d.endpoint, d.credentials, channelOptions(d.maxMessageBytes));
  }

  start(): void {
    this.open();
  }

  publish(report: HostReport): void {
    this.latest = report;
    if (this.call) this.send(this.call, report);
  }

  publishEvent(event: AgentEvent): void {
    this.call?.write({ event });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    // Half-close only: the coordinator ends the stream cleanly; a cancel would read as a cut call there.
    this.call?.end();
    this.call = undefined;
    this.client.close();
  }

  private open(): void {
    if (this.stopped) return;
    const call = this.client.StreamReports();
    this.call = call;
    this.sentAtMs.clear();
    call.on('data', (ack: ReportAck__Output) => this.onAck(ack));
    let ended = false;
    const onEnd = (err?: grpc.ServiceError): void => {
      if (ended) return;
      ended = true;
      if (this.call === call) this.call = undefined;
      this.retry(err);
    };
    call.on('error', (err: grpc.ServiceError) => onEnd(err));
    call.on('end', () => onEnd());
    if (this.latest) this.send(call, this.latest);
    for (const event of this.d.recentEvents()) call.write({ event });
  }

  private send(call: grpc.ClientDuplexStream<AgentMessage, ReportAck__Output>, report: HostReport): void {
    this.sentAtMs.set(Number(report.seq), performance.now());
    call.write({ report });
  }

  private onAck(ack: ReportAck__Output): void {
    const sent = ack.seq ? this.sentAtMs.get(ack.seq) : undefined;
    if (sent !== undefined) {
      this.d.ackLatency.observe((performance.now() - sent) / 1000);
      this.sentAtMs.delete(ack.seq);
    }
    this.attempt = 0;
    if (this.up !== true) {
      this.up = true;
      this.d.log.info('coordinator connected', { endpoint: this.d.endpoint });
    }
  }

  private retry(err: grpc.ServiceError | undefined): void {
    if (this.stopped) return;
    const delayMs = backoffDelayMs(RECONNECT_BACKOFF, this.attempt++, this.d.random);
    const fields = {
      endpoint: this.d.endpoint,
      code: err ? grpc.status[err.code] : 'OK',
      err: err ? err.details || errorText(err) : 'stream ended by coordinator',
      retryInMs: delayMs,
    };
    if (err && (err.code === grpc.status.PERMISSION_DENIED || err.code === grpc.status.UNAUTHENTICATED)) {
      // Someone must act (wrong certificate or a master missing from the coordinator's nodes); keep retrying for when they have.
      this.d.log.error('coordinator refused reports', {
        ...fields,
        hint: err.metadata?.get('belay-hint')[0]?.toString() ?? 'check node.name and the certificate',
      });
    } else if (this.up !== false) {
      this.d.log.warn('coordinator unreachable', fields);
    } else {
      this.d.log.debug('coordinator still unreachable', fields);
    }
    this.up = false;
    this.reconnectTimer = setTimeout(() => this.open(), delayMs);
  }
}
