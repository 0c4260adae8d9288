// STUB: the parser's single entry point; being written.
import type { ParsedFeed } from '../../model/index.js';
export interface ParseOptions {
  /** The document's URL: the base for relative links. */
  url?: string;
  /** The HTTP Content-Type header, when the document was fetched (its charset wins). */
  contentType?: string | null;
}
export function parseFeed(_bytes: Uint8Array, _options: ParseOptions = {}): ParsedFeed {
  return { format: null, title: null, link: null, description: null, language: null, selfUrl: null, hubUrl: null, iconUrl: null, ttlMinutes: null, items: [], warnings: [] };
}
