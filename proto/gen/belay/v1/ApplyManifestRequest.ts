// Original file: proto/belay/v1/agent.proto


export interface ApplyManifestRequest {
  /**
   * File name in the manifests dir: a plain name ending in .yaml, .yml or
   * .json; no directories, no leading dot.
   */
  'file'?: (string);
  /**
   * The manifest: a v1 Pod in YAML or JSON, at most 1 MiB.
   */
  'content'?: (string);
  /**
   * Overwrite even if the file drifted (was changed by someone else).
   */
  'force'?: (boolean);
  /**
   * Who asked, for the event and the log.
   */
  'requestedBy'?: (string);
}

export interface ApplyManifestRequest__Output {
  /**
   * File name in the manifests dir: a plain name ending in .yaml, .yml or
   * .json; no directories, no leading dot.
   */
  'file': (string);
  /**
   * The manifest: a v1 Pod in YAML or JSON, at most 1 MiB.
   */
  'content': (string);
  /**
   * Overwrite even if the file drifted (was changed by someone else).
   */
  'force': (boolean);
  /**
   * Who asked, for the event and the log.
   */
  'requestedBy': (string);
}
