// How text is cut for the full-text index: words of space-separated scripts stay as they are (FTS5's
// unicode61 tokenizer splits and folds them, porter stems them), and runs of Chinese, Japanese and
// Korean characters, which have no spaces between words, become overlapping character bigrams.
import { porterStem } from './porter.js';

/** Han, kana and Hangul letters (not CJK punctuation or radicals), and the katakana length mark. */
const CJK_CHAR =
  '(?:(?=[\\p{L}\\p{N}])[\\p{sc=Han}\\p{sc=Hiragana}\\p{sc=Katakana}\\p{sc=Hangul}]|[\\u30fc\\uff70])';
/** A run of CJK characters. */
const CJK_RUN = new RegExp(`${CJK_CHAR}+`, 'gu');
const HAS_CJK = new RegExp(CJK_CHAR, 'u');
/**
 * Every code unit a CJK letter can start with (Hangul jamo, the CJK blocks, surrogates, half- and
 * full-width forms), as a plain class: a text with none of them is rejected in one fast scan, where
 * the Unicode-property test above takes ~70 µs on 4 KB of two-byte text that holds no CJK at all.
 */
const MAYBE_CJK = /[\u1100-\u11ff\u2e80-\ud7ff\ud800-\udbff\uf900-\ufaff\uff00-\uffef]/;
/** Letters, digits and marks of the other scripts: what unicode61 keeps in a token. */
const WORD_CHAR = `(?:(?!${CJK_CHAR})[\\p{L}\\p{N}\\p{M}\\p{Co}])`;
const SEGMENT = new RegExp(`(${CJK_CHAR}+)|(${WORD_CHAR}+)`, 'gu');

/**
 * Plain text: ASCII, spaces and punctuation that fold to no letter or digit, and Chinese, Japanese and
 * Korean letters that fold to themselves. In it a word is a run of ASCII letters and digits, and a
 * CJK run a run of those letters: it is cut with a pattern of plain classes, several times faster
 * than the Unicode-property one above. Most texts, English or Chinese, are plain.
 */
const NOT_PLAIN =
  /[^\t\n\r\x20-\x7f\u00a0\u00ab\u00b7\u00bb\u2000-\u206f\u3000-\u3003\u3008-\u3011\u3014-\u301f\u3041-\u3096\u30a1-\u30fa\u30fc\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]/g;
/** A character that is not printable ASCII or a line break: where a text stops being plain ASCII. */
const NOT_ASCII = /[^\t\n\r\x20-\x7f]/;
const PLAIN_SEGMENT =
  /([\u3041-\u3096\u30a1-\u30fa\u30fc\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3]+)|([A-Za-z0-9]+)/g;

export function isPlainText(text: string): boolean {
  // Most texts are ASCII throughout, which a one-range class confirms in two thirds of the time the
  // whole class takes (5.6 -> 3.6 µs on the benchmark's bodies); the rest is checked from the first
  // other character on.
  const other = NOT_ASCII.exec(text);
  if (other === null) return true;
  NOT_PLAIN.lastIndex = other.index;
  return !NOT_PLAIN.test(text);
}

export function hasCjk(text: string): boolean {
  return MAYBE_CJK.test(text) && HAS_CJK.test(text);
}

/** A word of a space-separated script, or a run of CJK characters, with its UTF-16 offsets. */
export interface Segment {
  kind: 'word' | 'cjk';
  text: string;
  start: number;
  end: number;
}

/**
 * The pattern that cuts `text` into its segments, ready for exec() from the start: group 1 is a CJK
 * run, group 2 a word.
 */
export function segmentPattern(text: string): RegExp {
  const pattern = isPlainText(text) ? PLAIN_SEGMENT : SEGMENT;
  pattern.lastIndex = 0;
  return pattern;
}

/** The words and CJK runs of `text`, in order; everything between them is a separator. */
export function segments(text: string): Segment[] {
  const out: Segment[] = [];
  for (const m of text.matchAll(segmentPattern(text))) {
    const start = m.index;
    out.push({ kind: m[1] === undefined ? 'word' : 'cjk', text: m[0], start, end: start + m[0].length });
  }
  return out;
}

/**
 * The index tokens of a CJK run: its overlapping bigrams, then its last character alone ("中国人" →
 * 中国 国人 人). A one-character query matches as a prefix of a bigram or that last character; the
 * last character also keeps a run adjacent to the word after it, for phrases such as "苹果 iPhone".
 */
export function cjkTokens(run: string, trailingUnigram: boolean): string[] {
  const chars = Array.from(run);
  if (chars.length <= 1) return chars;
  const tokens: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) tokens.push(`${chars[i] ?? ''}${chars[i + 1] ?? ''}`);
  if (trailingUnigram) tokens.push(chars[chars.length - 1] ?? '');
  return tokens;
}

/**
 * What to store in an FTS column for a title or a body: the text NFKC-normalized (full-width letters
 * and digits become ASCII), each CJK run replaced by its bigrams. English and other space-separated
 * text passes through unchanged.
 */
export function indexText(text: string): string {
  // Printable ASCII is its own NFKC form and holds no CJK: most bodies, passed through in a fifth of
  // the time normalizing them takes (~2 against ~10 µs for the refresh benchmark's).
  if (!NOT_ASCII.test(text)) return text;
  const normalized = text.normalize('NFKC');
  if (!hasCjk(normalized)) return normalized;
  return normalized.replace(CJK_RUN, (run) => ` ${cjkTokens(run, true).join(' ')} `);
}

/**
 * The key a word is compared by when highlighting: folded as unicode61 remove_diacritics 2 folds it
 * (lower case, no diacritics), then stemmed as the porter tokenizer stems it.
 */
// Words recur across texts (a vocabulary of thousands, texts of millions of words): each one's key is
// worked out once. Bounded: a flood of distinct words starts the memory over.
const KEYS = new Map<string, string>();
const MAX_KEYS = 50_000;

export function wordKey(word: string): string {
  let key = KEYS.get(word);
  if (key === undefined) {
    key = computeWordKey(word);
    if (KEYS.size >= MAX_KEYS) KEYS.clear();
    KEYS.set(word, key);
  }
  return key;
}

function computeWordKey(word: string): string {
  const folded = word
    .normalize('NFKC')
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .normalize('NFC');
  return porterStem(folded);
}
