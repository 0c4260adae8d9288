// The content stage: what an entry's HTML becomes before it is stored. Full-article extraction lives
// in ./extract.js, imported directly by the code that fetches articles (it loads a DOM and Readability).
import { htmlToText } from '../feed/parse/text.js';
import { sanitizeHtml } from './sanitize.js';

export { sanitizeHtml } from './sanitize.js';
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
  const safeHtml = sanitizeHtml(html, baseUrl);
  // Text comes from the sanitized HTML, so it never holds what the reader is not shown (scripts, styles).
  const text = htmlToText(safeHtml);
  return { html: safeHtml, text, readingMinutes: estimateReadingMinutes(text) };
}

// Adult silent reading: about 230 words a minute in English, about 500 characters a minute in
// Chinese and Japanese, whose text has no spaces to count words by.
const WORDS_PER_MINUTE = 230;
const CJK_CHARS_PER_MINUTE = 500;
const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu;
const WORD = /[\p{L}\p{M}\p{N}]+(?:['’.-][\p{L}\p{M}\p{N}]+)*/gu;

/** Minutes to read `text`: words for space-separated scripts, characters for CJK; at least 1 for any text. */
export function estimateReadingMinutes(text: string): number {
  if (text.trim() === '') return 0;
  const cjkChars = countMatches(CJK_CHAR, text);
  const words = countMatches(WORD, cjkChars === 0 ? text : text.replace(CJK_CHAR, ' '));
  return Math.max(1, Math.round(words / WORDS_PER_MINUTE + cjkChars / CJK_CHARS_PER_MINUTE));
}

function countMatches(pattern: RegExp, text: string): number {
  let count = 0;
  for (const _match of text.matchAll(pattern)) count++;
  return count;
}
