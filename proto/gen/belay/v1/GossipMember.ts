// Original file: proto/belay/v1/coordinator.proto

import type { Long } from '@grpc/proto-loader';

/**
 * GossipMember is one coordinator as the answering coordinator sees it.
 */
export interface GossipMember {
  'name'?: (string);
  /**
   * Gossip (UDP) address, host:port.
   */
  'address'?: (string);
  /**
   * alive | suspect | dead | left
   */
  'state'?: (string);
  'incarnation'?: (number | string | Long);
  'tags'?: ({[key: string]: string});
  /**
   * When it entered this state, ms since epoch (this coordinator's clock).
   */
  'sinceMs'?: (number | string | Long);
  /**
   * Changes when the coordinator restarts.
   */
  'bootId'?: (string);
}

/**
 * GossipMember is one coordinator as the answering coordinator sees it.
 */
export interface GossipMember__Output {
  'name': (string);
  /**
   * Gossip (UDP) address, host:port.
   */
  'address': (string);
  /**
   * alive | suspect | dead | left
   */
  'state': (string);
  'incarnation': (number);
  'tags': ({[key: string]: string});
  /**
   * When it entered this state, ms since epoch (this coordinator's clock).
   */
  'sinceMs': (number);
  /**
   * Changes when the coordinator restarts.
   */
  'bootId': (string);
}
