/**
 * OperatorError is an error an operator can act on: `message` says what was
 * tried and the values that stopped it, `hint` the next check or command,
 * `code` is stable (logs, gRPC details, exit codes). `retryable` picks the gRPC
 * status at the boundary: UNAVAILABLE (retry) or FAILED_PRECONDITION (act).
 */
export class OperatorError extends Error {
  readonly code: string;
  readonly hint: string;
  readonly retryable: boolean;
  /** Refused because it would be unsafe (belayctl exits 3). */
  readonly unsafe: boolean;

  constructor(o: { code: string; message: string; hint: string; retryable?: boolean; unsafe?: boolean; cause?: unknown }) {
    super(o.message, o.cause === undefined ? undefined : { cause: o.cause });
    this.name = 'OperatorError';
    this.code = o.code;
    this.hint = o.hint;
    this.retryable = o.retryable ?? false;
    this.unsafe = o.unsafe ?? false;
  }
}

/** A safety rule's "no" as data: pure rules return it, the shell throws it with `unsafeError` (belayctl exits 3). */
export interface Refusal {
  code: string;
  message: string;
  hint: string;
}

export function unsafeError(r: Refusal): OperatorError {
  return new OperatorError({ code: r.code, message: r.message, hint: r.hint, unsafe: true });
}

/** The message of anything thrown, for logs; never sent to a peer. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
