// Original file: proto/belay/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface ProcessInfo {
  /**
   * Process name as matched (e.g. etcd, kube-apiserver).
   */
  'name'?: (string);
  'pid'?: (number);
  'ppid'?: (number);
  /**
   * Kernel state letter word: running, sleeping, zombie, stopped, ...
   */
  'state'?: (string);
  /**
   * CPU share of one core, averaged over the process's lifetime, 0-100 per core.
   */
  'cpuPercent'?: (number | string);
  'rssBytes'?: (number | string | Long);
  /**
   * Start time, ms since epoch; pid plus start time identifies a process.
   */
  'startedAtMs'?: (number | string | Long);
  /**
   * Command line, cut to 512 characters.
   */
  'command'?: (string);
}

export interface ProcessInfo__Output {
  /**
   * Process name as matched (e.g. etcd, kube-apiserver).
   */
  'name': (string);
  'pid': (number);
  'ppid': (number);
  /**
   * Kernel state letter word: running, sleeping, zombie, stopped, ...
   */
  'state': (string);
  /**
   * CPU share of one core, averaged over the process's lifetime, 0-100 per core.
   */
  'cpuPercent': (number);
  'rssBytes': (number);
  /**
   * Start time, ms since epoch; pid plus start time identifies a process.
   */
  'startedAtMs': (number);
  /**
   * Command line, cut to 512 characters.
   */
  'command': (string);
}
