// Original file: proto/belay/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

/**
 * AgentEvent is one state change on a master: a service started, died, hung,
 * was restarted, began crash-looping, was paused; a resource went over its
 * threshold. Sent to the coordinators as it happens and shown by `belayctl events`.
 */
export interface AgentEvent {
  /**
   * Master name.
   */
  'node'?: (string);
  /**
   * Agent process that raised it (HostReport.agent_instance) and its sequence
   * number there: together they identify the event, so a resend after a
   * reconnect is stored once.
   */
  'agentInstance'?: (string);
  'seq'?: (number | string | Long);
  /**
   * When it happened on the master, ms since epoch.
   */
  'atMs'?: (number | string | Long);
  /**
   * Service concerned, empty for host-wide events.
   */
  'service'?: (string);
  /**
   * Past tense, stable: Started, Exited, Healthy, Unhealthy, Hung, Killed,
   * RestartScheduled, StartFailed, CrashLooping, Recovered, Paused, Resumed,
   * WaitingForDependency, Adopted, ResourceHigh, ResourceNormal.
   */
  'kind'?: (string);
  /**
   * info | warning | alert (someone must look: e.g. CrashLooping).
   */
  'severity'?: (string);
  /**
   * One sentence for people.
   */
  'message'?: (string);
  /**
   * The reason or numbers behind it (exit code, check output, backoff, ...).
   */
  'fields'?: ({[key: string]: string});
}

/**
 * AgentEvent is one state change on a master: a service started, died, hung,
 * was restarted, began crash-looping, was paused; a resource went over its
 * threshold. Sent to the coordinators as it happens and shown by `belayctl events`.
 */
export interface AgentEvent__Output {
  /**
   * Master name.
   */
  'node': (string);
  /**
   * Agent process that raised it (HostReport.agent_instance) and its sequence
   * number there: together they identify the event, so a resend after a
   * reconnect is stored once.
   */
  'agentInstance': (string);
  'seq': (number);
  /**
   * When it happened on the master, ms since epoch.
   */
  'atMs': (number);
  /**
   * Service concerned, empty for host-wide events.
   */
  'service': (string);
  /**
   * Past tense, stable: Started, Exited, Healthy, Unhealthy, Hung, Killed,
   * RestartScheduled, StartFailed, CrashLooping, Recovered, Paused, Resumed,
   * WaitingForDependency, Adopted, ResourceHigh, ResourceNormal.
   */
  'kind': (string);
  /**
   * info | warning | alert (someone must look: e.g. CrashLooping).
   */
  'severity': (string);
  /**
   * One sentence for people.
   */
  'message': (string);
  /**
   * The reason or numbers behind it (exit code, check output, backoff, ...).
   */
  'fields': ({[key: string]: string});
}
