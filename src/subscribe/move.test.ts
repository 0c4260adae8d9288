// Moving a subscription to another URL (a feed that moved without a redirect), over loopback HTTP:
// in place for a feed one user follows, apart for a shared one; never merged into another feed;
// refused, changing nothing, when the new URL is no feed, offers several, or would take a cookie
// to another site.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { createFetcher, DEFAULT_NETWORK_POLICY, type Fetcher } from '../feed/fetch/index.js';
import { pageScrapeOf } from '../feed/scrape/index.js';
import { silentLogger } from '../log/index.js';
import { GleanerError } from '../model/errors.js';
import type { Feed, FetchOptions, User } from '../model/index.js';
import { refreshFeed, type RefreshDeps } from '../refresh/refresh.js';
import { DEFAULT_SCHEDULE_POLICY } from '../refresh/schedule.js';
import { openStore, type Store } from '../store/index.js';
import {
  LOOPBACK_POLICY,
  resolveToLoopback,
  siteUrl,
  startTestServer,
  type TestServer,
} from '../testing/testserver.js';
import { changeFeedUrl, DEFAULT_FETCH_OPTIONS } from './index.js';

function rss(title: string, guids: string[]): string {
  const items = guids.map((g) => `<item><title>${title} ${g}</title><guid>${g}</guid></item>`).join('');
  return `<rss version="2.0"><channel><title>${title}</title>${items}</channel></rss>`;
}

describe('moving a subscription to another URL', () => {
  let server: TestServer;
  let store: Store;
  let fetcher: Fetcher;
  let refreshDeps: RefreshDeps;
  const deps = () => ({ store, fetcher, clock: Date.now });
  let n = 0;

  before(async () => {
    server = await startTestServer();
    // The old address keeps its last document; the new one has it and one more entry.
    server.route('/old.xml', (_req, res) =>
      res
        .writeHead(200, { 'content-type': 'application/rss+xml', etag: '"old"' })
        .end(rss('Blog', ['a', 'b'])),
    );
    server.route('/new.xml', (req, res) => {
      if (req.headers['if-none-match'] === '"old"') return void res.writeHead(304).end();
      res
        .writeHead(200, { 'content-type': 'application/rss+xml', etag: '"old"' })
        .end(rss('Blog', ['a', 'b', 'c']));
    });
    server.route('/other.xml', (_req, res) =>
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss('Other', ['x'])),
    );
    server.route('/page', (_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>No feed here.</body></html>'),
    );
    server.route('/two-feeds', (_req, res) =>
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(
          '<html><head><link rel="alternate" type="application/rss+xml" href="/new.xml">' +
            '<link rel="alternate" type="application/atom+xml" href="/other.xml"></head></html>',
        ),
    );
    store = await openStore({ dbPath: ':memory:', databaseUrl: null });
    fetcher = createFetcher({
      policy: LOOPBACK_POLICY,
      userAgent: 'gleaner-test',
      resolveHost: resolveToLoopback,
    });
    refreshDeps = {
      store,
      fetcher,
      clock: Date.now,
      random: () => 0.5,
      log: silentLogger,
      policy: DEFAULT_SCHEDULE_POLICY,
      maxFeedBytes: 1 << 20,
    };
  });
  after(async () => {
    await fetcher.close();
    await store.close();
    await server.close();
  });

  /** A new user following `url` (fetched once), in a folder, with a title and rules. */
  async function follower(url: string, options: FetchOptions = DEFAULT_FETCH_OPTIONS) {
    const user = await store.createUser(`user${++n}`, { isAdmin: false }, Date.now());
    const feed = await store.ensureFeed(url, options, Date.now());
    const folder = await store.ensureFolder(user.id, 'Reading');
    await store.subscribe(
      user.id,
      feed.id,
      { folderId: folder.id, title: 'My blog', blockRules: '(?i)sponsored', minCheckMinutes: 360 },
      Date.now(),
    );
    await refreshFeed((await store.getFeed(feed.id)) ?? feed, refreshDeps);
    return { user, feed };
  }

  const titles = async (user: User, feed: Feed): Promise<[string, boolean][]> =>
    (await store.queryEntries({ userId: user.id, feedId: feed.id, limit: 10 }))
      .map((v): [string, boolean] => [v.entry.title, v.read])
      .sort();

  it('moves a feed one user follows in place: its entries and read marks kept, fetched whole there', async () => {
    const { user, feed } = await follower(server.url('/old.xml'));
    const [first] = await store.queryEntries({ userId: user.id, feedId: feed.id, limit: 1 });
    assert.ok(first);
    await store.setEntryState(user.id, [first.entry.id], { read: true }, Date.now());
    const readTitle = first.entry.title;
    server.requests.length = 0;

    const move = await changeFeedUrl(deps(), user.id, feed.id, server.url('/new.xml'));
    assert.equal(move.status, 'moved');
    assert.equal(move.feed.id, feed.id, 'the same feed');
    assert.equal(move.feed.url, server.url('/new.xml'));
    assert.equal(move.feed.etag, null, "the old address's ETag is forgotten");
    assert.equal(server.requests[0]?.headers['if-none-match'], undefined, 'asked whole');
    const result = await refreshFeed(move.feed, refreshDeps, move.fetched ?? undefined);
    assert.equal(result.status, 'updated');
    assert.equal(server.requests.length, 1, 'the document the move fetched is the one stored');
    assert.deepEqual(await titles(user, feed), [
      ['Blog a', readTitle === 'Blog a'],
      ['Blog b', readTitle === 'Blog b'],
      ['Blog c', false],
    ]);
    const [sub] = await store.listSubscriptions(user.id);
    assert.deepEqual(
      [
        sub?.subscription.title,
        sub?.folderName,
        sub?.subscription.blockRules,
        sub?.subscription.minCheckMinutes,
      ],
      ['My blog', 'Reading', '(?i)sponsored', 360],
    );
  });

  it('moves one user of a shared feed apart: the others keep it where it is', async () => {
    const { user: ann, feed } = await follower(siteUrl(server, 'shared.test', '/old.xml'));
    const bob = await store.createUser(`user${++n}`, { isAdmin: false }, Date.now());
    await store.subscribe(bob.id, feed.id, { folderId: null, title: null }, Date.now());
    // Ann publishes the feed, and asks that her folder's publications leave it out.
    const value = String(feed.id);
    await store.createPublication(
      { userId: ann.id, kind: 'feed', value, slug: 'anns-blog', title: 'Blog', fullContent: true },
      Date.now(),
    );
    await store.setRepublish(ann.id, feed.id, false);

    const move = await changeFeedUrl(deps(), ann.id, feed.id, siteUrl(server, 'shared.test', '/new.xml'));
    assert.equal(move.status, 'apart');
    assert.notEqual(move.feed.id, feed.id);
    assert.deepEqual(
      (await store.listPublications(ann.id)).map((p) => [p.slug, p.value]),
      [['anns-blog', String(move.feed.id)]],
      'her publication publishes the feed she follows now',
    );
    assert.deepEqual([...(await store.noRepublishFeeds(ann.id))], [move.feed.id], 'still not republished');
    await refreshFeed(move.feed, refreshDeps, move.fetched ?? undefined);
    const [annSub] = await store.listSubscriptions(ann.id);
    assert.deepEqual(
      [annSub?.feed.id, annSub?.subscription.title, annSub?.folderName, annSub?.subscription.blockRules],
      [move.feed.id, 'My blog', 'Reading', '(?i)sponsored'],
    );
    assert.deepEqual(
      (await titles(ann, move.feed)).map(([t]) => t),
      ['Blog a', 'Blog b', 'Blog c'],
    );
    assert.deepEqual(
      (await store.listSubscriptions(bob.id)).map((s) => s.feed.url),
      [siteUrl(server, 'shared.test', '/old.xml')],
    );
  });

  it('never merges a feed into one others follow: its entries do not reach them', async () => {
    // Eve's feed holds an entry of her own making; Carl follows the feed she moves to.
    const { user: carl, feed: theirs } = await follower(siteUrl(server, 'merge.test', '/other.xml'));
    const { user: eve, feed: hers } = await follower(siteUrl(server, 'merge.test', '/old.xml'));
    const move = await changeFeedUrl(deps(), eve.id, hers.id, siteUrl(server, 'merge.test', '/other.xml'));
    assert.equal(move.status, 'apart');
    assert.equal(move.feed.id, theirs.id, 'she follows the feed there');
    assert.deepEqual(
      (await titles(carl, theirs)).map(([t]) => t),
      ['Other x'],
    );
    assert.equal(await store.countEntries(theirs.id), 1, 'nothing of hers came with her');
  });

  it('moves a feed to another site’s URL apart: who subscribes to that URL later gets none of its entries', async () => {
    // Mallory alone follows a feed of hers, with entries of her making, and moves it to the URL of
    // a feed no one here follows yet.
    const { user: mallory, feed: hers } = await follower(siteUrl(server, 'planted.test', '/old.xml'));
    const popular = siteUrl(server, 'popular.test', '/other.xml');
    const move = await changeFeedUrl(deps(), mallory.id, hers.id, popular);
    assert.equal(move.status, 'apart');
    assert.notEqual(move.feed.id, hers.id, 'a feed of its own at that URL');
    await refreshFeed(move.feed, refreshDeps, move.fetched ?? undefined);
    assert.deepEqual(
      (await titles(mallory, move.feed)).map(([t]) => t),
      ['Other x'],
    );
    // Trent subscribes to the popular feed afterwards: its own entries, none of hers.
    const trent = await store.createUser(`user${++n}`, { isAdmin: false }, Date.now());
    const feed = await store.ensureFeed(popular, DEFAULT_FETCH_OPTIONS, Date.now());
    await store.subscribe(trent.id, feed.id, { folderId: null, title: null }, Date.now());
    assert.deepEqual(
      (await titles(trent, feed)).map(([t]) => t),
      ['Other x'],
    );
  });

  it('refuses a URL that is no feed, or offers several, or is one the user follows, changing nothing', async () => {
    const { user, feed } = await follower(siteUrl(server, 'refuse.test', '/old.xml'));
    const { feed: followed } = {
      feed: await store.ensureFeed(server.url('/other.xml'), DEFAULT_FETCH_OPTIONS, 0),
    };
    await store.subscribe(user.id, followed.id, { folderId: null, title: 'Mine too' }, Date.now());
    for (const [url, code, why] of [
      [
        server.url('/page'),
        'PARSE_NOT_A_FEED',
        /declares no feed.*or read the page itself as a feed.*--scrape-items/,
      ],
      [
        server.url('/two-feeds'),
        'USAGE',
        /offers 2 feeds; give the one to follow: .*\/new\.xml, .*\/other\.xml/,
      ],
      [server.url('/missing.xml'), 'FETCH_HTTP_STATUS', /404/],
      ['ftp://files.example/feed', 'FETCH_INVALID_URL', /not an http\(s\) URL/],
      [
        server.url('/other.xml'),
        'USAGE',
        /you follow .* already \(as Mine too\); unsubscribe from this one instead/,
      ],
    ] as const) {
      await assert.rejects(changeFeedUrl(deps(), user.id, feed.id, url), (error: GleanerError) => {
        assert.equal(error.code, code, error.message);
        assert.match(error.message, why);
        return true;
      });
    }
    assert.equal((await store.getFeed(feed.id))?.url, siteUrl(server, 'refuse.test', '/old.xml'));
    assert.equal((await store.listSubscriptions(user.id)).length, 2);
    await assert.rejects(changeFeedUrl(deps(), user.id, 999_999, server.url('/new.xml')), /do not follow/);
  });

  it('keeps a cookie or credentials to their site: a move to another one is refused', async () => {
    const options = { ...DEFAULT_FETCH_OPTIONS, cookie: 'session=s3cret' };
    const { user, feed } = await follower(siteUrl(server, 'members.test', '/old.xml'), options);
    server.requests.length = 0;
    await assert.rejects(
      changeFeedUrl(deps(), user.id, feed.id, siteUrl(server, 'elsewhere.test', '/new.xml')),
      /fetched with a cookie or credentials for http:\/\/members\.test:\d+, which are not sent to http:\/\/elsewhere\.test/,
    );
    assert.equal(server.requests.length, 0, 'the other site was not even asked');
    // Another port of the same host is another service: refused too, before it is asked.
    const port = Number(new URL(server.url('/')).port);
    await assert.rejects(
      changeFeedUrl(deps(), user.id, feed.id, `http://members.test:${port + 1}/new.xml`),
      new RegExp(`which are not sent to http://members\\.test:${port + 1}`),
    );
    const same = await changeFeedUrl(deps(), user.id, feed.id, siteUrl(server, 'members.test', '/new.xml'));
    assert.equal(same.status, 'moved');
    assert.equal(server.requests.at(-1)?.headers.cookie, 'session=s3cret');

    // Credentials written into the new URL are the new site's own: they replace the feed's.
    const signed = await follower(siteUrl(server, 'signed.test', '/old.xml'), {
      ...DEFAULT_FETCH_OPTIONS,
      username: 'old',
      password: 'old-pass',
    });
    const moved = await changeFeedUrl(
      deps(),
      signed.user.id,
      signed.feed.id,
      siteUrl(server, 'new-host.test', '/new.xml').replace('://', '://me:n3w@'),
    );
    assert.equal(moved.status, 'apart', 'other options: another feed');
    assert.equal(moved.feed.url, siteUrl(server, 'new-host.test', '/new.xml'), 'no credentials in the URL');
    assert.deepEqual([moved.feed.options.username, moved.feed.options.password], ['me', 'n3w']);
    const basic = `Basic ${Buffer.from('me:n3w').toString('base64')}`;
    const asked = server.requests.filter(
      (r) => r.headers.host?.startsWith('new-host.test') && r.path === '/new.xml',
    );
    assert.deepEqual(
      asked.map((r) => r.headers.authorization),
      [basic],
    );
  });

  it('checks the new URL with the fetch options it is to have there', async () => {
    server.route('/list.html', (_req, res) =>
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<ul><li><a href="/a">A</a></li><li><a href="/b">B</a></li></ul>'),
    );
    const scraped = { ...DEFAULT_FETCH_OPTIONS, scrape: pageScrapeOf({ items: 'li' }) };
    const { user, feed } = await follower(siteUrl(server, 'scraped.test', '/list.html'), scraped);
    const url = siteUrl(server, 'scraped.test', '/new.xml');
    // The page's selectors find nothing in a feed: asked with them, the move is refused.
    await assert.rejects(changeFeedUrl(deps(), user.id, feed.id, url), /finds nothing/);
    const move = await changeFeedUrl(deps(), user.id, feed.id, url, DEFAULT_FETCH_OPTIONS);
    assert.equal(move.status, 'moved');
    assert.equal(move.feed.url, url);
    assert.equal(move.fetched, null, 'fetched with other options than the feed has yet: fetched again');
  });

  it('checks the new URL as any other: no private address unless the operator allows it', async () => {
    const strict = createFetcher({ policy: DEFAULT_NETWORK_POLICY, userAgent: 'gleaner-test' });
    try {
      const { user, feed } = await follower(siteUrl(server, 'ssrf.test', '/old.xml'));
      await assert.rejects(
        changeFeedUrl(
          { store, fetcher: strict, clock: Date.now },
          user.id,
          feed.id,
          'http://169.254.169.254/latest/',
        ),
        (error: GleanerError) => error.code === 'FETCH_BLOCKED_ADDRESS',
      );
      assert.equal((await store.getFeed(feed.id))?.url, siteUrl(server, 'ssrf.test', '/old.xml'));
    } finally {
      await strict.close();
    }
  });
});
