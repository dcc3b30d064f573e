// Original file: proto/belay/v1/agent.proto


export interface RemoveManifestRequest {
  'file'?: (string);
  'force'?: (boolean);
  'requestedBy'?: (string);
}

export interface RemoveManifestRequest__Output {
  'file': (string);
  'force': (boolean);
  'requestedBy': (string);
}
