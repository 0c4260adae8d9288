// Refreshing over real HTTP on 127.0.0.1, into a temporary SQLite file, with a fixed clock.
import { strict as assert } from 'node:assert';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { escapeHtml } from '../content/escape.js';
import { feedProxyFetcher, startTestProxy } from '../testing/proxyserver.js';
import { makeCertificate, opensslSkipReason } from '../testing/certificates.js';
import { createFetcher, type Fetcher } from '../feed/fetch/index.js';
import {
  LOOPBACK_POLICY,
  plainUrl,
  resolveToLoopback,
  siteUrl,
  startTestServer,
  type TestServer,
} from '../testing/testserver.js';
import { createLogger, silentLogger } from '../log/index.js';
import { GleanerError } from '../model/errors.js';
import type { Feed, FetchOptions, User } from '../model/index.js';
import { openSqliteStore, type SqliteOptions } from '../store/sqlite.js';
import { storageError, type Store } from '../store/index.js';
import type { ExtractArticle } from '../ingest/article.js';
import { createDigestPool, digestInProcess, extractInProcess, type Digest } from './digest.js';
import { runRefreshLoop } from './loop.js';
import { dueFeedSource, RefreshSlots, refreshFeeds, type PassSummary } from './pool.js';
import { refreshFeed, type RefreshDeps } from './refresh.js';
import { DEFAULT_SCHEDULE_POLICY, furthestNextCheckMs } from './schedule.js';
import { pushedDocument } from './websub.js';
import { DEFAULT_FETCH_OPTIONS } from '../subscribe/index.js';

const OPTIONS: FetchOptions = DEFAULT_FETCH_OPTIONS;
const NOW = Date.UTC(2026, 10, 23, 12);
const HOUR = 3_600_000;

function rss(items: { guid: string; title: string; body?: string; date?: string }[]): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">` +
    `<channel><title>Loopback Blog</title><link>https://blog.example/</link><ttl>120</ttl>` +
    items
      .map(
        (i) =>
          `<item><title>${i.title}</title><link>https://blog.example/${i.guid}?utm_source=rss</link>` +
          `<guid isPermaLink="false">${i.guid}</guid><pubDate>${i.date ?? 'Mon, 23 Nov 2026 10:00:00 GMT'}</pubDate>` +
          `<content:encoded><![CDATA[${i.body ?? '<p>Hello</p>'}]]></content:encoded></item>`,
      )
      .join('') +
    `</channel></rss>`
  );
}

/**
 * Runs `test` with feeds digested and articles extracted in-process (`here`), then by a parse
 * worker (`worker`), feeds packed.
 */
async function withEachDigest(
  test: (name: string, digest: Digest, extractArticle: ExtractArticle) => Promise<void>,
): Promise<void> {
  const pool = createDigestPool(1);
  try {
    await test('here', digestInProcess, extractInProcess);
    await test('worker', pool.digest, pool.extractArticle);
  } finally {
    await pool.close();
  }
}

/** A loopback feed server, a temporary database, a fetcher allowed to reach loopback, one user. */
interface Harness {
  server: TestServer;
  /** The database file. */
  path: string;
  store: Store;
  deps: RefreshDeps;
  user: User;
  /** The fixed clock's time; tests move it forward. */
  clock: number;
  subscribed(path: string, options?: FetchOptions): Promise<Feed>;
  close(): Promise<void>;
}

async function openHarness(sqlite: SqliteOptions = {}): Promise<Harness> {
  const server = await startTestServer();
  const dir = mkdtempSync(join(tmpdir(), 'gleaner-refresh-'));
  const path = join(dir, 'refresh.db');
  const store = openSqliteStore(path, sqlite);
  const fetcher: Fetcher = createFetcher({ policy: LOOPBACK_POLICY, userAgent: 'gleaner-test' });
  const user = await store.createUser('tester', { isAdmin: true }, NOW);
  const h: Harness = {
    server,
    path,
    store,
    user,
    clock: NOW,
    deps: {
      store,
      fetcher,
      clock: () => h.clock,
      random: () => 0.5,
      log: silentLogger,
      policy: DEFAULT_SCHEDULE_POLICY,
      maxFeedBytes: 1024 * 1024,
    },
    async subscribed(path, options = OPTIONS) {
      const feed = await store.ensureFeed(server.url(path), options, h.clock);
      await store.subscribe(user.id, feed.id, { folderId: null, title: null }, h.clock);
      return feed;
    },
    async close() {
      await fetcher.close();
      await store.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

describe('refreshFeed over loopback HTTP', () => {
  let h: Harness;
  let server: TestServer;
  let store: Store;
  let deps: RefreshDeps;
  let user: User;

  before(async () => {
    h = await openHarness();
    ({ server, store, deps, user } = h);
  });
  after(() => h.close());
  beforeEach(() => {
    h.clock += HOUR;
  });

  const subscribed = (path: string, options?: FetchOptions): Promise<Feed> => h.subscribed(path, options);
  const current = async (feed: Feed): Promise<Feed> => {
    const f = await store.getFeed(feed.id);
    assert.ok(f);
    return f;
  };

  it('schedules a feed fetched again unchanged as it did at first: its stored entries count once', async () => {
    // Ten entries six hours apart: checked every three hours (half the gap), above the feed's ttl of two.
    const items = Array.from({ length: 10 }, (_, k) => ({
      guid: `six-${k}`,
      title: `Every six hours ${k}`,
      date: new Date(h.clock - k * 6 * HOUR).toUTCString(),
    }));
    server.route('/six-hourly.xml', (_req, res) =>
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss(items)),
    );
    const feed = await subscribed('/six-hourly.xml');
    assert.equal((await refreshFeed(feed, deps)).status, 'updated');
    const first = (await current(feed)).nextCheckAt - h.clock;
    assert.equal((await refreshFeed(await current(feed), deps)).status, 'updated');
    const again = (await current(feed)).nextCheckAt - h.clock;
    assert.equal(again, first);
    assert.equal(first, 3 * HOUR);
  });

  it('fetches a feed that asks for it through the feed proxy, its articles too, and fails it without one', async () => {
    server.route('/proxied.xml', (_req, res) =>
      res
        .writeHead(200, { 'content-type': 'application/rss+xml' })
        .end(
          `<rss version="2.0"><channel><title>Proxied</title><item><title>Through the proxy</title><guid>x</guid>` +
            `<link>${server.url('/proxied-post')}</link><description>A teaser.</description></item></channel></rss>`,
        ),
    );
    server.route('/proxied-post', (_req, res) =>
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(
          '<html><body><article><p>The article, fetched through the proxy too.</p></article></body></html>',
        ),
    );
    const feed = await subscribed('/proxied.xml', {
      ...OPTIONS,
      fetchViaProxy: true,
      fetchFullArticle: true,
    });
    const unset = await refreshFeed(feed, deps);
    assert.equal(unset.status, 'failed');
    assert.match(unset.status === 'failed' ? unset.error : '', /GLEANER_FEED_PROXY is not set/);

    const proxy = await startTestProxy();
    const fetcher = feedProxyFetcher(proxy);
    try {
      const result = await refreshFeed(await current(feed), { ...deps, fetcher });
      assert.equal(result.status, 'updated');
      assert.deepEqual(
        proxy.requests.map((r) => r.target),
        [server.url('/proxied.xml'), server.url('/proxied-post')],
      );
      const [view] = await store.queryEntries({ userId: user.id, feedId: feed.id, limit: 1 });
      assert.match(view?.entry.contentHtml ?? '', /fetched through the proxy too/);
    } finally {
      await fetcher.close();
      await proxy.close();
    }
  });

  it(
    'fetches a feed, and its articles, from a server whose certificate the feed trusts',
    { skip: opensslSkipReason() },
    async () => {
      const own = makeCertificate('nas.test', ['DNS:nas.test']);
      const nas = await startTestServer({}, '127.0.0.1', own);
      nas.route('/feed.xml', (_req, res) =>
        res
          .writeHead(200, { 'content-type': 'application/rss+xml' })
          .end(
            `<rss version="2.0"><channel><title>NAS</title><item><title>Backup done</title><guid>b</guid>` +
              `<link>${nas.url('/post')}</link><description>A teaser.</description></item></channel></rss>`,
          ),
      );
      nas.route('/post', (_req, res) =>
        res
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end('<html><body><article><p>The whole report, from the NAS itself.</p></article></body></html>'),
      );
      const subscribe = async (options: FetchOptions): Promise<Feed> => {
        const feed = await store.ensureFeed(nas.url('/feed.xml'), options, h.clock);
        await store.subscribe(user.id, feed.id, { folderId: null, title: null }, h.clock);
        return feed;
      };
      try {
        const untrusting = await refreshFeed(await subscribe({ ...OPTIONS, fetchFullArticle: true }), deps);
        assert.equal(untrusting.status, 'failed');
        assert.match(untrusting.status === 'failed' ? untrusting.error : '', /DEPTH_ZERO_SELF_SIGNED_CERT/);
        const feed = await subscribe({ ...OPTIONS, fetchFullArticle: true, trustedCertificate: own.cert });
        assert.equal((await refreshFeed(feed, deps)).status, 'updated');
        assert.deepEqual(
          nas.requests.map((r) => r.path),
          ['/feed.xml', '/post'],
          'the feed, then its article, each over a verified connection',
        );
        const [view] = await store.queryEntries({ userId: user.id, feedId: feed.id, limit: 1 });
        assert.match(view?.entry.contentHtml ?? '', /The whole report, from the NAS itself/);
      } finally {
        await nas.close();
      }
    },
  );

  it('checks a feed no more often than its subscriber asks, after a change, a 304 and a failure alike', async () => {
    let status = 200;
    server.route('/paced.xml', (req, res) => {
      if (status !== 200) return void res.writeHead(status).end('down');
      if (req.headers['if-none-match'] === '"p"') return void res.writeHead(304, { etag: '"p"' }).end();
      res
        .writeHead(200, { 'content-type': 'application/rss+xml', etag: '"p"' })
        .end(rss([{ guid: 'p', title: 'Paced' }]));
    });
    const feed = await subscribed('/paced.xml');
    assert.equal((await refreshFeed(feed, deps)).status, 'updated');
    assert.ok((await current(feed)).nextCheckAt <= h.clock + 3 * HOUR, 'its own pace: its ttl of 2 hours');
    await store.updateSubscription(user.id, feed.id, { minCheckMinutes: 12 * 60 });
    for (const [expected, set] of [
      ['not-modified', () => {}],
      ['failed', () => (status = 500)],
    ] as const) {
      set();
      assert.equal((await refreshFeed(await current(feed), deps)).status, expected);
      const wait = (await current(feed)).nextCheckAt - h.clock;
      assert.ok(wait >= 12 * HOUR * (1 - DEFAULT_SCHEDULE_POLICY.jitter), `${expected}: ${wait / HOUR} h`);
    }
  });

  it('paces a feed by the entries it finds new: as they come when it dates them all 1970, not at all when it only edits', async () => {
    let count = 3;
    server.route('/epoch.xml', (_req, res) =>
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(
        rss(
          Array.from({ length: count }, (_, i) => ({
            guid: `e${count - i}`,
            title: `Epoch ${count - i}`,
            date: 'Thu, 01 Jan 1970 00:00:00 GMT',
          })),
        ),
      ),
    );
    let views = 0;
    server.route('/counter.xml', (_req, res) => {
      views++;
      const items = [1, 2, 3].map(
        (n) =>
          `<item><title>Post ${n}</title><guid>c${n}</guid><description>Viewed ${views * n} times</description></item>`,
      );
      res
        .writeHead(200, { 'content-type': 'application/rss+xml' })
        .end(`<rss version="2.0"><channel><title>Counter</title>${items.join('')}</channel></rss>`);
    });
    const wait = async (feed: Feed): Promise<number> => ((await current(feed)).nextCheckAt - h.clock) / HOUR;
    const epoch = await subscribed('/epoch.xml');
    const counter = await subscribed('/counter.xml');
    for (const feed of [epoch, counter]) assert.equal((await refreshFeed(feed, deps)).status, 'updated');
    assert.ok((await wait(epoch)) >= 20, 'dated 1970: nothing to go by yet');
    assert.ok((await wait(counter)) <= 1, 'undated, just found: as if just published');

    h.clock += HOUR / 2;
    count = 4;
    assert.equal((await refreshFeed(await current(epoch), deps)).status, 'updated');
    // A new entry since the last check, dated 1970: the feed publishes between two checks. Its ttl
    // (2 hours) is the floor.
    assert.ok((await wait(epoch)) <= 3, `epoch: ${await wait(epoch)} h`);

    h.clock += 2 * 24 * HOUR;
    assert.equal((await refreshFeed(await current(counter), deps)).status, 'updated');
    // Edited, nothing new in two days: its entries, found two days ago, say once a day or so.
    assert.ok((await wait(counter)) >= 12, `counter: ${await wait(counter)} h`);
  });

  it('fetches a feed that ignores the HTTP cache whole each time, and heeds no max-age for it', async () => {
    // A site whose validators lie: any If-None-Match is answered 304, whatever changed. Its entry is
    // an hour old: by its pace alone, it would be checked in half an hour.
    let doc = rss([{ guid: 'a', title: 'First', date: new Date(h.clock - HOUR).toUTCString() }]);
    server.route('/lying.xml', (req, res) => {
      const headers = { etag: '"same"', 'cache-control': 'max-age=86400' };
      if (req.headers['if-none-match']) return void res.writeHead(304, headers).end();
      res.writeHead(200, { ...headers, 'content-type': 'application/rss+xml' }).end(doc);
    });
    const cached = await subscribed('/lying.xml');
    const whole = await subscribed('/lying.xml', { ...OPTIONS, ignoreHttpCache: true });
    assert.notEqual(whole.id, cached.id, 'another way of fetching: another feed');
    for (const feed of [cached, whole]) assert.equal((await refreshFeed(feed, deps)).status, 'updated');
    const [cachedNext, wholeNext] = [(await current(cached)).nextCheckAt, (await current(whole)).nextCheckAt];
    assert.ok(cachedNext >= h.clock + 20 * HOUR, 'max-age=86400 heeded');
    assert.ok(wholeNext <= h.clock + 3 * HOUR, 'max-age not heeded: the feed’s ttl of 2 hours is');

    doc = rss([
      { guid: 'b', title: 'Second' },
      { guid: 'a', title: 'First' },
    ]);
    assert.deepEqual(await refreshFeed(await current(cached), deps), {
      feedId: cached.id,
      status: 'not-modified',
    });
    const wholeAgain = await refreshFeed(await current(whole), deps);
    assert.equal(server.requests.at(-1)?.headers['if-none-match'], undefined, 'no validators sent');
    assert.equal(server.requests.at(-1)?.headers['if-modified-since'], undefined);
    assert.deepEqual(wholeAgain, { feedId: whole.id, status: 'updated', inserted: 1, updated: 0 });
  });

  it('stores new entries, answers a 304 without writing, updates changed entries in place', async () => {
    let doc = rss([
      { guid: 'a', title: 'First' },
      { guid: 'b', title: 'Second' },
    ]);
    let etag = '"v1"';
    server.route('/blog.xml', (req, res) => {
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
      res.writeHead(200, { 'content-type': 'application/rss+xml', etag }).end(doc);
    });
    const feed = await subscribed('/blog.xml');
    assert.deepEqual(await refreshFeed(feed, deps), {
      feedId: feed.id,
      status: 'updated',
      inserted: 2,
      updated: 0,
    });
    let f = await current(feed);
    assert.equal(f.title, 'Loopback Blog');
    assert.equal(f.etag, '"v1"');
    assert.ok(f.nextCheckAt >= h.clock + 2 * HOUR * 0.9, 'the feed ttl of 120 minutes is honoured');

    assert.equal(f.ttlMinutes, 120);
    assert.deepEqual(await refreshFeed(f, deps), { feedId: feed.id, status: 'not-modified' });
    assert.equal(server.requests.at(-1)?.headers['if-none-match'], '"v1"');
    assert.ok(
      (await current(feed)).nextCheckAt >= h.clock + 2 * HOUR * 0.9,
      'the ttl of the document last fetched is honoured after a 304 too',
    );

    doc = rss([
      { guid: 'c', title: 'Third' },
      { guid: 'a', title: 'First, corrected' },
      { guid: 'b', title: 'Second' },
    ]);
    etag = '"v2"';
    f = await current(feed);
    assert.deepEqual(await refreshFeed(f, deps), {
      feedId: feed.id,
      status: 'updated',
      inserted: 1,
      updated: 1,
    });
    const titles = (
      await store.queryEntries({ userId: user.id, feedId: feed.id, limit: 10, order: 'oldest' })
    ).map((v) => v.entry.title);
    assert.deepEqual(titles.sort(), ['First, corrected', 'Second', 'Third']);
    const [entry] = await store.queryEntries({ userId: user.id, feedId: feed.id, limit: 1 });
    assert.equal(
      entry?.entry.link?.includes('utm_source'),
      false,
      'tracking parameters are removed from links',
    );
  });

  it('sanitizes hostile content before storing it', async () => {
    const hostile =
      '<p onclick="steal()">Read <a href="javascript:alert(1)">this</a></p><script>alert(1)</script>' +
      '<img src="/pixel.gif" width="1" height="1"><img src="/chart.png" onerror="x()"><iframe src="https://evil.example/"></iframe>';
    server.route('/hostile.xml', (_req, res) => {
      res
        .writeHead(200, { 'content-type': 'application/rss+xml' })
        .end(rss([{ guid: 'h', title: 'Hostile', body: hostile }]));
    });
    const feed = await subscribed('/hostile.xml');
    await refreshFeed(feed, deps);
    const [view] = await store.queryEntries({ userId: user.id, feedId: feed.id, limit: 1 });
    const html = view?.entry.contentHtml ?? '';
    assert.match(html, /Read/);
    assert.match(html, /https:\/\/blog\.example\/chart\.png/, 'relative image made absolute');
    for (const bad of [/<script/i, /onclick/i, /onerror/i, /javascript:/i, /<iframe/i, /pixel\.gif/]) {
      assert.doesNotMatch(html, bad);
    }
  });

  it('stores no link a reader could not safely follow, in the entry or the feed', async () => {
    server.route('/links.xml', (_req, res) => {
      res
        .writeHead(200, { 'content-type': 'application/rss+xml' })
        .end(
          `<rss version="2.0"><channel><title>Links</title><link>javascript:alert(document.cookie)</link>` +
            `<item><title>Click me</title><link>javascript:alert(1)</link><guid>j</guid>` +
            `<comments>data:text/html,&lt;script&gt;alert(2)&lt;/script&gt;</comments>` +
            `<enclosure url="javascript:alert(3)" type="audio/mpeg" length="1"/></item></channel></rss>`,
        );
    });
    const feed = await subscribed('/links.xml');
    await refreshFeed(feed, deps);
    const [view] = await store.queryEntries({ userId: user.id, feedId: feed.id, limit: 1 });
    assert.equal(view?.entry.title, 'Click me');
    assert.equal(view?.entry.link, null);
    assert.equal(view?.entry.commentsUrl, null);
    assert.deepEqual(view?.entry.enclosures, []);
    assert.equal((await store.getFeed(feed.id))?.siteUrl, null);
  });

  it('keeps no ETag of a gzipped document cut short, so the next check fetches it whole', async () => {
    const items = [1, 2, 3, 4].map((n) => ({ guid: `cut-${n}`, title: `Cut ${n}` }));
    const whole = gzipSync(rss(items));
    let fetches = 0;
    server.route('/cut.xml', (req, res) => {
      if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304).end();
      const headers = { 'content-type': 'application/rss+xml', 'content-encoding': 'gzip', etag: '"v1"' };
      // The first answer breaks off within its last item.
      res.writeHead(200, headers).end(fetches++ === 0 ? whole.subarray(0, whole.length - 60) : whole);
    });
    const feed = await subscribed('/cut.xml');
    assert.equal((await refreshFeed(feed, deps)).status, 'updated');
    assert.equal((await current(feed)).etag, null);
    assert.ok((await store.countEntries(feed.id)) < 4, 'the last item did not arrive');
    h.clock += HOUR;
    assert.equal((await refreshFeed(await current(feed), deps)).status, 'updated');
    assert.equal(await store.countEntries(feed.id), 4);
    assert.equal((await current(feed)).etag, '"v1"');
  });

  it('records a failure with the error and backs off; a success clears it', async () => {
    let status = 500;
    server.route('/flaky.xml', (_req, res) => {
      if (status !== 200) return void res.writeHead(status).end('down');
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss([{ guid: 'x', title: 'Back' }]));
    });
    const feed = await subscribed('/flaky.xml');
    const first = await refreshFeed(feed, deps);
    assert.equal(first.status, 'failed');
    let f = await current(feed);
    assert.equal(f.errorCount, 1);
    assert.match(f.lastError ?? '', /500/);
    const firstDelay = f.nextCheckAt - h.clock;
    h.clock += HOUR;
    await refreshFeed(f, deps);
    f = await current(feed);
    assert.equal(f.errorCount, 2);
    assert.ok(f.nextCheckAt - h.clock > firstDelay, 'the second failure waits longer');
    status = 200;
    h.clock += HOUR;
    assert.equal((await refreshFeed(f, deps)).status, 'updated');
    f = await current(feed);
    assert.equal(f.errorCount, 0);
    assert.equal(f.lastError, null);
  });

  it('honours Retry-After on 429', async () => {
    server.route('/busy.xml', (_req, res) => void res.writeHead(429, { 'retry-after': '7200' }).end());
    const feed = await subscribed('/busy.xml');
    await refreshFeed(feed, deps);
    const f = await current(feed);
    assert.ok(f.nextCheckAt >= h.clock + 7200_000, 'not before the server said');
  });

  it('asks again after a week at most, however long Retry-After says', async () => {
    server.route(
      '/forever.xml',
      (_req, res) => void res.writeHead(503, { 'retry-after': '9'.repeat(400) }).end(),
    );
    const feed = await subscribed('/forever.xml');
    await refreshFeed(feed, deps);
    const f = await current(feed);
    assert.equal(f.nextCheckAt, h.clock + 7 * 24 * 3600_000);
    assert.match(
      f.lastError ?? '',
      /the server has a problem \(it asks for 7 d\); Gleaner will retry later$/,
    );
  });

  it('moves a feed that redirected permanently, and refuses a page that is not a feed', async () => {
    server.route('/old.xml', (_req, res) => void res.writeHead(301, { location: '/new.xml' }).end());
    server.route('/new.xml', (_req, res) =>
      res
        .writeHead(200, { 'content-type': 'application/rss+xml' })
        .end(rss([{ guid: 'n', title: 'New home' }])),
    );
    const moved = await subscribed('/old.xml');
    await refreshFeed(moved, deps);
    assert.equal((await current(moved)).url, server.url('/new.xml'));

    server.route('/page.html', (_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>not a feed</body></html>'),
    );
    const page = await subscribed('/page.html');
    const result = await refreshFeed(page, deps);
    assert.equal(result.status, 'failed');
    assert.match((await current(page)).lastError ?? '', /not a feed/);
  });

  it('keeps two feeds that redirect to one page that is not a feed apart, each at its URL, failing', async () => {
    const feeds: Feed[] = [];
    for (const name of ['ended-a', 'ended-b']) {
      server.route(`/${name}.xml`, (_req, res) =>
        res
          .writeHead(200, { 'content-type': 'application/rss+xml' })
          .end(rss([{ guid: name, title: `Last of ${name}` }])),
      );
      const feed = await subscribed(`/${name}.xml`);
      assert.equal((await refreshFeed(feed, deps)).status, 'updated');
      server.route(`/${name}.xml`, (_req, res) => void res.writeHead(301, { location: '/home' }).end());
      feeds.push(feed);
    }
    server.route('/home', (_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Welcome home</body></html>'),
    );
    h.clock += HOUR;
    for (const feed of feeds) {
      assert.equal((await refreshFeed(await current(feed), deps)).status, 'failed');
      const after = await current(feed);
      assert.equal(after.url, feed.url);
      assert.equal(
        after.lastError,
        `${feed.url} leads to ${server.url('/home')}, which is not a feed (not a feed: the root element is <html>); if the feed moved, give its new URL (its edit form, or gleaner edit --url)`,
      );
      assert.equal(await store.countEntries(feed.id), 1);
    }
  });

  it('merges a feed into the one it moved to, its document digested on a parse worker', async () => {
    const pool = createDigestPool(1);
    try {
      server.route('/pair-old.xml', (_req, res) => void res.writeHead(301, { location: '/pair.xml' }).end());
      let served = 0;
      server.route('/pair.xml', (_req, res) => {
        served++;
        // Above 4 KB, a body is handed to the worker, not copied.
        const body = `<p>${'A long story. '.repeat(400)}</p>`;
        const items = [
          { guid: 'p1', title: 'One', body },
          ...(served > 1 ? [{ guid: 'p2', title: 'Two', body }] : []),
        ];
        res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss(items));
      });
      const working = { ...deps, digest: pool.digest };
      const pair = await subscribed('/pair.xml');
      assert.equal((await refreshFeed(pair, working)).status, 'updated');
      const old = await subscribed('/pair-old.xml');
      assert.deepEqual(await refreshFeed(old, working), {
        feedId: pair.id,
        status: 'updated',
        inserted: 1,
        updated: 0,
      });
      assert.equal(await store.getFeed(old.id), null);
    } finally {
      await pool.close();
    }
  });

  it('stores no credentials a redirect writes into its Location, and never sends them', async () => {
    const sent: (string | undefined)[] = [];
    server.route(
      '/lured.xml',
      (_req, res) =>
        void res
          .writeHead(301, { location: server.url('/lure.xml').replace('://', '://attacker:hunter2@') })
          .end(),
    );
    server.route('/lure.xml', (req, res) => {
      sent.push(req.headers.authorization);
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss([{ guid: 'l', title: 'Lure' }]));
    });
    const feed = await subscribed('/lured.xml');
    assert.equal((await refreshFeed(feed, deps)).status, 'updated');
    const moved = await current(feed);
    assert.equal(moved.url, server.url('/lure.xml'));
    h.clock += HOUR;
    assert.equal((await refreshFeed(moved, deps)).status, 'updated');
    assert.deepEqual(sent, [undefined, undefined]);
  });

  it('keeps the credentials written into a feed URL when it moves on its own site, and logs none', async () => {
    const basic = `Basic ${Buffer.from('alice:s3cret').toString('base64')}`;
    server.route(
      '/members-old.xml',
      (_req, res) => void res.writeHead(301, { location: '/members.xml' }).end(),
    );
    server.route('/members.xml', (req, res) =>
      req.headers.authorization === basic
        ? res
            .writeHead(200, { 'content-type': 'application/rss+xml' })
            .end(rss([{ guid: 'm', title: 'Members' }]))
        : res.writeHead(401).end(),
    );
    const withCredentials = (path: string): string => server.url(path).replace('://', '://alice:s3cret@');
    const feed = await store.ensureFeed(withCredentials('/members-old.xml'), OPTIONS, h.clock);
    await store.subscribe(user.id, feed.id, { folderId: null, title: null }, h.clock);
    const lines: string[] = [];
    const logging = { ...deps, log: createLogger('debug', (line) => lines.push(line)) };
    assert.equal((await refreshFeed(feed, logging)).status, 'updated');
    const moved = await current(feed);
    assert.equal(moved.url, withCredentials('/members.xml'));
    h.clock += HOUR;
    // Fetched again at its new URL, with the credentials: no 401.
    assert.equal((await refreshFeed(moved, logging)).status, 'updated');
    assert.equal((await current(feed)).errorCount, 0);
    assert.match(lines.join(''), /feed moved permanently/);
    assert.ok(!lines.join('').includes('s3cret'), lines.join(''));
  });

  it('merges a feed that moved permanently to the URL of another feed into it', async () => {
    server.route('/twin-old.xml', (_req, res) => void res.writeHead(308, { location: '/twin.xml' }).end());
    let served = 0;
    server.route('/twin.xml', (_req, res) => {
      served++;
      res
        .writeHead(200, { 'content-type': 'application/rss+xml' })
        .end(
          rss([
            { guid: 't1', title: 'Twin one' },
            ...(served > 1 ? [{ guid: 't2', title: 'Twin two' }] : []),
          ]),
        );
    });
    const twin = await subscribed('/twin.xml');
    assert.equal((await refreshFeed(twin, deps)).status, 'updated');
    const old = await subscribed('/twin-old.xml');

    const result = await refreshFeed(old, deps);
    assert.deepEqual(
      result,
      { feedId: twin.id, status: 'updated', inserted: 1, updated: 0 },
      'stored as the twin',
    );
    assert.equal(await store.getFeed(old.id), null, 'the feed that moved is gone');
    assert.equal(served, 2, 'fetched once');
    const subs = (await store.listSubscriptions(user.id)).filter((s) => s.feed.url.includes('/twin'));
    assert.deepEqual(
      subs.map((s) => [s.feed.id, s.entryCount]),
      [[twin.id, 2]],
      'one subscription, each entry once',
    );

    // From another site, it is kept apart: its entries would otherwise become the other feed's.
    const named = createFetcher({
      policy: LOOPBACK_POLICY,
      userAgent: 'gleaner-test',
      resolveHost: resolveToLoopback,
    });
    try {
      server.route('/away.xml', (_req, res) => void res.writeHead(301, { location: twin.url }).end());
      const away = await store.ensureFeed(siteUrl(server, 'elsewhere.test', '/away.xml'), OPTIONS, NOW);
      await store.subscribe(user.id, away.id, { folderId: null, title: null }, NOW);
      assert.equal((await refreshFeed(away, { ...deps, fetcher: named })).status, 'updated');
      assert.equal((await current(away)).url, away.url);
      assert.equal((await store.listSubscriptions(user.id)).filter((s) => s.feed.id === away.id).length, 1);
    } finally {
      await named.close();
    }
  });

  it('does not bring back a removed entry its feed still lists, and forgets it once the feed drops it', async () => {
    await withEachDigest(async (name, digest) => {
      const day = (d: number): string => new Date(NOW - d * 24 * HOUR).toUTCString();
      const items = {
        a: { guid: `${name}-a`, title: 'A', date: day(3) },
        b: { guid: `${name}-b`, title: 'B', date: day(2) },
        c: { guid: `${name}-c`, title: 'C', date: day(1) },
        d: { guid: `${name}-d`, title: 'D', date: day(0) },
      };
      let doc = rss([items.c, items.b, items.a]);
      server.route(`/kept-${name}.xml`, (_req, res) =>
        res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(doc),
      );
      const withDigest = { ...deps, digest };
      const feed = await subscribed(`/kept-${name}.xml`);
      const refresh = async (fetched?: Parameters<typeof refreshFeed>[2]): Promise<unknown> => {
        const result = await refreshFeed(await current(feed), withDigest, fetched);
        return result.status === 'updated' ? result.inserted : result.status;
      };
      const removedKeys = async (): Promise<string[]> =>
        (await store.removedEntries(feed.id)).map((key) => key.replace(/^g:/, '')).sort();
      assert.equal(await refresh(), 3);
      // Read, then removed 20 days on, but for the newest.
      const ids = (await store.queryEntries({ userId: user.id, feedId: feed.id, limit: 10 })).map(
        (v) => v.entry.id,
      );
      await store.setEntryState(user.id, ids, { read: true }, h.clock);
      const policy = { readMs: 10 * 24 * HOUR, unreadMs: null, keepPerFeed: 1, maxPerFeed: null };
      h.clock += 20 * 24 * HOUR;
      assert.equal((await store.removeOldEntries(policy, h.clock, null, 1000)).next, null);
      assert.deepEqual(await removedKeys(), [`${name}-a`, `${name}-b`]);

      assert.equal(await refresh(), 0, `${name}: the document still lists them, and they stay removed`);
      assert.equal(await store.countEntries(feed.id), 1);
      // What a WebSub hub sends may hold only the newest items: it tells nothing of the others.
      const pushed = Buffer.from(rss([items.d, items.c]));
      assert.equal(await refresh(pushedDocument(await current(feed), pushed, 'application/rss+xml')), 1);
      assert.deepEqual(await removedKeys(), [`${name}-a`, `${name}-b`]);
      doc = rss([items.d, items.c, items.b]);
      assert.equal(await refresh(), 0);
      assert.deepEqual(await removedKeys(), [`${name}-b`], `${name}: A is forgotten once the feed drops it`);
      doc = rss([items.d, items.c, items.b, items.a]);
      assert.equal(await refresh(), 1, `${name}: back in the feed after it left, A is new`);
    });
  });

  it('keeps an item one entry when its guid is repeated in a document, then unique again', async () => {
    await withEachDigest(async (name, digest) => {
      const item = (guid: string, path: string, title: string): string =>
        `<item><title>${title}</title><link>https://blog.example/${name}/${path}</link><guid>${guid}</guid>` +
        `<description>${title} text</description></item>`;
      let items: string[] = [];
      server.route(`/repeated-${name}.xml`, (_req, res) =>
        res
          .writeHead(200, { 'content-type': 'application/rss+xml' })
          .end(`<rss version="2.0"><channel><title>Repeats</title>${items.join('')}</channel></rss>`),
      );
      const withDigest = { ...deps, digest };
      const feed = await subscribed(`/repeated-${name}.xml`);
      const refresh = async (): Promise<unknown> => {
        h.clock += HOUR;
        const result = await refreshFeed(await current(feed), withDigest);
        return result.status === 'updated' ? [result.inserted, result.updated] : result.status;
      };
      const stored = async (): Promise<[string, boolean][]> =>
        (await store.queryEntries({ userId: user.id, feedId: feed.id, limit: 10 }))
          .map((v): [string, boolean] => [v.entry.title, v.read])
          .sort();

      items = [item('post-1', 'a', 'A')];
      assert.deepEqual(await refresh(), [1, 0]);
      const [a] = await store.queryEntries({ userId: user.id, feedId: feed.id, limit: 1 });
      assert.ok(a);
      await store.setEntryState(user.id, [a.entry.id], { read: true }, h.clock);
      // A new post reuses the guid: both items fall back to their links, and A is still A.
      items = [item('post-1', 'b', 'B'), item('post-1', 'a', 'A')];
      assert.deepEqual(await refresh(), [1, 0], name);
      // Its text changes while the guid is repeated: A is updated in place.
      items = [item('post-1', 'b', 'B'), item('post-1', 'a', 'A, corrected')];
      assert.deepEqual(await refresh(), [0, 1], name);
      // B goes, and A's guid is its own again.
      items = [item('post-1', 'a', 'A, corrected')];
      assert.deepEqual(await refresh(), [0, 0], name);
      assert.deepEqual(await stored(), [
        ['A, corrected', true],
        ['B', false],
      ]);
      // An item listed twice, then once: one entry.
      items = [item('post-2', 'c', 'C'), item('post-2', 'c', 'C'), item('post-1', 'a', 'A, corrected')];
      assert.deepEqual(await refresh(), [1, 0], name);
      items = [item('post-2', 'c', 'C'), item('post-1', 'a', 'A, corrected')];
      assert.deepEqual(await refresh(), [0, 0], name);
      assert.equal(await store.countEntries(feed.id), 3, name);
    });
  });

  it('keeps episodes with only their media apart, an item listed twice one entry, and an item given a guid as it is edited', async () => {
    await withEachDigest(async (name, digest) => {
      let body = '';
      server.route(`/odd-keys-${name}.xml`, (_req, res) =>
        res
          .writeHead(200, { 'content-type': 'application/rss+xml' })
          .end(`<rss version="2.0"><channel><title>Odd keys</title>${body}</channel></rss>`),
      );
      const episode = (n: number, title = ''): string =>
        `<item>${title ? `<title>${title}</title>` : ''}<pubDate>Mon, 0${n} Nov 2026 10:00:00 GMT</pubDate>` +
        `<enclosure url="https://cdn.example/${name}/ep${n}.mp3" length="1" type="audio/mpeg"/></item>`;
      const feed = await subscribed(`/odd-keys-${name}.xml`);
      const refresh = async (): Promise<unknown> => {
        h.clock += HOUR;
        const result = await refreshFeed(await current(feed), { ...deps, digest });
        return result.status === 'updated' ? [result.inserted, result.updated] : result.status;
      };
      const views = async () => store.queryEntries({ userId: user.id, feedId: feed.id, limit: 20 });

      // Untitled, or all titled alike: each episode its own entry, and the next one comes.
      body = episode(1) + episode(2) + episode(3, 'Weekly show') + episode(4, 'Weekly show');
      assert.deepEqual(await refresh(), [4, 0], name);
      body = episode(5) + body;
      assert.deepEqual(await refresh(), [1, 0], name);

      // A guid listed twice as the same item (its date aside), without a link: still that item, still read.
      const twice = (day: number): string =>
        `<item><title>Twice</title><guid isPermaLink="false">tw-1</guid><pubDate>Mon, 0${day} Nov 2026 10:00:00 GMT</pubDate>` +
        `<description>Once</description></item>`;
      body = twice(1);
      assert.deepEqual(await refresh(), [1, 0], name);
      const read = (await views()).find((v) => v.entry.title === 'Twice');
      assert.ok(read);
      await store.setEntryState(user.id, [read.entry.id], { read: true }, h.clock);
      body = twice(1) + twice(2);
      assert.deepEqual(await refresh(), [0, 0], name);

      // Keyed by its link, then given a guid in the same fetch that edits it: updated in place.
      const linked = (guid: string, text: string): string =>
        `<item><title>Linked</title><link>https://blog.example/${name}/linked</link>${guid}<description>${text}</description></item>`;
      body = linked('', 'First');
      assert.deepEqual(await refresh(), [1, 0], name);
      body = linked('<guid>linked-1</guid>', 'Second');
      assert.deepEqual(await refresh(), [0, 1], name);
      const titles = (await views()).map((v) => [v.entry.title, v.read]);
      assert.deepEqual(
        titles.filter(([t]) => t === 'Twice' || t === 'Linked'),
        [
          ['Linked', false],
          ['Twice', true],
        ],
      );
      assert.equal(await store.countEntries(feed.id), 7, name);
    });
  });

  it('prepares again only the items whose source changed, here and on a parse worker', async () => {
    await withEachDigest(async (name, digest) => {
      const items = [1, 2, 3].map((n) => ({
        guid: `${name}-src-${n}`,
        title: `Source ${n}`,
        body: `<p>Body ${n}</p>`,
      }));
      const edit = (n: number, body: string): void => {
        items[n - 1] = { ...(items[n - 1] as (typeof items)[number]), body };
      };
      server.route(`/sources-${name}.xml`, (_req, res) =>
        res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss(items)),
      );
      // Blind, the digest is not told the stored entries' content: only their sources can leave
      // an item out.
      let blind = false;
      const digested: string[][] = [];
      const watched: Digest = async (req) => {
        const stored =
          blind && req.stored ? new Map([...req.stored.keys()].map((k) => [k, '?'])) : req.stored;
        const result = await digest({ ...req, ...(stored ? { stored } : {}) });
        digested.push(result.entries.map((e) => e.title));
        return result;
      };
      const refresh = async (): Promise<unknown> => {
        const result = await refreshFeed(await current(feed), { ...deps, digest: watched });
        return result.status === 'updated' ? [result.inserted, result.updated] : result.status;
      };
      const feed = await subscribed(`/sources-${name}.xml`);
      assert.deepEqual(await refresh(), [3, 0]);
      // The first fetch hashes nothing; the second prepares every item, and keeps their sources.
      edit(2, '<p>Body 2, corrected</p>');
      assert.deepEqual(await refresh(), [0, 1]);
      edit(3, '<p>Body 3, corrected</p>');
      blind = true;
      assert.deepEqual(await refresh(), [0, 1]);
      assert.deepEqual(digested, [['Source 1', 'Source 2', 'Source 3'], ['Source 2'], ['Source 3']]);
      const views = await store.queryEntries({ userId: user.id, feedId: feed.id, limit: 3 });
      assert.deepEqual(views.map((v) => v.entry.contentHtml).sort(), [
        '<p>Body 1</p>',
        '<p>Body 2, corrected</p>',
        '<p>Body 3, corrected</p>',
      ]);
    });
  });

  it('looks up as many stored entries as the feed’s document holds, so a long feed’s old items are not prepared again', async () => {
    const day = (d: number): string => new Date(NOW - d * 24 * HOUR).toUTCString();
    // 250 items: 50 more than a refresh looked up at first, the oldest last.
    const items = Array.from({ length: 250 }, (_, i) => ({
      guid: `long-${i}`,
      title: `Long ${i}`,
      date: day(i),
    }));
    const docOf = (list: typeof items): string => rss(list);
    let doc = docOf(items);
    server.route('/long-source.xml', (_req, res) =>
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(doc),
    );
    let blind = false;
    const digested: number[] = [];
    const watched: Digest = async (req) => {
      const stored = blind && req.stored ? new Map([...req.stored.keys()].map((k) => [k, '?'])) : req.stored;
      const result = await digestInProcess({ ...req, ...(stored ? { stored } : {}) });
      digested.push(result.entries.length);
      return result;
    };
    const feed = await subscribed('/long-source.xml');
    const refresh = async (fetched?: Parameters<typeof refreshFeed>[2]): Promise<unknown> => {
      const result = await refreshFeed(await current(feed), { ...deps, digest: watched }, fetched);
      return result.status === 'updated' ? [result.inserted, result.updated] : result.status;
    };
    assert.deepEqual(await refresh(), [250, 0]);
    assert.equal((await current(feed)).itemCount, 250);
    // A WebSub push holds the newest items only: it does not shorten the feed.
    const pushed = Buffer.from(docOf(items.slice(0, 3)));
    await refresh(pushedDocument(await current(feed), pushed, 'application/rss+xml'));
    assert.equal((await current(feed)).itemCount, 250);
    assert.deepEqual(await refresh(), [0, 0], 'the second fetch keeps every item’s source');
    items[240] = { ...(items[240] as (typeof items)[number]), title: 'Long 240, retitled' };
    doc = docOf(items);
    blind = true;
    digested.length = 0;
    assert.deepEqual(await refresh(), [0, 1]);
    assert.deepEqual(digested, [1], 'only the item that changed, past the newest 200, is prepared');
  });

  it('reads a long document’s newest entries only, and keeps a feed to its limit at each fetch', async () => {
    const day = (d: number): string => new Date(NOW - d * 24 * HOUR).toUTCString();
    const item = (n: number) => ({ guid: `cap-${n}`, title: `Capped ${n}`, date: day(20 - n) });
    let doc = rss([1, 2, 3, 4, 5].map(item));
    server.route('/capped.xml', (_req, res) =>
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(doc),
    );
    const capped = { ...deps, maxEntriesPerFeed: 3 };
    const feed = await subscribed('/capped.xml');
    const titles = async (): Promise<string[]> =>
      (await store.queryEntries({ userId: user.id, feedId: feed.id, limit: 10 })).map((v) => v.entry.title);
    assert.deepEqual(await refreshFeed(feed, capped), {
      feedId: feed.id,
      status: 'updated',
      inserted: 3,
      updated: 0,
    });
    assert.deepEqual(await titles(), ['Capped 5', 'Capped 4', 'Capped 3']);
    const [, , oldest] = await store.queryEntries({ userId: user.id, feedId: feed.id, limit: 10 });
    assert.ok(oldest);
    await store.setEntryState(user.id, [oldest.entry.id], { starred: true }, h.clock);

    // Two more: the feed's oldest unstarred go at once, and stay gone while the document lists them.
    doc = rss([1, 2, 3, 4, 5, 6, 7].map(item));
    assert.equal((await refreshFeed(await current(feed), capped)).status, 'updated');
    assert.deepEqual(await titles(), ['Capped 7', 'Capped 6', 'Capped 5', 'Capped 3']);
    assert.deepEqual((await store.removedEntries(feed.id)).sort(), ['g:cap-4']);
    assert.deepEqual(await refreshFeed(await current(feed), capped), {
      feedId: feed.id,
      status: 'updated',
      inserted: 0,
      updated: 0,
    });
    assert.equal(await store.countEntries(feed.id), 4);
  });

  it('keeps a feed fetched with a cookie at its URL when it moves to another site', async () => {
    // Two names for the loopback server: two sites.
    const named = createFetcher({
      policy: LOOPBACK_POLICY,
      userAgent: 'gleaner-test',
      resolveHost: resolveToLoopback,
    });
    try {
      const on = (host: string, path: string): string => siteUrl(server, host, path);
      const cookies: (string | undefined)[] = [];
      server.route(
        '/moving.xml',
        (_req, res) => void res.writeHead(301, { location: on('other.test', '/moved.xml') }).end(),
      );
      server.route('/moved.xml', (req, res) => {
        cookies.push(req.headers.cookie);
        res
          .writeHead(200, { 'content-type': 'application/rss+xml' })
          .end(rss([{ guid: 'm', title: 'Moved' }]));
      });
      const withCookie = await store.ensureFeed(
        on('site.test', '/moving.xml'),
        { ...OPTIONS, cookie: 's=1' },
        NOW,
      );
      const plain = await store.ensureFeed(on('site.test', '/moving.xml'), OPTIONS, NOW);
      for (const feed of [withCookie, plain]) {
        await store.subscribe(h.user.id, feed.id, { folderId: null, title: null }, NOW);
        assert.equal((await refreshFeed(feed, { ...deps, fetcher: named })).status, 'updated');
      }
      assert.equal((await current(withCookie)).url, on('site.test', '/moving.xml'), 'kept, with its cookie');
      assert.equal((await current(plain)).url, on('other.test', '/moved.xml'), 'moved');
      assert.deepEqual(cookies, [undefined, undefined], 'the other site never had the cookie');
    } finally {
      await named.close();
    }
  });

  it(
    'sends a feed’s secrets from http on to its https address, never back to plain http or to another port',
    { skip: opensslSkipReason() },
    async () => {
      const own = makeCertificate('127.0.0.1', ['IP:127.0.0.1']);
      // One host and port over http and https alike: each path answers by the scheme it was asked in.
      const site = await startTestServer({}, '127.0.0.1', own);
      const secured = (req: IncomingMessage): boolean => 'encrypted' in req.socket;
      const basic = `Basic ${Buffer.from('alice:s3cret').toString('base64')}`;
      const secrets = { ...OPTIONS, cookie: 'session=1', username: 'alice', password: 's3cret' };
      /** What each request carried, as "scheme port path cookie|authorization". */
      const carried: string[] = [];
      const record = (req: IncomingMessage, port: number): void =>
        void carried.push(
          `${secured(req) ? 'https' : 'http'} ${port} ${req.url} ${req.headers.cookie}|${req.headers.authorization}`,
        );
      const article = (req: IncomingMessage, res: ServerResponse, port: number): void => {
        record(req, port);
        res
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end(
            `<html><body><article>${'<p>A paragraph of the article, long enough to read.</p>'.repeat(30)}</article></body></html>`,
          );
      };
      site.route('/article', (req, res) => article(req, res, site.port));
      server.route('/article', (req, res) => article(req, res, server.port));
      const item = (guid: string, link: string): string =>
        `<item><title>${guid}</title><link>${link}</link><guid>${guid}</guid><description>Teaser.</description></item>`;
      const feedDocument =
        `<rss version="2.0"><channel><title>Members</title>` +
        item('same', site.url('/article')) +
        item('plain', plainUrl(site, '/article')) +
        item('port', server.url('/article')) +
        `</channel></rss>`;
      // Moved to plain http, served there to anyone.
      site.route('/downgraded.xml', (req, res) => {
        record(req, site.port);
        if (secured(req)) res.writeHead(301, { location: plainUrl(site, '/downgraded.xml') }).end();
        else
          res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss([{ guid: 'd', title: 'D' }]));
      });
      // Moved to https, which asks for the credentials and cookie.
      site.route('/upgraded.xml', (req, res) => {
        record(req, site.port);
        if (!secured(req)) res.writeHead(301, { location: site.url('/upgraded.xml') }).end();
        else if (req.headers.authorization !== basic || req.headers.cookie !== 'session=1')
          res.writeHead(401).end();
        else
          res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss([{ guid: 'u', title: 'U' }]));
      });
      site.route('/articles.xml', (req, res) => {
        record(req, site.port);
        res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(feedDocument);
      });
      const subscribe = async (url: string, options: FetchOptions): Promise<Feed> => {
        const feed = await store.ensureFeed(url, options, h.clock);
        await store.subscribe(user.id, feed.id, { folderId: null, title: null }, h.clock);
        return feed;
      };
      try {
        const downgraded = await subscribe(site.url('/downgraded.xml'), {
          ...secrets,
          trustedCertificate: own.cert,
        });
        for (let i = 0; i < 2; i++) {
          assert.equal((await refreshFeed(await current(downgraded), deps)).status, 'updated');
          h.clock += HOUR;
        }
        assert.equal((await current(downgraded)).url, site.url('/downgraded.xml'), 'kept at its https URL');
        const https = `https ${site.port} /downgraded.xml session=1|${basic}`;
        const http = `http ${site.port} /downgraded.xml undefined|undefined`;
        assert.deepEqual(carried.splice(0), [https, http, https, http]);

        const upgraded = await subscribe(plainUrl(site, '/upgraded.xml'), {
          ...secrets,
          trustedCertificate: own.cert,
        });
        assert.equal((await refreshFeed(upgraded, deps)).status, 'updated');
        const moved = await current(upgraded);
        assert.equal(moved.url, site.url('/upgraded.xml'), 'moved to https, with its secrets');
        h.clock += HOUR;
        assert.equal((await refreshFeed(moved, deps)).status, 'updated');
        assert.deepEqual(carried.splice(0), [
          `http ${site.port} /upgraded.xml session=1|${basic}`,
          `https ${site.port} /upgraded.xml session=1|${basic}`,
          `https ${site.port} /upgraded.xml session=1|${basic}`,
        ]);

        const articles = await subscribe(site.url('/articles.xml'), {
          ...secrets,
          trustedCertificate: own.cert,
          fetchFullArticle: true,
        });
        assert.equal((await refreshFeed(articles, deps)).status, 'updated');
        assert.deepEqual(carried.splice(0), [
          `https ${site.port} /articles.xml session=1|${basic}`,
          // Its cookie goes to articles on the feed's own origin only; its credentials to none.
          `https ${site.port} /article session=1|undefined`,
          `http ${site.port} /article undefined|undefined`,
          `http ${server.port} /article undefined|undefined`,
        ]);

        // A full-article feed that moves to https is an https feed from that refresh on: its
        // cookie goes to the articles the https feed would send it to, not to plain http.
        site.route('/moving.xml', (req, res) => {
          record(req, site.port);
          if (!secured(req)) res.writeHead(301, { location: site.url('/moving.xml') }).end();
          else res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(feedDocument);
        });
        const moving = await subscribe(plainUrl(site, '/moving.xml'), {
          ...secrets,
          trustedCertificate: own.cert,
          fetchFullArticle: true,
        });
        assert.equal((await refreshFeed(moving, deps)).status, 'updated');
        assert.equal((await current(moving)).url, site.url('/moving.xml'));
        assert.deepEqual(carried.splice(0), [
          `http ${site.port} /moving.xml session=1|${basic}`,
          `https ${site.port} /moving.xml session=1|${basic}`,
          `https ${site.port} /article session=1|undefined`,
          `http ${site.port} /article undefined|undefined`,
          `http ${server.port} /article undefined|undefined`,
        ]);
      } finally {
        await site.close();
      }
    },
  );

  it('records a bug of ours as that feed failing, and goes on with the others', async () => {
    server.route('/ok.xml', (_req, res) =>
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss([{ guid: 'k', title: 'Fine' }])),
    );
    server.route('/boom.xml', (_req, res) =>
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss([{ guid: 'b', title: 'Boom' }])),
    );
    const ok = await subscribed('/ok.xml');
    const boom = await subscribed('/boom.xml');
    const buggy: RefreshDeps = {
      ...deps,
      digest: async (req) => {
        if (req.url.endsWith('/boom.xml')) throw new TypeError('cannot read properties of undefined');
        return (await import('./digest.js')).digestFeed(req);
      },
    };
    const summary = await refreshFeeds([boom, ok], buggy, { concurrency: 2, perHost: 2 });
    assert.equal(summary.failed, 1);
    assert.equal(summary.updated, 1);
    assert.match(
      (await current(boom)).lastError ?? '',
      /internal error: cannot read properties of undefined/,
    );
  });

  it('never fetches more feeds from one host at once than the per-host limit', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const feeds: Feed[] = [];
    for (let i = 0; i < 12; i++) {
      server.route(`/many/${i}.xml`, (_req, res) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        setImmediate(() => {
          inFlight--;
          res
            .writeHead(200, { 'content-type': 'application/rss+xml' })
            .end(rss([{ guid: `m${i}`, title: `M${i}` }]));
        });
      });
      feeds.push(await subscribed(`/many/${i}.xml`));
    }
    const summary = await refreshFeeds(feeds, deps, { concurrency: 8, perHost: 2 });
    assert.equal(summary.updated, 12);
    assert.equal(summary.inserted, 12);
    assert.ok(maxInFlight <= 2, `at most 2 at once on one host (saw ${maxInFlight})`);
  });
});

describe('a pass over the due feeds, read a page at a time', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await openHarness();
  });
  afterEach(() => h.close());

  /** Subscribes to `n` feeds at `host` (a name of the test server), each answered once `ready` is. */
  async function feedsAt(host: string, n: number, ready: Promise<void> = Promise.resolve()): Promise<Feed[]> {
    const feeds: Feed[] = [];
    for (let i = 0; i < n; i++) {
      const path = `/${host}/${i}.xml`;
      h.server.route(path, (_req, res) => {
        void ready.then(() =>
          res
            .writeHead(200, { 'content-type': 'application/rss+xml' })
            .end(rss([{ guid: `${host}-${i}`, title: `${host} ${i}` }])),
        );
      });
      const feed = await h.store.ensureFeed(siteUrl(h.server, host, path), OPTIONS, h.clock);
      await h.store.subscribe(h.user.id, feed.id, { folderId: null, title: null }, h.clock);
      feeds.push(feed);
    }
    return feeds;
  }

  it('fetches each feed once, holding a few pages of them rather than all', async () => {
    await feedsAt('one.test', 60);
    const named = createFetcher({
      policy: LOOPBACK_POLICY,
      userAgent: 'gleaner-test',
      resolveHost: resolveToLoopback,
    });
    try {
      const source = dueFeedSource(h.store, Number.MAX_SAFE_INTEGER, 5, () => h.clock);
      let read = 0;
      let done = 0;
      let mostHeld = 0;
      const counted = async (): Promise<Feed[]> => {
        const page = await source();
        read += page.length;
        mostHeld = Math.max(mostHeld, read - done);
        return page;
      };
      const summary = await refreshFeeds(
        counted,
        { ...h.deps, fetcher: named },
        {
          concurrency: 3,
          perHost: 3,
          onResult: () => void done++,
        },
      );
      assert.equal(summary.feeds, 60);
      assert.equal(summary.inserted, 60);
      const paths = h.server.requests.map((r) => r.path);
      assert.equal(new Set(paths).size, 60, 'every feed fetched');
      assert.equal(paths.length, 60, 'none twice');
      // Running, waiting (two per fetch) and a page read as they ran low.
      assert.ok(mostHeld <= 3 + 2 * 3 + 5, `held ${mostHeld} feeds at once`);
      // The clock has not moved: every feed is still due, and none is taken again by a new walk
      // begun since; a walk begun before them would find them checked.
      assert.equal((await dueFeedSource(h.store, Number.MAX_SAFE_INTEGER, 5, () => h.clock)()).length, 0);
      assert.equal((await dueFeedSource(h.store, Number.MAX_SAFE_INTEGER, 5, () => h.clock + 1)()).length, 5);
    } finally {
      await named.close();
    }
  });

  it('takes again the feeds a clock that ran ahead left waiting, and only those', async () => {
    const furthest = furthestNextCheckMs(DEFAULT_SCHEDULE_POLICY);
    const feeds: Feed[] = [];
    for (const path of ['/ahead-checked', '/ahead-due', '/retry-after', '/due'])
      feeds.push(await h.subscribed(path));
    const [checkedAhead, dueAhead, retryAfter, due] = feeds as [Feed, Feed, Feed, Feed];
    const YEAR = 365 * 24 * HOUR;
    // Checked while the clock said three years on; due when a year has passed after it was set
    // back; due in six days (a Retry-After, honoured); due now.
    await h.store.recordNotModified(checkedAhead.id, h.clock + 3 * YEAR, h.clock + 3 * YEAR + HOUR);
    await h.store.recordNotModified(dueAhead.id, h.clock - HOUR, h.clock + YEAR);
    await h.store.recordNotModified(retryAfter.id, h.clock - HOUR, h.clock + 6 * 24 * HOUR);
    await h.store.recordNotModified(due.id, h.clock - HOUR, h.clock);
    const walk = async (now: number): Promise<number[]> =>
      (await dueFeedSource(h.store, now, 10, () => h.clock)())
        .map((f) => f.id)
        .filter((id) => feeds.some((f) => f.id === id));
    assert.deepEqual(await walk(h.clock), [due.id]);
    assert.deepEqual(await walk(Number.MAX_SAFE_INTEGER), [due.id, retryAfter.id, dueAhead.id]);

    assert.equal(await h.store.rescheduleAheadOfClock(h.clock, furthest), 2);
    assert.deepEqual((await walk(h.clock)).sort(), [checkedAhead.id, dueAhead.id, due.id].sort());
    // Every feed, as `gleaner refresh` takes them: the one checked "in three years" too.
    assert.equal((await walk(Number.MAX_SAFE_INTEGER)).length, 4);
    assert.ok(
      ((await h.store.getFeed(checkedAhead.id))?.lastCheckedAt ?? Infinity) < h.clock,
      'its last check is no longer ahead',
    );
    assert.equal(
      (await h.store.getFeed(retryAfter.id))?.nextCheckAt,
      h.clock + 6 * 24 * HOUR,
      'a Retry-After stands',
    );
    assert.equal(await h.store.rescheduleAheadOfClock(h.clock, furthest), 0);
  });

  it('gives each feed once in a walk, though another process’s refresh moved it to a later page', async () => {
    // Pages as a walk reads them while another process commits what it checked: a feed of the
    // first page comes back in the second, and a whole page of them in the third.
    const pages = [
      [1, 2, 3],
      [3, 4, 5],
      [1, 2, 4],
      [5, 6],
    ];
    let read = 0;
    const store = {
      dueFeeds: () =>
        Promise.resolve((pages[read++] ?? []).map((id) => ({ id, url: `https://f${id}.test/` }))),
    } as unknown as Store;
    const source = dueFeedSource(store, 0, 3, () => 0);
    const walked: number[][] = [];
    for (let page = await source(); page.length > 0; page = await source())
      walked.push(page.map((f) => f.id));
    assert.deepEqual(walked, [[1, 2, 3], [4, 5], [6]]);
  });

  it('reads on past a host whose limit leaves fetches idle', async () => {
    // The held host's feeds come first in the walk, and it answers none until the other host's
    // feeds, behind them, are all done (or, if the pass never gets to them, after a while).
    let release = (): void => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const giveUp = setTimeout(release, 5_000);
    const held = await feedsAt('held.test', 12, released);
    const quick = await feedsAt('quick.test', 6);
    const named = createFetcher({
      policy: LOOPBACK_POLICY,
      userAgent: 'gleaner-test',
      resolveHost: resolveToLoopback,
    });
    try {
      const finished: string[] = [];
      const summary = await refreshFeeds(
        dueFeedSource(h.store, Number.MAX_SAFE_INTEGER, 4, () => h.clock),
        { ...h.deps, fetcher: named },
        {
          concurrency: 4,
          perHost: 1,
          onResult: (_r, feed) => {
            finished.push(feed.url);
            if (quick.every((f) => finished.includes(f.url))) release();
          },
        },
      );
      assert.equal(summary.updated, 18);
      const firstHeld = Math.min(...held.map((f) => finished.indexOf(f.url)));
      assert.equal(firstHeld, quick.length, 'the other host was done before the held one answered');
    } finally {
      clearTimeout(giveUp);
      await named.close();
    }
  });
});

describe('passes sharing their fetch slots (the loop and "refresh now")', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await openHarness();
  });
  afterEach(() => h.close());

  /** Subscribes to `n` feeds at `/name/i.xml`, each answered once `gate` lets it through. */
  async function gatedFeeds(
    name: string,
    n: number,
    gate: () => Promise<void> = () => Promise.resolve(),
  ): Promise<Feed[]> {
    const feeds: Feed[] = [];
    for (let i = 0; i < n; i++) {
      h.server.route(`/${name}/${i}.xml`, (_req, res) => {
        void gate().then(() =>
          res
            .writeHead(200, { 'content-type': 'application/rss+xml' })
            .end(rss([{ guid: `${name}-${i}`, title: `${name} ${i}` }])),
        );
      });
      feeds.push(await h.subscribed(`/${name}/${i}.xml`));
    }
    return feeds;
  }

  it('holds the concurrency limit across passes', async () => {
    // One feed per host: the fetcher's own limit of connections to a host plays no part.
    const seen = { now: 0, most: 0 };
    const feeds: Feed[] = [];
    for (let i = 0; i < 12; i++) {
      const path = `/${i}.xml`;
      h.server.route(path, (_req, res) => {
        seen.now++;
        seen.most = Math.max(seen.most, seen.now);
        void (async () => {
          // Some turns of the event loop, for the passes to start all they may.
          for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
          seen.now--;
          res
            .writeHead(200, { 'content-type': 'application/rss+xml' })
            .end(rss([{ guid: `g${i}`, title: `T${i}` }]));
        })();
      });
      const feed = await h.store.ensureFeed(siteUrl(h.server, `host${i}.test`, path), OPTIONS, h.clock);
      await h.store.subscribe(h.user.id, feed.id, { folderId: null, title: null }, h.clock);
      feeds.push(feed);
    }
    const named = createFetcher({
      policy: LOOPBACK_POLICY,
      userAgent: 'gleaner-test',
      resolveHost: resolveToLoopback,
    });
    try {
      const deps = { ...h.deps, fetcher: named };
      const slots = new RefreshSlots(3, 2);
      const [a, b] = await Promise.all([
        refreshFeeds(feeds.slice(0, 8), deps, { concurrency: 3, perHost: 2, slots }),
        refreshFeeds(feeds.slice(8), deps, { concurrency: 3, perHost: 2, slots, urgent: true }),
      ]);
      assert.equal(a.inserted + b.inserted, 12);
      assert.equal(seen.most, 3, `at most 3 fetches at once (saw ${seen.most})`);
    } finally {
      await named.close();
    }
  });

  it('does not fetch a feed another pass has under way: it waits for that refresh', async () => {
    let open = (): void => {};
    const opened = new Promise<void>((resolve) => (open = resolve));
    const [feed] = await gatedFeeds('slow', 1, () => opened);
    assert.ok(feed);
    const slots = new RefreshSlots(4, 2);
    const first = refreshFeeds([feed], h.deps, { concurrency: 4, perHost: 2, slots });
    while (h.server.requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const second = refreshFeeds([feed], h.deps, { concurrency: 4, perHost: 2, slots, urgent: true });
    open();
    const [a, b] = await Promise.all([first, second]);
    assert.equal(h.server.requests.length, 1, 'fetched once');
    assert.deepEqual([a.updated, a.inserted], [1, 1]);
    assert.deepEqual([b.updated, b.inserted], [1, 1], 'the second pass has the result of the first');
  });

  it('gives the next free slot to the pass someone waits for', async () => {
    const background = await gatedFeeds('loop', 5);
    const [asked] = await gatedFeeds('asked', 1);
    assert.ok(asked);
    const slots = new RefreshSlots(1, 1);
    const loop = refreshFeeds(background, h.deps, { concurrency: 1, perHost: 1, slots });
    while (h.server.requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const now = refreshFeeds([asked], h.deps, { concurrency: 1, perHost: 1, slots, urgent: true });
    await Promise.all([loop, now]);
    assert.deepEqual(
      h.server.requests.map((r) => r.path),
      ['/loop/0.xml', '/asked/0.xml', '/loop/1.xml', '/loop/2.xml', '/loop/3.xml', '/loop/4.xml'],
    );
  });
});

describe('refreshFeed: charsets and full articles over HTTP', () => {
  let h: Harness;
  let server: TestServer;
  let store: Store;
  let deps: RefreshDeps;
  let user: User;

  before(async () => {
    h = await openHarness();
    ({ server, store, deps, user } = h);
  });
  after(() => h.close());

  const subscribed = (path: string, options?: FetchOptions): Promise<Feed> => h.subscribed(path, options);
  const titles = async (feed: Feed): Promise<string[]> =>
    (await store.queryEntries({ userId: user.id, feedId: feed.id, limit: 10 })).map((v) => v.entry.title);

  it('reads the charset from the HTTP header, and detects it when the header is missing or wrong', async () => {
    const doc =
      '<?xml version="1.0"?><rss version="2.0"><channel><title>Новости</title><item><title>Цитата дня</title><guid>1</guid></item></channel></rss>';
    const bytes = encodeWindows1251(doc);
    server.route('/header.xml', (_q, res) =>
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=windows-1251' }).end(bytes),
    );
    server.route('/missing.xml', (_q, res) =>
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(bytes),
    );
    server.route('/wrong.xml', (_q, res) =>
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(bytes),
    );
    for (const path of ['/header.xml', '/missing.xml', '/wrong.xml']) {
      const feed = await subscribed(path);
      assert.equal((await refreshFeed(feed, deps)).status, 'updated', path);
      assert.deepEqual(await titles(feed), ['Цитата дня'], path);
      assert.equal((await store.getFeed(feed.id))?.title, 'Новости', path);
    }
  });

  it('fetches the whole article for a summary-only feed that asks for it, its entries digested here or packed by a worker', async () => {
    const article =
      '<html><head><title>The full story</title></head><body><nav>Home · About · Archive</nav><article><h1>The full story</h1>' +
      Array.from(
        { length: 60 },
        (_, i) =>
          `<p>Paragraph ${i} of the complete article, with enough words to read as real prose about tries and hash maps.</p>`,
      ).join('') +
      '<script>track()</script></article><footer>© the blog</footer></body></html>';
    server.route('/post', (_q, res) =>
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(article),
    );
    server.route('/summaries.xml', (_q, res) =>
      res
        .writeHead(200, { 'content-type': 'application/rss+xml' })
        .end(
          `<rss version="2.0"><channel><title>Summaries</title><item><title>The full story</title><link>${server.url('/post')}</link>` +
            `<guid>s1</guid><description>Only a teaser.</description></item></channel></rss>`,
        ),
    );
    await withEachDigest(async (name, digest, extractArticle) => {
      const full = await subscribed(`/summaries.xml?${name}`, { ...OPTIONS, fetchFullArticle: true });
      await refreshFeed(full, { ...deps, digest, extractArticle });
      const [view] = await store.queryEntries({ userId: user.id, feedId: full.id, limit: 1 });
      assert.match(view?.entry.contentHtml ?? '', /Paragraph 59 of the complete article/);
      assert.ok((view?.entry.readingMinutes ?? 0) > 2, 'the reading time is the article’s, not the teaser’s');
      const found = await store.searchEntries({
        userId: user.id,
        feedId: full.id,
        text: '"complete article" tries',
        sort: 'relevance',
        limit: 5,
        offset: 0,
      });
      assert.deepEqual(
        found.map((h) => h.view.entry.id),
        [view?.entry.id],
        `the full text is what search finds (${name})`,
      );
      assert.doesNotMatch(view?.entry.contentHtml ?? '', /<script|track\(\)/);
      // Fetched again, the feed's entry is stored already: its article is not fetched again.
      const articleFetches = (): number => server.requests.filter((r) => r.path === '/post').length;
      const before = articleFetches();
      assert.equal((await refreshFeed(full, { ...deps, digest, extractArticle })).status, 'updated');
      assert.equal(articleFetches(), before, `no article fetched for a stored entry (${name})`);
      const [again] = await store.queryEntries({ userId: user.id, feedId: full.id, limit: 1 });
      assert.equal(again?.entry.contentHtml, view?.entry.contentHtml);
    });
  });

  it('keeps what a feed’s article selector picks from each entry’s page, long entries too; a selector too costly for a page leaves that entry as the feed sent it', async () => {
    server.route('/picked', (_q, res) =>
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(
          '<html><body><article><p>What Readability would keep, at length.</p></article>' +
            '<div class="notes"><p>The notes the selector asks for.</p></div></body></html>',
        ),
    );
    // Ten divs to choose out of 240 around every span: the selection stops at its budget.
    server.route('/costly', (_q, res) =>
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(
          `<html><body>${'<div>'.repeat(240)}${'<span>x</span>'.repeat(2_000)}${'</div>'.repeat(240)}</body></html>`,
        ),
    );
    const long = '<p>' + 'A whole entry, long enough to need no article. '.repeat(40) + '</p>';
    const item = (guid: string, path: string): string =>
      `<item><title>${guid}</title><link>${server.url(path)}</link><guid>${guid}</guid>` +
      `<description>${long.replace(/</g, '&lt;')}</description></item>`;
    server.route('/selected.xml', (_q, res) =>
      res
        .writeHead(200, { 'content-type': 'application/rss+xml' })
        .end(
          `<rss version="2.0"><channel><title>Selected</title>${item('picked', '/picked')}${item('costly', '/costly')}</channel></rss>`,
        ),
    );
    await withEachDigest(async (name, digest, extractArticle) => {
      const lines: string[] = [];
      const log = createLogger('info', (line) => lines.push(line));
      const feed = await subscribed(`/selected.xml?${name}`, {
        ...OPTIONS,
        fetchFullArticle: true,
        articleSelector: '.notes, section div div div div div div div div div div span',
      });
      assert.equal((await refreshFeed(feed, { ...deps, log, digest, extractArticle })).status, 'updated');
      const views = await store.queryEntries({ userId: user.id, feedId: feed.id, limit: 5 });
      const html = (title: string): string =>
        views.find((v) => v.entry.title === title)?.entry.contentHtml ?? '';
      assert.equal(html('picked'), '<div><p>The notes the selector asks for.</p></div>');
      assert.match(html('costly'), /A whole entry, long enough/);
      // The selector's failure crosses from the worker as what it is: the user's to mend.
      assert.equal(
        lines.filter((l) => l.includes('feed selector failed on an article')).length,
        1,
        `${name}: ${lines.join('\n')}`,
      );
      assert.match(lines.join('\n'), /more than 2,000,000 steps on http:\/\/127\.0\.0\.1:\d+\/costly/);
    });
  });

  it('reads a web page without a feed as one, and only what it adds next as new', async () => {
    let rows = [
      '<tr><td><a href="/vsa/2">Heap overflow</a></td><td>2026-11-20</td></tr>',
      '<tr><td><a href="/vsa/1">Auth bypass</a></td><td>2026-11-02</td></tr>',
    ];
    server.route('/advisories', (_q, res) =>
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(
          `<html><head><title>Advisories</title></head><body><table>${rows.join('')}</table></body></html>`,
        ),
    );
    const fresh = async (feed: Feed): Promise<Feed> =>
      (await store.getFeed(feed.id)) ?? assert.fail('stored');
    const scrape = {
      items: 'tr',
      title: null,
      link: null,
      content: null,
      date: 'td:last-child',
      author: null,
      categories: null,
    };
    await withEachDigest(async (name, digest) => {
      rows = rows.slice(-2);
      const feed = await subscribed(`/advisories?${name}`, { ...OPTIONS, scrape });
      const first = await refreshFeed(feed, { ...deps, digest });
      assert.deepEqual([first.status, first.status === 'updated' && first.inserted], ['updated', 2], name);
      assert.equal((await fresh(feed)).title, 'Advisories');
      assert.equal((await refreshFeed(await fresh(feed), { ...deps, digest })).status, 'updated');
      assert.equal(await store.countEntries(feed.id), 2, `${name}: the same page stores nothing again`);
      rows = ['<tr><td><a href="/vsa/3">Path traversal</a></td><td>2026-11-22</td></tr>', ...rows];
      const next = await refreshFeed(await fresh(feed), { ...deps, digest });
      assert.equal(next.status === 'updated' && next.inserted, 1, name);
      const views = await store.queryEntries({ userId: user.id, feedId: feed.id, limit: 5 });
      assert.deepEqual(
        views.map((v) => [
          v.entry.title,
          v.entry.link,
          new Date(v.entry.publishedAt).toISOString().slice(0, 10),
        ]),
        [
          ['Path traversal', server.url('/vsa/3'), '2026-11-22'],
          ['Heap overflow', server.url('/vsa/2'), '2026-11-20'],
          ['Auth bypass', server.url('/vsa/1'), '2026-11-02'],
        ],
        name,
      );
    });
    // The page changed under its selectors: the feed fails, saying why, and keeps its entries.
    const broken = await subscribed('/advisories?broken', {
      ...OPTIONS,
      scrape: { ...scrape, items: 'li.advisory' },
    });
    const failed = await refreshFeed(broken, deps);
    assert.equal(failed.status, 'failed');
    assert.match(
      failed.status === 'failed' ? failed.error : '',
      /the item selector "li\.advisory" finds nothing on http/,
    );
  });

  it('takes what a feed’s remove selector matches out of its entries and their articles; one too costly keeps them as sent, and says so', async () => {
    server.route('/share-post', (_q, res) =>
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(
          '<html><body><article><h1>A post</h1><div class="share"><a href="/s">Share on the network</a></div>' +
            '<p>The article itself, which the selector leaves.</p><aside class="related">Read next: ads</aside></article></body></html>',
        ),
    );
    const items =
      `<item><title>Inline</title><guid>inline</guid><description>${escapeHtml(
        '<p>The entry’s own text.</p><div class="share"><a href="/s">Share on the network</a></div>',
      )}</description></item>` +
      `<item><title>Teaser</title><guid>teaser</guid><link>${server.url('/share-post')}</link>` +
      `<description>A teaser.</description></item>`;
    server.route('/removing.xml', (_q, res) =>
      res
        .writeHead(200, { 'content-type': 'application/rss+xml' })
        .end(`<rss version="2.0"><channel><title>Removing</title>${items}</channel></rss>`),
    );
    await withEachDigest(async (name, digest) => {
      const feed = await subscribed(`/removing.xml?${name}`, {
        ...OPTIONS,
        fetchFullArticle: true,
        articleSelector: 'article',
        removeSelector: '.share, aside.related',
      });
      assert.equal((await refreshFeed(feed, { ...deps, digest })).status, 'updated');
      const views = await store.queryEntries({ userId: user.id, feedId: feed.id, limit: 5 });
      const html = (title: string): string =>
        views.find((v) => v.entry.title === title)?.entry.contentHtml ?? '';
      assert.equal(html('Inline'), '<p>The entry’s own text.</p>', name);
      assert.equal(
        html('Teaser'),
        '<article><h1>A post</h1><p>The article itself, which the selector leaves.</p></article>',
        name,
      );
    });

    // Set later on a feed's stored entries: those its document still lists are cleaned in place.
    const later = await subscribed('/removing.xml?later');
    await refreshFeed(later, deps);
    await refreshFeed(later, deps); // the items' sources kept: the next fetch prepares none unchanged
    const inline = async () =>
      (await store.queryEntries({ userId: user.id, feedId: later.id, limit: 5 })).find(
        (v) => v.entry.title === 'Inline',
      )?.entry;
    const before = await inline();
    assert.match(before?.contentHtml ?? '', /Share on the network/);
    assert.ok(
      await store.setFeedOptions(later.id, { ...later.options, removeSelector: '.share' }, Date.now()),
    );
    const changed = await store.getFeed(later.id);
    assert.ok(changed);
    assert.equal((await refreshFeed(changed, deps)).status, 'updated');
    const after = await inline();
    assert.deepEqual([after?.id, after?.contentHtml], [before?.id, '<p>The entry’s own text.</p>']);

    // Ten divs to choose out of 240 around every span: the selection stops at its budget.
    server.route('/deep.xml', (_q, res) =>
      res
        .writeHead(200, { 'content-type': 'application/rss+xml' })
        .end(
          `<rss version="2.0"><channel><title>Deep</title><item><title>Deep</title><guid>deep</guid><description>${escapeHtml(
            `${'<div>'.repeat(240)}${'<span>x</span>'.repeat(2_000)}${'</div>'.repeat(240)}`,
          )}</description></item><item><title>Fine</title><guid>fine</guid><description>Kept.</description></item></channel></rss>`,
        ),
    );
    const deep = await subscribed('/deep.xml', {
      ...OPTIONS,
      removeSelector: `section ${'div '.repeat(10)}span`,
    });
    const lines: string[] = [];
    const logging = { ...deps, log: createLogger('info', (line) => lines.push(line)) };
    assert.equal((await refreshFeed(deep, logging)).status, 'updated');
    const kept = await store.queryEntries({ userId: user.id, feedId: deep.id, limit: 5 });
    assert.deepEqual(kept.map((v) => v.entry.title).sort(), ['Deep', 'Fine'], 'nothing lost');
    const deepHtml = kept.find((v) => v.entry.title === 'Deep')?.entry.contentHtml ?? '';
    assert.equal(deepHtml.match(/<span>x<\/span>/g)?.length, 2_000, 'kept as sent');
    const warned = lines.filter((l) => l.includes('remove selector failed'));
    assert.equal(warned.length, 1, lines.join('\n'));
    assert.match(warned[0] ?? '', /"entries":1/);
    assert.match(warned[0] ?? '', /the remove selector took more than 2,000,000 steps/);
  });

  it('fetches no article again for an old entry of a long full-article feed', async () => {
    server.route('/old-post', (_q, res) =>
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(
          `<html><body><article><h1>An old story</h1>${'<p>A paragraph of the old story, long enough to read.</p>'.repeat(40)}</article></body></html>`,
        ),
    );
    // 250 entries whole in the feed, newer than the one teaser, which is past the newest 200.
    const long = '<p>' + 'A whole entry, long enough to need no article. '.repeat(40) + '</p>';
    const whole = Array.from(
      { length: 250 },
      (_, i) =>
        `<item><title>Whole ${i}</title><guid>w${i}</guid><pubDate>${new Date(NOW - i * 60_000).toUTCString()}</pubDate>` +
        `<description>${long.replace(/</g, '&lt;')}</description></item>`,
    ).join('');
    server.route('/long.xml', (_q, res) =>
      res
        .writeHead(200, { 'content-type': 'application/rss+xml' })
        .end(
          `<rss version="2.0"><channel><title>Long</title>${whole}<item><title>Old</title><guid>old</guid>` +
            `<link>${server.url('/old-post')}</link><pubDate>${new Date(NOW - 86_400_000).toUTCString()}</pubDate>` +
            `<description>A teaser.</description></item></channel></rss>`,
        ),
    );
    const feed = await subscribed('/long.xml', { ...OPTIONS, fetchFullArticle: true });
    const fetches = (): number => server.requests.filter((r) => r.path === '/old-post').length;
    assert.equal((await refreshFeed(feed, deps)).status, 'updated');
    assert.equal(fetches(), 1);
    assert.equal((await refreshFeed(feed, deps)).status, 'updated');
    assert.equal(fetches(), 1, 'not fetched again');
    assert.equal(await store.countEntries(feed.id), 251);
  });

  it('sends a feed’s cookie to article pages on the feed’s own site only', async () => {
    const sites = createFetcher({
      policy: LOOPBACK_POLICY,
      userAgent: 'gleaner-test',
      resolveHost: resolveToLoopback,
    });
    try {
      const cookies: Record<string, string | undefined> = {};
      server.route('/article', (req, res) => {
        cookies[req.headers.host?.split(':')[0] ?? ''] = req.headers.cookie;
        res
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end(
            `<html><body><article><h1>An article</h1>${'<p>A paragraph of the article, long enough to read.</p>'.repeat(30)}</article></body></html>`,
          );
      });
      const item = (guid: string, link: string): string =>
        `<item><title>${guid}</title><link>${link}</link><guid>${guid}</guid><description>Teaser.</description></item>`;
      server.route('/links.xml', (_q, res) =>
        res
          .writeHead(200, { 'content-type': 'application/rss+xml' })
          .end(
            `<rss version="2.0"><channel><title>Links</title>` +
              item('own', siteUrl(server, 'site.test', '/article')) +
              item('theirs', siteUrl(server, 'other.test', '/article')) +
              `</channel></rss>`,
          ),
      );
      const options = { ...OPTIONS, fetchFullArticle: true, cookie: 'session=secret' };
      const feed = await store.ensureFeed(siteUrl(server, 'site.test', '/links.xml'), options, NOW);
      await store.subscribe(user.id, feed.id, { folderId: null, title: null }, NOW);
      assert.equal((await refreshFeed(feed, { ...deps, fetcher: sites })).status, 'updated');
      assert.deepEqual(cookies, { 'site.test': 'session=secret', 'other.test': undefined });
    } finally {
      await sites.close();
    }
  });
});

/** windows-1251 bytes for Cyrillic text (ASCII passes through). */
function encodeWindows1251(text: string): Buffer {
  const bytes: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0x3f;
    if (c < 0x80) bytes.push(c);
    else if (c >= 0x410 && c <= 0x44f) bytes.push(c - 0x410 + 0xc0);
    else if (c === 0x401) bytes.push(0xa8);
    else if (c === 0x451) bytes.push(0xb8);
    else bytes.push(0x3f);
  }
  return Buffer.from(bytes);
}

describe('the refresh loop when the disk is full', () => {
  it('tries again after a pass the store refused, loses nothing, and catches up once there is room', async () => {
    // A 2-MiB limit on the file stands for the disk: past it SQLite refuses writes as on a full one.
    const h = await openHarness({ maxMiB: 2 });
    const other = new Database(h.path);
    try {
      const items = (prefix: string, n: number) =>
        Array.from({ length: n }, (_, i) => ({
          guid: `${prefix}${i}`,
          title: `${prefix} ${i}`,
          body: `<p>${'plenty of words '.repeat(400)}${prefix}${i}</p>`,
        }));
      const serve = (path: string, body: string) =>
        h.server.route(path, (_req, res) =>
          res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(body),
        );
      serve('/small.xml', rss(items('s', 3)));
      serve('/big.xml', rss(items('b', 40)));
      const small = await h.subscribed('/small.xml');
      await refreshFeeds([small], h.deps, { concurrency: 1, perHost: 1 });
      const big = await h.subscribed('/big.xml');
      // Other data fills the disk, but for a few pages.
      other.exec('CREATE TABLE ballast (b BLOB)');
      const fill = other.prepare('INSERT INTO ballast VALUES (zeroblob(3000))');
      while ((other.pragma('page_count', { simple: true }) as number) < 2 * 256 - 8) fill.run();

      const failures: unknown[] = [];
      const passes: PassSummary[] = [];
      const controller = new AbortController();
      const giveUp = setTimeout(() => controller.abort(), 20_000);
      await runRefreshLoop(h.deps, {
        concurrency: 2,
        perHost: 2,
        signal: controller.signal,
        idleMs: 5,
        retryMs: 5,
        onPassError(err) {
          failures.push(err);
          // The second refusal shows the loop tried again; then the operator makes room.
          if (failures.length === 2) other.exec('DROP TABLE ballast');
        },
        onPass(summary) {
          passes.push(summary);
          if (summary.inserted > 0) controller.abort();
        },
      });
      clearTimeout(giveUp);

      assert.ok(failures.length >= 2, `the loop tried ${failures.length} time(s)`);
      const told = storageError(failures[0]);
      assert.ok(told instanceof GleanerError && told.code === 'STORAGE_FULL', String(told));
      assert.equal(passes.at(-1)?.inserted, 40, 'caught up once there was room');
      const titles = async (feed: Feed) =>
        (await h.store.queryEntries({ userId: h.user.id, feedId: feed.id, status: 'all', limit: 100 })).map(
          (v) => v.entry.title,
        );
      assert.equal((await titles(big)).length, 40, 'each entry once');
      assert.deepEqual((await titles(small)).sort(), ['s 0', 's 1', 's 2']);
    } finally {
      other.close();
      await h.close();
    }
  });

  it('ends a pass the store refused only once the feeds under way have ended', async () => {
    const h = await openHarness({ maxMiB: 2 });
    const other = new Database(h.path);
    try {
      const big = Array.from({ length: 40 }, (_, i) => ({
        guid: `big${i}`,
        title: `big ${i}`,
        body: `<p>${'plenty of words '.repeat(400)}</p>`,
      }));
      h.server.route('/refused.xml', (_req, res) =>
        res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss(big)),
      );
      // Slow to answer, small to store: still under way when the other is refused.
      h.server.route('/slow.xml', (_req, res) => {
        setTimeout(
          () =>
            res
              .writeHead(200, { 'content-type': 'application/rss+xml' })
              .end(rss([{ guid: 'late', title: 'Late but stored' }])),
          300,
        );
      });
      const refused = await h.subscribed('/refused.xml');
      const slow = await h.subscribed('/slow.xml');
      // Room for the small feed (about 40 pages), not for the big one.
      other.exec('CREATE TABLE ballast (b BLOB)');
      const fill = other.prepare('INSERT INTO ballast VALUES (zeroblob(3000))');
      while ((other.pragma('page_count', { simple: true }) as number) < 2 * 256 - 40) fill.run();

      await assert.rejects(
        refreshFeeds([refused, slow], h.deps, { concurrency: 2, perHost: 2 }),
        (err: unknown) => (storageError(err) as GleanerError).code === 'STORAGE_FULL',
      );
      // When the pass gave up, the slow feed had been stored: nothing was left running.
      const stored = await h.store.queryEntries({
        userId: h.user.id,
        feedId: slow.id,
        status: 'all',
        limit: 5,
      });
      assert.deepEqual(
        stored.map((v) => v.entry.title),
        ['Late but stored'],
      );
    } finally {
      other.close();
      await h.close();
    }
  });
});
