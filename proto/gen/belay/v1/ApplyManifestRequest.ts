// Original file: proto/belay/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

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
  /**
   * The election term of the leader coordinator that sends it; 0 for an
   * operator's own request (belayctl), which is never fenced. Refused with
   * FAILED_PRECONDITION (belay-code STALE_TERM) when lower than the highest
   * term this agent has seen: a deposed leader cannot write.
   */
  'term'?: (number | string | Long);
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
  /**
   * The election term of the leader coordinator that sends it; 0 for an
   * operator's own request (belayctl), which is never fenced. Refused with
   * FAILED_PRECONDITION (belay-code STALE_TERM) when lower than the highest
   * term this agent has seen: a deposed leader cannot write.
   */
  'term': (number);
}
