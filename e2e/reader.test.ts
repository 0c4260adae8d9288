// The reader in a real browser (headless Chromium): first-run setup, subscribing to a feed served
// on loopback, reading, starring, searching in English and Chinese, keyboard navigation, mark all
// read, logging out, a second user's separate world, and a feed whose content carries scripts.
// Screenshots of the main pages (desktop and phone) land in test-artifacts/screenshots/.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../src/testing/testserver.js';
import { startWebApp, type WebApp } from '../src/web/testing.js';
import { browserSkipReason, collectPageProblems, launchBrowser, newPage, screenshot } from './browser.js';

const DAY = 86_400_000;

function rss(origin: string): string {
  const item = (n: number, title: string, body: string, categories: string[], extra = ''): string => `
  <item>
    <title>${title}</title>
    <link>${origin}/posts/${n}</link>
    <guid>${origin}/posts/${n}</guid>
    <dc:creator>Ada Lovelace</dc:creator>
    <pubDate>${new Date(Date.now() - n * DAY).toUTCString()}</pubDate>
    ${categories.map((c) => `<category>${c}</category>`).join('')}
    <description><![CDATA[${body}]]></description>${extra}
  </item>`;
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Loopback Engineering</title>
  <link>${origin}/</link>
  <description>Posts for the browser test</description>
  ${item(1, 'Rust memory safety in practice', '<p>The borrow checker rejects dangling references at compile time.</p>', ['Rust', 'Security'])}
  ${item(2, 'Fuzzing parsers with coverage', '<p>Coverage-guided fuzzing finds memory bugs in parsers.</p>', ['Security', 'Testing'])}
  ${item(3, '苹果发布新的人工智能模型', '<p>苹果公司今天发布了新的人工智能模型，开发者可以在设备上运行。</p>', ['AI'])}
  ${item(4, 'A post with hostile markup', '<p>Hello</p><script>window.__pwned = "script"</script><img src="x" onerror="window.__pwned = \'onerror\'"><a href="javascript:window.__pwned=\'link\'">click</a>', ['Testing'])}
  ${item(5, 'Rust async runtimes compared', '<p>Tokio and smol take different approaches to scheduling.</p>', ['Rust'])}
</channel>
</rss>`;
}

const skip = browserSkipReason();

describe('the reader in Chromium', { skip }, () => {
  let feeds: TestServer;
  let web: WebApp;
  let browser: Browser;
  let page: Page;

  before(async () => {
    feeds = await startTestServer();
    feeds.route('/feed.xml', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(rss(feeds.origin));
    });
    // A 1×1 PNG as the site's favicon.
    const favicon = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
      'base64',
    );
    feeds.route('/favicon.ico', (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' }).end(favicon);
    });
    // The fifth post's page: an article longer than its feed's teaser.
    feeds.route('/posts/5', (_req, res) => {
      const paragraphs = Array.from(
        { length: 30 },
        (_, i) => `<p>Part ${i} of the comparison: how Tokio and smol schedule their tasks.</p>`,
      ).join('');
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(
          `<html><body><nav>Home</nav><article><h1>Rust async runtimes compared</h1>${paragraphs}</article></body></html>`,
        );
    });
    web = await startWebApp();
    browser = await launchBrowser();
    page = await newPage(browser, { viewport: { width: 1440, height: 900 } });
  });

  after(async () => {
    await browser?.close();
    await web?.close();
    await feeds?.close();
  });

  /** The text of every element matching, whitespace collapsed as a reader sees it. */
  const texts = async (selector: string, on: Page = page): Promise<string[]> =>
    (await on.locator(selector).allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
  const text = async (selector: string, on: Page = page): Promise<string> =>
    (await texts(selector, on))[0] ?? '';

  const go = async (path: string): Promise<void> => {
    await page.goto(`${web.baseUrl}${path}`);
  };

  it('asks for the administrator on first run and signs them in', async () => {
    await go('/');
    assert.match(page.url(), /\/setup$/);
    await screenshot(page, 'setup-desktop');
    await page.fill('input[name="username"]', 'ada');
    await page.fill('input[name="password"]', 'a long test password');
    await page.fill('input[name="confirm"]', 'a long test password');
    await Promise.all([page.waitForURL(/\/unread$/), page.click('button[type="submit"]')]);
    assert.match((await page.textContent('body')) ?? '', /No subscriptions yet/);
  });

  it('subscribes to a feed on a loopback server and shows the unread count', async () => {
    await go('/feeds');
    await page.fill('.subscribe-form input[name="url"]', `${feeds.origin}/feed.xml`);
    await Promise.all([
      page.waitForURL(/done=subscribed/),
      page.click('.subscribe-form button[type="submit"]'),
    ]);
    await screenshot(page, 'feeds-desktop');
    await go('/unread');
    assert.equal((await page.textContent('.sidebar [data-count="unread"]'))?.trim(), '5');
    assert.match((await page.textContent('.sidebar')) ?? '', /Loopback Engineering/);
    // The site's icon was kept at subscribe time and is served by Gleaner itself.
    const icon = page.locator('.sidebar img.feed-icon');
    assert.match((await icon.getAttribute('src')) ?? '', /^\/icons\/\d+$/);
    const loaded = await page.request.get(`${web.baseUrl}${await icon.getAttribute('src')}`);
    assert.equal(loaded.headers()['content-type'], 'image/png');
    await screenshot(page, 'unread-desktop');
  });

  it('opens an article with author · date · via feed, tags and related posts', async () => {
    await page.click('.entry-title a:text("Rust memory safety in practice")');
    await page.waitForSelector('article.article');
    const byline = await text('.byline');
    assert.match(byline, /^Ada Lovelace · \d{4}-\d\d-\d\d · via Loopback Engineering/);
    const tags = await texts('.tags a');
    assert.deepEqual(tags, ['rust', 'security']);
    const related = await texts('.related a');
    assert.ok(related.includes('Rust async runtimes compared'), `related: ${related.join(', ')}`);
    assert.ok(related.includes('Fuzzing parsers with coverage'));
    assert.equal(await page.getAttribute('a[data-original-link]', 'href'), `${feeds.origin}/posts/1`);
    await screenshot(page, 'article-desktop');
  });

  it('stars the article in place and lists it under Starred', async () => {
    await page.click('button[data-action="star"]');
    await page.waitForSelector('button[data-action="star"].on');
    await go('/starred');
    assert.deepEqual(await texts('.entry-title a'), ['Rust memory safety in practice']);
  });

  it('searches in English and in Chinese, highlighting the match', async () => {
    await page.fill('[data-search]', 'borrow checker');
    await Promise.all([page.waitForURL(/\/search\?q=/), page.press('[data-search]', 'Enter')]);
    assert.deepEqual(await texts('.entry-title a'), ['Rust memory safety in practice']);
    assert.ok((await texts('.excerpt mark')).length > 0);
    await screenshot(page, 'search-desktop');
    await go(`/search?q=${encodeURIComponent('人工智能')}`);
    assert.deepEqual(await texts('.entry-title a'), ['苹果发布新的人工智能模型']);
  });

  it('moves through a list with j and k, opens the original with v and the entry with o', async () => {
    await go('/all');
    const titles = await texts('.entry-title a');
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    const selected = await texts('.entry-item.selected .entry-title a');
    assert.deepEqual(selected, [titles[0]]);
    const original = await page.getAttribute('.entry-item.selected a[data-original]', 'href');
    assert.ok(original);
    const [popup] = await Promise.all([page.context().waitForEvent('page'), page.keyboard.press('v')]);
    await popup.waitForLoadState('domcontentloaded').catch(() => undefined);
    assert.equal(popup.url(), original);
    await popup.close();
    await page.keyboard.press('j');
    await Promise.all([page.waitForURL(/\/entry\/\d+/), page.keyboard.press('o')]);
    assert.equal(await text('.article-title'), titles[1]);
    await page.keyboard.press('?');
    assert.equal(await page.isVisible('#help'), true);
    await page.keyboard.press('Escape');
    assert.equal(await page.isVisible('#help'), false);
  });

  it('fetches an article’s full text from its page with d', async () => {
    await go('/all');
    await Promise.all([
      page.waitForURL(/\/entry\/\d+/),
      page.click('.entry-title a:text("Rust async runtimes compared")'),
    ]);
    assert.doesNotMatch(await text('.content'), /Part 29/);
    await Promise.all([page.waitForURL(/article=fetched/), page.keyboard.press('d')]);
    assert.match(await text('.content'), /Part 29 of the comparison/);
    assert.match(await text('.flash'), /The full article was fetched from its page/);
  });

  it('never runs scripts that came with feed content', async () => {
    const problems = collectPageProblems(page);
    await go('/all');
    await Promise.all([
      page.waitForURL(/\/entry\/\d+/),
      page.click('.entry-title a:text("A post with hostile markup")'),
    ]);
    await page.click('.content a').catch(() => undefined);
    assert.equal(await page.evaluate('window.__pwned'), undefined);
    const content = await page.innerHTML('.content');
    assert.ok(!/script|onerror|javascript:/i.test(content), content);
    assert.deepEqual(problems.pageErrors, []);
  });

  it('marks all read with undo', async () => {
    await go('/unread');
    const before = Number((await page.textContent('.sidebar [data-count="unread"]'))?.trim());
    assert.ok(before > 0);
    await Promise.all([page.waitForURL(/undo=/), page.click('.mark-all button[type="submit"]')]);
    const marked = before === 1 ? 'Marked 1 entry read' : `Marked ${before} entries read`;
    assert.match((await page.textContent('.flash')) ?? '', new RegExp(marked));
    assert.equal(await page.$('.sidebar [data-count="unread"]'), null);
    await Promise.all([page.waitForURL(/\/unread$/), page.click('.flash button')]);
    assert.equal(Number((await page.textContent('.sidebar [data-count="unread"]'))?.trim()), before);
    await page.click('.mark-all button[type="submit"]');
    await page.waitForURL(/undo=/);
  });

  it('renders for a phone', async () => {
    const phone = await newPage(browser, {
      viewport: { width: 375, height: 740 },
      isMobile: true,
      hasTouch: true,
    });
    await phone.context().addCookies(await page.context().cookies());
    await phone.goto(`${web.baseUrl}/all?status=all`);
    // The sidebar is off-canvas until the menu button opens it.
    const left = async (): Promise<number> => (await phone.locator('.sidebar').boundingBox())?.x ?? -1;
    assert.ok((await left()) < 0, 'the sidebar starts off screen');
    await screenshot(phone, 'all-phone');
    await phone.click('.menu-button');
    // The page's CSP forbids evaluated strings, so wait by polling the box (the slide is short).
    for (let i = 0; i < 100 && (await left()) < 0; i++) await phone.waitForTimeout(50);
    assert.ok((await left()) >= 0, 'the menu button brings the sidebar in');
    await screenshot(phone, 'menu-phone');
    await phone.goto(`${web.baseUrl}/all?status=all`);
    await phone.click('.entry-title a >> nth=0');
    await phone.waitForSelector('article.article');
    const overflow = await phone.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    assert.ok(overflow <= 1, `the article is ${overflow}px wider than the phone`);
    await screenshot(phone, 'article-phone');
    await phone.context().close();
  });

  it('logs out, and a second user sees none of the first one’s feeds or state', async () => {
    await go('/settings');
    await screenshot(page, 'settings-desktop');
    await go('/stats');
    await screenshot(page, 'stats-desktop');
    await go('/admin/users');
    await page.fill('form[action="/admin/users"] input[name="username"]', 'grace');
    await page.fill('form[action="/admin/users"] input[name="password"]', 'another long password');
    await Promise.all([
      page.waitForLoadState('load'),
      page.click('form[action="/admin/users"] button[type="submit"]'),
    ]);
    assert.match((await page.textContent('main')) ?? '', /grace/);
    const articleUrl = (await web.store.queryEntries({ userId: 1, status: 'all', limit: 1 }))[0]?.entry.id;

    await page.click('form[action="/logout"] button');
    await page.waitForURL(/\/login$/);
    await screenshot(page, 'login-desktop');
    await go('/unread');
    assert.match(page.url(), /\/login\?next=/);

    await page.fill('input[name="username"]', 'grace');
    await page.fill('input[name="password"]', 'another long password');
    await Promise.all([page.waitForURL(/\/unread$/), page.click('button[type="submit"]')]);
    assert.match((await page.textContent('body')) ?? '', /No subscriptions yet/);
    assert.equal(await page.$('.sidebar [data-count="unread"]'), null);
    await go('/starred');
    assert.equal(await page.$('.entry-item'), null);
    const response = await page.goto(`${web.baseUrl}/entry/${articleUrl}`);
    assert.equal(response?.status(), 404);
  });
});
