// Original file: proto/belay/v1/coordinator.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Progress is one step of a long operation, streamed as it happens.
 */
export interface Progress {
  'atMs'?: (number | string | Long);
  /**
   * Short step name, e.g. preflight, pki, manifest, wait-healthy.
   */
  'step'?: (string);
  'message'?: (string);
  /**
   * The last message of the stream.
   */
  'done'?: (boolean);
  /**
   * dry-run: this is a line of the plan; nothing was done.
   */
  'planned'?: (boolean);
  /**
   * The operation's result as JSON, on the last message, when it has one (e.g. the snapshot taken).
   */
  'resultJson'?: (string);
}

/**
 * Progress is one step of a long operation, streamed as it happens.
 */
export interface Progress__Output {
  'atMs': (number);
  /**
   * Short step name, e.g. preflight, pki, manifest, wait-healthy.
   */
  'step': (string);
  'message': (string);
  /**
   * The last message of the stream.
   */
  'done': (boolean);
  /**
   * dry-run: this is a line of the plan; nothing was done.
   */
  'planned': (boolean);
  /**
   * The operation's result as JSON, on the last message, when it has one (e.g. the snapshot taken).
   */
  'resultJson': (string);
}
