// The content stage: what an entry's HTML becomes before it is stored. Full-article extraction lives
// in ./extract.js, imported directly by the code that fetches articles (it loads a DOM and Readability).
import { sanitizeWithText } from './sanitize.js';

export { sanitizedHtmlText, sanitizeHtml } from './sanitize.js';
export { absolutizeUrl, stripTrackingParams } from './urls.js';

/** An entry's content, ready to store, show and index. */
export interface PreparedContent {
  /** Sanitized HTML: the only form of the content that is ever shown. */
  html: string;
  /** The visible text of `html`, whitespace collapsed: for search, excerpts and the knowledge layer. */
  text: string;
  /** Estimated reading time; 0 only when there is no text. */
  readingMinutes: number;
}

/** Sanitizes feed HTML (URLs resolved against `baseUrl`) and derives its text and reading time. */
export function prepareContent(html: string, baseUrl: string | null): PreparedContent {
  // Text comes from the sanitized HTML, so it never holds what the reader is not shown (scripts, styles).
  const { html: safeHtml, text } = sanitizeWithText(html, baseUrl);
  return { html: safeHtml, text, readingMinutes: estimateReadingMinutes(text) };
}

// Adult silent reading: about 230 words a minute in English, about 500 characters a minute in
// Chinese and Japanese, whose text has no spaces to count words by.
const WORDS_PER_MINUTE = 230;
const CJK_CHARS_PER_MINUTE = 500;

/** Hiragana, Katakana, CJK ideographs and Hangul: read character by character. */
function isCjk(c: number): boolean {
  return (
    (c >= 0x3040 && c <= 0x30ff) ||
    (c >= 0x3400 && c <= 0x4dbf) ||
    (c >= 0x4e00 && c <= 0x9fff) ||
    (c >= 0xac00 && c <= 0xd7af) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0x1100 && c <= 0x11ff) ||
    (c >= 0x3130 && c <= 0x318f) ||
    (c >= 0xd840 && c <= 0xd87f) // high surrogates of the rarer ideographs (planes 2 and 3)
  );
}

/** Letters and digits of any script (approximated: not space, not ASCII or general punctuation). */
function isWordChar(c: number): boolean {
  if (c < 0x80) {
    // Apostrophes, hyphens and dots join the parts of a word ("don't", "e-mail", "3.5").
    return (
      (c >= 0x30 && c <= 0x39) ||
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x61 && c <= 0x7a) ||
      c === 0x27 ||
      c === 0x2d ||
      c === 0x2e
    );
  }
  if (c === 0x2019) return true;
  return !(
    c <= 0xbf ||
    (c >= 0x2000 && c <= 0x206f) ||
    (c >= 0x3000 && c <= 0x303f) ||
    (c >= 0xff00 && c <= 0xff0f) ||
    c === 0xfeff
  );
}

const MAY_HOLD_CJK =
  /[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\ud840-\ud87f\uf900-\ufaff]/;

function estimateFromSpaces(text: string): number {
  const trimmed = text.trim();
  if (trimmed === '') return 0;
  if (!/[^\s\p{P}\p{S}]/u.test(trimmed)) return 1; // punctuation only
  let words = 1;
  for (let i = trimmed.indexOf(' '); i >= 0; i = trimmed.indexOf(' ', i + 1)) words++;
  return Math.max(1, Math.round(words / WORDS_PER_MINUTE));
}

/**
 * Minutes to read `text`: words for space-separated scripts, characters for CJK; at least 1 for
 * any text. One pass over the characters (regular expressions over Unicode classes cost ten times more).
 */
export function estimateReadingMinutes(text: string): number {
  // Most text has no CJK: then words are what lies between spaces (after collapsing), counted fast.
  if (!MAY_HOLD_CJK.test(text)) return estimateFromSpaces(text);
  let words = 0;
  let cjkChars = 0;
  let inWord = false;
  let any = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isCjk(c)) {
      cjkChars++;
      inWord = false;
      any = true;
    } else if (isWordChar(c)) {
      if (!inWord) words++;
      inWord = true;
      any = true;
    } else {
      inWord = false;
      if (c > 0x20 && c !== 0xa0) any = true;
    }
  }
  if (!any) return 0;
  return Math.max(1, Math.round(words / WORDS_PER_MINUTE + cjkChars / CJK_CHARS_PER_MINUTE));
}
