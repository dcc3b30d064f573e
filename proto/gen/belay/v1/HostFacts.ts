// Original file: proto/belay/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface HostFacts {
  'hostname'?: (string);
  /**
   * Distribution and release, e.g. "Debian GNU/Linux 12".
   */
  'os'?: (string);
  'kernel'?: (string);
  'uptimeSeconds'?: (number | string | Long);
  /**
   * Load averages over 1, 5 and 15 minutes.
   */
  'load1'?: (number | string);
  'load5'?: (number | string);
  'load15'?: (number | string);
  'cpuCores'?: (number);
  'cpuModel'?: (string);
  /**
   * Busy share of all cores since the previous report, 0-100.
   */
  'cpuBusyPercent'?: (number | string);
  'memoryTotalBytes'?: (number | string | Long);
  /**
   * Memory the kernel could give to new work without swapping (MemAvailable).
   */
  'memoryAvailableBytes'?: (number | string | Long);
  'swapTotalBytes'?: (number | string | Long);
  'swapUsedBytes'?: (number | string | Long);
  /**
   * The host's wall clock when sampled, ms since epoch; compared across
   * masters to find clock skew.
   */
  'clockMs'?: (number | string | Long);
  'timezone'?: (string);
}

export interface HostFacts__Output {
  'hostname': (string);
  /**
   * Distribution and release, e.g. "Debian GNU/Linux 12".
   */
  'os': (string);
  'kernel': (string);
  'uptimeSeconds': (number);
  /**
   * Load averages over 1, 5 and 15 minutes.
   */
  'load1': (number);
  'load5': (number);
  'load15': (number);
  'cpuCores': (number);
  'cpuModel': (string);
  /**
   * Busy share of all cores since the previous report, 0-100.
   */
  'cpuBusyPercent': (number);
  'memoryTotalBytes': (number);
  /**
   * Memory the kernel could give to new work without swapping (MemAvailable).
   */
  'memoryAvailableBytes': (number);
  'swapTotalBytes': (number);
  'swapUsedBytes': (number);
  /**
   * The host's wall clock when sampled, ms since epoch; compared across
   * masters to find clock skew.
   */
  'clockMs': (number);
  'timezone': (string);
}
