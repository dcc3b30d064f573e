import type { Logger } from '../../proto/common/log.js';
import type { AgentEvent } from '../../proto/gen/belay/v1/AgentEvent.js';

export type Severity = 'info' | 'warning' | 'alert';

/** What a part of the agent raises; the log adds who, when and a sequence number. */
export interface RaisedEvent {
  service?: string;
  kind: string;
  severity: Severity;
  message: string;
  fields?: Record<string, string | number | boolean>;
}

/**
 * The agent's recent events: numbered, logged once as they happen, handed to
 * the report streams, and kept (the last `capacity`) so that a stream that
 * reconnects can send them again: a coordinator that restarted still learns
 * what happened while it was away. Coordinators store each (instance, seq) once.
 */
export class EventLog {
  private seq = 0;
  private readonly recent: AgentEvent[] = [];
  private readonly listeners: ((e: AgentEvent) => void)[] = [];

  constructor(private readonly o: { node: string; agentInstance: string; log: Logger; nowMs: () => number; capacity?: number }) {}

  raise(e: RaisedEvent): AgentEvent {
    const event: AgentEvent = {
      node: this.o.node,
      agentInstance: this.o.agentInstance,
      seq: ++this.seq,
      atMs: this.o.nowMs(),
      service: e.service ?? '',
      kind: e.kind,
      severity: e.severity,
      message: e.message,
      fields: Object.fromEntries(Object.entries(e.fields ?? {}).map(([k, v]) => [k, String(v)])),
    };
    this.recent.push(event);
    if (this.recent.length > (this.o.capacity ?? 256)) this.recent.shift();
    const level = e.severity === 'alert' ? 'error' : e.severity === 'warning' ? 'warn' : 'info';
    this.o.log.log(level, e.message, { event: e.kind, service: e.service, ...e.fields });
    for (const l of this.listeners) l(event);
    return event;
  }

  onEvent(listener: (e: AgentEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Oldest first. */
  all(): readonly AgentEvent[] {
    return this.recent;
  }
}
