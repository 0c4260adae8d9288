import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GleanerError } from '../model/errors.js';
import { sanitizeHtml } from './sanitize.js';
import {
  MAX_SELECTOR_LENGTH,
  removeMatching,
  SELECT_BUDGET,
  selectArticle,
  selectorProblem,
} from './selector.js';

const URL_ = 'https://blog.example.com/2026/12/post';

describe('selectorProblem', () => {
  it('takes the selectors people write for scraper rules', () => {
    for (const selector of [
      'article',
      'div.post-content',
      '#main > .entry-content',
      'article .post-body, .post-header img',
      'main :is(h1, .lede) + p',
      '.content > p:not(.ad):first-child',
      'li:nth-child(2n+1)',
      '[data-role="article"] section ~ section',
    ]) {
      assert.equal(selectorProblem(selector), null, selector);
    }
  });

  it('says why it refuses the rest', () => {
    const refused: [string, RegExp][] = [
      ['', /empty/],
      ['   ', /empty/],
      ['[', /not a valid CSS selector/],
      ['div{color:red}', /not a valid CSS selector/],
      ['a,', /not a valid CSS selector/],
      ['p::before', /not a valid CSS selector/],
      ['p:unknown-thing', /not a valid CSS selector/],
      ['div:has(> img)', /:has\(\)/],
      ['p:contains(Sponsored)', /:contains\(\)/],
      ['p:not(:is(div:icontains(x)))', /:icontains\(\)/],
      [`${'div '.repeat(MAX_SELECTOR_LENGTH / 4)}p`, /longer than 1000 characters/],
    ];
    for (const [selector, reason] of refused) {
      assert.match(selectorProblem(selector) ?? 'taken', reason, selector);
    }
  });

  it('names the selector it refuses', () => {
    assert.match(selectorProblem('[') ?? '', /^the article selector is not/);
    assert.match(selectorProblem('[', 'remove selector') ?? '', /^the remove selector is not/);
    assert.match(
      selectorProblem('a:has(b)', 'remove selector') ?? '',
      /^the remove selector may not use :has\(\)/,
    );
  });
});

describe('selectArticle', () => {
  const page = `<!DOCTYPE html><html><head><base href="https://cdn.example.net/assets/"><title>Post</title></head>
    <body><nav><a href="/">Home</a></nav>
    <article><header class="post-header"><h1>The title</h1><img src="hero.png" alt="hero"></header>
    <div class="post-body"><p>First <b>paragraph</b>.</p><p onclick="steal()">Second <a href="javascript:x()">link</a>.</p>
    <script>track()</script><div class="ad">Buy now</div></div></article>
    <aside class="post-body">A sidebar that reuses the class.</aside></body></html>`;

  it('keeps what the selector picks, in page order, sanitized, URLs against the page’s <base>', () => {
    const picked = selectArticle(page, URL_, '.post-header img, article .post-body');
    assert.ok(picked);
    assert.equal(
      picked.contentHtml,
      '<img src="https://cdn.example.net/assets/hero.png" alt="hero" loading="lazy" />' +
        '<div><p>First <b>paragraph</b>.</p><p>Second <a>link</a>.</p>\n    <div>Buy now</div></div>',
    );
    assert.equal(picked.text, 'First paragraph. Second link. Buy now');
  });

  it('keeps an element once when the selector also picks what is inside it', () => {
    const picked = selectArticle(page, URL_, 'article, article p');
    assert.equal(picked?.text.match(/First paragraph/g)?.length, 1);
    assert.match(picked?.text ?? '', /^The title/);
  });

  it('leaves out what the selector does not pick', () => {
    const picked = selectArticle(page, URL_, 'article .post-body :not(.ad)');
    assert.doesNotMatch(picked?.text ?? '', /Buy now|Home|sidebar/);
  });

  it('is null when the selector picks nothing, or nothing with text', () => {
    assert.equal(selectArticle(page, URL_, '.no-such-class'), null);
    assert.equal(selectArticle(page, URL_, 'script, nav img'), null);
  });

  it('refuses a selector selectorProblem refuses', () => {
    assert.throws(
      () => selectArticle(page, URL_, 'div:has(p)'),
      (err: unknown) => err instanceof GleanerError && err.code === 'USAGE' && /:has\(\)/.test(err.message),
    );
  });

  // Pages a stranger may serve, against selectors that walk them badly: each stops at the budget
  // with an error naming the page, where the engine alone takes minutes to hours.
  const deep = `<html><body>${'<div>'.repeat(240)}${'<span>x</span>'.repeat(2_000)}${'</div>'.repeat(240)}</body></html>`;
  const wide = `<html><body>${'<p>y</p>'.repeat(40_000)}</body></html>`;
  const costly: [string, string, string][] = [
    ['every choice of ten ancestors out of 240', deep, `section ${'div '.repeat(10)}span`],
    ['the siblings of 40,000 paragraphs counted for each', wide, 'p:nth-child(2n+1)'],
    ['the same from the end', wide, 'p:nth-last-of-type(3n)'],
  ];
  for (const [what, html, selector] of costly) {
    it(`stops a selection past its budget: ${what}`, () => {
      assert.throws(
        () => selectArticle(html, URL_, selector),
        (err: unknown) =>
          err instanceof GleanerError &&
          err.code === 'USAGE' &&
          err.message.includes(`more than ${SELECT_BUDGET.toLocaleString('en')} steps on ${URL_}`),
      );
    });
  }

  it('picks 40,000 paragraphs with a plain selector within the budget', () => {
    const picked = selectArticle(wide, URL_, 'body > p');
    assert.equal(picked?.text.length, 'y '.repeat(40_000).length - 1);
  });
});

describe('removeMatching', () => {
  const entry = `<p>Intro with <a href="/x">a link</a> &amp; an &lt;escaped&gt; tag.</p>
    <div class="share"><a href="https://social.example/share">Share</a><img src="t.png"></div>
    <figure><img src="chart.png"><figcaption>Chart <span class="ad">Sponsored</span></figcaption></figure>
    <aside class="related"><ul><li>Other post</li></ul></aside><p>Outro.</p>`;

  it('takes out every element the selector matches, with its content, and keeps the rest as it was', () => {
    const kept = removeMatching(entry, URL_, '.share, aside.related, figcaption .ad');
    assert.doesNotMatch(kept, /Share|share|Other post|Sponsored|related/);
    assert.match(kept, /<p>Intro with <a href="\/x">a link<\/a> &amp; an &lt;escaped&gt; tag\.<\/p>/);
    assert.match(kept, /<figure><img src="chart.png"><figcaption>Chart <\/figcaption><\/figure>/);
    assert.match(kept, /<p>Outro\.<\/p>/);
    // The text an entity spelled stays text through the sanitizer: no tag appears.
    assert.match(sanitizeHtml(kept, URL_), /an &lt;escaped&gt; tag/);
  });

  it('gives the HTML back untouched when the selector matches nothing', () => {
    assert.equal(removeMatching(entry, URL_, '.no-such-class'), entry);
  });

  it('cuts nesting past the limit first, as the sanitizer would', () => {
    const deep = `<p class="ad">x</p>${'<div>'.repeat(20_000)}<p>kept</p>${'</div>'.repeat(20_000)}`;
    const kept = removeMatching(deep, URL_, '.ad');
    assert.doesNotMatch(kept, /class="ad"/);
    assert.ok((kept.match(/<div>/g)?.length ?? 0) <= 256, 'nesting cut');
    assert.match(kept, /kept/);
  });

  it('refuses a refused selector, and stops past its budget, naming the remove selector', () => {
    assert.throws(
      () => removeMatching(entry, URL_, 'div:has(p)'),
      (err: unknown) =>
        err instanceof GleanerError && /^the remove selector may not use :has/.test(err.message),
    );
    const wide = `${'<p>y</p>'.repeat(40_000)}`;
    assert.throws(
      () => removeMatching(wide, URL_, 'p:nth-child(2n+1)'),
      (err: unknown) =>
        err instanceof GleanerError &&
        err.code === 'USAGE' &&
        err.message.startsWith(
          `the remove selector took more than ${SELECT_BUDGET.toLocaleString('en')} steps`,
        ),
    );
  });
});
