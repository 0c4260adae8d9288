// Highlighting in JavaScript, on the original text: the index holds bigrams and stems, not the text,
// so FTS5's highlight() and snippet() cannot show it. A term is marked where the index would have
// matched it: words by their porter stem (a prefix of one for word*), CJK characters as substrings.
import { escapeHtml } from '../content/escape.js';
import { segments, wordKey } from './text.js';
import type { QueryTerm } from './query.js';

interface Unit {
  kind: 'word' | 'cjk';
  key: string;
  start: number;
  end: number;
  /** For CJK characters: which run the character belongs to, and whether it opens or closes it. */
  run: number;
  first: boolean;
  last: boolean;
}

interface TermUnit {
  kind: 'word' | 'cjk';
  key: string;
  /** Matches any word whose key starts with `key`. */
  prefix: boolean;
  /** For CJK: the previous unit is a character of the same run, so the text's must be adjacent. */
  joined: boolean;
  /** For CJK: the text's character must open (close) its run, as the index's tokens require. */
  mustOpen: boolean;
  mustClose: boolean;
}

function textUnits(text: string): Unit[] {
  const units: Unit[] = [];
  let run = 0;
  for (const seg of segments(text)) {
    if (seg.kind === 'word') {
      units.push({
        kind: 'word',
        key: wordKey(seg.text),
        start: seg.start,
        end: seg.end,
        run: -1,
        first: true,
        last: true,
      });
      continue;
    }
    run++;
    let offset = seg.start;
    const chars = Array.from(seg.text);
    chars.forEach((c, i) => {
      units.push({
        kind: 'cjk',
        key: c.normalize('NFKC'),
        start: offset,
        end: offset + c.length,
        run,
        first: i === 0,
        last: i === chars.length - 1,
      });
      offset += c.length;
    });
  }
  return units;
}

function termUnits(term: QueryTerm): TermUnit[] {
  const segs = segments(term.text);
  const units: TermUnit[] = [];
  segs.forEach((seg, s) => {
    const lastSeg = s === segs.length - 1;
    if (seg.kind === 'word') {
      const prefix = lastSeg && term.prefix && Array.from(seg.text).length >= 2;
      units.push({
        kind: 'word',
        key: wordKey(seg.text),
        prefix,
        joined: false,
        mustOpen: false,
        mustClose: false,
      });
      return;
    }
    const chars = Array.from(seg.text);
    chars.forEach((c, i) => {
      units.push({
        kind: 'cjk',
        key: c,
        prefix: false,
        joined: i > 0,
        mustOpen: i === 0 && s > 0,
        mustClose: i === chars.length - 1 && !lastSeg,
      });
    });
  });
  return units;
}

function unitMatches(t: Unit, u: TermUnit, previous: Unit | undefined): boolean {
  if (t.kind !== u.kind) return false;
  if (u.kind === 'word') return u.prefix ? t.key.startsWith(u.key) : t.key === u.key;
  if (t.key !== u.key) return false;
  if (u.joined && (previous === undefined || previous.run !== t.run || previous.end !== t.start))
    return false;
  if (u.mustOpen && !t.first) return false;
  if (u.mustClose && !t.last) return false;
  return true;
}

/** [start, end) ranges of `text` that match any of `terms`, sorted and merged. */
export function matchRanges(text: string, terms: readonly QueryTerm[]): [number, number][] {
  const units = textUnits(text);
  const ranges: [number, number][] = [];
  for (const term of terms) {
    const pattern = termUnits(term);
    if (pattern.length === 0) continue;
    for (let p = 0; p + pattern.length <= units.length; p++) {
      let ok = true;
      for (let j = 0; j < pattern.length && ok; j++) {
        ok = unitMatches(units[p + j] as Unit, pattern[j] as TermUnit, j > 0 ? units[p + j - 1] : undefined);
      }
      if (ok) ranges.push([(units[p] as Unit).start, (units[p + pattern.length - 1] as Unit).end]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

/** text[from, to) as HTML, with the parts of `ranges` that fall inside it wrapped in <mark>. */
function markUp(text: string, ranges: readonly [number, number][], from: number, to: number): string {
  let html = '';
  let at = from;
  for (const [start, end] of ranges) {
    if (end <= from || start >= to) continue;
    const s = Math.max(start, from);
    const e = Math.min(end, to);
    html += escapeHtml(text.slice(at, s)) + '<mark>' + escapeHtml(text.slice(s, e)) + '</mark>';
    at = e;
  }
  return html + escapeHtml(text.slice(at, to));
}

/** The whole of `text` as HTML, every match wrapped in <mark> (for a title). */
export function highlightTerms(text: string, terms: readonly QueryTerm[]): string {
  return markUp(text, matchRanges(text, terms), 0, text.length);
}

/** Moves `i` off the second half of a surrogate pair. */
function safeIndex(text: string, i: number): number {
  const c = text.charCodeAt(i);
  return c >= 0xdc00 && c <= 0xdfff && i > 0 ? i - 1 : i;
}

/**
 * About `maxChars` of `text` around the place with the most distinct matched terms, as HTML with the
 * matches in <mark> and "…" where the text was cut; the start of the text when nothing matches.
 */
const SNIPPET_SCAN_CHARS = 20_000;

export function snippetTerms(text: string, terms: readonly QueryTerm[], maxChars = 200): string {
  if (text.length <= maxChars) return highlightTerms(text, terms);
  // The best window is looked for in the first pages of a long text: an excerpt from the start of
  // an article is as good, and a 100-KB body would cost a list of results its speed.
  const ranges = matchRanges(
    text.length > SNIPPET_SCAN_CHARS ? text.slice(0, SNIPPET_SCAN_CHARS) : text,
    terms,
  );
  let from = 0;
  if (ranges.length > 0) {
    // The window that starts at a match and holds the most (then the longest) matched text.
    let best = 0;
    let bestScore = -1;
    const span = Math.floor(maxChars * 0.75);
    for (let i = 0; i < ranges.length; i++) {
      const start = (ranges[i] as [number, number])[0];
      const inside = new Set<string>();
      let covered = 0;
      for (let j = i; j < ranges.length; j++) {
        const [s, e] = ranges[j] as [number, number];
        if (s >= start + span) break;
        inside.add(text.slice(s, e).toLowerCase());
        covered += e - s;
      }
      const score = inside.size * 10_000 + covered;
      if (score > bestScore) {
        bestScore = score;
        best = start;
      }
    }
    from = Math.max(0, best - Math.floor(maxChars * 0.25));
    // Start at a word boundary when one is near.
    if (from > 0) {
      const space = text.indexOf(' ', from);
      if (space !== -1 && space < best && space - from < 20) from = space + 1;
    }
  }
  from = safeIndex(text, from);
  for (const [s, e] of ranges) if (s < from && e > from) from = s;
  let to = Math.min(text.length, from + maxChars);
  if (to < text.length) {
    const space = text.lastIndexOf(' ', to);
    if (space > from + maxChars * 0.8) to = space;
    to = safeIndex(text, to);
  }
  // Never cut a mark in two.
  for (const [s, e] of ranges) if (s < to && e > to) to = e;
  return (from > 0 ? '…' : '') + markUp(text, ranges, from, to).trim() + (to < text.length ? '…' : '');
}
