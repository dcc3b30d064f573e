// Original file: proto/belay/v1/coordinator.proto

import type { Long } from '@grpc/proto-loader';

export interface EtcdMember {
  'name'?: (string);
  /**
   * Member id, hex.
   */
  'id'?: (string);
  'peerUrls'?: (string)[];
  'clientUrls'?: (string)[];
  /**
   * leader | follower | learner
   */
  'role'?: (string);
  'healthy'?: (boolean);
  'dbSizeBytes'?: (number | string | Long);
  'raftIndex'?: (number | string | Long);
  'version'?: (string);
  'alarms'?: (string)[];
  /**
   * Why not healthy (its status could not be read).
   */
  'error'?: (string);
  /**
   * db size in use (after compaction, before defrag).
   */
  'dbSizeInUseBytes'?: (number | string | Long);
  'raftTerm'?: (number | string | Long);
}

export interface EtcdMember__Output {
  'name': (string);
  /**
   * Member id, hex.
   */
  'id': (string);
  'peerUrls': (string)[];
  'clientUrls': (string)[];
  /**
   * leader | follower | learner
   */
  'role': (string);
  'healthy': (boolean);
  'dbSizeBytes': (number);
  'raftIndex': (number);
  'version': (string);
  'alarms': (string)[];
  /**
   * Why not healthy (its status could not be read).
   */
  'error': (string);
  /**
   * db size in use (after compaction, before defrag).
   */
  'dbSizeInUseBytes': (number);
  'raftTerm': (number);
}
