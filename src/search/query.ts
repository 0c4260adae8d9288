// What a person types into the search box, read into terms. The syntax is the usual one: bare words
// (all must match), "quoted phrases", a trailing * for a prefix, -word to exclude, OR between two
// terms. Nothing of FTS5's own syntax survives: every term is later written as a quoted string.

/** The longest input read, in UTF-16 units; the rest is ignored. */
export const MAX_QUERY_LENGTH = 512;
/** The most terms (included and excluded) read from one query. */
export const MAX_QUERY_TERMS = 16;
/** The longest term, in characters; longer ones are cut. */
export const MAX_TERM_CHARS = 64;

export interface QueryTerm {
  /** The term's text, NFKC-normalized; quotes, the leading - and the trailing * removed. */
  text: string;
  /** Typed in quotes. */
  phrase: boolean;
  /** Typed with a trailing *. */
  prefix: boolean;
}

export interface ParsedQuery {
  /** Every group must match; a group matches when any of its terms does (terms joined by OR). */
  groups: QueryTerm[][];
  /** No result may match any of these. */
  excluded: QueryTerm[];
}

const QUOTES: Record<string, string> = {
  '"': '"',
  '\u201c': '\u201d',
  '\u300c': '\u300d',
  '\u300e': '\u300f',
};
// Control characters (NUL included) and unpaired surrogates: read as spaces.
const UNSAFE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const SPACE = /\s/u;

function clean(input: string): string {
  let text = input.length > MAX_QUERY_LENGTH * 2 ? input.slice(0, MAX_QUERY_LENGTH * 2) : input;
  text = text.replace(UNSAFE, ' ').normalize('NFKC');
  if (text.length > MAX_QUERY_LENGTH) {
    text = text.slice(0, MAX_QUERY_LENGTH);
    if (/[\ud800-\udbff]$/.test(text)) text = text.slice(0, -1);
  }
  return text;
}

function cutTerm(text: string): string {
  const chars = Array.from(text);
  return chars.length > MAX_TERM_CHARS ? chars.slice(0, MAX_TERM_CHARS).join('') : text;
}

type Item = { term: QueryTerm; negated: boolean } | 'OR';

function readItems(text: string): Item[] {
  const items: Item[] = [];
  let i = 0;
  const n = text.length;
  while (i < n && items.length < MAX_QUERY_TERMS * 2) {
    while (i < n && SPACE.test(text[i] ?? '')) i++;
    if (i >= n) break;
    let negated = false;
    if ((text[i] === '-' || text[i] === '+') && i + 1 < n && !SPACE.test(text[i + 1] ?? '')) {
      negated = text[i] === '-';
      i++;
    }
    const close = QUOTES[text[i] ?? ''];
    if (close !== undefined) {
      const end = text.indexOf(close, i + 1);
      const body = text.slice(i + 1, end === -1 ? n : end);
      i = end === -1 ? n : end + 1;
      let prefix = false;
      while (text[i] === '*') {
        prefix = true;
        i++;
      }
      items.push({ term: { text: cutTerm(body.trim()), phrase: true, prefix }, negated });
      continue;
    }
    let end = i;
    while (end < n && !SPACE.test(text[end] ?? '') && QUOTES[text[end] ?? ''] === undefined) end++;
    // A quote that opens in the middle of a word ends the word; the quote is read next.
    if (end === i) end = i + 1;
    let word = text.slice(i, end);
    i = end;
    if (word === 'OR' && !negated) {
      items.push('OR');
      continue;
    }
    const prefix = word.endsWith('*');
    word = word.replace(/\*+$/, '');
    items.push({ term: { text: cutTerm(word), phrase: false, prefix }, negated });
  }
  return items;
}

/** Reads a query; terms with nothing searchable in them are kept here and dropped when written. */
export function parseQuery(input: string): ParsedQuery {
  const items = readItems(clean(input));
  const groups: QueryTerm[][] = [];
  const excluded: QueryTerm[] = [];
  let count = 0;
  let joinNext = false;
  let lastWasPositive = false;
  for (const item of items) {
    if (item === 'OR') {
      joinNext = lastWasPositive;
      continue;
    }
    if (count >= MAX_QUERY_TERMS) break;
    count++;
    if (item.negated) {
      excluded.push(item.term);
      lastWasPositive = false;
      joinNext = false;
      continue;
    }
    const previous = groups[groups.length - 1];
    if (joinNext && previous) previous.push(item.term);
    else groups.push([item.term]);
    lastWasPositive = true;
    joinNext = false;
  }
  return { groups, excluded };
}
