// The knowledge wiki in a real browser (headless Chromium): signing in, the wiki's index, following a
// concept link, its backlinks, search, and an article with its source page beside it (a side panel
// on a desktop, a folded section below it on a phone). Screenshots at desktop and 375 px widths land
// in test-artifacts/screenshots/.
import { strict as assert } from 'node:assert';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../src/testing/testserver.js';
import { startWebApp, type WebApp } from '../src/web/testing.js';
import { browserSkipReason, collectPageProblems, launchBrowser, newPage, screenshot } from './browser.js';

const VAULT = fileURLToPath(new URL('../src/web/wiki/testdata/vault', import.meta.url));
const ARTICLE_URL = 'https://blog.cloudflare.com/pingora-saving-compute-1-percent-at-a-time/';

const RSS = `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>The Cloudflare Blog</title><link>https://blog.cloudflare.com/</link>
  <item>
    <title>A good day to trie-hard: saving compute 1% at a time</title>
    <link>${ARTICLE_URL}</link>
    <guid>${ARTICLE_URL}</guid>
    <pubDate>Tue, 10 Sep 2024 13:00:00 GMT</pubDate>
    <description><![CDATA[<p>Cloudflare's global network handles a lot of HTTP requests, over 60 million per second on
    average. pingora-origin is the service that handles requests leaving Cloudflare for the origin.</p>
    <p>Stack-trace sampling showed a helper called clear_internal_headers taking 1.71% of its CPU.
    This post follows two optimizations: flipping the lookup direction, and a custom trie.</p>]]></description>
  </item>
</channel></rss>`;

const skip = browserSkipReason();

describe('the wiki in Chromium', { skip }, () => {
  let dir: string;
  let feeds: TestServer;
  let web: WebApp;
  let browser: Browser;
  let page: Page;
  /** The article's address, once the desktop test opened it. */
  let articlePath = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gleaner-wiki-e2e-'));
    cpSync(VAULT, dir, { recursive: true });
    feeds = await startTestServer();
    feeds.route('/feed.xml', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(RSS);
    });
    web = await startWebApp({ wikiDir: dir });
    await web.addUser('ada', 'a long test password');
    browser = await launchBrowser();
    page = await newPage(browser, { viewport: { width: 1440, height: 900 } });
  });

  after(async () => {
    await browser?.close();
    await web?.close();
    await feeds?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const text = async (selector: string, on: Page = page): Promise<string> =>
    ((await on.locator(selector).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();

  it('signs in and subscribes to the blog the wiki was built from', async () => {
    await page.goto(`${web.baseUrl}/wiki`);
    assert.match(page.url(), /\/login\?next=%2Fwiki$/);
    await page.fill('input[name="username"]', 'ada');
    await page.fill('input[name="password"]', 'a long test password');
    await Promise.all([page.waitForURL(/\/wiki$/), page.click('button[type="submit"]')]);
    await page.goto(`${web.baseUrl}/feeds`);
    await page.fill('.subscribe-form input[name="url"]', `${feeds.origin}/feed.xml`);
    await Promise.all([
      page.waitForURL(/done=subscribed/),
      page.click('.subscribe-form button[type="submit"]'),
    ]);
  });

  it('opens the wiki from the sidebar: pages grouped by kind, with counts', async () => {
    const problems = collectPageProblems(page);
    await page.goto(`${web.baseUrl}/unread`);
    await Promise.all([page.waitForURL(/\/wiki$/), page.click('.sidebar a[href="/wiki"]')]);
    assert.equal(await text('main h1'), 'Wiki');
    const groups = (await page.locator('.wiki-group h2').allTextContents()).map((t) =>
      t.replace(/\s+/g, ' ').trim(),
    );
    assert.ok(groups.includes('Concepts 3'), groups.join(' | '));
    assert.ok(groups.includes('Sources 1'), groups.join(' | '));
    await screenshot(page, 'wiki-index-desktop');
    assert.deepEqual(problems.all(), []);
  });

  it('follows a concept link and sees its backlinks', async () => {
    const problems = collectPageProblems(page);
    await Promise.all([
      page.waitForURL(/\/wiki\/concepts\/trie-data-structure$/),
      page.click('.wiki-intro a:text("trie")'),
    ]);
    assert.equal(await text('h1.article-title'), 'Trie data structure');
    const backlinks = await page.locator('.backlinks li a').allTextContents();
    assert.ok(backlinks.includes('trie-hard'), backlinks.join(', '));
    assert.ok(
      backlinks.some((b) => b.startsWith('Cloudflare — A good day to trie-hard')),
      backlinks.join(', '),
    );
    // A link in the page's text leads to another page of the wiki.
    await Promise.all([
      page.waitForURL(/\/wiki\/systems\/trie-hard$/),
      page.click('.content a:text("trie-hard")'),
    ]);
    assert.equal(await text('h1.article-title'), 'trie-hard');
    await page.goBack();
    await screenshot(page, 'wiki-concept-desktop');
    assert.deepEqual(problems.all(), []);
  });

  it('searches the wiki in English and Chinese', async () => {
    const problems = collectPageProblems(page);
    await page.fill('.wiki-search input[name="q"]', 'lookup direction');
    await Promise.all([
      page.waitForURL(/\/wiki\/search\?q=/),
      page.press('.wiki-search input[name="q"]', 'Enter'),
    ]);
    const first = await text('.wiki-hit h3 a');
    assert.equal(first, 'Flip lookup direction');
    assert.ok((await page.locator('.wiki-hit mark').count()) > 0, 'matches are highlighted');
    await screenshot(page, 'wiki-search-desktop');
    await page.goto(`${web.baseUrl}/wiki/search?q=${encodeURIComponent('一致性')}`);
    assert.equal(await text('.wiki-hit h3 a'), '缓存一致性');
    assert.deepEqual(problems.all(), []);
  });

  it("shows an article's source page beside it on a desktop", async () => {
    const problems = collectPageProblems(page);
    await page.goto(`${web.baseUrl}/all`);
    await Promise.all([page.waitForURL(/\/entry\/\d+/), page.click('.entry-title a')]);
    articlePath = new URL(page.url()).pathname;
    const panel = page.locator('details.wiki-panel');
    assert.equal(await panel.getAttribute('open'), '', 'open on a wide screen');
    assert.match(await text('.wiki-panel h2'), /^Cloudflare — A good day to trie-hard/);
    assert.match(await text('.wiki-panel .content'), /pingora-origin service runs at 35 M requests\/sec/);
    // Beside the article, not below it.
    const article = await page.locator('article.article').boundingBox();
    const aside = await panel.boundingBox();
    assert.ok(article && aside);
    assert.ok(
      aside.x >= article.x + article.width,
      `panel at x=${aside.x}, article ends at ${article.x + article.width}`,
    );
    assert.ok(aside.y < article.y + article.height / 2, 'the panel starts at the top of the article');
    await screenshot(page, 'wiki-article-desktop');
    await Promise.all([page.waitForURL(/\/wiki\/sources\//), page.click('.wiki-panel a.button')]);
    assert.match(await text('h1.article-title'), /^Cloudflare — A good day to trie-hard/);
    assert.deepEqual(problems.all(), []);
  });

  it('shows it folded below the article on a phone, and the wiki fits 375 px', async () => {
    const phone = await newPage(browser, {
      viewport: { width: 375, height: 812 },
      isMobile: true,
      hasTouch: true,
    });
    try {
      await phone.context().addCookies(await page.context().cookies());
      const problems = collectPageProblems(phone);
      await phone.goto(`${web.baseUrl}${articlePath}`);
      const panel = phone.locator('details.wiki-panel');
      // app.js folds it once loaded; the CSP forbids evaluated strings, so poll the attribute.
      for (let i = 0; i < 600 && (await panel.getAttribute('open')) !== null; i++)
        await phone.waitForTimeout(100);
      assert.equal(await panel.getAttribute('open'), null, 'folded on a phone');
      assert.equal(await phone.locator('.wiki-panel .content').first().isVisible(), false, 'folded');
      const article = await phone.locator('article.article').boundingBox();
      const aside = await panel.boundingBox();
      assert.ok(article && aside);
      assert.ok(aside.y >= article.y + article.height - 1, 'below the article');
      await phone.click('.wiki-panel summary');
      assert.equal(await phone.locator('.wiki-panel .content').first().isVisible(), true, 'unfolds');
      await screenshot(phone, 'wiki-article-phone');

      for (const [path, name] of [
        ['/wiki', 'wiki-index-phone'],
        ['/wiki/sources/2024-09-10-cloudflare-a-good-day-to-trie-hard', 'wiki-source-phone'],
        ['/wiki/search?q=trie', 'wiki-search-phone'],
      ] as const) {
        await phone.goto(`${web.baseUrl}${path}`);
        const overflow = await phone.evaluate<number>(
          'document.documentElement.scrollWidth - window.innerWidth',
        );
        assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow}px`);
        await screenshot(phone, name);
      }
      assert.deepEqual(problems.all(), []);
    } finally {
      await phone.context().close();
    }
  });
});
