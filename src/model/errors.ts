// Errors a user can act on: a stable code for programs, a message for people, and the cause.

export type ErrorCode =
  | 'PARSE_TOO_LARGE'
  | 'PARSE_TOO_DEEP'
  | 'PARSE_NOT_A_FEED'
  | 'DECODE_FAILED'
  | 'FETCH_BLOCKED_ADDRESS'
  | 'FETCH_HTTP_STATUS'
  | 'FETCH_TOO_LARGE'
  | 'FETCH_TIMEOUT'
  | 'FETCH_TOO_MANY_REDIRECTS'
  | 'FETCH_NETWORK'
  | 'FETCH_INVALID_URL'
  | 'OPML_INVALID'
  | 'CONFIG_INVALID'
  | 'NOT_FOUND'
  | 'STORAGE_FULL'
  | 'STORAGE_BUSY'
  | 'USAGE'
  | 'INTERNAL';

export class GleanerError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A document that cannot be read as a feed at all, or breaks a safety limit. */
export class FeedParseError extends GleanerError {}

/**
 * What a client is told of an error: its message, or for a server error (which is logged) only
 * that, unless it is one the client may wait out (a full disk, a database another process holds).
 */
export function errorMessage(err: unknown, status: number): string {
  const waitable =
    err instanceof GleanerError && (err.code === 'STORAGE_FULL' || err.code === 'STORAGE_BUSY');
  if (status >= 500 && !waitable)
    return 'Something went wrong on our side; the details are in the server log.';
  return err instanceof Error ? err.message : String(err);
}
