// Server-side HTML: a tagged template that escapes every interpolated value unless it is already
// markup built by this module. Feed content reaches pages only through `trusted()`, and only after
// the sanitizer ran at ingestion.
import { escapeHtml } from '../content/escape.js';
import { encodeParts } from './encode.js';

/**
 * Markup that is safe to emit as is, in parts: each item of a list interpolated into a template
 * begins a part of its own. V8 keeps a string with one character above U+00FF (a Chinese title, a
 * curly quote) as two bytes per character, and a page built as one string turned two-byte whole
 * for one such entry: copying and encoding a 90-KB list page took 380 µs instead of 150 (see
 * encodeParts).
 */
export class Html {
  readonly parts: readonly string[];
  constructor(markup: string | readonly string[]) {
    this.parts = typeof markup === 'string' ? [markup] : markup;
  }
  get value(): string {
    return this.parts.length === 1 ? (this.parts[0] as string) : this.parts.join('');
  }
  toString(): string {
    return this.value;
  }
}

/** Appends markup to a template's output: `out` is the part being written, `done` those before it. */
class Writer {
  // Most templates hold no list and make one part: `done` is made when a second part begins.
  done: string[] | null = null;
  out = '';

  markup(h: Html): void {
    const parts = h.parts;
    const last = parts.length - 1;
    this.out += parts[0] as string;
    if (last === 0) return;
    const done = (this.done ??= []);
    done.push(this.out);
    for (let i = 1; i < last; i++) done.push(parts[i] as string);
    this.out = parts[last] as string;
  }

  value(value: unknown): void {
    if (value === null || value === undefined || value === false || value === true) return;
    if (value instanceof Html) this.markup(value);
    else if (typeof value === 'string') this.out += escapeHtml(value);
    else if (typeof value === 'number' || typeof value === 'bigint') this.out += value.toString();
    else if (Array.isArray(value)) {
      for (const item of value) {
        if (this.out !== '') (this.done ??= []).push(this.out);
        this.out = '';
        this.value(item);
      }
    }
    // Objects have no markup of their own: a bug to see, not to hide.
    else this.out += escapeHtml(JSON.stringify(value) ?? '');
  }

  html(): Html {
    if (this.done === null) return new Html(this.out);
    if (this.out !== '') this.done.push(this.out);
    return new Html(this.done);
  }
}

/** `html\`<a href="${url}">${title}</a>\``: values are escaped; Html values and arrays of them are not. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  const parts = compact(strings);
  const w = new Writer();
  w.out = parts[0] ?? '';
  for (let i = 0; i < values.length; i++) {
    w.value(values[i]);
    w.out += parts[i + 1] ?? '';
  }
  return w.html();
}

// The templates' own line breaks and indentation, folded to one newline: the same text to a browser
// (outside <pre>, which no template holds), a fifth less to send. Their characters beyond Latin-1
// (☆, ↗, …) become character references, the same to a browser, so that a page whose values are
// all Latin-1 stays a one-byte string. Values are never touched. Done once per template: a template
// literal's strings array is the same object at every call.
const compacted = new WeakMap<TemplateStringsArray, string[]>();

function compact(strings: TemplateStringsArray): string[] {
  let parts = compacted.get(strings);
  if (!parts) {
    parts = strings.map((s) =>
      s.replace(/[ \t]*\n\s*/g, '\n').replace(/[\u0100-\u{10ffff}]/gu, (c) => `&#${c.codePointAt(0)};`),
    );
    compacted.set(strings, parts);
  }
  return parts;
}

/** Markup that is already safe: sanitized feed content, or markup built here. */
export function trusted(markup: string): Html {
  return new Html(markup);
}

/** The UTF-8 bytes of markup (see Html and encodeParts). */
export function encodeHtml(h: Html): Buffer {
  return encodeParts(h.parts);
}
