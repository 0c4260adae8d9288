// Fetch failures as errors a user can act on. Messages name the URL without its credentials.

import { GleanerError, type ErrorCode } from '../../model/errors.js';
import { NEVER_ALLOWED, type AddressKind } from './address.js';
import { BlockedLookupError } from './lookup.js';

export interface FetchTimeouts {
  /** DNS lookup plus TCP and TLS handshakes. */
  connectMs: number;
  /** From sending the request to the end of the response headers. */
  headersMs: number;
  /** The whole body, however slowly it trickles in. */
  bodyMs: number;
}

/**
 * A failed fetch; `retryAfterSeconds` is set when the server said when to come back (429, 503).
 * Its message is written for a feed's stored error ("Gleaner will retry later", "remove the
 * subscription"); `whenSubscribing` is the message for someone whose first fetch of a URL failed,
 * when that advice does not apply to them (nothing was stored, nothing will be retried).
 */
export class FetchError extends GleanerError {
  readonly status: number | null;
  readonly retryAfterSeconds: number | null;
  /** The server's TLS certificate was refused (which one it shows: Fetcher.presentedCertificate). */
  readonly certificateRefused: boolean;
  private readonly whenSubscribing: string | null;

  constructor(
    code: ErrorCode,
    message: string,
    options: {
      cause?: unknown;
      status?: number;
      retryAfterSeconds?: number | null;
      whenSubscribing?: string;
      certificateRefused?: boolean;
    } = {},
  ) {
    super(code, message, { cause: options.cause });
    this.status = options.status ?? null;
    this.retryAfterSeconds = options.retryAfterSeconds ?? null;
    this.certificateRefused = options.certificateRefused ?? false;
    this.whenSubscribing = options.whenSubscribing ?? null;
  }

  /** The error as someone subscribing to the URL is told it. */
  forSubscribing(): FetchError {
    if (this.whenSubscribing === null) return this;
    return new FetchError(this.code, this.whenSubscribing, {
      cause: this.cause,
      ...(this.status !== null ? { status: this.status } : {}),
      retryAfterSeconds: this.retryAfterSeconds,
      certificateRefused: this.certificateRefused,
    });
  }
}

/**
 * A failure that may pass: "<problem>, Gleaner will retry later" for a feed's stored error, and
 * "<problem>, try again later" for someone subscribing.
 */
function passingError(code: ErrorCode, problem: string, cause?: unknown): FetchError {
  return new FetchError(code, `${problem}, Gleaner will retry later`, {
    ...(cause !== undefined ? { cause } : {}),
    whenSubscribing: `${problem}, try again later`,
  });
}

/** The URL as it may appear in a message or a log: no username, no password. */
export function redactUrl(url: URL | string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return String(url).replace(/\/\/[^/@]*@/, '//');
  }
  parsed.username = '';
  parsed.password = '';
  return parsed.href;
}

export function blockedAddressError(
  url: string,
  address: string,
  kind: AddressKind,
  hostname?: string,
): FetchError {
  const where = hostname ? `${url}: ${hostname} resolves to ${address}` : `${url} points to ${address}`;
  const article = /^[aeiou]/.test(kind) ? 'an' : 'a';
  const advice = NEVER_ALLOWED.has(kind)
    ? 'Gleaner never fetches such addresses, check the URL'
    : 'Gleaner fetches only public addresses unless the operator allows more with GLEANER_ALLOW_PRIVATE_NETWORKS';
  return new FetchError('FETCH_BLOCKED_ADDRESS', `${where}, ${article} ${kind} address; ${advice}`);
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

/**
 * Maps whatever undici, net, tls or zlib threw to a FetchError whose message says what to do.
 * `trusted`: the fingerprint of the certificate the feed trusts besides the usual authorities.
 */
export function toFetchError(
  error: unknown,
  url: URL,
  timeouts: FetchTimeouts,
  trusted: string | null = null,
): GleanerError {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof GleanerError) return cause;
    if (cause instanceof BlockedLookupError) {
      return blockedAddressError(redactUrl(url), cause.address, cause.kind, cause.hostname);
    }
  }
  const shown = redactUrl(url);
  const host = url.hostname;
  const code = errorCode(error);
  const fail = (errorCode: ErrorCode, message: string) =>
    new FetchError(errorCode, `${shown}: ${message}`, { cause: error });
  const passing = (errorCode: ErrorCode, problem: string) =>
    passingError(errorCode, `${shown}: ${problem}`, error);
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return passing(
        'FETCH_TIMEOUT',
        `could not connect to ${host} within ${seconds(timeouts.connectMs)}; the server may be down`,
      );
    case 'UND_ERR_HEADERS_TIMEOUT':
      return passing(
        'FETCH_TIMEOUT',
        `${host} did not answer within ${seconds(timeouts.headersMs)}; the server may be overloaded`,
      );
    case 'UND_ERR_BODY_TIMEOUT':
      return bodyTimeoutError(url, timeouts.bodyMs);
    case 'ENOTFOUND':
      return fail('FETCH_NETWORK', `the host ${host} was not found; check the URL`);
    case 'EAI_AGAIN':
      return passing('FETCH_NETWORK', `looking up ${host} failed for now`);
    case 'ECONNREFUSED':
      return passing('FETCH_NETWORK', `${host} refused the connection; the server may be down`);
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      return passing('FETCH_NETWORK', `the connection to ${host} broke off`);
    // A request header undici cannot send (a cookie or user agent stored before they were checked
    // as they are now, see checkFetchOptions): trying again sends the same.
    case 'UND_ERR_INVALID_ARG':
      return fail(
        'FETCH_NETWORK',
        `the request could not be sent (${error instanceof Error ? error.message : code}); change the feed's user agent or cookie (its edit form, or gleaner edit)`,
      );
    case 'UND_ERR_HEADERS_OVERFLOW':
      return fail(
        'FETCH_NETWORK',
        `${host} sent more response headers than Gleaner reads (16 KiB); the server is misconfigured, tell the site`,
      );
  }
  // undici's HTTPParserError (its code, when it has one, HPE_…): a response that is not HTTP/1.1
  // (a bad chunk size, a header with a control character), which trying again will not change.
  if (code.startsWith('HPE_') || (error instanceof Error && error.name === 'HTTPParserError')) {
    const detail =
      error instanceof Error
        ? error.message.replace(/^Response does not match the HTTP\/1\.1 protocol /, '')
        : code;
    return fail(
      'FETCH_NETWORK',
      `${host} sent a response that is not valid HTTP/1.1 ${detail}; tell the site`,
    );
  }
  // Whoever vouches for it, a certificate past its date is refused; the one thing to do is renew it.
  if (code === 'CERT_HAS_EXPIRED') {
    return new FetchError(
      'FETCH_NETWORK',
      `${shown}: the TLS certificate of ${host} has expired (${code}); ask the site to renew it, or, for a server of your own, renew it` +
        (trusted === null
          ? ''
          : ` and trust the new one in the feed's settings (it trusts SHA-256 ${trusted})`),
      { cause: error, certificateRefused: true },
    );
  }
  if (/CERT|SELF_SIGNED|UNABLE_TO_|^ERR_TLS|^ERR_SSL/.test(code)) {
    return new FetchError(
      'FETCH_NETWORK',
      `${shown}: ` +
        (trusted === null
          ? `the TLS certificate of ${host} was refused (${code}); ask the site to fix it, or, for a server of your own, trust its certificate (or its CA's) for this feed (--trust-certificate FILE, or the feed's fetch options in the web form), or for every feed with NODE_EXTRA_CA_CERTS`
          : `the TLS certificate of ${host} was refused (${code}): neither a usual authority nor the certificate this feed trusts (SHA-256 ${trusted}) vouches for it; if the server's certificate changed, trust the new one in the feed's settings`),
      { cause: error, certificateRefused: true },
    );
  }
  if (/^(Z_|ERR__|ERR_BROTLI)/.test(code)) {
    return fail(
      'FETCH_NETWORK',
      `the response could not be decompressed (${code}); the server sent corrupt data`,
    );
  }
  const detail = error instanceof Error ? error.message : String(error);
  return passing('FETCH_NETWORK', detail);
}

export function bodyTimeoutError(url: URL, bodyMs: number): FetchError {
  return passingError(
    'FETCH_TIMEOUT',
    `${redactUrl(url)}: the response did not arrive in full within ${seconds(bodyMs)}; the server is too slow`,
  );
}

export function tooLargeError(url: URL, maxBytes: number): FetchError {
  const size = maxBytes >= 1 << 20 ? `${Number((maxBytes / (1 << 20)).toFixed(1))} MiB` : `${maxBytes} bytes`;
  return new FetchError(
    'FETCH_TOO_LARGE',
    `${redactUrl(url)} is larger than ${size}, the fetch size limit; check that the URL points to a feed`,
  );
}
