/**
 * The one error type of the project. Every failure a user can see carries a stable `code` (documented in the
 * README), so scripts can match on it, and an HTTP status for the API's problem responses.
 */
export const ErrorCodes = {
  INVALID_ARGUMENT: 400,
  INVALID_CONFIG: 400,
  UNKNOWN_FEED: 404,
  NOT_FOUND: 404,
  FEED_HTTP_ERROR: 502,
  FEED_NETWORK_ERROR: 502,
  FEED_TIMEOUT: 504,
  FEED_TOO_LARGE: 502,
  FEED_HTML: 502,
  FEED_FORMAT: 502,
  FEED_TRUNCATED: 502,
  FEED_EMPTY: 502,
  SNAPSHOT_REFUSED: 409,
  FEED_BUSY: 409,
  STORE_ERROR: 500,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.status = ErrorCodes[code];
    this.details = details;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** A one-line description of any thrown value, for logs, run records and CLI messages. */
export function describeError(err: unknown): string {
  if (err instanceof AppError) return err.message;
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return `${err.message}${cause}`;
  }
  return String(err);
}
