// Full-text search over entries, for English and Chinese alike, on SQLite FTS5.
//
// How: FTS5's `porter unicode61` tokenizer reads the words of space-separated scripts; Chinese,
// Japanese and Korean have no spaces, so indexText() stores every CJK run as its overlapping character
// bigrams and toMatchQuery() writes a query the same way (a 2-character word is one bigram, a longer
// one a phrase of bigrams, 1 character a bigram prefix). No dependency; the index holds bigrams and
// stems, so FTS5's highlight()/snippet() cannot show text: highlight() and snippet() here do.
//
// Measured (bench/search-cjk.ts): 77 Chinese tech-news items written for it plus the 1,917 entries
// of the feed corpus, 44 Chinese queries judged by reading (14 of them with an item planted to hold
// their characters across a word boundary, 国内存量 for 内存), 25 English queries judged by every
// form of the word; then 100,000 synthetic items (64 MB, half Chinese), query = first 50 by bm25.
//                          zh P / R / F1     en P / R / F1    index   build   query p50 / max
//   trigram, scan if <3    89 / 100 / 94     75 / 95 / 84    210 MB   16 s    11 / 149 ms
//   jieba words            96 /  97 / 96     96 / 99 / 97     42 MB  6.4 s     9 /  29 ms
//   single characters      89 / 100 / 94     96 / 99 / 97     52 MB  3.4 s    12 /  28 ms
//   bigrams (this)         89 / 100 / 94     96 / 99 / 97     64 MB  5.7 s    11 /  28 ms
// Trigram alone finds no term under 3 characters (zh F1 47); unicode61 alone, zh F1 5; bigrams
// without porter, en recall 78%. Bigrams over jieba: jieba wins only the planted boundary cases,
// yet misses words its dictionary cuts another way (人民银行 in 中国人民银行, 人民共和国) where a reader
// cannot see why, and costs a native package, 46 MB and 0.18 s per process. Over trigram: a third of
// the size, English by word and stem (trigram finds "start" for art), and 1-2 character terms from
// the index (trigram must read every entry: 149 ms at 100k for an absent term). The known limit,
// shared with trigram: a bigram also matches across a word boundary (京东 finds 北京东城区).
//
// What the store uses: createFtsTableSql() (FTS_TOKENIZE) for the table, indexText() for what goes
// into its columns, toMatchQuery() for what goes after MATCH, highlight() and htmlSnippet() (the
// text of a stored body's HTML) for the reader.
import { sanitizedHtmlText } from '../content/index.js';
import { parseQuery, type QueryTerm } from './query.js';
import { highlightTerms, snippetTerms } from './highlight.js';
import { cjkTokens, segments } from './text.js';

export { indexText } from './text.js';
export { matchRanges } from './highlight.js';
export { parseQuery, MAX_QUERY_LENGTH, MAX_QUERY_TERMS } from './query.js';
export type { ParsedQuery, QueryTerm } from './query.js';

/**
 * Changes whenever indexText() or the tokenizer would store something else: an index built under
 * another version must be rebuilt (drop, create, fill again from the entries).
 */
export const INDEX_VERSION = 1;

/** The tokenize= clause of the FTS5 table: unicode61 words, porter stems, CJK bigrams from indexText(). */
export const FTS_TOKENIZE = "tokenize = 'porter unicode61 remove_diacritics 2'";

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * CREATE VIRTUAL TABLE for an index of `columns`, contentless (the text lives in the entries table;
 * the index holds indexText() of it) with deletes allowed, its rowid the entry's id.
 */
export function createFtsTableSql(table: string, columns: readonly string[]): string {
  for (const name of [table, ...columns]) {
    if (!IDENTIFIER.test(name)) throw new Error(`not a plain SQL identifier: ${JSON.stringify(name)}`);
  }
  if (columns.length === 0) throw new Error('an FTS table needs at least one column');
  return (
    `CREATE VIRTUAL TABLE IF NOT EXISTS ${table} USING fts5(${columns.join(', ')}, ` +
    `content='', contentless_delete=1, ${FTS_TOKENIZE})`
  );
}

/** The token an entry's feed is indexed as, in the entries' index's `feed` column. */
export function feedToken(feedId: number): string {
  return `f${feedId}`;
}

/**
 * The MATCH expression for the entries' index: what the user typed, in titles and bodies only,
 * and, given feeds, only in entries of one of them.
 */
export function entryMatch(match: string, feedIds: readonly number[] | null): string {
  const text = `{title body} : (${match})`;
  if (feedIds === null) return text;
  return `${text} AND feed : (${feedIds.map(feedToken).join(' OR ')})`;
}

/** The MATCH expression for a word (or CJK bigram) in the titles and bodies of the entries' index. */
export function termMatch(term: string): string {
  return `{title body} : "${term.replaceAll('"', '""')}"`;
}

export interface MatchQuery {
  /** The FTS5 MATCH expression; null when the input holds nothing to search for (show no results). */
  match: string | null;
  /** The terms a result matched (all but the excluded ones), for highlight() and snippet(). */
  terms: QueryTerm[];
}

/**
 * One term as an FTS5 string: its words and the bigrams of its CJK runs, in quotes, so that nothing
 * in it is read as FTS5 syntax; several tokens make a phrase. Null when it holds nothing searchable.
 */
function termToFts(term: QueryTerm): string | null {
  const segs = segments(term.text);
  if (segs.length === 0) return null;
  const tokens: string[] = [];
  let prefix = false;
  segs.forEach((seg, i) => {
    const last = i === segs.length - 1;
    if (seg.kind === 'word') {
      tokens.push(seg.text);
      // A one-letter prefix would expand to a large part of the vocabulary: taken as a word.
      if (last && term.prefix && Array.from(seg.text).length >= 2) prefix = true;
      return;
    }
    // A CJK run matches as a substring already; one character alone matches as a prefix (of a bigram).
    const chars = Array.from(seg.text);
    if (chars.length === 1) {
      tokens.push(seg.text);
      if (last) prefix = true;
    } else {
      tokens.push(...cjkTokens(seg.text, !last));
    }
  });
  return `"${tokens.join(' ')}"${prefix ? '*' : ''}`;
}

/**
 * Translates what a person typed into a safe FTS5 MATCH expression: bare words all required,
 * "quoted phrases", word* prefixes, -word exclusions, OR between two terms (OR binds tighter than
 * the implicit AND: `a b OR c` is a AND (b OR c)). Chinese, Japanese and Korean need no spaces:
 * 数据 or 人工智能 match wherever those characters stand in a row. FTS5 syntax in the input (quotes
 * left open, NEAR(, ^, column:, parentheses, NUL) is read as text, never as syntax. `match` is null
 * when nothing searchable is left, or when the query only excludes.
 */
export function toMatchQuery(userQuery: string): MatchQuery {
  const parsed = parseQuery(userQuery);
  const included: string[] = [];
  const terms: QueryTerm[] = [];
  for (const group of parsed.groups) {
    const parts: string[] = [];
    for (const term of group) {
      const fts = termToFts(term);
      if (fts === null) continue;
      parts.push(fts);
      terms.push(term);
    }
    if (parts.length === 1) included.push(parts[0] as string);
    else if (parts.length > 1) included.push(`(${parts.join(' OR ')})`);
  }
  if (included.length === 0) return { match: null, terms: [] };
  const excluded = parsed.excluded.map(termToFts).filter((t): t is string => t !== null);
  const positive = included.length === 1 ? (included[0] as string) : `(${included.join(' AND ')})`;
  const match = excluded.length === 0 ? positive : `${positive} NOT (${excluded.join(' OR ')})`;
  return { match, terms };
}

function termsOf(query: MatchQuery | string): QueryTerm[] {
  return typeof query === 'string' ? toMatchQuery(query).terms : query.terms;
}

/** `text` as HTML (escaped), with what the query matched wrapped in <mark>: for titles. */
export function highlight(text: string, query: MatchQuery | string): string {
  return highlightTerms(text, termsOf(query));
}

/**
 * About `maxChars` characters of `text` around its best match, as HTML (escaped) with the matches
 * in <mark> and "…" where it was cut: for the excerpt under a result's title.
 */
export function snippet(text: string, query: MatchQuery | string, maxChars = 200): string {
  return snippetTerms(text, termsOf(query), maxChars);
}

/**
 * How much of a stored body's HTML htmlSnippet() reads: text for the first SNIPPET_SCAN_CHARS
 * characters that snippet() looks in, and more (sanitized bodies are ~2/3 text); a tag it cuts
 * in two ends the text there.
 */
const SNIPPET_HTML_CHARS = 64 * 1024;

/**
 * snippet() of a stored body's text, read from its sanitized HTML (the text is not kept apart:
 * ~0.8 ms for a page of 50 results, against a third of the database to keep it).
 */
export function htmlSnippet(html: string, query: MatchQuery | string, maxChars = 200): string {
  const head = html.length > SNIPPET_HTML_CHARS ? html.slice(0, SNIPPET_HTML_CHARS) : html;
  return snippet(sanitizedHtmlText(head, { collapse: false }), query, maxChars);
}
