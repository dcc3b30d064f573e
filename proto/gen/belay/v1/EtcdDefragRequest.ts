// Original file: proto/belay/v1/coordinator.proto


export interface EtcdDefragRequest {
  'dryRun'?: (boolean);
  /**
   * Leave NOSPACE alarms armed (by default they are disarmed once every member is defragmented and every db fits under the quota with room).
   */
  'noDisarm'?: (boolean);
}

export interface EtcdDefragRequest__Output {
  'dryRun': (boolean);
  /**
   * Leave NOSPACE alarms armed (by default they are disarmed once every member is defragmented and every db fits under the quota with room).
   */
  'noDisarm': (boolean);
}
