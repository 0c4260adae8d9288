// What every parser peer provides, and the helpers its adapter uses to map the library's output to
// the corpus's normalized shape (rules in ../shared/corpus/README.md).
import { decodeDocument } from '../../src/feed/decode/index.js';
import type { CorpusItem, CorpusResult } from '../../src/feed/parse/conformance.js';
import { htmlToText } from '../../src/feed/parse/text.js';
import type { Peer } from '../lib.js';

/** A feed parser in the parse benchmark. */
export interface ParserPeer extends Peer<Uint8Array, number> {
  /** Parses a document fully as a reader would (bytes in), returning how many items it read. Timed. */
  run: (bytes: Uint8Array) => number | Promise<number>;
  /** Parses a document into the corpus's normalized shape. Scored, not timed. */
  toCorpus: (bytes: Uint8Array, baseUrl: string) => CorpusResult | Promise<CorpusResult>;
}

/**
 * Bytes to text for the peers that take strings. They get Gleaner's own charset stage (BOM, XML
 * declaration, UTF-8 validity, detection), so agreement compares parsing alone; its cost is in their time.
 */
export function decode(bytes: Uint8Array): string {
  return decodeDocument(bytes).text;
}

/** The root element's name, lower-cased, without prefix ('rss', 'feed', 'rdf'), or '{' for JSON. */
export function rootName(text: string): string | null {
  const match = /^(?:\s|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<![^>]*>)*(?:\{|<(?:[\w.-]+:)?([\w.-]+))/.exec(text);
  if (!match) return null;
  return match[1]?.toLowerCase() ?? '{';
}

/** Plain text from a text or HTML field: entities decoded, tags stripped, whitespace collapsed. */
export function plainText(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  return htmlToText(value) || null;
}

/** An absolute URL: relative ones resolved against `base`; absolute ones kept as given. */
export function absoluteUrl(value: unknown, base: string | null | undefined): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const url = value.trim();
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return url;
  try {
    return new URL(url, base ?? undefined).href;
  } catch {
    return url;
  }
}

/** ISO 8601 UTC, seconds precision; null when absent or unparseable. */
export function isoSeconds(value: string | Date | null | undefined): string | null {
  if (value == null || value === '') return null;
  const date = value instanceof Date ? value : new Date(value.trim());
  return Number.isNaN(date.getTime()) ? null : date.toISOString().slice(0, 19) + 'Z';
}

/** The first value that is a non-empty string. */
export function first(...values: unknown[]): string | null {
  for (const v of values) if (typeof v === 'string' && v.trim() !== '') return v;
  return null;
}

/** The non-empty terms, trimmed, in order (repeats kept, as feeds give them). */
export function terms(values: unknown[]): string[] {
  return values.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim());
}

/** A corpus item with the informative fields derived from the HTML the peer gave. */
export function corpusItem(
  item: Omit<CorpusItem, 'summary_text' | 'content_text_len' | 'updated'> & {
    updated?: string | null;
    summaryHtml?: string | null;
    contentHtml?: string | null;
  },
): CorpusItem {
  const { summaryHtml, contentHtml, ...rest } = item;
  const summary = summaryHtml ?? contentHtml;
  const content = contentHtml ?? summaryHtml;
  return {
    ...rest,
    updated: item.updated ?? item.published,
    summary_text: summary ? htmlToText(summary).slice(0, 200) : '',
    content_text_len: content ? htmlToText(content).length : 0,
  };
}
