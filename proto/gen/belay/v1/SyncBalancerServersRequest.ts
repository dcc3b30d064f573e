// Original file: proto/belay/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface SyncBalancerServersRequest {
  'socket'?: (string);
  'backend'?: (string);
  /**
   * Server name (the master's) → host:port, e.g. "m4" → "10.0.0.14:6443".
   */
  'servers'?: ({[key: string]: string});
  /**
   * The server line's options for added ones, e.g. "check check-ssl verify
   * none inter 500ms fall 2 rise 2" (a dynamic server ignores default-server).
   */
  'serverOptions'?: (string);
  'requestedBy'?: (string);
  'term'?: (number | string | Long);
  /**
   * Only add missing servers; leave the others (an haproxy belay does not
   * run, spec.loadBalancer.mode external, may serve more than the masters).
   */
  'addOnly'?: (boolean);
}

export interface SyncBalancerServersRequest__Output {
  'socket': (string);
  'backend': (string);
  /**
   * Server name (the master's) → host:port, e.g. "m4" → "10.0.0.14:6443".
   */
  'servers': ({[key: string]: string});
  /**
   * The server line's options for added ones, e.g. "check check-ssl verify
   * none inter 500ms fall 2 rise 2" (a dynamic server ignores default-server).
   */
  'serverOptions': (string);
  'requestedBy': (string);
  'term': (number);
  /**
   * Only add missing servers; leave the others (an haproxy belay does not
   * run, spec.loadBalancer.mode external, may serve more than the masters).
   */
  'addOnly': (boolean);
}
