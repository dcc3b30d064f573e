// Original file: proto/belay/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

/**
 * EtcdDataStatus is the agent's reading of its etcd data dir, checked every
 * few seconds and before every start of etcd.
 */
export interface EtcdDataStatus {
  /**
   * What the files say: absent | empty | member | unreadable; unknown before the first check.
   */
  'state'?: (string);
  /**
   * The member and cluster the data dir's WAL belongs to (hex, as etcdctl prints them), when state is member.
   */
  'memberId'?: (string);
  'clusterId'?: (string);
  /**
   * The membership this master had, recorded by the agent outside the data dir (hex); empty when none is recorded
   * (before the first start, or after the data dir was archived for a new member or a restore).
   */
  'recordedMemberId'?: (string);
  'recordedClusterId'?: (string);
  /**
   * ok (this member's data) | fresh (nothing yet, nothing recorded: etcd may start a new member)
   * | lost (empty or gone, but a membership is recorded) | foreign (another member's or cluster's data)
   * | corrupt (unreadable); unknown before the first check.
   */
  'verdict'?: (string);
  /**
   * True when etcd may not start on it (lost, foreign, corrupt): the agent holds etcd back until the leader
   * replaces the member (or a restore archives the data dir).
   */
  'held'?: (boolean);
  /**
   * Why it is held, as one sentence.
   */
  'reason'?: (string);
  'checkedAtMs'?: (number | string | Long);
}

/**
 * EtcdDataStatus is the agent's reading of its etcd data dir, checked every
 * few seconds and before every start of etcd.
 */
export interface EtcdDataStatus__Output {
  /**
   * What the files say: absent | empty | member | unreadable; unknown before the first check.
   */
  'state': (string);
  /**
   * The member and cluster the data dir's WAL belongs to (hex, as etcdctl prints them), when state is member.
   */
  'memberId': (string);
  'clusterId': (string);
  /**
   * The membership this master had, recorded by the agent outside the data dir (hex); empty when none is recorded
   * (before the first start, or after the data dir was archived for a new member or a restore).
   */
  'recordedMemberId': (string);
  'recordedClusterId': (string);
  /**
   * ok (this member's data) | fresh (nothing yet, nothing recorded: etcd may start a new member)
   * | lost (empty or gone, but a membership is recorded) | foreign (another member's or cluster's data)
   * | corrupt (unreadable); unknown before the first check.
   */
  'verdict': (string);
  /**
   * True when etcd may not start on it (lost, foreign, corrupt): the agent holds etcd back until the leader
   * replaces the member (or a restore archives the data dir).
   */
  'held': (boolean);
  /**
   * Why it is held, as one sentence.
   */
  'reason': (string);
  'checkedAtMs': (number);
}
