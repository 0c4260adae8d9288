// Publishing in a real browser (headless Chromium): a reader subscribes to seed 002's feed (the
// Cloudflare blog, served on loopback), publishes the tag "Optimization" from the tag's list, and a
// signed-out visitor opens the public archive, reads the attribution, opens the post page and
// follows its feed link. Screenshots land in test-artifacts/screenshots/.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { parseFeed } from '../src/feed/parse/index.js';
import { respond, startTestServer, type TestServer } from '../src/testing/testserver.js';
import { startWebApp, type WebApp } from '../src/web/testing.js';
import { browserSkipReason, collectPageProblems, launchBrowser, newPage, screenshot } from './browser.js';

const SEED_002 = new URL('../../shared/seeds/002_8d3710f0974aeed0.txt', import.meta.url);
const PINGORA = 'https://blog.cloudflare.com/pingora-saving-compute-1-percent-at-a-time/';
const ATTRIBUTION = `Post Syndicated from Kevin Guthrie original ${PINGORA}`;
const PASSWORD = 'a long test password';

const skip = browserSkipReason();

describe('publishing in Chromium', { skip }, () => {
  let feeds: TestServer;
  let web: WebApp;
  let browser: Browser;
  let reader: Page;
  let visitor: Page;
  let publicUrl = '';

  before(async () => {
    feeds = await startTestServer({
      '/cf.xml': respond(
        200,
        { 'content-type': 'application/rss+xml; charset=utf-8' },
        readFileSync(SEED_002),
      ),
    });
    web = await startWebApp();
    await web.addUser('ada', PASSWORD);
    browser = await launchBrowser();
    reader = await newPage(browser, { viewport: { width: 1280, height: 900 } });
    visitor = await newPage(browser, { viewport: { width: 1280, height: 900 } });
  });

  after(async () => {
    await browser?.close();
    await web?.close();
    await feeds?.close();
  });

  const text = async (page: Page, selector: string): Promise<string> =>
    ((await page.locator(selector).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();

  it('publishes the tag "Optimization" from the reader', async () => {
    await reader.goto(`${web.baseUrl}/login`);
    await reader.fill('input[name="username"]', 'ada');
    await reader.fill('input[name="password"]', PASSWORD);
    await Promise.all([reader.waitForURL(/\/unread$/), reader.click('button[type="submit"]')]);
    await reader.goto(`${web.baseUrl}/feeds`);
    await reader.fill('.subscribe-form input[name="url"]', feeds.url('/cf.xml'));
    await Promise.all([
      reader.waitForURL(/done=subscribed/),
      reader.click('.subscribe-form button[type="submit"]'),
    ]);

    await reader.goto(`${web.baseUrl}/tag/optimization`);
    await Promise.all([
      reader.waitForURL(/\/settings\/publications\?done=published/),
      reader.click('form[action="/publications"] button[type="submit"]'),
    ]);
    assert.match(await text(reader, '.flash'), /Published/);
    publicUrl = (await reader.locator('a.public-url').first().getAttribute('href')) ?? '';
    assert.equal(publicUrl, `${web.baseUrl}/p/optimization/`);
    await screenshot(reader, 'publish-publications-desktop');
  });

  it('shows the public archive to a signed-out visitor, attributed to the author and the original', async () => {
    const problems = collectPageProblems(visitor);
    const res = await visitor.goto(publicUrl);
    assert.equal(res?.status(), 200);
    assert.equal(await text(visitor, 'h1'), 'Tag Archives: Optimization');
    assert.equal(await text(visitor, '.post .syndicated'), ATTRIBUTION);
    assert.equal(await visitor.locator('.post .syndicated a').last().getAttribute('href'), PINGORA);
    // No session here: the visitor has no cookie and the page loads no script.
    assert.deepEqual(await visitor.context().cookies(), []);
    assert.equal(await visitor.locator('script').count(), 0);
    await screenshot(visitor, 'publish-archive-desktop');
    // The page's own resources all load (the article's images live on the internet, unreachable here).
    const own = problems.all().filter((p) => p.includes(web.baseUrl));
    assert.deepEqual(own, []);
    assert.deepEqual(problems.pageErrors, []);
  });

  it('opens the post page, as the reader shows an article, with its canonical link', async () => {
    await Promise.all([
      visitor.waitForURL(/\/p\/optimization\/\d+-a-good-day-to-trie-hard/),
      visitor.click('.post-title a:text("A good day to trie-hard")'),
    ]);
    assert.equal(await text(visitor, 'h1'), 'A good day to trie-hard: saving compute 1% at a time');
    assert.match(await text(visitor, '.byline'), /^Kevin Guthrie · 2024-09-10 · via The Cloudflare Blog$/);
    assert.equal(await text(visitor, '.syndicated'), ATTRIBUTION);
    assert.equal(await visitor.locator('link[rel="canonical"]').getAttribute('href'), PINGORA);
    assert.equal(await visitor.locator('a[data-original]').getAttribute('href'), PINGORA);
    assert.equal(await visitor.locator('a[data-open-reader]').count(), 0, 'only for a signed-in reader');
    assert.match(await text(visitor, '.content'), /60 million per second/);
    await screenshot(visitor, 'publish-post-desktop');

    // The same page for the signed-in reader offers to open the entry in Gleaner.
    await reader.goto(visitor.url());
    await Promise.all([reader.waitForURL(/\/entry\/\d+/), reader.click('a[data-open-reader]')]);
    assert.equal(
      await text(reader, '.article-title'),
      'A good day to trie-hard: saving compute 1% at a time',
    );
  });

  it('follows the feed link to an RSS feed of the publication', async () => {
    const href = await visitor
      .locator('link[rel="alternate"][type="application/rss+xml"]')
      .getAttribute('href');
    assert.equal(href, '/p/optimization/feed.xml');
    const shown = await visitor.locator('a[data-feed="rss"]').getAttribute('href');
    assert.equal(shown, href);
    const res = await visitor.request.get(new URL(href, visitor.url()).toString());
    assert.equal(res.status(), 200);
    assert.match(res.headers()['content-type'] ?? '', /application\/rss\+xml/);
    const feed = parseFeed(await res.body());
    assert.equal(feed.title, 'Optimization');
    assert.deepEqual(
      feed.items.map((i) => [i.title, i.link, i.author]),
      [['A good day to trie-hard: saving compute 1% at a time', PINGORA, 'Kevin Guthrie']],
    );
    // A phone-sized view of the archive for the record.
    const phone = await newPage(browser, { viewport: { width: 375, height: 812 }, isMobile: true });
    await phone.goto(publicUrl);
    await screenshot(phone, 'publish-archive-phone');
    await phone.context().close();
  });
});
