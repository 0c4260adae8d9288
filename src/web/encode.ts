// Answers as bytes. V8 keeps a string with one character beyond Latin-1 (a Chinese title, a curly
// quote, an ellipsis) as two bytes per character, and copying and encoding such a string costs
// about three times a one-byte one: a 90-KB page or a 500-KB JSON list built as one string turns
// two-byte whole for one such entry. Built and encoded in parts, only the parts holding such text
// are.
import type { FastifyReply } from 'fastify';
import type { EntryView } from '../store/index.js';

// Parts are encoded one after another into one buffer kept for the purpose, and the answer copied
// out of it: a page of ~80 parts took 65 µs to encode this way, against 160 µs encoding runs of
// parts into buffers of their own and joining them. Answers whose UTF-8 could exceed the largest
// buffer kept are encoded whole.
const MAX_SCRATCH = 16 * 1024 * 1024;
let scratch = Buffer.allocUnsafe(256 * 1024);

/** A part of an answer: text, or bytes already in UTF-8 (a body as the database wrote it). */
export type Part = string | Uint8Array;

/** The UTF-8 bytes of an answer given in parts. */
export function encodeParts(parts: readonly Part[]): Buffer {
  if (parts.length === 1) return Buffer.from(parts[0] as string | Uint8Array);
  const most = mostBytes(parts);
  if (most > MAX_SCRATCH) return encodeWhole(parts);
  if (scratch.length < most) scratch = Buffer.allocUnsafe(Math.max(most, scratch.length * 2));
  return Buffer.from(scratch.subarray(0, encodeInto(parts, scratch)));
}

/** The most bytes `parts` can take in UTF-8 (3 for each UTF-16 unit of text). */
function mostBytes(parts: readonly Part[]): number {
  let most = 0;
  for (const part of parts) most += typeof part === 'string' ? part.length * 3 : part.length;
  return most;
}

/** Writes `parts` as UTF-8 into `target` (with room for mostBytes()); the bytes written. */
function encodeInto(parts: readonly Part[], target: Buffer): number {
  let at = 0;
  let held = '';
  for (const part of parts) {
    if (typeof part !== 'string') {
      if (held !== '') at += target.write(held, at);
      held = '';
      target.set(part, at);
      at += part.length;
      continue;
    }
    const text = held === '' ? part : held + part;
    // Never between the halves of a surrogate pair: each alone would be encoded as U+FFFD.
    if (isHighSurrogate(text.charCodeAt(text.length - 1))) {
      held = text;
      continue;
    }
    held = '';
    at += target.write(text, at);
  }
  if (held !== '') at += target.write(held, at);
  return at;
}

const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;

/** Each run of text encoded whole (a surrogate pair split across parts stays one character). */
function encodeWhole(parts: readonly Part[]): Buffer {
  const chunks: Uint8Array[] = [];
  let run: string[] = [];
  for (const part of parts) {
    if (typeof part === 'string') run.push(part);
    else {
      chunks.push(Buffer.from(run.join('')), part);
      run = [];
    }
  }
  chunks.push(Buffer.from(run.join('')));
  return Buffer.concat(chunks);
}

/**
 * JSON already written, which jsonBytes puts in as it is: an object written once for many, an entry
 * around its body as the database quoted it (bytes, never decoded here).
 */
export class JsonText {
  readonly parts: readonly Part[];
  constructor(...parts: Part[]) {
    this.parts = parts;
  }
}

/**
 * The JSON of an object followed by members whose values are JSON already written: an entry's body
 * as the database quoted it, a feed's object written once for all its entries.
 */
export function jsonWithMembers(
  value: Record<string, unknown>,
  members: readonly [string, Part | JsonText][],
): JsonText {
  const parts: Part[] = [];
  // Text runs are joined, so a part is either bytes or all the text between them.
  let text = JSON.stringify(value).slice(0, -1);
  let first = text === '{';
  for (const [key, json] of members) {
    text += `${first ? '' : ','}${JSON.stringify(key)}:`;
    first = false;
    for (const part of json instanceof JsonText ? json.parts : [json]) {
      if (typeof part === 'string') text += part;
      else {
        parts.push(text, part);
        text = '';
      }
    }
  }
  parts.push(`${text}}`);
  return new JsonText(...parts);
}

/**
 * An entry's body as JSON: as the store quoted it (withContent 'json', UTF-8 bytes), or quoted
 * here.
 */
export function bodyJson(view: EntryView): Part {
  return view.contentJson ?? JSON.stringify(view.entry.contentHtml);
}

/**
 * JSON.stringify's text of a value, as UTF-8 bytes: an object's arrays (a list's entries) are
 * written one element at a time, so each element is a part of its own. JsonText values, at the
 * top, in the object or in its arrays, are put in as they are.
 */
export function jsonBytes(value: unknown): Buffer {
  return encodeParts(jsonParts(value));
}

/** The parts of jsonBytes(). */
function jsonParts(value: unknown): Part[] {
  const parts: Part[] = [];
  if (value instanceof JsonText) parts.push(...value.parts);
  else if (isPlainObject(value)) {
    let first = true;
    parts.push('{');
    for (const [key, v] of Object.entries(value)) {
      if (v instanceof JsonText) {
        parts.push(`${first ? '' : ','}${JSON.stringify(key)}:`, ...v.parts);
        first = false;
        continue;
      }
      const text = Array.isArray(v) ? null : JSON.stringify(v);
      if (text === undefined) continue; // as JSON.stringify: undefined and functions are left out
      parts.push(`${first ? '' : ','}${JSON.stringify(key)}:`);
      first = false;
      if (text !== null) parts.push(text);
      else arrayParts(v as unknown[], parts);
    }
    parts.push('}');
  } else if (Array.isArray(value)) arrayParts(value, parts);
  else parts.push(JSON.stringify(value) ?? 'null');
  return parts;
}

function arrayParts(items: readonly unknown[], parts: Part[]): void {
  parts.push('[');
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item instanceof JsonText) {
      if (i > 0) parts.push(',');
      for (const part of item.parts) parts.push(part);
      continue;
    }
    const text = JSON.stringify(item) ?? 'null';
    parts.push(i === 0 ? text : `,${text}`);
  }
  parts.push(']');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && !('toJSON' in value);
}

// Buffers that answers are written into and sent from, each back here once its response is done
// (its bytes handed to the kernel, or the connection gone): a fresh buffer for each answer and a
// copy into it cost ~5% of a 520-KB Miniflux list, and once other answers' varied sizes had made
// glibc hand such blocks back to the system, each new one was mapped and zeroed again (~10% slower
// lists). Up to POOLED buffers of at most MAX_POOLED bytes are kept.
const POOLED = 8;
const MAX_POOLED = 2 * 1024 * 1024;
const pool: Buffer[] = [];

/**
 * The UTF-8 bytes of `parts` in a buffer from the pool, back in it once `reply`'s response is done:
 * a fresh buffer for each answer is memory the kernel faults in anew. Answers in one part (an object
 * Fastify serialized, a small JSON) had still each had their own: kept, Google Reader's unread-count
 * (78 KB for 1,000 feeds, then one string) went from 807 to 1,013 answers a second.
 */
export function pooledBytes(reply: FastifyReply, parts: readonly Part[]): Buffer {
  const most = mostBytes(parts);
  if (most > MAX_POOLED) return encodeParts(parts);
  let buffer = pool.pop();
  if (buffer === undefined || buffer.length < most)
    buffer = Buffer.allocUnsafeSlow(Math.max(most, 64 * 1024));
  const kept = buffer;
  // 'close' comes after 'finish' (the last byte written to the socket), or once the connection is
  // gone: nothing reads the buffer after it.
  reply.raw.once('close', () => {
    if (pool.length < POOLED) pool.push(kept);
  });
  return buffer.subarray(0, encodeInto(parts, buffer));
}

/** Sends a value as JSON (see jsonBytes). */
export function sendJson(reply: FastifyReply, value: unknown): FastifyReply {
  reply.type('application/json; charset=utf-8');
  return reply.send(pooledBytes(reply, jsonParts(value)));
}
