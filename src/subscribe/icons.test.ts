// Feed icons kept at subscribe time: the first candidate that is really a small image is stored;
// pages, lies about the type, oversized files and refused addresses are not.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { createFetcher, type Fetcher } from '../feed/fetch/index.js';
import { openStore, type Store } from '../store/index.js';
import { respond, startTestServer, type TestServer } from '../testing/testserver.js';
import { DEFAULT_FETCH_OPTIONS, keepFeedIcon, MAX_ICON_BYTES, subscribeToUrl } from './index.js';

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(60, 1)]);

describe('feed icons', () => {
  let server: TestServer;
  let store: Store;
  let fetcher: Fetcher;
  const deps = () => ({ store, fetcher, clock: Date.now });

  before(async () => {
    server = await startTestServer({
      '/icon.png': respond(200, { 'content-type': 'image/png' }, PNG),
      '/page.html': respond(200, { 'content-type': 'text/html' }, '<html><body>not an icon</body></html>'),
      '/lying.png': respond(200, { 'content-type': 'image/png' }, '<html><script>alert(1)</script></html>'),
      '/huge.png': respond(
        200,
        { 'content-type': 'image/png' },
        Buffer.concat([PNG, Buffer.alloc(MAX_ICON_BYTES)]),
      ),
      '/icon.svg': respond(
        200,
        { 'content-type': 'image/svg+xml' },
        '<svg xmlns="http://www.w3.org/2000/svg"></svg>',
      ),
      '/favicon.ico': respond(
        200,
        { 'content-type': 'application/octet-stream' },
        Buffer.from('0000010001001010', 'hex'),
      ),
      '/feed.xml': respond(
        200,
        { 'content-type': 'application/rss+xml' },
        '<rss version="2.0"><channel><title>T</title><link>https://t.example/</link></channel></rss>',
      ),
    });
    store = await openStore({ dbPath: ':memory:', databaseUrl: null });
    fetcher = createFetcher({
      policy: { allowPrivateNetworks: false, allowedCidrs: ['127.0.0.0/8'] },
      userAgent: 'gleaner-test',
    });
  });
  after(async () => {
    await fetcher.close();
    await store.close();
    await server.close();
  });

  it('keeps the first candidate that is a small image', async () => {
    const feed = await store.ensureFeed(server.url('/a.xml'), DEFAULT_FETCH_OPTIONS, Date.now());
    const kept = await keepFeedIcon(deps(), feed, [
      'http://10.0.0.1/icon.png',
      server.url('/missing.png'),
      server.url('/page.html'),
      server.url('/lying.png'),
      server.url('/huge.png'),
      server.url('/icon.png'),
    ]);
    assert.equal(kept, true);
    const icon = await store.getFeedIcon(feed.id);
    assert.equal(icon?.contentType, 'image/png');
    assert.deepEqual(Buffer.from(icon?.data ?? []), PNG);
  });

  it('keeps SVG icons and .ico files served with a generic type', async () => {
    const svg = await store.ensureFeed(server.url('/b.xml'), DEFAULT_FETCH_OPTIONS, Date.now());
    assert.equal(await keepFeedIcon(deps(), svg, [server.url('/icon.svg')]), true);
    assert.equal((await store.getFeedIcon(svg.id))?.contentType, 'image/svg+xml');
    const ico = await store.ensureFeed(server.url('/c.xml'), DEFAULT_FETCH_OPTIONS, Date.now());
    assert.equal(await keepFeedIcon(deps(), ico, [server.url('/favicon.ico')]), true);
    assert.equal((await store.getFeedIcon(ico.id))?.contentType, 'image/x-icon');
  });

  it('keeps nothing when no candidate is an icon', async () => {
    const feed = await store.ensureFeed(server.url('/d.xml'), DEFAULT_FETCH_OPTIONS, Date.now());
    assert.equal(
      await keepFeedIcon(deps(), feed, [server.url('/page.html'), server.url('/lying.png')]),
      false,
    );
    assert.equal(await store.getFeedIcon(feed.id), null);
  });

  it('subscribing to a feed keeps its site’s favicon, shown in the subscription list', async () => {
    const user = await store.createUser('iconic', { isAdmin: false }, Date.now());
    const outcome = await subscribeToUrl(deps(), { userId: user.id, url: server.url('/feed.xml') });
    assert.equal(outcome.status, 'subscribed');
    const [view] = await store.listSubscriptions(user.id);
    assert.equal(view?.hasIcon, true);
  });
});
