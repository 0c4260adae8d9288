// Plain text from markup: what titles, authors and search need. Entities decoded, tags dropped,
// whitespace collapsed.
import { decodeHTML } from 'entities';
import { NESTING_LIMIT, parseWithinNesting, TOO_DEEP, type ParseHtml } from '../../content/nesting.js';
import { IndexOfTokenizer } from './tokenizer.js';

const BLOCK_TAGS = new Set(
  'p div br li ul ol h1 h2 h3 h4 h5 h6 tr td th table blockquote pre section article header footer figure figcaption dd dt hr'.split(
    ' ',
  ),
);
const SKIP_TAGS = new Set(['script', 'style', 'noscript', 'template']);

/**
 * Collapses runs of whitespace to one space and trims. Control characters count as whitespace: a
 * feed's title, author or text never needs one, and one kept would reach a terminal that prints it
 * (`gleaner feeds`), where ESC and CSI start escape sequences (recolour, clear the screen, set the
 * window's title).
 */
export function collapseWhitespace(text: string): string {
  // Most values need at most a trim: test before allocating a new string.
  return NEEDS_COLLAPSE.test(text) ? text.replace(WHITESPACE_RUN, ' ').trim() : text.trim();
}

/** The most characters of a document's own text (a name, a label) that a message quotes. */
const MAX_QUOTED = 80;

/**
 * A document's own text (an element's name, a charset's label) as a message quotes it: control
 * characters as spaces (see collapseWhitespace), since messages are stored as a feed's last error
 * and printed by `gleaner feeds`, and at most MAX_QUOTED characters, since a hostile document's
 * names may be megabytes long.
 */
export function quotedText(text: string): string {
  const shown = collapseWhitespace(text.length > 4 * MAX_QUOTED ? text.slice(0, 4 * MAX_QUOTED) : text);
  if (shown.length <= MAX_QUOTED) return shown;
  // Not between the two halves of a surrogate pair.
  const end = /[\ud800-\udbff]/.test(shown.charAt(MAX_QUOTED - 1)) ? MAX_QUOTED - 1 : MAX_QUOTED;
  return `${shown.slice(0, end)}…`;
}

// Whitespace here is JavaScript's \s and the control characters: C0 (tab to carriage return are in
// \s), DEL and C1 (U+0085 is not in \s).
// Runs that are not already one plain space: the single spaces between words, most of a text's
// whitespace, are left where they are (replacing each with itself took 2.6 times as long).
const WHITESPACE_RUN =
  // eslint-disable-next-line no-control-regex -- control characters are what it matches
  / [\s\0-\x1f\x7f-\x9f]+|[\0-\x1f\x7f-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff][\s\0-\x1f\x7f-\x9f]*/g;
/**
 * Two whitespace characters in a row, or one that is not a plain space: `/\s\s|[^\S ]/` (with the
 * control characters) as one class, whitespace but the space, or two spaces, which tests a text in
 * ~30% less time.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it matches
const NEEDS_COLLAPSE = /[\0-\x1f\x7f-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]| {2}/;

/**
 * Text gathered in pieces (the text nodes of a document), whitespace collapsed as it comes: what
 * collapseWhitespace gives for the pieces joined. Each piece is collapsed alone, where most pieces
 * need no change, and a space that would follow a space is dropped. Collapsing the joined text ran the
 * replacement over all of it: about 12% of the sanitizer's time on the refresh benchmark's feeds.
 */
export class CollapsedText {
  private readonly pieces: string[] = [];
  // True at the start too: leading whitespace is trimmed.
  private endsInSpace = true;

  push(piece: string): void {
    let value = isBlank(piece)
      ? ' '
      : NEEDS_COLLAPSE.test(piece)
        ? piece.replace(WHITESPACE_RUN, ' ')
        : piece;
    if (this.endsInSpace && value.charCodeAt(0) === 0x20) value = value.slice(1);
    if (value === '') return;
    this.pieces.push(value);
    this.endsInSpace = value.charCodeAt(value.length - 1) === 0x20;
  }

  toString(): string {
    const text = this.pieces.join('');
    return this.endsInSpace ? text.slice(0, -1) : text;
  }
}

/** Whether `text` is ASCII whitespace only, and not empty: the indentation between tags. */
function isBlank(text: string): boolean {
  if (text === '') return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && (c < 0x09 || c > 0x0d)) return false;
  }
  return true;
}

/** Decodes HTML/XML character references (named, decimal, hex) in plain text. */
export function decodeEntities(text: string): string {
  return text.includes('&') ? decodeHTML(text) : text;
}

/**
 * The visible text of an HTML fragment, whitespace collapsed. Block boundaries become spaces.
 * Texts are decoded as they come (the tokenizer's own decoding, character by character, and its
 * stock scanning took this to 63 MB/s against 119 on sanitized bodies).
 */
export function htmlToText(html: string): string {
  if (!html.includes('<')) return collapseWhitespace(decodeEntities(html));
  // Within the nesting limit, as the sanitizer parses: a title of 200,000 nested <b> (600 KB) took 2.2 s.
  return parseWithinNesting(html, parsedText);
}

function parsedText(parse: ParseHtml): string {
  const out = new CollapsedText();
  let skipping = 0;
  let depth = 0;
  parse(
    {
      onopentag(name) {
        if (++depth > NESTING_LIMIT) throw TOO_DEEP;
        if (SKIP_TAGS.has(name)) skipping++;
        else if (BLOCK_TAGS.has(name)) out.push(' ');
      },
      onclosetag(name) {
        depth--;
        if (SKIP_TAGS.has(name)) skipping = Math.max(0, skipping - 1);
        else if (BLOCK_TAGS.has(name)) out.push(' ');
      },
      ontext(text) {
        if (skipping === 0) out.push(decodeEntities(text));
      },
    },
    { decodeEntities: false, Tokenizer: IndexOfTokenizer },
  );
  return out.toString();
}
