// Original file: proto/belay/v1/coordinator.proto


export interface GossipEnvelope {
  'sealed'?: (Buffer | Uint8Array | string);
}

export interface GossipEnvelope__Output {
  'sealed': (Buffer);
}
