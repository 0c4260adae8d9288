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

/** The UTF-8 bytes of text given in parts. */
export function encodeParts(parts: readonly string[]): Buffer {
  if (parts.length === 1) return Buffer.from(parts[0] as string);
  let chars = 0;
  for (const part of parts) chars += part.length;
  const most = chars * 3;
  if (most > MAX_SCRATCH) return Buffer.from(parts.join(''));
  if (scratch.length < most) scratch = Buffer.allocUnsafe(Math.max(most, scratch.length * 2));
  let at = 0;
  let held = '';
  for (const part of parts) {
    const text = held === '' ? part : held + part;
    // Never between the halves of a surrogate pair: each alone would be encoded as U+FFFD.
    if (isHighSurrogate(text.charCodeAt(text.length - 1))) {
      held = text;
      continue;
    }
    held = '';
    at += scratch.write(text, at);
  }
  if (held !== '') at += scratch.write(held, at);
  return Buffer.from(scratch.subarray(0, at));
}

const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;

/** JSON already written, which jsonBytes puts in as it is: an object written once for many. */
export class JsonText {
  constructor(readonly text: string) {}
}

/**
 * The JSON text of an object followed by members whose values are JSON already written: an entry's
 * body as the database quoted it, a feed's object written once for all its entries.
 */
export function jsonWithMembers(
  value: Record<string, unknown>,
  members: readonly [string, string][],
): string {
  let text = JSON.stringify(value).slice(0, -1);
  for (const [key, json] of members) text += `${text.length > 1 ? ',' : ''}${JSON.stringify(key)}:${json}`;
  return `${text}}`;
}

/** An entry's body as JSON text: as the store quoted it (withContent 'json'), or quoted here. */
export function bodyJson(view: EntryView): string {
  return view.contentJson ?? JSON.stringify(view.entry.contentHtml);
}

/**
 * JSON.stringify's text of a value, as UTF-8 bytes: an object's arrays (a list's entries) are
 * written one element at a time, so each element is a part of its own. JsonText values, at the
 * top, in the object or in its arrays, are put in as they are.
 */
export function jsonBytes(value: unknown): Buffer {
  const parts: string[] = [];
  if (value instanceof JsonText) parts.push(value.text);
  else if (isPlainObject(value)) {
    let first = true;
    parts.push('{');
    for (const [key, v] of Object.entries(value)) {
      const text = Array.isArray(v) ? null : v instanceof JsonText ? v.text : JSON.stringify(v);
      if (text === undefined) continue; // as JSON.stringify: undefined and functions are left out
      parts.push(`${first ? '' : ','}${JSON.stringify(key)}:`);
      first = false;
      if (text !== null) parts.push(text);
      else arrayParts(v as unknown[], parts);
    }
    parts.push('}');
  } else if (Array.isArray(value)) arrayParts(value, parts);
  else parts.push(JSON.stringify(value) ?? 'null');
  return encodeParts(parts);
}

function arrayParts(items: readonly unknown[], parts: string[]): void {
  parts.push('[');
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const text = item instanceof JsonText ? item.text : (JSON.stringify(item) ?? 'null');
    parts.push(i === 0 ? text : `,${text}`);
  }
  parts.push(']');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && !('toJSON' in value);
}

/** Sends a value as JSON (see jsonBytes). */
export function sendJson(reply: FastifyReply, value: unknown): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(jsonBytes(value));
}
