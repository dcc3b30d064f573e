// Original file: proto/belay/v1/coordinator.proto

import type { Long } from '@grpc/proto-loader';

export interface ReportAck {
  /**
   * seq of the report acknowledged.
   */
  'seq'?: (number | string | Long);
  /**
   * Coordinator's clock when the report was stored, ms since epoch.
   */
  'receivedAtMs'?: (number | string | Long);
}

export interface ReportAck__Output {
  /**
   * seq of the report acknowledged.
   */
  'seq': (number);
  /**
   * Coordinator's clock when the report was stored, ms since epoch.
   */
  'receivedAtMs': (number);
}
