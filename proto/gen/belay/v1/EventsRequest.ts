// Original file: proto/belay/v1/coordinator.proto


export interface EventsRequest {
  /**
   * Only this master's events; empty for all.
   */
  'node'?: (string);
  /**
   * Only this service's events; empty for all.
   */
  'service'?: (string);
  /**
   * Keep the stream open and send new events as they arrive.
   */
  'follow'?: (boolean);
  /**
   * At most this many past events (the newest); 0 for all the coordinator holds.
   */
  'limit'?: (number);
}

export interface EventsRequest__Output {
  /**
   * Only this master's events; empty for all.
   */
  'node': (string);
  /**
   * Only this service's events; empty for all.
   */
  'service': (string);
  /**
   * Keep the stream open and send new events as they arrive.
   */
  'follow': (boolean);
  /**
   * At most this many past events (the newest); 0 for all the coordinator holds.
   */
  'limit': (number);
}
