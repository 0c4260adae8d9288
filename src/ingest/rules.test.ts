import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { GleanerError } from '../model/errors.js';
import { compileRule, entryRules, isFilteredOut, MAX_RULE_LENGTH, type RuleSubject } from './rules.js';

const entry = (over: Partial<RuleSubject> = {}): RuleSubject => ({
  title: 'Weekly Sponsor: ACME Cloud',
  link: 'https://blog.example/2026/acme',
  author: 'Ann Lee',
  categories: ['Ads', 'Cloud'],
  ...over,
});

function refused(text: string, why: RegExp): void {
  assert.throws(
    () => compileRule(text, 'block rule'),
    (error: GleanerError) => {
      assert.equal(error.code, 'USAGE');
      assert.match(error.message, /^the block rule /);
      assert.match(error.message, why);
      return true;
    },
  );
}

describe('entry rules', () => {
  it('blocks an entry whose title, link, author or any category matches', () => {
    const block = (rule: string, e = entry()) => isFilteredOut(entryRules(rule, null), e);
    assert.equal(block('Sponsor'), true);
    assert.equal(block('/2026/acme$'), true);
    assert.equal(block('^Ann '), true);
    assert.equal(block('^Ads$'), true);
    assert.equal(block('podcast|webinar'), false);
    assert.equal(block('sponsor'), false, 'case counts, as in Go, unless (?i)');
    assert.equal(block('Sponsor', entry({ title: 'News', link: null, author: null, categories: [] })), false);
  });

  it('keeps only what a keep rule matches, and a block rule wins over it', () => {
    assert.equal(isFilteredOut(entryRules(null, 'Cloud'), entry()), false);
    assert.equal(isFilteredOut(entryRules(null, 'Kubernetes'), entry()), true);
    assert.equal(isFilteredOut(entryRules('ACME', 'Cloud'), entry()), true);
    assert.equal(isFilteredOut(entryRules('', '  '), entry()), false, 'empty rules are none');
  });

  it('reads (?i) as Go does, ignoring case, outside and inside classes', () => {
    const matches = (rule: string, text: string) => compileRule(rule)?.test(text);
    assert.equal(matches('(?i)sponsor(ed)?', 'SPONSORED post'), true);
    assert.equal(matches('(?i)^[a-c]+ä$', 'CaBÄ'), true);
    assert.equal(matches('(?i)\\bWEB\\w*', 'a webinar'), true);
    assert.equal(matches('(?i)x{2}', 'XX'), true);
    assert.equal(matches('(?i)(?<year>20\\d\\d)-q[1-4]', '2026-Q3'), true);
    assert.equal(matches('(?i)\\u0041b', 'Ab'), true, 'an escape is kept as written');
    assert.equal(matches('(?i)[^a-z]', 'ABC'), false, 'a negated class gains the other case too');
    assert.equal(matches('(?i)\\S+', ' '), false);
  });

  it('refuses patterns that could backtrack, and broken ones, with a reason', () => {
    refused('(a)\\1', /backreferences, lookaround or large counted repeats/);
    refused('(?<=free)dom', /backreferences, lookaround/);
    refused('(?!x)y', /backreferences, lookaround/);
    refused('(unclosed', /Unterminated group/);
    refused('x'.repeat(MAX_RULE_LENGTH + 1), /characters long; keep it under 2000/);
  });

  it('runs a pattern that would backtrack for ages in time proportional to its text', () => {
    // On a backtracking engine, /(a+)+$/ over 40 a's and a b takes 2^40 steps.
    const rule = compileRule('(a+)+$');
    assert.ok(rule);
    assert.equal(rule.test('a'.repeat(40) + 'b' + '!'), false);
    assert.equal(isFilteredOut(entryRules('(x+x+)+y', null), entry({ title: 'x'.repeat(5000) })), false);
  });

  it('answers any text with a rule or a clear refusal, never another error', () => {
    const hostile = [
      '\\',
      '(?i)\\',
      '(?i)[',
      '(?i)[a-',
      '(?i)[\\',
      '(?i)\\u{',
      '(?i)\\u12',
      '(?i)\\x',
      '(?i)\\c',
      '(?i)(?<',
      '(?i)(?<name',
      '(?i){',
      '(?i){2',
      '(?i)',
      '(?i)(?i)',
      '(?i)[]a]',
      '(?i)[^]',
      '(?i)\\p{L}',
      '(?i)\ud83d',
      '(?i)😀+',
      '(?i)ǅ',
      '(?i)ß',
      '(?i)İ',
      ')(',
      '*',
      'a**',
      '[z-a]',
      '\u0000',
      '(?i)\u0000a',
    ];
    for (const text of hostile) {
      try {
        const rule = compileRule(text);
        if (rule) rule.test('Some Title ÄÖÜ ǆ 😀');
      } catch (error) {
        assert.ok(error instanceof GleanerError, `${JSON.stringify(text)}: ${String(error)}`);
        assert.equal(error.code, 'USAGE');
      }
    }
  });

  it('leaves out a stored rule that no longer compiles, so its entries still arrive', () => {
    assert.deepEqual(entryRules('(a)\\1', null), { block: null, keep: null });
  });
});
