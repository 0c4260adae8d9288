// A subscriber's rules for which of a feed's new entries reach them, as in Miniflux: a block rule
// drops entries it matches, a keep rule drops those it does not. Each is a regular expression
// matched against an entry's title, link, author and each of its categories.
//
// Threat: a rule is written by a user and run over every new entry of the feed, on the thread that
// stores a refresh; a pattern that backtracks (`(a+)+$`) could hold it for minutes. Rules run on
// V8's linear-time engine (the `l` flag), which takes the RE2 subset Miniflux's Go rules are
// written in (no backreferences, no lookaround), so a match costs time in proportion to its text.
// That engine has no `i` flag: `(?i)`, Go's way to ignore case, is rewritten as classes ([aA]).
import { setFlagsFromString } from 'node:v8';
import { GleanerError } from '../model/errors.js';

// Read when a RegExp is made, so setting it here, before any rule is compiled, is enough.
setFlagsFromString('--enable-experimental-regexp-engine');

/** Longer rules are refused: a real one lists a few words. */
export const MAX_RULE_LENGTH = 2000;

/** What a rule is matched against. */
export interface RuleSubject {
  title: string;
  link: string | null;
  author: string | null;
  categories: readonly string[];
}

/** A subscriber's two rules, compiled (null: none). */
export interface EntryRules {
  block: RegExp | null;
  keep: RegExp | null;
}

const IGNORE_CASE = '(?i)';

/**
 * `text` as a rule, or null for an empty one; a GleanerError (USAGE) naming `which` rule when the
 * text is not a pattern this engine runs in linear time.
 */
export function compileRule(
  text: string | null | undefined,
  which = 'rule',
  { keepSpaces = false } = {},
): RegExp | null {
  const rule = (keepSpaces ? text : text?.trim()) ?? '';
  if (rule === '') return null;
  if (rule.length > MAX_RULE_LENGTH) {
    throw new GleanerError(
      'USAGE',
      `the ${which} is ${rule.length} characters long; keep it under ${MAX_RULE_LENGTH}`,
    );
  }
  const source = rule.startsWith(IGNORE_CASE) ? eitherCase(rule.slice(IGNORE_CASE.length)) : rule;
  try {
    // eslint-disable-next-line no-invalid-regexp -- `l` is V8's linear-time engine, enabled above
    return new RegExp(source, 'l');
  } catch (error) {
    const why =
      error instanceof Error ? error.message.replace(/^Invalid regular expression: \/.*\/l: /s, '') : '';
    const hint = /linear time/.test(why)
      ? 'rules may not use backreferences, lookaround or large counted repeats, as in Miniflux (RE2)'
      : why;
    throw new GleanerError('USAGE', `the ${which} is not a pattern Gleaner can run: ${hint}`, {
      cause: error,
    });
  }
}

/** Compiles a subscription's stored rules; a rule that no longer compiles is left out (the entry kept). */
export function entryRules(block: string | null, keep: string | null): EntryRules {
  const compiled = (text: string | null): RegExp | null => {
    try {
      return compileRule(text);
    } catch {
      return null;
    }
  };
  return { block: compiled(block), keep: compiled(keep) };
}

/** Whether `rules` keep `entry` from its subscriber. */
export function isFilteredOut(rules: EntryRules, entry: RuleSubject): boolean {
  if (rules.block && matchesAny(rules.block, entry)) return true;
  return rules.keep !== null && !matchesAny(rules.keep, entry);
}

function matchesAny(pattern: RegExp, e: RuleSubject): boolean {
  if (pattern.test(e.title)) return true;
  if (e.link !== null && pattern.test(e.link)) return true;
  if (e.author !== null && pattern.test(e.author)) return true;
  return e.categories.some((c) => pattern.test(c));
}

/**
 * `source` matching letters in either case: each letter outside a class becomes a class of both
 * (`a` → `[aA]`), and a class gains the other case of its letters and letter ranges. Escapes
 * (`\w`, `\u00e9`), counted repeats and group names are left as written.
 */
function eitherCase(source: string): string {
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const c = source.charAt(i);
    if (c === '\\') {
      const escape = escapeLength(source, i);
      out += source.slice(i, i + escape);
      i += escape - 1;
    } else if (c === '[') {
      const end = classEnd(source, i);
      out += eitherCaseClass(source.slice(i, end + 1));
      i = end;
    } else if (c === '(' && source.startsWith('(?<', i) && !/^\(\?<[=!]/.test(source.slice(i))) {
      const close = source.indexOf('>', i);
      const end = close < 0 ? source.length : close + 1;
      out += source.slice(i, end);
      i = end - 1;
    } else if (c === '{') {
      const close = source.indexOf('}', i);
      const end = close < 0 ? i + 1 : close + 1;
      out += source.slice(i, end);
      i = end - 1;
    } else {
      const other = otherCase(c);
      out += other === null ? c : `[${c}${other}]`;
    }
  }
  return out;
}

/** The length of the escape at `i` (a backslash): `\u{…}`, `\uXXXX`, `\xXX`, `\cX`, `\p{…}` or one character. */
function escapeLength(source: string, i: number): number {
  const next = source.charAt(i + 1);
  if ((next === 'u' || next === 'p' || next === 'P') && source.charAt(i + 2) === '{') {
    const close = source.indexOf('}', i);
    return close < 0 ? 2 : close - i + 1;
  }
  if (next === 'u') return 6;
  if (next === 'x') return 4;
  if (next === 'c') return 3;
  return 2;
}

/** The index of the `]` closing the class that opens at `start`, or the last index. */
function classEnd(source: string, start: number): number {
  let i = start + 1;
  if (source.charAt(i) === '^') i++;
  if (source.charAt(i) === ']') i++; // a leading ] is a member in RE2; JS reads []: keep it as written
  for (; i < source.length; i++) {
    const c = source.charAt(i);
    if (c === '\\') i += escapeLength(source, i) - 1;
    else if (c === ']') return i;
  }
  return source.length - 1;
}

function eitherCaseClass(cls: string): string {
  let extra = '';
  for (let i = 1; i < cls.length - 1; i++) {
    const c = cls.charAt(i);
    if (c === '\\') {
      i += escapeLength(cls, i) - 1;
      continue;
    }
    if (cls.charAt(i + 1) === '-' && i + 2 < cls.length - 1 && cls.charAt(i + 2) !== '\\') {
      // A range of ASCII letters of one case gains the same range in the other; others stay.
      const range = c + '-' + cls.charAt(i + 2);
      if (/^[a-z]-[a-z]$/.test(range)) extra += range.toUpperCase();
      else if (/^[A-Z]-[A-Z]$/.test(range)) extra += range.toLowerCase();
      i += 2;
    } else {
      extra += otherCase(c) ?? '';
    }
  }
  return extra === '' ? cls : cls.slice(0, -1) + extra + ']';
}

/** The other case of a letter, when it is one character; null for anything else. */
function otherCase(c: string): string | null {
  const lower = c.toLowerCase();
  const upper = c.toUpperCase();
  const other = c === lower ? upper : lower;
  return other !== c && other.length === 1 ? other : null;
}
