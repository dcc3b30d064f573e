// Original file: proto/belay/v1/agent.proto


export interface ContainerInfo {
  'name'?: (string);
  'image'?: (string);
  'command'?: (string)[];
  'args'?: (string)[];
  /**
   * One line per probe, e.g. "liveness: httpGet http://127.0.0.1:2381/health every 10s timeout 15s failure 8".
   */
  'probes'?: (string)[];
}

export interface ContainerInfo__Output {
  'name': (string);
  'image': (string);
  'command': (string)[];
  'args': (string)[];
  /**
   * One line per probe, e.g. "liveness: httpGet http://127.0.0.1:2381/health every 10s timeout 15s failure 8".
   */
  'probes': (string)[];
}
