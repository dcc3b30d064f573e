// Original file: proto/belay/v1/agent.proto


export interface HostPathVolume {
  'name'?: (string);
  'path'?: (string);
}

export interface HostPathVolume__Output {
  'name': (string);
  'path': (string);
}
