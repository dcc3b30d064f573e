/**
 * What the leader runs: controllers, each one loop of observe → decide → act
 * over the leader context (context.ts), run by one runner (runner.ts) that
 * owns their timers, errors and metrics. A controller says only what one
 * pass does and when the next is due; it never sleeps or loops itself.
 *
 * The shape is Talos' controller runtime, smaller: the decisions stay in
 * the pure planners (coordinator/etcd/plan.ts, coordinator/controlplane/
 * rollout-plan.ts, …), a controller is the shell that observes, asks and acts.
 */

export interface Controller {
  /** Names it in logs and metrics (`controller` label), and to wake(). */
  readonly name: string;
  /** One pass. Resolves to the wait before the next; a throw is logged by the runner, which tries again after `retryMs`. */
  reconcile(): Promise<Next>;
  /** After a failed pass: the line for `status`, and when to try again (default: the controller's idle interval). */
  failed?(err: unknown): Next | void;
}

export interface Next {
  /** ms until the next pass; ended early by the runner's wake(name). */
  afterMs: number;
}
