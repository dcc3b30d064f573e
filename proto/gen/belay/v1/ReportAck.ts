// Original file: proto/belay/v1/coordinator.proto

import type { Long } from '@grpc/proto-loader';

export interface ReportAck {
  /**
   * seq of the report acknowledged (0 for an event).
   */
  'seq'?: (number | string | Long);
  /**
   * Coordinator's clock when the report was stored, ms since epoch.
   */
  'receivedAtMs'?: (number | string | Long);
  /**
   * seq of the event acknowledged (0 for a report).
   */
  'eventSeq'?: (number | string | Long);
}

export interface ReportAck__Output {
  /**
   * seq of the report acknowledged (0 for an event).
   */
  'seq': (number);
  /**
   * Coordinator's clock when the report was stored, ms since epoch.
   */
  'receivedAtMs': (number);
  /**
   * seq of the event acknowledged (0 for a report).
   */
  'eventSeq': (number);
}
