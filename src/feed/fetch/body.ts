// Reads a response body, decompressing it ourselves so the size limit applies to what we keep.

import { Duplex, Readable, Transform, Writable, pipeline as pipelineCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { FetchError, redactUrl, tooLargeError } from './errors.js';

export interface BodyLimits {
  /** Applies to the bytes on the wire and, separately, to the decompressed bytes. */
  maxBytes: number;
  signal: AbortSignal;
}

// A compressed body is read strictly first, since zlib tells a stream cut short (the connection
// closed cleanly before its end, with no Content-Length to tell) only by failing at its end, losing
// what its last chunk held: such a body is read again with these options, which end its stream
// where its bytes do.
const LENIENT_ZLIB: zlib.ZlibOptions = { finishFlush: zlib.constants.Z_SYNC_FLUSH };
const LENIENT_BROTLI: zlib.BrotliOptions = { finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH };
const MAX_ENCODINGS = 2;

/** A body as read: `complete` is false for a compressed one cut short, of which `bytes` is what arrived. */
export interface Body {
  bytes: Uint8Array;
  complete: boolean;
}

/**
 * Decodes `body` per its Content-Encoding and collects it. Stops as soon as either count passes
 * `maxBytes`: the decompressed count is the defence against decompression bombs. Lenient like
 * browsers, a compressed body cut short yields what arrived instead of failing, marked incomplete:
 * its validators name the whole document, which it is not.
 */
export async function readBody(
  body: Readable,
  contentEncoding: string | null,
  url: URL,
  limits: BodyLimits,
): Promise<Body> {
  let decoders: Duplex[];
  try {
    decoders = decodersFor(contentEncoding, url, false);
  } catch (error) {
    discardBody(body);
    throw error;
  }
  // What came over the wire, kept for a compressed body to be read again if it was cut short.
  const received: Buffer[] | null = decoders.length > 0 ? [] : null;
  try {
    const bytes = await collect([body, byteLimit(url, limits.maxBytes, received), ...decoders], url, limits);
    return { bytes, complete: true };
  } catch (error) {
    // zlib's "unexpected end of file", for brotli too: the stream ended before its last block.
    if (received === null || (error as { code?: unknown }).code !== 'Z_BUF_ERROR') throw error;
    const lenient = decodersFor(contentEncoding, url, true);
    return { bytes: await collect([Readable.from(received), ...lenient], url, limits), complete: false };
  }
}

/** The bytes `streams` end with, at most `maxBytes` of them. */
async function collect(streams: (Readable | Duplex)[], url: URL, limits: BodyLimits): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let kept = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      kept += chunk.length;
      if (kept > limits.maxBytes) return callback(tooLargeError(url, limits.maxBytes));
      chunks.push(chunk);
      callback();
    },
  });
  await pipeline([...streams, sink], { signal: limits.signal });
  return Buffer.concat(chunks, kept);
}

/** Drops a body unread; undici reports the abort as an error that nobody needs. */
export function discardBody(body: Readable): void {
  body.on('error', () => {}).destroy();
}

/** Passes at most `maxBytes` on, keeping each chunk in `received` when it is given. */
function byteLimit(url: URL, maxBytes: number, received: Buffer[] | null): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      received?.push(chunk);
      callback(seen > maxBytes ? tooLargeError(url, maxBytes) : null, chunk);
    },
  });
}

/**
 * One decoder per coding, last applied first (`Content-Encoding: gzip, br` means br(gzip(x))):
 * `lenient` ones end where their input does, whether or not their stream did.
 */
function decodersFor(contentEncoding: string | null, url: URL, lenient: boolean): Duplex[] {
  const zlibOptions = lenient ? LENIENT_ZLIB : {};
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  if (codings.length > MAX_ENCODINGS) throw unsupportedEncoding(url, codings.join(', '));
  return codings.reverse().map((coding) => {
    switch (coding) {
      case 'gzip':
      case 'x-gzip':
        return zlib.createGunzip(zlibOptions);
      case 'deflate':
        return Duplex.from((source: AsyncIterable<Buffer>) => inflateAnyDeflate(source, zlibOptions));
      case 'br':
        return zlib.createBrotliDecompress(lenient ? LENIENT_BROTLI : {});
      default:
        throw unsupportedEncoding(url, coding);
    }
  });
}

function unsupportedEncoding(url: URL, coding: string): FetchError {
  return new FetchError(
    'FETCH_NETWORK',
    `${redactUrl(url)} was sent with Content-Encoding "${coding}", which Gleaner cannot decode; ask the site to use gzip or br`,
  );
}

/** `deflate` means zlib-wrapped data (RFC 9110), but some servers send raw deflate: pick by the header. */
async function* inflateAnyDeflate(
  source: AsyncIterable<Buffer>,
  options: zlib.ZlibOptions,
): AsyncGenerator<Buffer> {
  const input = source[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  while (head.length < 2) {
    const next = await input.next();
    if (next.done) break;
    head = Buffer.concat([head, next.value]);
  }
  if (head.length === 0) return;
  const inflater = isZlibHeader(head) ? zlib.createInflate(options) : zlib.createInflateRaw(options);
  async function* rest(): AsyncGenerator<Buffer> {
    yield head;
    for (let next = await input.next(); !next.done; next = await input.next()) yield next.value;
  }
  yield* pipelineCallback(Readable.from(rest()), inflater, () => {}) as AsyncIterable<Buffer>;
}

// RFC 1950: compression method 8 in the low nibble, and the two header bytes a multiple of 31.
function isZlibHeader(head: Buffer): boolean {
  const cmf = head[0] ?? 0;
  const flg = head[1] ?? 0;
  return (cmf & 0x0f) === 8 && (cmf * 256 + flg) % 31 === 0;
}
