// Search within the wiki, in memory: the same query syntax, word stems and CJK handling as the
// reader's entry search (src/search), over the pages' titles and text.
//
// How: an inverted index from word keys (folded and stemmed, as src/search/text.ts keys them) and
// single CJK characters to the pages holding them narrows a query to candidates; src/search's
// matchRanges() then decides, on the text itself, whether each candidate really matches (phrases,
// Chinese words as runs of characters) and where, for ranking and the highlighted snippet.
import { matchRanges, parseQuery, type QueryTerm } from '../../search/index.js';
import { highlightTerms, snippetTerms } from '../../search/highlight.js';
import { segments, wordKey } from '../../search/text.js';
import type { WikiPage } from './page.js';

export interface WikiHit {
  page: WikiPage;
  /** The title as HTML, matches in <mark>. */
  titleHtml: string;
  /** A snippet of the text as HTML, matches in <mark>. */
  snippetHtml: string;
}

export interface WikiSearchResult {
  /** The best matches, at most `limit`. */
  hits: WikiHit[];
  /** More pages match (or may: the check of phrases and Chinese words stopped at its budget). */
  more: boolean;
}

/** Text past this point of a page is not indexed: a raw copy of a long article is still found by its start. */
const MAX_INDEXED_CHARS = 100_000;
/**
 * Raw copies are whole articles (most of a wiki's text) that the reader's own search already
 * covers, and their source pages distill them: their beginning is enough to find them by.
 */
const MAX_RAW_INDEXED_CHARS = 5_000;
/** Text checked for phrases and Chinese words per query, best index score first: a bound on its cost. */
const MAX_VERIFIED_CHARS = 4_000_000;

/** The part of a page's text that is indexed and searched. */
function indexedText(page: WikiPage): string {
  const max = page.kind === 'raw' ? MAX_RAW_INDEXED_CHARS : MAX_INDEXED_CHARS;
  return page.text.length > max ? page.text.slice(0, max) : page.text;
}

// Most text is plain ASCII: its words are found without the Unicode-aware segmenter.
// eslint-disable-next-line no-control-regex
const ASCII = /^[\u0000-\u007f]*$/;
const ASCII_WORD = /[A-Za-z0-9]+/g;

/**
 * The index keys of a text, with how often each occurs: word keys (folded and stemmed), and for
 * runs of CJK characters each character and each pair of neighbours (a query of two or more
 * characters looks up its pairs, which few pages hold; one character alone looks up itself).
 */
function keysOf(text: string, counts: Map<string, number>): void {
  const add = (key: string): void => void counts.set(key, (counts.get(key) ?? 0) + 1);
  if (ASCII.test(text)) {
    for (const m of text.matchAll(ASCII_WORD)) add(wordKey(m[0]));
    return;
  }
  for (const seg of segments(text)) {
    if (seg.kind === 'word') {
      add(wordKey(seg.text));
      continue;
    }
    let previous = '';
    for (const c of seg.text) {
      const key = c.normalize('NFKC');
      add(key);
      if (previous) add(previous + key);
      previous = key;
    }
  }
}

/** A page's index keys and their counts, kept while the page is unchanged (the snapshot reuses it). */
interface PageKeys {
  title: Set<string>;
  keys: string[];
  counts: number[];
}
const keyCache = new WeakMap<WikiPage, PageKeys>();

function pageKeys(page: WikiPage): PageKeys {
  let cached = keyCache.get(page);
  if (!cached) {
    const counts = new Map<string, number>();
    keysOf(page.title, counts);
    const title = new Set(counts.keys());
    keysOf(indexedText(page), counts);
    cached = { title, keys: [...counts.keys()], counts: [...counts.values()] };
    keyCache.set(page, cached);
  }
  return cached;
}

export class WikiSearchIndex {
  private readonly postings = new Map<string, { pages: number[]; counts: number[] }>();
  private readonly titleKeys: Set<string>[] = [];

  private constructor(private readonly pages: readonly WikiPage[]) {}

  /**
   * The index of `pages`. Reading a large wiki's text takes seconds the first time (pages unchanged
   * since an earlier index are not read again), so the work yields to other requests every few pages.
   */
  static async build(pages: readonly WikiPage[]): Promise<WikiSearchIndex> {
    const index = new WikiSearchIndex(pages);
    for (const [i, page] of pages.entries()) {
      if (i % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
      const { title, keys, counts } = pageKeys(page);
      index.titleKeys.push(title);
      keys.forEach((key, k) => {
        let list = index.postings.get(key);
        if (!list) {
          list = { pages: [], counts: [] };
          index.postings.set(key, list);
        }
        list.pages.push(i);
        list.counts.push(counts[k] ?? 0);
      });
    }
    return index;
  }

  private readonly termKeyCache = new Map<QueryTerm, string[][]>();

  /** The index keys one term needs, each a list of alternatives (a prefix expands to many keys). */
  private termKeys(term: QueryTerm): string[][] {
    const cached = this.termKeyCache.get(term);
    if (cached) return cached;
    if (this.termKeyCache.size > 100) this.termKeyCache.clear();
    const out: string[][] = [];
    const segs = segments(term.text);
    segs.forEach((seg, s) => {
      if (seg.kind === 'cjk') {
        const chars = Array.from(seg.text.normalize('NFKC'));
        if (chars.length === 1) out.push([chars[0] as string]);
        for (let i = 0; i + 1 < chars.length; i++) out.push([`${chars[i] ?? ''}${chars[i + 1] ?? ''}`]);
        return;
      }
      const key = wordKey(seg.text);
      const prefix = s === segs.length - 1 && term.prefix && Array.from(seg.text).length >= 2;
      if (!prefix) out.push([key]);
      else out.push([...this.postings.keys()].filter((k) => k.startsWith(key)).slice(0, 500));
    });
    this.termKeyCache.set(term, out);
    return out;
  }

  /** Page → summed occurrences of the term's keys, for pages holding all of them. */
  private termCandidates(term: QueryTerm): Map<number, number> | null {
    const needed = this.termKeys(term);
    if (needed.length === 0) return null;
    let result: Map<number, number> | null = null;
    for (const alternatives of needed) {
      const found = new Map<number, number>();
      for (const key of alternatives) {
        const list = this.postings.get(key);
        if (!list) continue;
        list.pages.forEach((p, i) => found.set(p, (found.get(p) ?? 0) + (list.counts[i] ?? 0)));
      }
      if (result === null) result = found;
      else {
        const next = new Map<number, number>();
        for (const [p, n] of found) {
          const had = result.get(p);
          if (had !== undefined) next.set(p, had + n);
        }
        result = next;
      }
      if (result.size === 0) break;
    }
    return result;
  }

  /**
   * Pages matching `query` (bare words all required, "phrases", word*, -word, OR), pages whose
   * title matches first, then by how often the terms occur relative to the page's length.
   */
  search(query: string, limit: number): WikiSearchResult {
    const parsed = parseQuery(query);
    let candidates: Map<number, number> | null = null;
    const groups: QueryTerm[][] = [];
    for (const group of parsed.groups) {
      const union = new Map<number, number>();
      const searchable: QueryTerm[] = [];
      for (const term of group) {
        const found = this.termCandidates(term);
        if (found === null) continue;
        searchable.push(term);
        for (const [p, n] of found) union.set(p, (union.get(p) ?? 0) + n);
      }
      if (searchable.length === 0) continue;
      groups.push(searchable);
      if (candidates === null) candidates = union;
      else {
        const next = new Map<number, number>();
        for (const [p, n] of union) {
          const had = candidates.get(p);
          if (had !== undefined) next.set(p, had + n);
        }
        candidates = next;
      }
    }
    if (candidates === null || candidates.size === 0) return { hits: [], more: false };
    const excluded = parsed.excluded.filter((term) => segments(term.text).length > 0);

    const titleScore = (p: number): number => {
      const page = this.pages[p] as WikiPage;
      const keys = this.titleKeys[p] as Set<string>;
      let n = 0;
      for (const group of groups) {
        if (group.some((term) => this.termKeys(term).every((alts) => alts.some((k) => keys.has(k))))) {
          if (matchRanges(page.title, group).length > 0) n++;
        }
      }
      return n;
    };
    const ranked = [...candidates].map(([p, n]) => {
      const page = this.pages[p] as WikiPage;
      const density = n / Math.sqrt(50 + indexedText(page).length / 6);
      return { p, score: titleScore(p) * 1000 + density };
    });
    ranked.sort((a, b) => b.score - a.score || a.p - b.p);

    // A term of one key (a word, word*, one CJK character) matches exactly where the index says;
    // phrases and Chinese words must be found in the text, in order.
    const exact = (term: QueryTerm): boolean => this.termKeys(term).length === 1;
    const verify = groups.some((group) => !group.every(exact));
    const excludedPages = new Set<number>();
    const excludedInText: QueryTerm[] = [];
    for (const term of excluded) {
      if (exact(term)) for (const p of this.termCandidates(term)?.keys() ?? []) excludedPages.add(p);
      else excludedInText.push(term);
    }

    const hits: WikiHit[] = [];
    let verified = 0;
    for (const { p } of ranked) {
      if (hits.length > limit || verified >= MAX_VERIFIED_CHARS) break;
      if (excludedPages.has(p)) continue;
      const page = this.pages[p] as WikiPage;
      const text = indexedText(page);
      const matches = (terms: QueryTerm[]): boolean =>
        matchRanges(page.title, terms).length > 0 || matchRanges(text, terms).length > 0;
      if (verify || excludedInText.length > 0) {
        verified += text.length;
        if (verify && !groups.every(matches)) continue;
        if (excludedInText.some((term) => matches([term]))) continue;
      }
      const terms = groups.flat();
      hits.push({
        page,
        titleHtml: highlightTerms(page.title, terms),
        snippetHtml: snippetTerms(text, terms, 220),
      });
    }
    // Past the checking budget, more pages may match than were found.
    const more = hits.length > limit || verified >= MAX_VERIFIED_CHARS;
    return { hits: hits.slice(0, limit), more };
  }
}
