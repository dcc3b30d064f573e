// Original file: proto/belay/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

/**
 * ServiceStatus is one supervised service as the agent's supervisor sees it.
 */
export interface ServiceStatus {
  'name'?: (string);
  /**
   * starting | running | unhealthy | stopping | backoff | crash-looping |
   * waiting (for a dependency) | paused | stopped
   */
  'state'?: (string);
  /**
   * Main process id, 0 when none is running.
   */
  'pid'?: (number);
  /**
   * Start time of that process, ms since epoch (pid + start time identify it).
   */
  'startedAtMs'?: (number | string | Long);
  /**
   * Restarts by the supervisor since the agent started.
   */
  'restarts'?: (number);
  /**
   * Why the last failure happened, e.g. "exited with code 1" or
   * "health check failed 2 times: GET http://127.0.0.1:10248/healthz: timeout after 750 ms".
   */
  'lastFailure'?: (string);
  /**
   * When, ms since epoch; 0 if none yet.
   */
  'lastFailureAtMs'?: (number | string | Long);
  /**
   * The latest health check passed.
   */
  'healthy'?: (boolean);
  /**
   * How liveness is observed: child | pidfile | process | systemd.
   */
  'mode'?: (string);
  /**
   * Services this one waits for (kubelet depends on the container runtime).
   */
  'dependsOn'?: (string)[];
  /**
   * When the next restart is due, ms since epoch; 0 if none is scheduled.
   */
  'nextRestartAtMs'?: (number | string | Long);
  /**
   * The service's CPU (% of one core, since the previous sample) and RSS.
   */
  'cpuPercent'?: (number | string);
  'rssBytes'?: (number | string | Long);
  /**
   * Ready for traffic: its readiness probe passes (host runtime), or without
   * one, running and healthy.
   */
  'ready'?: (boolean);
  /**
   * Why not ready, e.g. "readiness probe failed: HTTP 503"; empty when ready.
   */
  'notReadyReason'?: (string);
}

/**
 * ServiceStatus is one supervised service as the agent's supervisor sees it.
 */
export interface ServiceStatus__Output {
  'name': (string);
  /**
   * starting | running | unhealthy | stopping | backoff | crash-looping |
   * waiting (for a dependency) | paused | stopped
   */
  'state': (string);
  /**
   * Main process id, 0 when none is running.
   */
  'pid': (number);
  /**
   * Start time of that process, ms since epoch (pid + start time identify it).
   */
  'startedAtMs': (number);
  /**
   * Restarts by the supervisor since the agent started.
   */
  'restarts': (number);
  /**
   * Why the last failure happened, e.g. "exited with code 1" or
   * "health check failed 2 times: GET http://127.0.0.1:10248/healthz: timeout after 750 ms".
   */
  'lastFailure': (string);
  /**
   * When, ms since epoch; 0 if none yet.
   */
  'lastFailureAtMs': (number);
  /**
   * The latest health check passed.
   */
  'healthy': (boolean);
  /**
   * How liveness is observed: child | pidfile | process | systemd.
   */
  'mode': (string);
  /**
   * Services this one waits for (kubelet depends on the container runtime).
   */
  'dependsOn': (string)[];
  /**
   * When the next restart is due, ms since epoch; 0 if none is scheduled.
   */
  'nextRestartAtMs': (number);
  /**
   * The service's CPU (% of one core, since the previous sample) and RSS.
   */
  'cpuPercent': (number);
  'rssBytes': (number);
  /**
   * Ready for traffic: its readiness probe passes (host runtime), or without
   * one, running and healthy.
   */
  'ready': (boolean);
  /**
   * Why not ready, e.g. "readiness probe failed: HTTP 503"; empty when ready.
   */
  'notReadyReason': (string);
}
