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
  hits: WikiHit[];
  /** Pages that matched, when fewer than `limit` were asked for more may exist: see `more`. */
  more: boolean;
}

/** Text past this point of a page is not indexed: a raw copy of a long article is still found by its start. */
const MAX_INDEXED_CHARS = 100_000;
/** Candidates checked against their text per query, best index score first. */
const MAX_VERIFIED = 2_000;

/** The index keys of a text: word keys and CJK characters, with how often each occurs. */
function keysOf(text: string, counts: Map<string, number>): void {
  for (const seg of segments(text.length > MAX_INDEXED_CHARS ? text.slice(0, MAX_INDEXED_CHARS) : text)) {
    if (seg.kind === 'word') {
      const key = wordKey(seg.text);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    } else {
      for (const c of seg.text) {
        const key = c.normalize('NFKC');
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
  }
}

export class WikiSearchIndex {
  private readonly postings = new Map<string, { pages: number[]; counts: number[] }>();
  private readonly titleKeys: Set<string>[] = [];

  constructor(private readonly pages: readonly WikiPage[]) {
    pages.forEach((page, i) => {
      const counts = new Map<string, number>();
      keysOf(page.title, counts);
      this.titleKeys.push(new Set(counts.keys()));
      keysOf(page.text, counts);
      for (const [key, n] of counts) {
        let list = this.postings.get(key);
        if (!list) {
          list = { pages: [], counts: [] };
          this.postings.set(key, list);
        }
        list.pages.push(i);
        list.counts.push(n);
      }
    });
  }

  private readonly keyCache = new Map<QueryTerm, string[][]>();

  /** The index keys one term needs, each a list of alternatives (a prefix expands to many keys). */
  private termKeys(term: QueryTerm): string[][] {
    const cached = this.keyCache.get(term);
    if (cached) return cached;
    if (this.keyCache.size > 100) this.keyCache.clear();
    const out: string[][] = [];
    const segs = segments(term.text);
    segs.forEach((seg, s) => {
      if (seg.kind === 'cjk') {
        for (const c of seg.text) out.push([c.normalize('NFKC')]);
        return;
      }
      const key = wordKey(seg.text);
      const prefix = s === segs.length - 1 && term.prefix && Array.from(seg.text).length >= 2;
      if (!prefix) out.push([key]);
      else out.push([...this.postings.keys()].filter((k) => k.startsWith(key)).slice(0, 500));
    });
    this.keyCache.set(term, out);
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
      const density = n / Math.sqrt(50 + Math.min(page.text.length, MAX_INDEXED_CHARS) / 6);
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
      if (hits.length > limit || verified >= MAX_VERIFIED) break;
      if (excludedPages.has(p)) continue;
      const page = this.pages[p] as WikiPage;
      const text = page.text.length > MAX_INDEXED_CHARS ? page.text.slice(0, MAX_INDEXED_CHARS) : page.text;
      const matches = (terms: QueryTerm[]): boolean =>
        matchRanges(page.title, terms).length > 0 || matchRanges(text, terms).length > 0;
      if (verify || excludedInText.length > 0) {
        verified++;
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
    const more = hits.length > limit;
    return { hits: hits.slice(0, limit), more };
  }
}
