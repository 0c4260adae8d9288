// Subscribing with a cookie or credentials: they go to the site the user named, never to a feed
// that another site's page points to. A URL that fails is told as to someone subscribing, and a
// long page is searched for the feeds it declares.
import { strict as assert } from 'node:assert';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createFetcher, type Fetcher } from '../feed/fetch/index.js';
import { makeCertificate, opensslSkipReason } from '../testing/certificates.js';
import {
  LOOPBACK_POLICY,
  plainUrl,
  resolveToLoopback,
  respond,
  siteUrl,
  startTestServer,
  type TestServer,
} from '../testing/testserver.js';
import { silentLogger } from '../log/index.js';
import type { RecommendedFeed } from '../feed/recommended/index.js';
import type { OpmlFetchOptions } from '../feed/opml/index.js';
import type { FetchOptions, PageScrape } from '../model/index.js';
import { refreshFeed, type RefreshDeps } from '../refresh/refresh.js';
import { DEFAULT_SCHEDULE_POLICY } from '../refresh/schedule.js';
import { fetchedUpdate } from '../testing/fetched.js';
import { openStore, type Store } from '../store/index.js';
import {
  changeFetchOptions,
  DEFAULT_FETCH_OPTIONS,
  discoverSubscriptions,
  exportFeeds,
  importFeeds,
  normalizeInputUrl,
  subscribeToRecommended,
  subscribeToUrl,
} from './index.js';

const RSS =
  '<rss version="2.0"><channel><title>Members</title><link>https://m.example/</link></channel></rss>';

describe('subscribing with secrets', () => {
  let server: TestServer;
  let store: Store;
  let fetcher: Fetcher;
  /** What each path was sent, as "cookie|authorization". */
  const seen = new Map<string, string>();
  const deps = () => ({ store, fetcher, clock: Date.now });
  // Two names for the one loopback server: two sites as far as the subscriber can tell.
  const on = (host: 'site.test' | 'other.test', path: string): string => siteUrl(server, host, path);

  before(async () => {
    server = await startTestServer();
    const record =
      (body: string, type: string) =>
      (req: IncomingMessage, res: ServerResponse): void => {
        seen.set(
          `${req.headers.host?.split(':')[0]}${req.url}`,
          `${req.headers.cookie}|${req.headers.authorization}`,
        );
        res.writeHead(200, { 'content-type': type }).end(body);
      };
    server.route('/feed.xml', record(RSS, 'application/rss+xml'));
    server.route('/elsewhere', (req, res) =>
      record(
        `<html><head><link rel="alternate" type="application/rss+xml" href="${on('other.test', '/feed.xml')}"></head></html>`,
        'text/html',
      )(req, res),
    );
    server.route('/moved.xml', (_req, res) => void res.writeHead(301, { location: '/feed.xml' }).end());
    server.route('/own', (req, res) =>
      record(
        `<html><head><link rel="alternate" type="application/rss+xml" href="${on('site.test', '/feed.xml')}"></head></html>`,
        'text/html',
      )(req, res),
    );
    store = await openStore({ dbPath: ':memory:', databaseUrl: null });
    fetcher = createFetcher({
      policy: LOOPBACK_POLICY,
      userAgent: 'gleaner-test',
      resolveHost: resolveToLoopback,
    });
  });
  after(async () => {
    await fetcher.close();
    await store.close();
    await server.close();
  });

  const secrets = { ...DEFAULT_FETCH_OPTIONS, cookie: 'session=1', username: 'u', password: 'p' };

  it('sends them to a feed the named site declares on itself', async () => {
    const user = await store.createUser('ann', { isAdmin: false }, Date.now());
    const outcome = await subscribeToUrl(deps(), {
      userId: user.id,
      url: on('site.test', '/own'),
      options: secrets,
    });
    assert.equal(outcome.status, 'subscribed');
    assert.equal(seen.get('site.test/feed.xml'), `session=1|Basic ${Buffer.from('u:p').toString('base64')}`);
  });

  it('refuses to take them to a feed on another site, and never sends them there', async () => {
    const user = await store.createUser('bob', { isAdmin: false }, Date.now());
    seen.clear();
    await assert.rejects(
      subscribeToUrl(deps(), { userId: user.id, url: on('site.test', '/elsewhere'), options: secrets }),
      /where the cookie and credentials given for .*\/elsewhere are not sent .*; subscribe to it by its own URL/,
    );
    assert.equal(
      seen.get('site.test/elsewhere')?.startsWith('session=1|Basic'),
      true,
      'the named site has them',
    );
    assert.equal(seen.get('other.test/feed.xml'), 'undefined|undefined', 'the other site never saw them');
    assert.deepEqual(await store.listSubscriptions(user.id), []);
    // Without secrets, following the page to the other site's feed is fine.
    const plain = await subscribeToUrl(deps(), { userId: user.id, url: on('site.test', '/elsewhere') });
    assert.equal(plain.status, 'subscribed');
  });

  it('keeps credentials written into the URL as the feed’s options, out of its URL, when it moved on the same site', async () => {
    const user = await store.createUser('cy', { isAdmin: false }, Date.now());
    const outcome = await subscribeToUrl(deps(), {
      userId: user.id,
      url: on('site.test', '/moved.xml').replace('://', '://u%40home:p@'),
    });
    assert.equal(outcome.status, 'subscribed');
    const [followed] = await store.listSubscriptions(user.id);
    assert.equal(followed?.feed.url, on('site.test', '/feed.xml'));
    assert.deepEqual([followed?.feed.options.username, followed?.feed.options.password], ['u@home', 'p']);
    assert.equal(
      seen.get('site.test/feed.xml'),
      `undefined|Basic ${Buffer.from('u@home:p').toString('base64')}`,
    );
    // Asked again with the same credentials in the URL: the same feed, followed once.
    const again = await subscribeToUrl(deps(), {
      userId: user.id,
      url: on('site.test', '/feed.xml').replace('://', '://u%40home:p@'),
    });
    assert.equal(again.status === 'subscribed' && again.already, true);
    assert.equal((await store.listSubscriptions(user.id)).length, 1);
  });

  it('takes credentials written into a site’s URL to the feed it declares on itself', async () => {
    const user = await store.createUser('dee', { isAdmin: false }, Date.now());
    seen.clear();
    const outcome = await subscribeToUrl(deps(), {
      userId: user.id,
      url: on('site.test', '/own').replace('://', '://u:p@'),
    });
    assert.equal(outcome.status, 'subscribed');
    assert.equal(seen.get('site.test/feed.xml'), `undefined|Basic ${Buffer.from('u:p').toString('base64')}`);
    const [followed] = await store.listSubscriptions(user.id);
    assert.equal(followed?.feed.url, on('site.test', '/feed.xml'));
  });

  it('refuses credentials in the URL that others given beside them contradict, without repeating them', async () => {
    const user = await store.createUser('eve', { isAdmin: false }, Date.now());
    await assert.rejects(
      subscribeToUrl(deps(), {
        userId: user.id,
        url: on('site.test', '/feed.xml').replace('://', '://u:hunter2@'),
        options: secrets,
      }),
      (err: Error) => /give them once/.test(err.message) && !err.message.includes('hunter2'),
    );
    assert.deepEqual(await store.listSubscriptions(user.id), []);
  });

  it('moves a subscription to the feed its new fetch options make as it was: title, pause, rules and pace', async () => {
    const now = Date.now();
    const [ivy, jon] = await Promise.all(
      ['ivy', 'jon'].map((n) => store.createUser(n, { isAdmin: false }, now)),
    );
    assert.ok(ivy && jon);
    const feed = await store.ensureFeed('https://opts.test/feed.xml', DEFAULT_FETCH_OPTIONS, now);
    for (const user of [ivy, jon])
      await store.subscribe(user.id, feed.id, { folderId: null, title: null }, now);
    await store.updateSubscription(ivy.id, feed.id, {
      title: 'Mine',
      blockRules: 'sponsor',
      minCheckMinutes: 720,
    });
    const moved = await changeFetchOptions(deps(), ivy.id, feed.id, {
      ...DEFAULT_FETCH_OPTIONS,
      cookie: 'c=1',
    });
    assert.ok(moved && moved.id !== feed.id, 'jon follows it too: apart');
    const [view] = await store.listSubscriptions(ivy.id);
    const { title, paused, blockRules, keepRules, minCheckMinutes } = view?.subscription ?? {};
    assert.deepEqual(
      { title, paused, blockRules, keepRules, minCheckMinutes },
      { title: 'Mine', paused: false, blockRules: 'sponsor', keepRules: null, minCheckMinutes: 720 },
    );
    assert.equal((await store.getFeed(moved.id))?.minCheckMinutes, 720, 'its only subscriber asks it');
    assert.equal((await store.getFeed(feed.id))?.minCheckMinutes, null, 'jon asks nothing');
  });

  it('imports credentials written into OPML feeds’ URLs as their options, and leaves out those no request could carry', async () => {
    const user = await store.createUser('fay', { isAdmin: false }, Date.now());
    const result = await importFeeds(deps(), user.id, [
      { url: 'https://me:secret@import.test/a.xml', title: 'A', siteUrl: null, folder: 'Work' },
      { url: 'https://a%3Ab:c@import.test/b.xml', title: 'B', siteUrl: null, folder: null },
      { url: 'https://import.test/a.xml', title: 'A again', siteUrl: null, folder: null },
    ]);
    assert.deepEqual(result, { added: 2, folders: 1, existing: 0, repeated: 1 });
    const feeds = (await store.listSubscriptions(user.id)).map((s) => [
      s.feed.url,
      s.feed.options.username,
      s.feed.options.password,
    ]);
    assert.deepEqual(feeds.sort(), [
      ['https://import.test/a.xml', 'me', 'secret'],
      ['https://import.test/b.xml', null, null],
    ]);
    const exported = await exportFeeds(store, user.id);
    assert.equal(
      exported.some((f) => f.url.includes('@')),
      false,
      'no credentials in the OPML export',
    );
  });

  it('keeps the site URL an OPML file gives until a fetch of the feed says otherwise', async () => {
    const user = await store.createUser('site-keeper', { isAdmin: false }, Date.now());
    await importFeeds(deps(), user.id, [
      { url: 'https://dead.test/feed.xml', title: 'Dead', siteUrl: 'https://dead.test/', folder: null },
    ]);
    // Exported before it is ever fetched (or while it fails): the file's htmlUrl goes out again.
    assert.deepEqual(
      (await exportFeeds(store, user.id)).map((f) => [f.url, f.siteUrl]),
      [['https://dead.test/feed.xml', 'https://dead.test/']],
    );
    const [sub] = await store.listSubscriptions(user.id);
    assert.ok(sub);
    await store.recordFetchSuccess(
      sub.feed.id,
      { ...fetchedUpdate(Date.now()), siteUrl: 'https://dead.test/blog/' },
      [],
    );
    assert.equal((await store.getFeed(sub.feed.id))?.siteUrl, 'https://dead.test/blog/', "the feed's own");
  });

  it('imports a feed listed in two folders once, in the first, and counts it so', async () => {
    const user = await store.createUser('must-read', { isAdmin: false }, Date.now());
    const list = [
      { url: 'https://a.test/feed.xml', title: 'A', siteUrl: null, folder: 'Tech' },
      { url: 'https://b.test/feed.xml', title: 'B', siteUrl: null, folder: 'Tech' },
      { url: 'https://a.test/feed.xml', title: 'A', siteUrl: null, folder: 'Must Read' },
    ];
    assert.deepEqual(await importFeeds(deps(), user.id, list), {
      added: 2,
      folders: 1,
      existing: 0,
      repeated: 1,
    });
    assert.deepEqual(
      (await store.listSubscriptions(user.id)).map((s) => [s.feed.url, s.folderName]),
      [
        ['https://a.test/feed.xml', 'Tech'],
        ['https://b.test/feed.xml', 'Tech'],
      ],
    );
    assert.deepEqual(
      (await store.listFolders(user.id)).map((f) => f.name),
      ['Tech'],
    );
    assert.deepEqual(await importFeeds(deps(), user.id, list), {
      added: 0,
      folders: 0,
      existing: 2,
      repeated: 1,
    });
  });

  it('imports how a feed is fetched and checked from FreshRSS’s OPML attributes, and exports all of it but the cookie', async () => {
    const user = await store.createUser('gus', { isAdmin: false }, Date.now());
    const changelog: PageScrape = {
      items: 'li',
      title: null,
      link: null,
      content: null,
      date: 'time',
      author: null,
      categories: null,
    };
    const fetch = (o: Partial<OpmlFetchOptions>): OpmlFetchOptions => ({
      articleSelector: null,
      removeSelector: null,
      userAgent: null,
      cookie: null,
      scrape: null,
      rewriteRules: null,
      ...o,
    });
    await importFeeds(deps(), user.id, [
      {
        url: 'https://frss.test/full.xml',
        title: 'Full',
        siteUrl: null,
        folder: null,
        fetch: fetch({
          articleSelector: 'article .content',
          removeSelector: '.share',
          cookie: 'consent=yes',
        }),
        minCheckMinutes: 360,
      },
      { url: 'https://frss.test/muted.xml', title: 'Muted', siteUrl: null, folder: null, paused: true },
      // A user agent no request could carry: the file's options are left out, the URL's credentials kept.
      {
        url: 'https://me:pw@frss.test/agent.xml',
        title: 'Agent',
        siteUrl: null,
        folder: null,
        fetch: fetch({ userAgent: 'Bad\r\nX-Injected: 1', removeSelector: '.ad' }),
      },
      {
        url: 'https://frss.test/changelog',
        title: 'Changelog',
        siteUrl: null,
        folder: null,
        fetch: fetch({ scrape: changelog, rewriteRules: 'nl2br' }),
      },
    ]);
    const options = new Map(
      (await store.listSubscriptions(user.id)).map((s) => [s.feed.url, s.feed.options]),
    );
    assert.deepEqual(options.get('https://frss.test/full.xml'), {
      ...DEFAULT_FETCH_OPTIONS,
      fetchFullArticle: true,
      articleSelector: 'article .content',
      removeSelector: '.share',
      cookie: 'consent=yes',
    });
    assert.deepEqual(options.get('https://frss.test/changelog'), {
      ...DEFAULT_FETCH_OPTIONS,
      scrape: changelog,
      rewriteRules: 'nl2br',
    });
    assert.deepEqual(options.get('https://frss.test/agent.xml'), {
      ...DEFAULT_FETCH_OPTIONS,
      username: 'me',
      password: 'pw',
    });
    const subs = new Map((await store.listSubscriptions(user.id)).map((s) => [s.feed.url, s.subscription]));
    assert.equal(subs.get('https://frss.test/full.xml')?.minCheckMinutes, 360);
    assert.equal(subs.get('https://frss.test/full.xml')?.paused, false);
    assert.equal(subs.get('https://frss.test/muted.xml')?.paused, true);
    assert.equal(subs.get('https://frss.test/muted.xml')?.minCheckMinutes, null);
    const outlines = await exportFeeds(store, user.id);
    assert.equal(outlines.find((f) => f.url === 'https://frss.test/full.xml')?.minCheckMinutes, 360);
    const exported = new Map(outlines.map((f) => [f.url, f.fetch]));
    assert.deepEqual(exported.get('https://frss.test/full.xml'), {
      articleSelector: 'article .content',
      removeSelector: '.share',
      userAgent: null,
      cookie: null,
      scrape: null,
      rewriteRules: null,
    });
    assert.equal(exported.get('https://frss.test/changelog')?.rewriteRules, 'nl2br');
    assert.equal(exported.get('https://frss.test/agent.xml'), undefined);
  });

  it('discovers without sending them to other sites', async () => {
    seen.clear();
    const found = await discoverSubscriptions(fetcher, on('site.test', '/elsewhere'), secrets);
    assert.deepEqual(
      found.map((f) => f.url),
      [on('other.test', '/feed.xml')],
    );
    assert.equal(seen.has('other.test/feed.xml'), false, 'a declared feed is listed, not fetched');
  });
});

describe('subscribing with secrets between http and https on one host', { skip: opensslSkipReason() }, () => {
  let site: TestServer;
  let store: Store;
  let fetcher: Fetcher;
  let secrets: FetchOptions;
  const basic = `Basic ${Buffer.from('u:p').toString('base64')}`;
  /** What each request carried, as "scheme path cookie|authorization". */
  const carried: string[] = [];
  const deps = () => ({ store, fetcher, clock: Date.now });

  before(async () => {
    const own = makeCertificate('127.0.0.1', ['IP:127.0.0.1']);
    secrets = {
      ...DEFAULT_FETCH_OPTIONS,
      cookie: 'session=1',
      username: 'u',
      password: 'p',
      trustedCertificate: own.cert,
    };
    // One host and port over http and https alike: each path answers by the scheme it was asked in.
    site = await startTestServer({}, '127.0.0.1', own);
    const answer =
      (moveTo: 'http' | 'https') =>
      (req: IncomingMessage, res: ServerResponse): void => {
        const scheme = 'encrypted' in req.socket ? 'https' : 'http';
        carried.push(`${scheme} ${req.url} ${req.headers.cookie}|${req.headers.authorization}`);
        const url = site.url(req.url ?? '/');
        if (scheme !== moveTo)
          res.writeHead(301, { location: moveTo === 'http' ? plainUrl(site, req.url ?? '/') : url }).end();
        else res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(RSS);
      };
    site.route('/upgraded.xml', answer('https'));
    site.route('/downgraded.xml', answer('http'));
    store = await openStore({ dbPath: ':memory:', databaseUrl: null });
    fetcher = createFetcher({ policy: LOOPBACK_POLICY, userAgent: 'gleaner-test' });
  });
  after(async () => {
    await fetcher.close();
    await store.close();
    await site.close();
  });

  it('follows a feed from http to its https address with them', async () => {
    const user = await store.createUser('fay', { isAdmin: false }, Date.now());
    carried.length = 0;
    const outcome = await subscribeToUrl(deps(), {
      userId: user.id,
      url: plainUrl(site, '/upgraded.xml'),
      options: secrets,
    });
    assert.equal(outcome.status, 'subscribed');
    const [followed] = await store.listSubscriptions(user.id);
    assert.equal(followed?.feed.url, site.url('/upgraded.xml'));
    assert.deepEqual([followed?.feed.options.cookie, followed?.feed.options.username], ['session=1', 'u']);
    assert.deepEqual(carried.slice(0, 2), [
      `http /upgraded.xml session=1|${basic}`,
      `https /upgraded.xml session=1|${basic}`,
    ]);
  });

  it('refuses to take them from https to plain http, and never sends them there', async () => {
    const user = await store.createUser('gus', { isAdmin: false }, Date.now());
    carried.length = 0;
    await assert.rejects(
      subscribeToUrl(deps(), { userId: user.id, url: site.url('/downgraded.xml'), options: secrets }),
      new RegExp(
        `^GleanerError: the feed is at ${plainUrl(site, '/downgraded.xml')}, where the cookie and credentials given for ${site.url('/downgraded.xml')} are not sent`,
      ),
    );
    assert.deepEqual(carried, [
      `https /downgraded.xml session=1|${basic}`,
      'http /downgraded.xml undefined|undefined',
    ]);
    assert.deepEqual(await store.listSubscriptions(user.id), []);
  });
});

describe('subscribing to a URL that fails, or to a long page', () => {
  let server: TestServer;
  let store: Store;
  let fetcher: Fetcher;
  let closed = '';
  const deps = () => ({ store, fetcher, clock: Date.now });

  before(async () => {
    server = await startTestServer({
      '/missing.xml': respond(404, {}, 'no'),
      '/gone.xml': respond(410, {}, 'gone'),
      '/broken.xml': respond(500, {}, 'oops'),
      '/busy.xml': respond(429, { 'retry-after': '120' }, 'slow down'),
      '/locked.xml': respond(401, {}, 'who are you'),
      '/always-304.xml': respond(304),
      '/blank.xml': respond(200, { 'content-type': 'application/rss+xml' }, '\ufeff \r\n\t'),
      '/feed.xml': respond(200, { 'content-type': 'application/rss+xml' }, RSS),
    });
    // A long page: HTML's void elements, unclosed, nest ever deeper when read as XML.
    server.route('/', (_req, res) =>
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(
          `<!DOCTYPE html><html><head><meta charset="utf-8">${'<link rel="preload" href="/f.woff2">'.repeat(300)}` +
            `<link rel="alternate" type="application/rss+xml" title="Members" href="/feed.xml"></head>` +
            `<body><div>${'<p>Post<br><img src="/p.jpg" alt="">'.repeat(1000)}</div></body></html>`,
        ),
    );
    const gone = await startTestServer();
    closed = gone.url('/feed.xml');
    await gone.close();
    store = await openStore({ dbPath: ':memory:', databaseUrl: null });
    fetcher = createFetcher({ policy: LOOPBACK_POLICY, userAgent: 'gleaner-test' });
  });
  after(async () => {
    await fetcher.close();
    await store.close();
    await server.close();
  });

  // A feed's stored error and what someone subscribing is told, from the same failure.
  const cases: [string, RegExp, RegExp][] = [
    [
      '/missing.xml',
      /returned 404 Not Found; check the URL or remove the subscription$/,
      /returned 404 Not Found; check the URL$/,
    ],
    [
      '/gone.xml',
      /410 Gone; the feed is gone for good; remove the subscription$/,
      /410 Gone; the feed is gone for good$/,
    ],
    [
      '/broken.xml',
      /500 Internal Server Error; the server has a problem; Gleaner will retry later$/,
      /500 Internal Server Error; the server has a problem, try again later$/,
    ],
    [
      '/busy.xml',
      /429 Too Many Requests; the server wants fewer requests \(it asks for 2 min\); Gleaner will retry later$/,
      /429 Too Many Requests; the server wants fewer requests, try again in 2 min$/,
    ],
    [
      '/locked.xml',
      /401 Unauthorized; check the username, password or cookie of the subscription/,
      /401 Unauthorized; check the username, password or cookie to fetch it with$/,
    ],
    [
      '/always-304.xml',
      /304 Not Modified; the request had nothing to compare \(no ETag or date\), so the server is misconfigured; Gleaner will retry later$/,
      /304 Not Modified; the request had nothing to compare \(no ETag or date\), so the server is misconfigured; try again later or tell the site$/,
    ],
  ];
  for (const [path, stored, subscribing] of cases) {
    it(`${path}: no advice that only a stored feed's error can take`, async () => {
      const user = await store.createUser(`u${path.replace(/\W/g, '')}`, { isAdmin: false }, Date.now());
      const feedError = await fetcher.fetchFeed({ url: server.url(path) }).then(
        () => assert.fail('the fetch succeeded'),
        (err: Error) => err,
      );
      assert.match(feedError.message, stored);
      await assert.rejects(
        subscribeToUrl(deps(), { userId: user.id, url: server.url(path) }),
        (err: Error) => {
          assert.match(err.message, subscribing);
          assert.equal((err as { code?: string }).code, 'FETCH_HTTP_STATUS');
          return true;
        },
      );
      await assert.rejects(discoverSubscriptions(fetcher, server.url(path)), (err: Error) => {
        assert.match(err.message, subscribing);
        return true;
      });
      assert.deepEqual(await store.listSubscriptions(user.id), [], 'nothing stored');
    });
  }

  it('an empty answer: the site may be failing, try again later (not "a web page that declares no feed")', async () => {
    const user = await store.createUser('blank', { isAdmin: false }, Date.now());
    for (const attempt of [
      subscribeToUrl(deps(), { userId: user.id, url: server.url('/blank.xml') }),
      discoverSubscriptions(fetcher, server.url('/blank.xml')),
    ]) {
      await assert.rejects(attempt, (err: Error) => {
        assert.match(
          err.message,
          /blank\.xml answered with an empty document; the site may be failing, try again later$/,
        );
        return true;
      });
    }
    assert.deepEqual(await store.listSubscriptions(user.id), [], 'nothing stored');
  });

  it('finds the feed a long page declares', async () => {
    assert.deepEqual(await discoverSubscriptions(fetcher, server.url('/')), [
      { url: server.url('/feed.xml'), title: 'Members', type: 'rss' },
    ]);
    const user = await store.createUser('reader', { isAdmin: false }, Date.now());
    const outcome = await subscribeToUrl(deps(), { userId: user.id, url: server.url('/') });
    assert.equal(outcome.status, 'subscribed');
    assert.deepEqual(
      (await store.listSubscriptions(user.id)).map((s) => s.feed.url),
      [server.url('/feed.xml')],
    );
  });

  it('a refused connection: try again later, not "Gleaner will retry"', async () => {
    const user = await store.createUser('refused', { isAdmin: false }, Date.now());
    await assert.rejects(subscribeToUrl(deps(), { userId: user.id, url: closed }), (err: Error) => {
      assert.match(err.message, /refused the connection; the server may be down, try again later$/);
      assert.doesNotMatch(err.message, /Gleaner will retry/);
      return true;
    });
  });
});

describe('subscribing asks the site for the feed once', () => {
  let server: TestServer;
  let store: Store;
  let fetcher: Fetcher;
  let refreshDeps: RefreshDeps;
  const deps = () => ({ store, fetcher, clock: Date.now });
  const ITEMS =
    '<item><title>One</title><guid>1</guid><description>first</description></item>' +
    '<item><title>Two</title><guid>2</guid><description>second</description></item>';
  const feedRequests = () => server.requests.filter((r) => r.path === '/feed.xml');

  before(async () => {
    server = await startTestServer();
    server.route('/feed.xml', (req, res) => {
      if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304).end();
      res
        .writeHead(200, { 'content-type': 'application/rss+xml', etag: '"v1"' })
        .end(`<rss version="2.0"><channel><title>Once</title>${ITEMS}</channel></rss>`);
    });
    server.route('/site', (_req, res) =>
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head></html>'),
    );
    server.route('/moved.xml', (_req, res) => void res.writeHead(301, { location: '/feed.xml' }).end());
    store = await openStore({ dbPath: ':memory:', databaseUrl: null });
    fetcher = createFetcher({ policy: LOOPBACK_POLICY, userAgent: 'gleaner-test' });
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

  /** Subscribes a new user `name` to `path` and stores what subscribing fetched: both outcomes. */
  async function subscribeAndStore(name: string, path: string, options?: FetchOptions) {
    const user = await store.createUser(name, { isAdmin: false }, Date.now());
    const outcome = await subscribeToUrl(deps(), {
      userId: user.id,
      url: server.url(path),
      keepFollowed: true,
      ...(options ? { options } : {}),
    });
    assert.equal(outcome.status, 'subscribed');
    if (outcome.status !== 'subscribed') throw new Error('unreachable');
    const result = await refreshFeed(outcome.feed, refreshDeps, outcome.fetched ?? undefined);
    return { outcome, result };
  }

  it('stores the document it fetched to find the feed, and keeps its ETag for the next refresh', async () => {
    server.requests.length = 0;
    const { outcome, result } = await subscribeAndStore('ann', '/feed.xml');
    assert.deepEqual(result, { feedId: outcome.feed.id, status: 'updated', inserted: 2, updated: 0 });
    assert.equal(feedRequests().length, 1, 'one request for the feed');
    const feed = await store.getFeed(outcome.feed.id);
    assert.equal(feed?.etag, '"v1"');
    assert.equal(feed?.title, 'Once');
    // The next refresh asks whether it changed.
    assert.equal((await refreshFeed(feed, refreshDeps)).status, 'not-modified');
    assert.equal(feedRequests()[1]?.headers['if-none-match'], '"v1"');
  });

  it('does so for a feed found on a site’s page, and for one that moved', async () => {
    for (const [name, path] of [
      ['bob', '/site'],
      ['cy', '/moved.xml'],
    ] as const) {
      server.requests.length = 0;
      const { outcome, result } = await subscribeAndStore(name, path);
      assert.equal(outcome.feed.url, server.url('/feed.xml'));
      assert.equal(result.status, 'updated');
      assert.equal(feedRequests().length, 1, `${path}: one request for the feed`);
      assert.equal(await store.countEntries(outcome.feed.id), 2);
    }
  });

  it('does not hand on a document fetched otherwise than the feed is followed with', async () => {
    const agent = { ...DEFAULT_FETCH_OPTIONS, userAgent: 'MyReader/1.0' };
    const first = await subscribeAndStore('dee', '/feed.xml', agent);
    assert.equal(first.outcome.fetched?.status, 'ok', 'fetched with the feed’s own user agent');
    // Asked again without options, the feed the user follows (with its user agent) is kept: what
    // was fetched without it is not that feed's document.
    const user = await store.findUserByName('dee');
    const again = await subscribeToUrl(deps(), {
      userId: user!.id,
      url: server.url('/feed.xml'),
      keepFollowed: true,
    });
    assert.equal(again.status === 'subscribed' && again.already, true);
    assert.equal(again.status === 'subscribed' ? again.fetched : undefined, null);
  });

  it('subscribes to recommended feeds: a feed without fetching, a site asked once, each told', async () => {
    server.route('/direct.xml', respond(200, { 'content-type': 'application/rss+xml' }, RSS));
    server.route('/dead-site', respond(404, { 'content-type': 'text/html' }, 'gone'));
    const user = await store.createUser('rec', { isAdmin: false }, Date.now());
    const kept = await store.ensureFolder(user.id, 'Mine');
    const followed = await store.ensureFeed(server.url('/feed.xml'), DEFAULT_FETCH_OPTIONS, Date.now());
    await store.subscribe(user.id, followed.id, { folderId: kept.id, title: 'My name' }, Date.now());
    const rec = (name: string, path: string, kind: 'feed' | 'site'): RecommendedFeed => ({
      name,
      topic: 'security',
      language: 'en',
      url: server.url(path),
      kind,
    });
    const direct = rec('Direct', '/direct.xml', 'feed');
    const site = rec('Site', '/site', 'site');
    const dead = rec('Dead', '/dead-site', 'site');
    // The site's feed is one the user follows: left as they keep it.
    server.requests.length = 0;
    const done = await subscribeToRecommended(deps(), user.id, [direct, site, dead]);
    assert.deepEqual(
      done.added.map((a) => [a.recommended.name, a.feed.url]),
      [['Direct', server.url('/direct.xml')]],
    );
    assert.deepEqual(
      done.already.map((a) => [a.recommended.name, a.feed.id]),
      [['Site', followed.id]],
    );
    assert.deepEqual(
      done.failed.map((f) => f.recommended.name),
      ['Dead'],
    );
    assert.match(done.failed[0]?.error ?? '', /404/);
    assert.equal(done.fetched.size, 0, 'nothing fetched for a feed followed already');
    assert.deepEqual(
      server.requests.map((r) => r.path).filter((p) => p === '/direct.xml'),
      [],
      'a feed the directory gives is not fetched to subscribe',
    );
    const subs = await store.listSubscriptions(user.id);
    const view = (url: string) => subs.find((s) => s.feed.url === url);
    assert.deepEqual(
      [view(server.url('/direct.xml'))?.folderName, view(server.url('/direct.xml'))?.subscription.title],
      ['security', 'Direct'],
    );
    assert.deepEqual(
      [view(server.url('/feed.xml'))?.folderName, view(server.url('/feed.xml'))?.subscription.title],
      ['Mine', 'My name'],
    );

    // For a user who follows none of them, the site's feed comes with its document, fetched once.
    const other = await store.createUser('rec-other', { isAdmin: false }, Date.now());
    server.requests.length = 0;
    const fresh = await subscribeToRecommended(deps(), other.id, [site], 'Picked');
    const [added] = fresh.added;
    assert.equal(added?.feed.url, server.url('/feed.xml'));
    assert.equal(fresh.fetched.get(added.feed.id)?.status, 'ok');
    assert.equal(feedRequests().length, 1);
    const [sub] = await store.listSubscriptions(other.id);
    assert.deepEqual([sub?.folderName, sub?.subscription.title], ['Picked', 'Site']);
  });
});

describe('one feed, however its URL is written', () => {
  let server: TestServer;
  let store: Store;
  let fetcher: Fetcher;
  const deps = () => ({ store, fetcher, clock: Date.now });

  before(async () => {
    server = await startTestServer({
      '/feed.xml': respond(200, { 'content-type': 'application/rss+xml' }, RSS),
    });
    store = await openStore({ dbPath: ':memory:', databaseUrl: null });
    fetcher = createFetcher({ policy: LOOPBACK_POLICY, userAgent: 'gleaner-test' });
  });
  after(async () => {
    await fetcher.close();
    await store.close();
    await server.close();
  });

  it('keeps no fragment or empty query: typed, imported or found on the page', async () => {
    const user = await store.createUser('ann', { isAdmin: false }, Date.now());
    const feedUrl = server.url('/feed.xml');
    const outcomes = [];
    for (const url of [`${feedUrl}#top`, `${feedUrl}?`, `${feedUrl}?#x`, feedUrl])
      outcomes.push(await subscribeToUrl(deps(), { userId: user.id, url }));
    assert.deepEqual(
      outcomes.map((o) => o.status === 'subscribed' && [o.feed.url, o.already]),
      [
        [feedUrl, false],
        [feedUrl, true],
        [feedUrl, true],
        [feedUrl, true],
      ],
    );
    const imported = await importFeeds(deps(), user.id, [
      { url: `${feedUrl}?#from-a-file`, title: null, siteUrl: null, folder: null },
    ]);
    assert.deepEqual(imported, { added: 0, folders: 0, existing: 1, repeated: 0 });
    assert.deepEqual(
      (await store.listSubscriptions(user.id)).map((s) => s.feed.url),
      [feedUrl],
    );
    assert.equal(normalizeInputUrl('blog.example.com/feed?#x'), 'https://blog.example.com/feed');
    assert.equal(normalizeInputUrl('https://x.example/f?a=1#x'), 'https://x.example/f?a=1');
  });
});

describe("finding a site's feed on its page", () => {
  let server: TestServer;
  let store: Store;
  let fetcher: Fetcher;
  const deps = () => ({ store, fetcher, clock: Date.now });
  const on = (host: string, path: string): string => siteUrl(server, host, path);
  const html = (body: string) =>
    respond(200, { 'content-type': 'text/html' }, `<html><body>${body}</body></html>`);
  const rss = (title: string) =>
    respond(
      200,
      { 'content-type': 'application/rss+xml' },
      `<rss version="2.0"><channel><title>${title}</title></channel></rss>`,
    );
  /** The hosts and paths asked for since `since`, as "host/path". */
  const asked = (since: number): string[] =>
    server.requests.slice(since).map((r) => `${r.headers.host?.split(':')[0]}${r.path}`);
  let users = 0;
  const newUser = async () => (await store.createUser(`u${++users}`, { isAdmin: false }, Date.now())).id;

  before(async () => {
    server = await startTestServer();
    store = await openStore({ dbPath: ':memory:', databaseUrl: null });
    fetcher = createFetcher({
      policy: LOOPBACK_POLICY,
      userAgent: 'gleaner-test',
      resolveHost: resolveToLoopback,
    });
  });
  after(async () => {
    await fetcher.close();
    await store.close();
    await server.close();
  });

  it("takes the site's own feed, not a friend's it links to, nor a page about RSS", async () => {
    server.route(
      '/blog',
      html(
        `<a href="${on('friend.test', '/friend-feed')}">my friend's blog</a> <a href="/what-is-rss">What is RSS?</a>` +
          '<a href="/rss">RSS</a>',
      ),
    );
    server.route('/friend-feed', rss('Friend'));
    server.route('/rss', html('<h1>What is RSS?</h1>'));
    server.route('/index.xml', rss('Own'));
    const since = server.requests.length;
    const outcome = await subscribeToUrl(deps(), { userId: await newUser(), url: on('site.test', '/blog') });
    assert.equal(outcome.status === 'subscribed' && outcome.feed.url, on('site.test', '/index.xml'));
    assert.ok(!asked(since).includes('friend.test/friend-feed'), "the friend's feed is not asked for");
    assert.equal(asked(since).filter((r) => r === 'site.test/rss').length, 1, 'the link was tried, once');
    assert.deepEqual(await discoverSubscriptions(fetcher, on('site.test', '/blog')), [
      { url: on('site.test', '/index.xml'), title: 'Own', type: 'rss' },
    ]);
  });

  it('lists the feeds a page links to when several are feeds, and takes the first when asked', async () => {
    server.route(
      '/several',
      html(
        '<a href="/posts.xml">Posts</a> <a href="/comments.atom">Comments</a> <a href="/about.xml">About</a>',
      ),
    );
    server.route('/posts.xml', rss('Posts feed'));
    server.route('/comments.atom', rss('Comments feed'));
    server.route('/about.xml', html('not a feed'));
    const choose = await subscribeToUrl(deps(), {
      userId: await newUser(),
      url: on('site.test', '/several'),
    });
    assert.deepEqual(choose.status === 'choose' && choose.candidates, [
      { url: on('site.test', '/posts.xml'), title: 'Posts feed', type: 'rss' },
      { url: on('site.test', '/comments.atom'), title: 'Comments feed', type: 'rss' },
    ]);
    const first = await subscribeToUrl(deps(), {
      userId: await newUser(),
      url: on('site.test', '/several'),
      pickFirst: true,
    });
    assert.equal(first.status === 'subscribed' && first.feed.url, on('site.test', '/posts.xml'));
  });

  it("finds a project site's feed in its own directory before the site root's", async () => {
    server.route('/project/', html('<p>A project without a link to its feed</p>'));
    server.route('/project/index.xml', rss('Project'));
    const outcome = await subscribeToUrl(deps(), {
      userId: await newUser(),
      url: on('site.test', '/project/'),
    });
    assert.equal(outcome.status === 'subscribed' && outcome.feed.url, on('site.test', '/project/index.xml'));
  });

  it('asks a page’s candidates a bounded number of times', async () => {
    const links = Array.from(
      { length: 60 },
      (_, i) => `<link rel="alternate" type="application/rss+xml" href="/gone/${i}.xml">`,
    );
    server.route('/many', respond(200, { 'content-type': 'text/html' }, `<head>${links.join('')}</head>`));
    const since = server.requests.length;
    await assert.rejects(
      subscribeToUrl(deps(), { userId: await newUser(), url: on('site.test', '/many'), pickFirst: true }),
      /declares no feed/,
    );
    assert.equal(asked(since).length, 1 + 20, 'the page, and 20 candidates');
  });
});
