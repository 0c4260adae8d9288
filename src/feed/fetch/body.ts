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

// Lenient like browsers: a stream cut short yields what arrived instead of failing.
const ZLIB_OPTIONS: zlib.ZlibOptions = { finishFlush: zlib.constants.Z_SYNC_FLUSH };
const BROTLI_OPTIONS: zlib.BrotliOptions = { finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH };
const MAX_ENCODINGS = 2;

/**
 * Decodes `body` per its Content-Encoding and collects it. Stops as soon as either count passes
 * `maxBytes`: the decompressed count is the defence against decompression bombs.
 */
export async function readBody(
  body: Readable,
  contentEncoding: string | null,
  url: URL,
  limits: BodyLimits,
): Promise<Uint8Array> {
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
  let decoders: Duplex[];
  try {
    decoders = decodersFor(contentEncoding, url);
  } catch (error) {
    discardBody(body);
    throw error;
  }
  const streams = [body, byteLimit(url, limits.maxBytes), ...decoders, sink];
  await pipeline(streams, { signal: limits.signal });
  return Buffer.concat(chunks, kept);
}

/** Drops a body unread; undici reports the abort as an error that nobody needs. */
export function discardBody(body: Readable): void {
  body.on('error', () => {}).destroy();
}

function byteLimit(url: URL, maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      callback(seen > maxBytes ? tooLargeError(url, maxBytes) : null, chunk);
    },
  });
}

/** One decoder per coding, last applied first (`Content-Encoding: gzip, br` means br(gzip(x))). */
function decodersFor(contentEncoding: string | null, url: URL): Duplex[] {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  if (codings.length > MAX_ENCODINGS) throw unsupportedEncoding(url, codings.join(', '));
  return codings.reverse().map((coding) => {
    switch (coding) {
      case 'gzip':
      case 'x-gzip':
        return zlib.createGunzip(ZLIB_OPTIONS);
      case 'deflate':
        return Duplex.from(inflateAnyDeflate);
      case 'br':
        return zlib.createBrotliDecompress(BROTLI_OPTIONS);
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
async function* inflateAnyDeflate(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const input = source[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  while (head.length < 2) {
    const next = await input.next();
    if (next.done) break;
    head = Buffer.concat([head, next.value]);
  }
  if (head.length === 0) return;
  const inflater = isZlibHeader(head)
    ? zlib.createInflate(ZLIB_OPTIONS)
    : zlib.createInflateRaw(ZLIB_OPTIONS);
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
