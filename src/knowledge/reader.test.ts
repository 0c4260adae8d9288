// The wiki the builder writes, as the reader shows it: seed 002 subscribed through the web UI from a
// loopback server, the wiki built from the stored entries into the reader's wiki folder, then the
// article, the source page, a concept page's backlinks and the wiki search read over HTTP.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from '../testing/testserver.js';
import { startWebApp, type WebApp, type WebClient } from '../web/testing.js';
import { collectArticles } from './articles.js';
import { buildWiki } from './build.js';

const SEED_002 = readFileSync(
  join(fileURLToPath(new URL('../../../shared/seeds/', import.meta.url)), '002_8d3710f0974aeed0.txt'),
  'utf8',
);
const TRIE_URL = 'https://blog.cloudflare.com/pingora-saving-compute-1-percent-at-a-time/';
const TRIE_ROUTE = '/wiki/sources/2024-09-10-cloudflare-a-good-day-to-trie-hard-saving-compute-1-at-a-time';

const flat = (html: string): string => html.replace(/\s+/g, ' ');

describe('the built wiki in the reader', () => {
  let feeds: TestServer;
  let web: WebApp;
  let ann: WebClient;
  let trieEntryId: number;

  before(async () => {
    feeds = await startTestServer({
      '/feed.xml': (_req, res) => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(SEED_002),
    });
    web = await startWebApp();
    ann = await web.login('ann', 'correct horse battery');
    const subscribed = await ann.post('/feeds/subscribe', { url: feeds.url('/feed.xml'), title: '' });
    assert.equal(subscribed.status, 303);
    const user = await web.store.findUserByName('ann');
    assert.ok(user);
    const articles = await collectArticles(web.store, user.id, {});
    assert.equal(articles.length, 2, 'both posts of the feed were stored');
    const report = await buildWiki(articles, { dir: web.deps.options.wikiDir, now: Date.now() });
    assert.equal(report.analyzed, 2);
    const [view] = (await web.store.queryEntries({ userId: user.id, limit: 10 })).filter(
      (v) => v.entry.link === TRIE_URL,
    );
    assert.ok(view, 'the trie-hard post is stored');
    trieEntryId = view.entry.id;
  });

  after(async () => {
    await web.close();
    await feeds.close();
  });

  it('shows the article’s source page beside it', async () => {
    const res = await ann.get(`/entry/${trieEntryId}`);
    assert.equal(res.status, 200);
    const panel = /<details class="wiki-panel"[^>]*>(.*?)<\/details>/.exec(flat(res.body))?.[1] ?? '';
    assert.match(panel, new RegExp(`<a href="${TRIE_ROUTE}">Cloudflare — A good day to trie-hard`));
    assert.match(panel, /Summary/);
    assert.match(panel, /Key takeaways/);
  });

  it('renders the source page with its sections and links to the entity pages', async () => {
    const res = await ann.get(TRIE_ROUTE);
    assert.equal(res.status, 200);
    const page = flat(res.body);
    for (const section of ['Summary', 'Key takeaways', 'Operational numbers', 'Caveats', 'Links'])
      assert.match(page, new RegExp(`<h2[^>]*>${section}</h2>`), section);
    assert.match(page, /href="\/wiki\/concepts\/trie"/);
    assert.match(page, /href="\/wiki\/systems\/trie-hard"/);
    assert.match(page, /35 M req\/s/);
    assert.doesNotMatch(page, /href="[^"]*\.md"/, 'links between pages become reader routes');
  });

  it('lists the source page among a concept’s backlinks, and finds it by search', async () => {
    const concept = await ann.get('/wiki/concepts/trie');
    assert.equal(concept.status, 200);
    const backlinks = /<section class="backlinks">(.*?)<\/section>/.exec(flat(concept.body))?.[1] ?? '';
    assert.match(backlinks, new RegExp(`<a href="${TRIE_ROUTE}">`));
    const search = await ann.get('/wiki/search?q=trie-hard');
    assert.equal(search.status, 200);
    assert.match(flat(search.body), new RegExp(`<a href="${TRIE_ROUTE}">`));
  });
});
