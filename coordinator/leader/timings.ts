/**
 * The leader's timings in one table, ms: how often each controller looks,
 * how long it retries inside one pass, when it gives up. These are
 * belay's own pacing, measured against etcd and haproxy (docs/measured-
 * behaviour.md); what an operator tunes is in the spec instead
 * (learnerCatchUpTimeout, replaceAfter, rollout.stableWindow and
 * readyTimeout, backup intervals: docs/config.md).
 */
export const LEADER_TIMINGS = {
  etcdMembership: {
    /** Between passes while nothing changes. */
    passMs: 1_000,
    /** Passes run this often for quickAfterChangeMs after a step changed the membership: the next step is usually seconds away. */
    quickPassMs: 200,
    quickAfterChangeMs: 10_000,
    /** etcd refuses a member add until its leader has seen every voter for 5 s after a change: retried this often, this long, in one pass. */
    memberAddRetryMs: 250,
    memberAddRetryWindowMs: 8_000,
    /** A promote etcd refuses because the learner is not in sync yet is retried this often, this long, in one pass… */
    promoteRetryMs: 100,
    promoteWindowMs: 3_000,
    /** …and this long right after a join started the learner (it publishes itself and catches up within seconds). */
    joinPromoteWindowMs: 10_000,
    /** A failed preflight is looked at again this soon (the agent re-measures a slow disk when asked). */
    preflightRetryMs: 5_000,
    /** A failed join is retried after this, doubling per attempt, up to joinRetryMaxMs. */
    joinRetryBaseMs: 10_000,
    joinRetryMaxMs: 300_000,
    /** A learner whose etcd.yaml was applied this long ago and which still has not published itself is started again. */
    learnerStartGraceMs: 60_000,
    /** An old data dir still held by a stopping etcd: archiving is retried this often, this many times. */
    archiveRetryMs: 250,
    archiveRetries: 40,
    /** belayctl etcd add: looked at this often, until the catch-up timeout plus this. */
    byHandJoinPollMs: 500,
    byHandJoinExtraMs: 60_000,
    /** Stopping a removed member's etcd: best effort, its master may be down. */
    stopRemovedMemberTimeoutMs: 5_000,
  },
  rollout: {
    /** Between passes while no master is mid-way. */
    passMs: 500,
    /** While a master is mid-way: readiness pushed by its agent is acted on within this. */
    activePassMs: 200,
    /** Right after a step: the next one (the drain after the mark, the apply after the drain) is usually due now. */
    afterStepMs: 20,
    /** A master whose agent's latest report here is older than this is not alive to a rollout. */
    reportFreshMs: 15_000,
  },
  controlPlane: {
    passMs: 2_000,
  },
  backups: {
    /** Between looks at what is due. */
    passMs: 5_000,
    /** After a failed snapshot, the next try: a minute later, not every pass. */
    snapshotRetryMs: 60_000,
    /** A restore drill's deadline: this, plus drillPer100MiBMs per 100 MiB of snapshot (restoring and reading a big db). */
    drillBaseTimeoutMs: 60_000,
    drillPer100MiBMs: 15_000,
  },
  /** Two controllers' passes within this share one read of etcd: below the quickest pass interval. */
  observationMaxAgeMs: 150,
  /** After a failed pass whose controller does not say when to try again. */
  runnerRetryMs: 1_000,
};
