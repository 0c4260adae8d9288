// Highlighting in JavaScript, on the original text: the index holds bigrams and stems, not the text,
// so FTS5's highlight() and snippet() cannot show it. A term is marked where the index would have
// matched it: words by their porter stem (a prefix of one for word*), CJK characters as substrings.
import { escapeHtml } from '../content/escape.js';
import { isPlainText, segmentPattern, segments, wordKey } from './text.js';
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

/** Every word that cannot match: see textUnits(). */
const SKIPPED: Unit = { kind: 'word', key: '', start: 0, end: 0, run: -1, first: true, last: true };

/**
 * The words and CJK characters of `text`. A word that starts with an ASCII character none of the
 * terms' words start with is SKIPPED (folding and stemming keep a word's first character, so it
 * could not match): most of a long text's words are, and cost no key and no object of their own.
 */
function textUnits(text: string, firstChars: ReadonlySet<number>): Unit[] {
  const units: Unit[] = [];
  let run = 0;
  const pattern = segmentPattern(text);
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    const seg = m[0];
    const start = m.index;
    if (m[1] === undefined) {
      const c = seg.charCodeAt(0);
      if (c < 0x80 && !firstChars.has(c >= 0x41 && c <= 0x5a ? c + 0x20 : c)) units.push(SKIPPED);
      else {
        const end = start + seg.length;
        units.push({ kind: 'word', key: wordKey(seg), start, end, run: -1, first: true, last: true });
      }
      continue;
    }
    run++;
    let offset = start;
    const chars = Array.from(seg);
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

/** For each ASCII letter or digit, the words of a plain text that start with it (either case). */
const WORDS_FROM = new Map<string, RegExp>();

function wordsFrom(c: string): RegExp {
  let re = WORDS_FROM.get(c);
  if (!re) WORDS_FROM.set(c, (re = new RegExp(`(?<![A-Za-z0-9])[${c}${c.toUpperCase()}][A-Za-z0-9]*`, 'g')));
  re.lastIndex = 0;
  return re;
}

/**
 * Where a word unit matches in a plain text (at most `limit` places), found with one native scan
 * for the words that start with the unit's first character: a plain text's words are ASCII, and
 * folding and stemming keep a word's first character.
 */
function wordRanges(text: string, u: TermUnit, limit: number): [number, number][] {
  const ranges: [number, number][] = [];
  const first = u.key.charAt(0);
  if (!/^[a-z0-9]$/.test(first)) return ranges;
  const words = wordsFrom(first);
  for (let m = words.exec(text); m && ranges.length < limit; m = words.exec(text)) {
    const key = wordKey(m[0]);
    if (u.prefix ? key.startsWith(u.key) : key === u.key) ranges.push([m.index, m.index + m[0].length]);
  }
  return ranges;
}

function isOneWord(pattern: readonly TermUnit[]): boolean {
  return pattern.length === 1 && pattern[0]?.kind === 'word';
}

/** CJK characters of one run of the query: they match where the text holds them in a row. */
function isOneRun(pattern: readonly TermUnit[]): boolean {
  return pattern.every((u) => u.kind === 'cjk' && !u.mustOpen && !u.mustClose);
}

/** Where the characters of one CJK run occur in a plain text, whose characters fold to themselves. */
function runRanges(text: string, pattern: readonly TermUnit[]): [number, number][] {
  const needle = pattern.map((u) => u.key).join('');
  const ranges: [number, number][] = [];
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
    ranges.push([at, at + needle.length]);
  }
  return ranges;
}

/** False when `pattern` cannot match in the plain `text`: one of its units is missing from it. */
function mayOccur(text: string, pattern: readonly TermUnit[]): boolean {
  return pattern.every((u) => (u.kind === 'cjk' ? text.includes(u.key) : wordRanges(text, u, 1).length > 0));
}

/**
 * [start, end) ranges of `text` that match any of `terms`, sorted and merged. A plain text is
 * answered with a few native scans when every term is one word, or when some term is missing from
 * it; cutting a text into words and characters costs ~50 µs per KB, and most results of a search
 * match in the title only.
 */
export function matchRanges(text: string, terms: readonly QueryTerm[]): [number, number][] {
  const patterns = terms.map(termUnits).filter((p) => p.length > 0);
  const plain = isPlainText(text);
  let ranges: [number, number][];
  if (plain && patterns.every((p) => isOneWord(p) || isOneRun(p))) {
    ranges = patterns.flatMap((p) =>
      isOneRun(p) ? runRanges(text, p) : wordRanges(text, p[0] as TermUnit, Infinity),
    );
  } else if (plain && !patterns.some((pattern) => mayOccur(text, pattern))) {
    return [];
  } else {
    ranges = unitRanges(text, patterns);
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

/** Where each pattern matches a run of `text`'s units. */
function unitRanges(text: string, patterns: readonly TermUnit[][]): [number, number][] {
  const firstChars = new Set<number>();
  for (const pattern of patterns) {
    for (const u of pattern) if (u.kind === 'word' && u.key) firstChars.add(u.key.charCodeAt(0));
  }
  const units = textUnits(text, firstChars);
  const ranges: [number, number][] = [];
  for (const pattern of patterns) {
    for (let p = 0; p + pattern.length <= units.length; p++) {
      let ok = true;
      for (let j = 0; j < pattern.length && ok; j++) {
        ok = unitMatches(units[p + j] as Unit, pattern[j] as TermUnit, j > 0 ? units[p + j - 1] : undefined);
      }
      if (ok) ranges.push([(units[p] as Unit).start, (units[p + pattern.length - 1] as Unit).end]);
    }
  }
  return ranges;
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
/** How much of a text is looked at first: a search's results mostly match early. */
const SNIPPET_FIRST_CHARS = 1_000;

/** What ends a word or a CJK run (see segments()). */
const SEPARATOR = /[^\p{L}\p{N}\p{M}\p{Co}]/u;

/** The start of `text`, about `chars` long, cut between words (a long CJK run is cut anyway). */
function headOf(text: string, chars: number): string {
  if (text.length <= chars) return text;
  const at = safeIndex(text, chars);
  const found = text.slice(at, at + 100).search(SEPARATOR);
  return text.slice(0, at + Math.max(0, found));
}

export function snippetTerms(text: string, terms: readonly QueryTerm[], maxChars = 200): string {
  if (text.length <= maxChars) return highlightTerms(text, terms);
  // The best window is looked for in the first paragraphs, then in the first pages: an excerpt from
  // the start of an article is as good, and a 100-KB body would cost a list of results its speed.
  const head = headOf(text, Math.max(SNIPPET_FIRST_CHARS, maxChars * 4));
  let ranges = matchRanges(head, terms);
  if (ranges.length === 0 && head.length < text.length) {
    ranges = matchRanges(headOf(text, SNIPPET_SCAN_CHARS), terms);
  }
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
