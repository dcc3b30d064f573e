// Original file: proto/belay/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface SetBalancerServerRequest {
  'socket'?: (string);
  'backend'?: (string);
  'server'?: (string);
  /**
   * ready, drain or maint.
   */
  'state'?: (string);
  'requestedBy'?: (string);
  'term'?: (number | string | Long);
}

export interface SetBalancerServerRequest__Output {
  'socket': (string);
  'backend': (string);
  'server': (string);
  /**
   * ready, drain or maint.
   */
  'state': (string);
  'requestedBy': (string);
  'term': (number);
}
