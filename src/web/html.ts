// Server-side HTML: a tagged template that escapes every interpolated value unless it is already
// markup built by this module. Feed content reaches pages only through `trusted()`, and only after
// the sanitizer ran at ingestion.
import { escapeHtml } from '../content/escape.js';

/** Markup that is safe to emit as is. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

function render(value: unknown): string {
  if (value === null || value === undefined || value === false || value === true) return '';
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) {
    // Concatenated, not joined: join() copies every part into a new flat string, and the page
    // around it is copied once more when it is encoded. A concatenation is copied only then.
    let out = '';
    for (const item of value) out += render(item);
    return out;
  }
  if (typeof value === 'string') return escapeHtml(value);
  if (typeof value === 'number' || typeof value === 'bigint') return value.toString();
  // Objects have no markup of their own: a bug to see, not to hide.
  return escapeHtml(JSON.stringify(value) ?? '');
}

/** `html\`<a href="${url}">${title}</a>\``: values are escaped; Html values and arrays of them are not. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  const parts = compact(strings);
  let out = parts[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (parts[i + 1] ?? '');
  return new Html(out);
}

// The templates' own line breaks and indentation, folded to one newline: the same text to a browser
// (outside <pre>, which no template holds), a fifth less to send. Values are never touched. Done
// once per template: a template literal's strings array is the same object at every call.
const compacted = new WeakMap<TemplateStringsArray, string[]>();

function compact(strings: TemplateStringsArray): string[] {
  let parts = compacted.get(strings);
  if (!parts) {
    parts = strings.map((s) => s.replace(/[ \t]*\n\s*/g, '\n'));
    compacted.set(strings, parts);
  }
  return parts;
}

/** Markup that is already safe: sanitized feed content, or markup built here. */
export function trusted(markup: string): Html {
  return new Html(markup);
}
