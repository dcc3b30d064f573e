// Original file: proto/belay/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

/**
 * ManifestVersion is one kept version of a manifest (at most 10 per file).
 */
export interface ManifestVersion {
  'sha256'?: (string);
  /**
   * When it was replaced or removed, ms since epoch.
   */
  'savedAtMs'?: (number | string | Long);
  /**
   * replaced | removed
   */
  'reason'?: (string);
  'sizeBytes'?: (number | string | Long);
}

/**
 * ManifestVersion is one kept version of a manifest (at most 10 per file).
 */
export interface ManifestVersion__Output {
  'sha256': (string);
  /**
   * When it was replaced or removed, ms since epoch.
   */
  'savedAtMs': (number);
  /**
   * replaced | removed
   */
  'reason': (string);
  'sizeBytes': (number);
}
