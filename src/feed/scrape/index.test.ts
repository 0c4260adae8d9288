// Web pages read as feeds with CSS selectors: real shapes (a table of advisories, a list of posts),
// the defaults, and hostile pages (scripts, javascript: links, deep nesting, a flood of entries,
// selectors that would take minutes).
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { GleanerError } from '../../model/errors.js';
import type { PageScrape } from '../../model/index.js';
import { digestFeed } from '../../refresh/digest.js';
import { MAX_SCRAPED_ITEMS, pageScrapeOf, scrapePage, scrapeProblem } from './index.js';

const URL = 'https://vendor.example/security/advisories';
const NOW = Date.UTC(2026, 11, 7, 12);
const bytes = (html: string): Uint8Array => new TextEncoder().encode(html);
const scrape = (fields: Partial<PageScrape> & { items: string }): PageScrape => ({
  title: null,
  link: null,
  content: null,
  date: null,
  author: null,
  categories: null,
  ...fields,
});
const read = (html: string, s: PageScrape) =>
  scrapePage(bytes(html), s, {
    url: URL,
    contentType: 'text/html; charset=utf-8',
    maxBytes: 4 << 20,
  });

const ADVISORIES = `<!doctype html><html lang="en"><head><title>Security advisories | Vendor</title>
<base href="https://vendor.example/security/"></head><body>
<table class="advisories"><thead><tr><th>ID</th><th>Title</th><th>Published</th></tr></thead><tbody>
<tr><td>VSA-2026-12</td><td class="title"><a href="vsa-2026-12">Heap overflow in the  TLS
  parser</a></td><td class="date">2026-12-03</td></tr>
<tr><td>VSA-2026-11</td><td class="title"><a href="/security/vsa-2026-11?utm_source=list">Auth bypass</a></td><td class="date">November 20, 2026</td></tr>
</tbody></table></body></html>`;

describe('reading a web page as a feed', () => {
  it('reads a table of advisories: titles, links against the page base, dates', () => {
    const feed = read(
      ADVISORIES,
      scrape({ items: '.advisories tbody tr', title: 'td.title', date: 'td.date' }),
    );
    assert.equal(feed.format, 'html');
    assert.equal(feed.title, 'Security advisories | Vendor');
    assert.equal(feed.language, 'en');
    assert.deepEqual(
      feed.items.map((i) => [i.title, i.link, i.published]),
      [
        [
          'Heap overflow in the TLS parser',
          'https://vendor.example/security/vsa-2026-12',
          '2026-12-03T00:00:00Z',
        ],
        [
          'Auth bypass',
          'https://vendor.example/security/vsa-2026-11?utm_source=list',
          '2026-11-20T00:00:00Z',
        ],
      ],
    );
    // A row stays a row where it is shown: in a table of its own.
    assert.match(
      feed.items[0]?.contentHtml ?? '',
      /^<table><tbody><tr><td>VSA-2026-12<\/td>.*<\/tr><\/tbody><\/table>$/s,
    );
  });

  it('finds a post list by its defaults: first heading, first link, a time element', () => {
    const html = `<main>
      <article><h2><a href="/posts/b">Second post</a></h2><time datetime="2026-12-02T08:00:00Z">Dec 2</time><p>B</p></article>
      <article><a href="/posts/a">Read more</a><h3>First post</h3><p>A</p></article>
    </main>`;
    const feed = read(html, scrape({ items: 'article' }));
    assert.deepEqual(
      feed.items.map((i) => [i.title, i.link, i.published]),
      [
        ['Second post', 'https://vendor.example/posts/b', '2026-12-02T08:00:00Z'],
        // Undated, as an undated item of a feed: its place on the page dates it (prepareEntries).
        ['First post', 'https://vendor.example/posts/a', null],
      ],
    );
    const linked = read('<ul><li><a href="/x">Only a link</a></li></ul>', scrape({ items: 'li > a' }));
    assert.deepEqual(
      linked.items.map((i) => [i.title, i.link]),
      [['Only a link', 'https://vendor.example/x']],
      'an entry that is a link is its own link and title',
    );
    const listed = read('<ul><li><b>One</b> two</li></ul>', scrape({ items: 'li' }));
    assert.equal(listed.items[0]?.contentHtml, '<ul><li><b>One</b> two</li></ul>');
  });

  it('reads an entry’s author and categories where selectors say, once each', () => {
    const html =
      '<article><h2><a href="/p/1">One</a></h2><span class="by"> Ada  Lovelace </span>' +
      '<a class="tag">rust</a><a class="tag">wasm</a><a class="tag">rust</a><a class="tag"> </a></article>' +
      '<article><h2><a href="/p/2">Two</a></h2></article>';
    const feed = read(html, scrape({ items: 'article', author: '.by', categories: '.tag' }));
    assert.deepEqual(
      feed.items.map((i) => [i.title, i.author, i.categories]),
      [
        ['One', 'Ada Lovelace', ['rust', 'wasm']],
        ['Two', null, []],
      ],
    );
  });

  it('takes an entry inside another as part of it, and skips empty ones', () => {
    const html =
      '<div class="e"><h2>Outer</h2><div class="e"><h2>Inner</h2></div></div><div class="e"></div>';
    assert.deepEqual(
      read(html, scrape({ items: '.e' })).items.map((i) => i.title),
      ['Outer'],
    );
  });

  it('gives no link for a javascript: or data: href, and keeps content raw for the sanitizer', () => {
    const html =
      '<div class="e"><h2><a href="javascript:alert(1)">Evil</a></h2><script>alert(2)</script>' +
      '<img src=x onerror="alert(3)"><p>Text</p></div>';
    const [item] = read(html, scrape({ items: '.e' })).items;
    assert.equal(item?.link, null);
    const digested = digestFeed({
      body: bytes(html),
      url: URL,
      contentType: 'text/html',
      maxBytes: 4 << 20,
      now: NOW,
      scrape: scrape({ items: '.e' }),
    });
    const [entry] = digested.entries;
    assert.equal(entry?.title, 'Evil');
    assert.doesNotMatch(entry?.contentHtml ?? '', /script|onerror|javascript:/i);
    assert.match(entry?.contentHtml ?? '', /<p>Text<\/p>/);
    assert.equal(digested.feed.title, null);
  });

  it('resolves the URLs in an entry’s content against the page, not against the entry’s link', () => {
    const digest = (html: string) =>
      digestFeed({
        body: bytes(html),
        url: 'https://news.example/news/index.html',
        contentType: 'text/html',
        maxBytes: 4 << 20,
        now: NOW,
        scrape: scrape({ items: 'article' }),
      }).entries[0];
    const entry = digest(
      '<article><h2>Post</h2><a href="/posts/2024/one/">read</a><p><img src="img/chart.png"> <a href="other.html">other</a></p></article>',
    );
    assert.equal(entry?.link, 'https://news.example/posts/2024/one/');
    assert.match(entry?.contentHtml ?? '', /src="https:\/\/news\.example\/news\/img\/chart\.png"/);
    assert.match(entry?.contentHtml ?? '', /href="https:\/\/news\.example\/news\/other\.html"/);
    // A <base> is the base of both.
    const based = digest(
      '<head><base href="https://cdn.example/base/"></head><article><h2>Post</h2><a href="rel/3">read</a><img src="i.png"></article>',
    );
    assert.equal(based?.link, 'https://cdn.example/base/rel/3');
    assert.match(based?.contentHtml ?? '', /href="https:\/\/cdn\.example\/base\/rel\/3"/);
    assert.match(based?.contentHtml ?? '', /src="https:\/\/cdn\.example\/base\/i\.png"/);
  });

  it('refuses a page whose entries it cannot find, naming the selector and the page', () => {
    assert.throws(
      () => read(ADVISORIES, scrape({ items: '.no-such-thing' })),
      (error: GleanerError) =>
        error.code === 'PARSE_NOT_A_FEED' &&
        /the item selector "\.no-such-thing" finds nothing on https:\/\/vendor\.example\/security\/advisories; the page changed/.test(
          error.message,
        ),
    );
  });

  it('reads at most MAX_SCRAPED_ITEMS entries of a page that floods it, and says so', () => {
    const html = `<ul>${'<li><a href="/p">p</a></li>'.repeat(MAX_SCRAPED_ITEMS * 4)}</ul>`;
    const feed = read(html, scrape({ items: 'li' }));
    assert.equal(feed.items.length, MAX_SCRAPED_ITEMS);
    assert.match(feed.warnings.join(), /holds 2000 entries; the first 500 are read/);
  });

  it('survives a page nested 100,000 deep', () => {
    const html = `${'<div>'.repeat(100_000)}<article><h2>Deep</h2></article>${'</div>'.repeat(100_000)}<article><h2>Shallow</h2></article>`;
    const titles = read(html, scrape({ items: 'article' })).items.map((i) => i.title);
    assert.ok(titles.includes('Shallow'), titles.join());
  });

  it('stops a selection that would take minutes, and refuses :has() outright', () => {
    const paragraphs = `<div>${'<p><em>x</em></p>'.repeat(40_000)}</div>`;
    assert.throws(
      () => read(paragraphs, scrape({ items: 'p:nth-last-child(2n+1)' })),
      (error: GleanerError) =>
        error.code === 'USAGE' &&
        /took more than 2,000,000 steps on https:\/\/vendor\.example/.test(error.message),
    );
    assert.throws(
      () => read(ADVISORIES, scrape({ items: 'tr:has(td)' })),
      (error: GleanerError) => error.code === 'USAGE' && /item selector/.test(error.message),
    );
  });

  it('refuses a page past the size limit before reading it', () => {
    assert.throws(
      () =>
        scrapePage(bytes('<p>x</p>'.repeat(100)), scrape({ items: 'p' }), {
          url: URL,
          maxBytes: 100,
        }),
      (error: GleanerError) => error.code === 'PARSE_TOO_LARGE',
    );
  });
});

describe('page selectors as given', () => {
  it('need the entries selector, trim the others, and leave empty ones to their defaults', () => {
    assert.equal(pageScrapeOf({ items: '  ', title: 'h2' }), null);
    assert.deepEqual(pageScrapeOf({ items: ' article ', title: '', link: ' a.more ' }), {
      items: 'article',
      title: null,
      link: 'a.more',
      content: null,
      date: null,
      author: null,
      categories: null,
    });
  });

  it('name the one Gleaner cannot use', () => {
    assert.equal(scrapeProblem(scrape({ items: 'article', date: 'time' })), null);
    assert.match(scrapeProblem(scrape({ items: '' })) ?? '', /the item selector is empty/);
    assert.match(scrapeProblem(scrape({ items: 'article', link: 'a[' })) ?? '', /link selector/);
    assert.match(
      scrapeProblem(scrape({ items: 'article', content: 'div:has(p)' })) ?? '',
      /content selector/,
    );
    assert.match(scrapeProblem(scrape({ items: 'x'.repeat(1001) })) ?? '', /longer than 1000 characters/);
  });
});
