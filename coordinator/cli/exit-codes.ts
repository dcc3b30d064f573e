/** belayctl exit codes (docs/architecture.md, "Operator contract"). */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  /** Refused as unsafe, e.g. it would lose etcd quorum. */
  unsafe: 3,
} as const;

/** An error that ends belayctl with a given exit code and a message (plus hint) on stderr. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
