// The Miniflux v1 API over real HTTP: sign-in by API key and by Basic auth, feeds, categories,
// entries with their filters, state changes, OPML, and what one user may see of another's.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { PreparedEntry, User } from '../../model/index.js';
import type { FeedFetchUpdate } from '../../store/index.js';
import { eventually } from '../../testing/eventually.js';
import { respond, startTestServer, type TestServer } from '../../testing/testserver.js';
import { newToken, tokenHash } from '../../web/auth.js';
import { startWebApp, type WebApp, type WebResponse } from '../../web/testing.js';
import { DEFAULT_FETCH_OPTIONS } from '../../subscribe/index.js';
import { BODIES_TO_QUOTE, feedOfBodiesToQuote, fetchedUpdate, preparedEntry } from '../../testing/fetched.js';

const NOW = Date.now();
const HOUR = 3_600_000;

function entry(n: number, feed: string): PreparedEntry {
  return {
    guid: `${feed}-${n}`,
    link: `https://site.example/${feed}/${n}`,
    title: `${feed} story ${n}`,
    author: 'Ada',
    contentHtml: `<p>Body of ${feed} story ${n}</p>`,
    contentText: `Body of ${feed} story ${n}`,
    summaryText: `Body of ${feed} story ${n}`,
    readingMinutes: 2,
    publishedAt: NOW - n * HOUR,
    updatedAt: null,
    categories: ['news'],
    enclosures: n === 1 ? [{ url: 'https://site.example/a.mp3', type: 'audio/mpeg', length: 42 }] : [],
    imageUrl: null,
    commentsUrl: null,
    language: 'en',
    dedupeKey: `g:${feed}-${n}`,
    contentHash: `h-${feed}-${n}`,
  };
}

const fetched = (title: string): FeedFetchUpdate => ({
  checkedAt: NOW,
  nextCheckAt: NOW + HOUR,
  etag: null,
  lastModified: null,
  title,
  siteUrl: 'https://site.example/',
  description: null,
  iconUrl: null,
  language: 'en',
  hubUrl: null,
  format: 'rss',
});

const RSS = (title: string, items: number): string =>
  `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>${title}</title>` +
  '<link>http://127.0.0.1/</link>' +
  Array.from(
    { length: items },
    (_, i) =>
      `<item><title>${title} item ${i}</title><guid>${title}-${i}</guid>` +
      `<pubDate>${new Date(NOW - i * HOUR).toUTCString()}</pubDate></item>`,
  ).join('') +
  '</channel></rss>\n';

// A page whose article Readability finds: long enough to read for several minutes, with a script
// and page furniture that must not come along.
const ARTICLE =
  '<html><head><title>The full story</title></head><body><nav>Home · About · Archive</nav><article>' +
  '<h1>The full story</h1>' +
  Array.from(
    { length: 60 },
    (_, i) =>
      `<p>Paragraph ${i} of the complete article, with enough words to read as real prose about tries and hash maps.</p>`,
  ).join('') +
  '<script>track()</script></article><footer>© the blog</footer></body></html>';

interface EntryJson {
  id: number;
  user_id: number;
  feed_id: number;
  status: string;
  title: string;
  starred: boolean;
  published_at: string;
  changed_at: string;
  created_at: string;
  tags: string[];
  enclosures: { id: number; entry_id: number; url: string; mime_type: string; size: number }[];
  feed: { id: number; category: { id: number; title: string } };
}
interface EntryList {
  total: number;
  entries: EntryJson[];
}

describe('Miniflux API', () => {
  let web: WebApp;
  let feeds: TestServer;
  let ann: User;
  let bob: User;
  const annKey = newToken();
  const bobKey = newToken();
  let techFeed: number;
  let looseFeed: number;
  let bobFeed: number;
  let techFolder: number;
  let skew = 0;

  const api = (path: string, init: RequestInit = {}, key: string | null = annKey): Promise<WebResponse> =>
    web.fetch(`/v1${path}`, {
      ...init,
      headers: {
        ...(key ? { 'X-Auth-Token': key } : {}),
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(init.headers as Record<string, string> | undefined),
      },
    });
  const put = (path: string, body: unknown, key: string | null = annKey): Promise<WebResponse> =>
    api(path, { method: 'PUT', body: typeof body === 'string' ? body : JSON.stringify(body) }, key);
  const post = (path: string, body: unknown, key: string | null = annKey): Promise<WebResponse> =>
    api(path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) }, key);
  /** A reader of one's own, signed in by API key, whose marks no other test sees. */
  const newReader = async (name: string): Promise<{ user: User; key: string }> => {
    const user = await web.addUser(name, `${name}-password-1`);
    const key = newToken();
    await web.store.createApiKey(user.id, 'test', tokenHash(key), NOW);
    return { user, key };
  };
  const errorOf = (res: WebResponse): string => res.json<{ error_message: string }>().error_message;

  before(async () => {
    // The server's clock runs ahead when a test moves it (see `skew`), as time passing would.
    web = await startWebApp({ clock: () => Date.now() + skew });
    feeds = await startTestServer({
      '/added.xml': respond(200, { 'content-type': 'application/rss+xml' }, RSS('Added', 3)),
      '/added-site/': respond(
        200,
        { 'content-type': 'text/html' },
        '<html><head><link rel="alternate" type="application/rss+xml" href="/added.xml"></head></html>',
      ),
      '/two-feeds/': respond(
        200,
        { 'content-type': 'text/html' },
        '<html><head><link rel="alternate" type="application/rss+xml" title="Posts" href="/added.xml">' +
          '<link rel="alternate" type="application/atom+xml" title="Comments" href="/comments.atom"></head></html>',
      ),
      '/bare-site/': respond(
        200,
        { 'content-type': 'text/html' },
        '<html><body><p>No feeds here.</p></body></html>',
      ),
      '/article.html': respond(200, { 'content-type': 'text/html; charset=utf-8' }, ARTICLE),
      '/not-an-article.html': respond(200, { 'content-type': 'text/html' }, '<html><body></body></html>'),
    });
    ann = await web.addUser('ann', 'ann-password-1');
    bob = await web.addUser('bob', 'bob-password-1');
    await web.store.createApiKey(ann.id, 'test', tokenHash(annKey), NOW);
    await web.store.createApiKey(bob.id, 'test', tokenHash(bobKey), NOW);
    const store = web.store;
    const tech = await store.ensureFeed('https://tech.example/feed', DEFAULT_FETCH_OPTIONS, NOW);
    const loose = await store.ensureFeed('https://loose.example/feed', DEFAULT_FETCH_OPTIONS, NOW);
    const other = await store.ensureFeed('https://bob.example/feed', DEFAULT_FETCH_OPTIONS, NOW);
    await store.recordFetchSuccess(
      tech.id,
      fetched('Tech'),
      [1, 2, 3, 4].map((n) => entry(n, 'tech')),
    );
    await store.recordFetchSuccess(
      loose.id,
      fetched('Loose'),
      [1, 2].map((n) => entry(n + 4, 'loose')),
    );
    await store.recordFetchSuccess(other.id, fetched('Bob'), [entry(1, 'bob')]);
    const folder = await store.ensureFolder(ann.id, 'Tech');
    techFolder = folder.id;
    await store.subscribe(ann.id, tech.id, { folderId: folder.id, title: null }, NOW);
    await store.subscribe(ann.id, loose.id, { folderId: null, title: 'My loose feed' }, NOW);
    await store.subscribe(bob.id, other.id, { folderId: null, title: null }, NOW);
    techFeed = tech.id;
    looseFeed = loose.id;
    bobFeed = other.id;
  });

  after(async () => {
    await web.close();
    await feeds.close();
  });

  describe('sign-in', () => {
    it('answers 401 without credentials, with a wrong key, and with a wrong password', async () => {
      for (const res of [
        await api('/me', {}, null),
        await api('/me', {}, 'not-a-key'),
        await api(
          '/feeds',
          {
            headers: { authorization: `Basic ${Buffer.from('ann:wrong').toString('base64')}` },
          },
          null,
        ),
        await api('/no-such-route', {}, null),
      ]) {
        assert.equal(res.status, 401);
        assert.equal(errorOf(res), 'Access Unauthorized');
      }
    });

    it('takes an API key or Basic auth', async () => {
      const byKey = await api('/me');
      assert.equal(byKey.status, 200);
      assert.equal(byKey.json<{ username: string }>().username, 'ann');
      const basic = `Basic ${Buffer.from('ann:ann-password-1').toString('base64')}`;
      const byPassword = await api('/me', { headers: { authorization: basic } }, null);
      assert.equal(byPassword.status, 200);
      assert.equal(byPassword.json<{ id: number }>().id, ann.id);
    });

    it('serves the same API under //v1 (a base URL given with a trailing slash)', async () => {
      const res = await web.fetch(`${web.baseUrl}//v1/me`, { headers: { 'X-Auth-Token': annKey } });
      assert.equal(res.status, 200);
      assert.equal(res.json<{ username: string }>().username, 'ann');
    });

    it('lets apps in a browser call it from their own origin, as Miniflux does', async () => {
      const preflight = await web.fetch('/v1/entries?status=unread', {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example', 'access-control-request-method': 'PUT' },
      });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
      assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /X-Auth-Token/);
      assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /PUT/);
      const me = await api('/me', { headers: { origin: 'https://app.example' } });
      assert.equal(me.status, 200);
      assert.equal(me.headers.get('access-control-allow-origin'), '*');
      // The reader's own pages, signed in by cookie, stay closed to other origins.
      const page = await web.fetch('/login', { headers: { origin: 'https://app.example' } });
      assert.equal(page.headers.get('access-control-allow-origin'), null);
    });

    it('answers unknown routes with a JSON 404', async () => {
      const res = await api('/no-such-route');
      assert.equal(res.status, 404);
      assert.ok(errorOf(res));
    });
  });

  describe('feeds', () => {
    it('lists the user’s feeds with their categories', async () => {
      const res = await api('/feeds');
      assert.equal(res.status, 200);
      const list =
        res.json<
          { id: number; title: string; feed_url: string; category: { id: number; title: string } }[]
        >();
      assert.deepEqual(list.map((f) => f.id).sort(), [techFeed, looseFeed].sort());
      const loose = list.find((f) => f.id === looseFeed);
      assert.equal(loose?.title, 'My loose feed');
      assert.deepEqual(loose?.category.id, 0);
      assert.equal(list.find((f) => f.id === techFeed)?.category.title, 'Tech');
    });

    it('gives one feed, 404 for another user’s and 400 for a malformed id', async () => {
      assert.equal((await api(`/feeds/${techFeed}`)).json<{ title: string }>().title, 'Tech');
      assert.equal((await api(`/feeds/${bobFeed}`)).status, 404);
      assert.equal((await api('/feeds/abc')).status, 400);
      assert.equal((await api('/feeds/-1')).status, 400);
    });

    it('counts read and unread entries per feed', async () => {
      const res = await api('/feeds/counters');
      const counters = res.json<{ reads: Record<string, number>; unreads: Record<string, number> }>();
      assert.equal(counters.unreads[String(techFeed)], 4);
      assert.equal(counters.unreads[String(looseFeed)], 2);
      assert.equal(counters.reads[String(techFeed)], 0);
      assert.equal(counters.unreads[String(bobFeed)], undefined);
    });

    it('subscribes by URL without a CSRF token, and refuses bad input', async () => {
      const res = await post('/feeds', { feed_url: feeds.url('/added.xml'), category_id: techFolder });
      assert.equal(res.status, 201, res.body);
      const id = res.json<{ feed_id: number }>().feed_id;
      const feed = (await api(`/feeds/${id}`)).json<{ title: string; category: { id: number } }>();
      assert.equal(feed.category.id, techFolder);
      const list = (await api(`/feeds/${id}/entries`)).json<EntryList>();
      assert.equal(list.total, 3);
      const again = await post('/feeds', { feed_url: feeds.url('/added.xml') });
      assert.equal(again.status, 400);
      assert.equal(errorOf(again), 'This feed already exists.');
      // The site that declares it leads to the same answer, and the feed stays in its category.
      const other = (await web.store.ensureFolder(ann.id, 'Other')).id;
      const site = await post('/feeds', { feed_url: feeds.url('/added-site/'), category_id: other });
      assert.equal(site.status, 400, site.body);
      assert.equal(errorOf(site), 'This feed already exists.');
      assert.equal((await api(`/feeds/${id}`)).json<{ category: { id: number } }>().category.id, techFolder);
      assert.ok(await web.store.deleteFolder(ann.id, other));
      assert.equal((await post('/feeds', { category_id: 1 })).status, 400);
      assert.equal((await post('/feeds', { feed_url: 'ftp://x.example/' })).status, 400);
      assert.equal((await post('/feeds', '{not json')).status, 400);
      assert.equal((await post('/feeds', { feed_url: feeds.url('/x'), category_id: 99999 })).status, 404);
      assert.equal((await post('/feeds', { feed_url: feeds.url('/added.xml') }, null)).status, 401);
      assert.equal((await api(`/feeds/${id}`, { method: 'DELETE' }, bobKey)).status, 404);
      assert.equal((await api(`/feeds/${id}`, { method: 'DELETE' })).status, 204);
      assert.equal((await api(`/feeds/${id}`)).status, 404);
    });

    it('subscribes with the user agent, cookie and credentials a site asks for', async () => {
      const basic = `Basic ${Buffer.from('reader:s3cret').toString('base64')}`;
      feeds.route('/members.xml', (req, res) => {
        const welcome =
          req.headers.authorization === basic &&
          req.headers.cookie === 'session=abc' &&
          req.headers['user-agent'] === 'MyReader/1.0';
        if (welcome) res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(RSS('Members', 2));
        else res.writeHead(401).end('no');
      });
      const options = {
        user_agent: 'MyReader/1.0',
        cookie: 'session=abc',
        username: 'reader',
        password: 's3cret',
      };
      assert.equal((await post('/feeds', { feed_url: feeds.url('/members.xml') })).status, 400);
      const res = await post('/feeds', { feed_url: feeds.url('/members.xml'), ...options }, bobKey);
      assert.equal(res.status, 201, res.body);
      const id = res.json<{ feed_id: number }>().feed_id;
      assert.equal((await api(`/feeds/${id}/entries`, {}, bobKey)).json<EntryList>().total, 2);
      const found = await post('/discover', { url: feeds.url('/members.xml'), ...options });
      assert.equal(found.status, 200, found.body);
      for (const bad of [{ user_agent: 'a\r\nX-Injected: 1' }, { username: 'a:b' }, { cookie: ['x'] }]) {
        const refused = await post('/feeds', { feed_url: feeds.url('/members.xml'), ...bad });
        assert.equal(refused.status, 400, JSON.stringify(bad));
        assert.match(
          errorOf(refused),
          /user agent cannot hold line breaks|username cannot hold a colon|Invalid cookie/,
        );
      }
      // A feed's options change with PUT: the fields named, the others kept.
      const changed = await put(
        `/feeds/${id}`,
        {
          cookie: 'session=xyz',
          crawler: true,
          scraper_rules: 'article .post-body',
          rewrite_rules: 'remove(".share, a[href="/ads"]"), remove("aside.related")',
          ignore_http_cache: true,
          fetch_via_proxy: true,
        },
        bobKey,
      );
      assert.equal(changed.status, 201, changed.body);
      assert.equal(changed.json<{ id: number; crawler: boolean }>().id, id, 'bob alone: the same feed');
      assert.equal(changed.json<{ crawler: boolean }>().crawler, true);
      assert.equal(changed.json<{ scraper_rules: string }>().scraper_rules, 'article .post-body');
      assert.equal(changed.json<{ ignore_http_cache: boolean }>().ignore_http_cache, true);
      assert.equal(changed.json<{ fetch_via_proxy: boolean }>().fetch_via_proxy, true);
      assert.equal(
        changed.json<{ rewrite_rules: string }>().rewrite_rules,
        'remove(".share, a[href="/ads"], aside.related")',
      );
      const changedOptions = {
        userAgent: 'MyReader/1.0',
        cookie: 'session=xyz',
        username: 'reader',
        password: 's3cret',
        fetchFullArticle: true,
        articleSelector: 'article .post-body',
        ignoreHttpCache: true,
        removeSelector: '.share, a[href="/ads"], aside.related',
        fetchViaProxy: true,
        trustedCertificate: null,
        scrape: null,
        rewriteRules: null,
      };
      assert.deepEqual((await web.store.getFeed(id))?.options, changedOptions);
      const injected = await put(`/feeds/${id}`, { user_agent: 'a\nX-Injected: 1' }, bobKey);
      assert.equal(injected.status, 400);
      assert.equal((await web.store.getFeed(id))?.options.userAgent, 'MyReader/1.0');
      for (const bad of [
        { scraper_rules: 'div:has(img)' },
        { scraper_rules: 'p[' },
        { scraper_rules: 7 },
        { ignore_http_cache: 'yes' },
        { rewrite_rules: 'add_mailto_subject' },
        { rewrite_rules: 'remove(".ad"),replace("(a)\\1"|"b")' },
        { rewrite_rules: 'replace("a")' },
        { rewrite_rules: 'remove("div:has(img)")' },
        { rewrite_rules: 'remove(".ad"' },
        { rewrite_rules: false },
        { fetch_via_proxy: 'yes' },
      ]) {
        const refused = await put(`/feeds/${id}`, bad, bobKey);
        assert.equal(refused.status, 400, JSON.stringify(bad));
        assert.match(
          errorOf(refused),
          /:has\(\)|not a valid CSS selector|Invalid scraper_rules|Invalid ignore_http_cache value|Gleaner does not run the rewrite rule "add_mailto_subject"|replace\(\) pattern is not a pattern Gleaner can run|Invalid rewrite rule "(remove|replace)\(|Invalid rewrite_rules|Invalid fetch_via_proxy value/,
        );
      }
      assert.equal((await web.store.getFeed(id))?.options.articleSelector, 'article .post-body');
      assert.equal((await put(`/feeds/${id}`, { cookie: 'x' })).status, 404, 'not ann’s');
      // An app that sends the feed's fields back as it got them (Miniflutt), with a new title: the
      // cookie and password, never sent, are kept, and the feed stays the one it is.
      const shown = (await api(`/feeds/${id}`, {}, bobKey)).json<Record<string, unknown>>();
      assert.equal(shown.password, '');
      assert.equal(shown.cookie, '');
      const renamed = await put(`/feeds/${id}`, { ...shown, title: 'Members only' }, bobKey);
      assert.equal(renamed.status, 201, renamed.body);
      assert.equal(renamed.json<{ id: number; title: string }>().id, id);
      assert.equal(renamed.json<{ title: string }>().title, 'Members only');
      assert.deepEqual((await web.store.getFeed(id))?.options, changedOptions);
      // Gleaner never turns certificate checks off: allow_self_signed_certificates says whether the
      // feed trusts a certificate of its own (given in Gleaner), kept when sent back, dropped by false.
      assert.equal(shown.allow_self_signed_certificates, false);
      const turnedOff = await put(`/feeds/${id}`, { allow_self_signed_certificates: true }, bobKey);
      assert.equal(turnedOff.status, 400);
      assert.match(
        errorOf(turnedOff),
        /never turns certificate checks off: give the server's own certificate/,
      );
      const created = await post(
        '/feeds',
        { feed_url: feeds.url('/elsewhere.xml'), allow_self_signed_certificates: true },
        bobKey,
      );
      assert.equal(created.status, 400);
      const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
      // Given in Gleaner (the store here); a new title has the API read the feed again.
      assert.ok(
        await web.store.setFeedOptions(id, { ...changedOptions, trustedCertificate: pem }, Date.now()),
      );
      const trusting = (await put(`/feeds/${id}`, { title: 'Members' }, bobKey)).json<
        Record<string, unknown>
      >();
      assert.equal(trusting.allow_self_signed_certificates, true);
      assert.equal((await put(`/feeds/${id}`, { ...trusting, title: 'Members only' }, bobKey)).status, 201);
      assert.equal((await web.store.getFeed(id))?.options.trustedCertificate, pem, 'sent back: kept');
      const untrusting = await put(`/feeds/${id}`, { allow_self_signed_certificates: false }, bobKey);
      assert.equal(
        untrusting.json<{ allow_self_signed_certificates: boolean }>().allow_self_signed_certificates,
        false,
      );
      assert.equal((await web.store.getFeed(id))?.options.trustedCertificate, null);
      // Miniflux's other rewrite rules that Gleaner runs are kept beside remove().
      const rewritten = await put(
        `/feeds/${id}`,
        { rewrite_rules: 'remove(".share"),add_image_title, replace("a|b"|"c")' },
        bobKey,
      );
      assert.equal(rewritten.status, 201, rewritten.body);
      assert.equal(
        rewritten.json<{ rewrite_rules: string }>().rewrite_rules,
        'remove(".share"), add_image_title, replace("a|b"|"c")',
      );
      const kept = (await web.store.getFeed(id))?.options;
      assert.deepEqual(
        [kept?.removeSelector, kept?.rewriteRules],
        ['.share', 'add_image_title, replace("a|b"|"c")'],
      );
      // A feed that moved without a redirect: its new URL must be a feed, or nothing changes.
      // (Fetched straight: no feed proxy is set here.)
      assert.equal((await put(`/feeds/${id}`, { fetch_via_proxy: false }, bobKey)).status, 201);
      const nowhere = await put(
        `/feeds/${id}`,
        { feed_url: feeds.url('/elsewhere.xml'), title: 'Lost' },
        bobKey,
      );
      assert.equal(nowhere.status, 400, nowhere.body);
      assert.match(errorOf(nowhere), /404/);
      assert.equal((await put(`/feeds/${id}`, { feed_url: 7 }, bobKey)).status, 400);
      assert.equal((await web.store.getFeed(id))?.url, feeds.url('/members.xml'));
      feeds.route('/members-moved.xml', (_req, res) =>
        res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(RSS('Members', 3)),
      );
      const moved = await put(`/feeds/${id}`, { feed_url: feeds.url('/members-moved.xml') }, bobKey);
      assert.equal(moved.status, 201, moved.body);
      assert.deepEqual(
        [moved.json<{ id: number }>().id, moved.json<{ feed_url: string }>().feed_url],
        [id, feeds.url('/members-moved.xml')],
        'bob alone: the same feed, moved',
      );
      assert.equal((await web.store.getFeed(id))?.options.cookie, 'session=xyz', 'its options kept');
      await eventually('the feed fetched at its new URL', async () =>
        (await web.store.countEntries(id)) === 3 ? true : null,
      );
      assert.equal((await api(`/feeds/${id}`, { method: 'DELETE' }, bobKey)).status, 204);
    });

    it('renames a feed and moves it between categories', async () => {
      const res = await put(`/feeds/${looseFeed}`, { title: 'Renamed', category_id: techFolder });
      assert.equal(res.status, 201, res.body);
      assert.equal(res.json<{ title: string }>().title, 'Renamed');
      const back = await put(`/feeds/${looseFeed}`, { title: 'My loose feed', category_id: 0 });
      assert.equal(back.json<{ category: { id: number } }>().category.id, 0);
      const paused = await put(`/feeds/${looseFeed}`, { disabled: true });
      assert.equal(paused.json<{ disabled: boolean }>().disabled, true);
      assert.equal((await api(`/feeds/${looseFeed}`)).json<{ disabled: boolean }>().disabled, true);
      assert.equal(
        (await put(`/feeds/${looseFeed}`, { disabled: false })).json<{ disabled: boolean }>().disabled,
        false,
      );
      assert.equal((await put(`/feeds/${looseFeed}`, { disabled: 'yes' })).status, 400);
      assert.equal((await put(`/feeds/${looseFeed}`, { title: 5 })).status, 400);
      assert.equal((await put(`/feeds/${looseFeed}`, { category_id: 'x' })).status, 400);
      assert.equal((await put(`/feeds/${bobFeed}`, { title: 'Mine' })).status, 404);
    });

    it('keeps blocklist and keeplist rules, which leave new entries out, and refuses ones it cannot run', async () => {
      const { user, key } = await newReader('rules-reader');
      const feed = await web.store.ensureFeed('https://rules.example/feed', DEFAULT_FETCH_OPTIONS, NOW);
      await web.store.subscribe(user.id, feed.id, { folderId: null, title: null }, NOW);
      const set = await put(
        `/feeds/${feed.id}`,
        { blocklist_rules: '(?i)sponsored', keeplist_rules: '' },
        key,
      );
      assert.equal(set.status, 201, set.body);
      assert.deepEqual(
        [
          set.json<{ blocklist_rules: string }>().blocklist_rules,
          set.json<{ keeplist_rules: string }>().keeplist_rules,
        ],
        ['(?i)sponsored', ''],
      );
      assert.equal(
        (await api(`/feeds/${feed.id}`, {}, key)).json<{ blocklist_rules: string }>().blocklist_rules,
        '(?i)sponsored',
      );
      await web.store.recordFetchSuccess(feed.id, fetchedUpdate(NOW), [
        preparedEntry('kept', { title: 'Release notes' }),
        preparedEntry('left-out', { title: 'Sponsored: a webinar' }),
      ]);
      const titles = (await api(`/feeds/${feed.id}/entries`, {}, key))
        .json<{ entries: { title: string }[] }>()
        .entries.map((e) => e.title);
      assert.deepEqual(titles, ['Release notes']);
      for (const bad of [
        { blocklist_rules: '(a)\\1' },
        { keeplist_rules: '(?!x)' },
        { blocklist_rules: 5 },
      ]) {
        const refused = await put(`/feeds/${feed.id}`, bad, key);
        assert.equal(refused.status, 400, JSON.stringify(bad));
        assert.match(errorOf(refused), /rule|must be a string/);
      }
      assert.equal(
        (await api(`/feeds/${feed.id}`, {}, key)).json<{ blocklist_rules: string }>().blocklist_rules,
        '(?i)sponsored',
        'a refused change changes nothing',
      );

      // Sent with a new subscription, they apply to its first fetch.
      feeds.route('/ruled.xml', respond(200, { 'content-type': 'application/rss+xml' }, RSS('Ruled', 3)));
      const created = await post(
        '/feeds',
        { feed_url: feeds.url('/ruled.xml'), keeplist_rules: 'item [02]$' },
        key,
      );
      assert.equal(created.status, 201, created.body);
      const createdId = created.json<{ feed_id: number }>().feed_id;
      const kept = (await api(`/feeds/${createdId}/entries`, {}, key))
        .json<{ entries: { title: string }[] }>()
        .entries.map((e) => e.title)
        .sort();
      assert.deepEqual(kept, ['Ruled item 0', 'Ruled item 2']);
      assert.equal(
        (await post('/feeds', { feed_url: feeds.url('/other.xml'), blocklist_rules: '(?=x)' }, key)).status,
        400,
      );
      // Another reader of the same feed, whose entries are stored already: the rules pick from them too.
      const { key: laterKey } = await newReader('rules-later');
      const later = await post(
        '/feeds',
        { feed_url: feeds.url('/ruled.xml'), blocklist_rules: 'item 1$' },
        laterKey,
      );
      assert.equal(later.status, 201, later.body);
      assert.equal(later.json<{ feed_id: number }>().feed_id, createdId, 'the same feed');
      const theirs = (await api(`/feeds/${createdId}/entries`, {}, laterKey))
        .json<{ entries: { title: string }[] }>()
        .entries.map((e) => e.title)
        .sort();
      assert.deepEqual(theirs, ['Ruled item 0', 'Ruled item 2']);
    });

    it('refreshes in the background', async () => {
      assert.equal((await put(`/feeds/${techFeed}/refresh`, '')).status, 202);
      assert.equal((await put('/feeds/refresh', '')).status, 202);
      assert.equal((await put(`/feeds/${bobFeed}/refresh`, '')).status, 404);
    });

    it('gives a feed’s icon, 404 when there is none', async () => {
      await web.store.saveFeedIcon(
        techFeed,
        { contentType: 'image/png', data: new Uint8Array([1, 2, 3]) },
        NOW,
      );
      const res = await api(`/feeds/${techFeed}/icon`);
      assert.equal(res.status, 200);
      const icon = res.json<{ id: number; data: string; mime_type: string }>();
      assert.equal(icon.mime_type, 'image/png');
      assert.equal(icon.data, 'image/png;base64,AQID');
      assert.equal((await api(`/feeds/${looseFeed}/icon`)).status, 404);
      assert.equal((await api(`/feeds/${bobFeed}/icon`)).status, 404);
    });
  });

  describe('categories', () => {
    it('lists folders after the synthetic category of feeds in none', async () => {
      const list = (await api('/categories?counts=true')).json<
        { id: number; title: string; feed_count: number; total_unread: number }[]
      >();
      assert.equal(list[0]?.id, 0);
      assert.equal(list[0]?.title, 'All');
      const tech = list.find((c) => c.id === techFolder);
      assert.equal(tech?.title, 'Tech');
      assert.equal(tech?.feed_count, 1);
      assert.equal(tech?.total_unread, 4);
      assert.equal(list[0]?.total_unread, 2);
    });

    it('creates, renames and deletes categories, refusing clashes and other users', async () => {
      const created = await post('/categories', { title: 'Later' });
      assert.equal(created.status, 201, created.body);
      const id = created.json<{ id: number }>().id;
      assert.equal((await post('/categories', { title: 'Later' })).status, 400);
      assert.equal((await post('/categories', { title: '' })).status, 400);
      assert.equal((await post('/categories', '[1')).status, 400);
      const renamed = await put(`/categories/${id}`, { title: 'Much later' });
      assert.equal(renamed.status, 201);
      assert.equal(renamed.json<{ title: string }>().title, 'Much later');
      assert.equal((await put(`/categories/${id}`, { title: 'Tech' })).status, 400);
      assert.equal((await put(`/categories/${id}`, { title: 'Bob’s' }, bobKey)).status, 404);
      assert.equal((await api(`/categories/${id}`, { method: 'DELETE' }, bobKey)).status, 404);
      assert.equal((await api(`/categories/${id}`, { method: 'DELETE' })).status, 204);
      assert.equal((await api(`/categories/${id}`, { method: 'DELETE' })).status, 404);
      assert.equal((await api('/categories/0', { method: 'DELETE' })).status, 400);
    });

    it('lists a category’s feeds and entries', async () => {
      const feedsIn = (await api(`/categories/${techFolder}/feeds`)).json<{ id: number }[]>();
      assert.deepEqual(
        feedsIn.map((f) => f.id),
        [techFeed],
      );
      const entries = (await api(`/categories/${techFolder}/entries`)).json<EntryList>();
      assert.equal(entries.total, 4);
      const unfiled = (await api('/categories/0/entries')).json<EntryList>();
      assert.equal(unfiled.total, 2);
      assert.ok(unfiled.entries.every((e) => e.feed_id === looseFeed));
      assert.equal((await api('/categories/99999/entries')).status, 404);
    });
  });

  describe('entries', () => {
    it('lists entries newest first with the Miniflux shape', async () => {
      const res = await api('/entries?status=unread&direction=desc');
      assert.equal(res.status, 200);
      const list = res.json<EntryList>();
      assert.equal(list.total, 6);
      const first = list.entries[0];
      assert.equal(first?.title, 'tech story 1');
      assert.equal(first?.status, 'unread');
      assert.equal(first?.feed.id, techFeed);
      assert.equal(first?.feed.category.title, 'Tech');
      assert.equal(first?.enclosures[0]?.url, 'https://site.example/a.mp3');
      assert.ok(!list.entries.some((e) => e.feed_id === bobFeed));
    });

    it('answers a list read again and again the same, each reader with their own marks', async () => {
      // The store keeps a list's entries from its second reading (store/entrycache.ts).
      const { user: rita, key: ritaKey } = await newReader('rita');
      const { user: sam, key: samKey } = await newReader('sam');
      for (const u of [rita, sam])
        await web.store.subscribe(u.id, techFeed, { folderId: null, title: null }, NOW);
      const list = async (key: string): Promise<string> => {
        const res = await api(`/feeds/${techFeed}/entries?direction=desc`, {}, key);
        assert.equal(res.status, 200);
        return res.body;
      };
      const first = await list(ritaKey);
      for (let i = 0; i < 3; i++) assert.equal(await list(ritaKey), first, `reading ${i + 2}`);
      const entries = (JSON.parse(first) as EntryList).entries;
      const marked: number | undefined = entries[1]?.id;
      assert.ok(marked !== undefined);
      assert.equal((await put('/entries', { entry_ids: [marked], status: 'read' }, ritaKey)).status, 204);
      for (let i = 0; i < 3; i++) {
        const after = (JSON.parse(await list(ritaKey)) as EntryList).entries;
        assert.deepEqual(
          after.map((e) => [e.id, e.status]),
          entries.map((e): [number, string] => [e.id, e.id === marked ? 'read' : 'unread']),
        );
        // All but the mark and its time as they were.
        const strip = (e: EntryJson): EntryJson => ({ ...e, status: '', changed_at: '' });
        assert.deepEqual(after.map(strip), entries.map(strip));
        const theirs = (JSON.parse(await list(samKey)) as EntryList).entries;
        assert.deepEqual(
          theirs.map((e) => [e.id, e.status, e.user_id]),
          entries.map((e) => [e.id, 'unread', sam.id]),
        );
      }
    });

    it('filters, orders and pages', async () => {
      const asc = (await api('/entries?order=published_at&direction=asc&limit=2')).json<EntryList>();
      assert.equal(asc.total, 6);
      assert.deepEqual(
        asc.entries.map((e) => e.title),
        ['loose story 6', 'loose story 5'],
      );
      const byId = (await api('/entries?order=id&direction=desc&limit=1&offset=1')).json<EntryList>();
      const ids = (await api('/entries?order=id&direction=asc')).json<EntryList>().entries.map((e) => e.id);
      assert.equal(byId.entries[0]?.id, ids.at(-2));
      const feed = (await api(`/entries?feed_id=${looseFeed}`)).json<EntryList>();
      assert.equal(feed.total, 2);
      const afterTime = Math.floor((NOW - 2.5 * HOUR) / 1000);
      const recent = (await api(`/entries?after=${afterTime}&direction=desc`)).json<EntryList>();
      assert.deepEqual(
        recent.entries.map((e) => e.title),
        ['tech story 1', 'tech story 2'],
      );
      const search = (await api('/entries?search=loose')).json<EntryList>();
      assert.equal(search.total, 2);
      // Newest first, a search is paged by the store with its exact total, as the list is.
      const everyStory = (await api('/entries?direction=desc&limit=100')).json<EntryList>();
      const storyPage = (
        await api('/entries?search=story&direction=desc&limit=2&offset=1')
      ).json<EntryList>();
      assert.equal(storyPage.total, 6);
      assert.deepEqual(
        storyPage.entries.map((e) => e.id),
        everyStory.entries.slice(1, 3).map((e) => e.id),
      );
      const inFeed = (
        await api(`/entries?search=story&direction=desc&feed_id=${looseFeed}&offset=1`)
      ).json<EntryList>();
      assert.deepEqual([inFeed.total, inFeed.entries.length], [2, 1]);
      const afterId = (await api(`/entries?after_entry_id=${ids.at(-2) ?? 0}`)).json<EntryList>();
      assert.equal(afterId.total, 1);
      assert.equal((await api('/entries?status=removed')).json<EntryList>().total, 0);
    });

    it('lists entry ids, a page of them and how many in all, as the entry list keeps them', async () => {
      const { user: cy, key: cyKey } = await newReader('cy');
      const folder = await web.store.ensureFolder(cy.id, 'Tech');
      await web.store.subscribe(cy.id, techFeed, { folderId: folder.id, title: null }, NOW);
      await web.store.subscribe(cy.id, looseFeed, { folderId: null, title: null }, NOW);
      type IdList = { total: number; entry_ids: number[] };
      const ids = async (q: string): Promise<IdList> => {
        const res = await api(`/entries/ids?${q}`, {}, cyKey);
        assert.equal(res.status, 200, `${q}: ${res.body}`);
        return res.json<IdList>();
      };
      const listed = async (q: string): Promise<number[]> =>
        (await api(`/entries?limit=1000&${q}`, {}, cyKey)).json<EntryList>().entries.map((e) => e.id);
      // Newest arrival first by default, all of them, as Miniflux 2.3.2.
      const everything = await listed('order=id&direction=desc');
      assert.equal(everything.length, 6);
      assert.deepEqual(await ids(''), { total: 6, entry_ids: everything });
      assert.deepEqual(await ids('limit=0'), { total: 6, entry_ids: everything });
      assert.deepEqual(await ids('limit=2&offset=1'), { total: 6, entry_ids: everything.slice(1, 3) });
      assert.deepEqual(await ids('offset=100'), { total: 6, entry_ids: [] });
      // The same filters as the entry list, the common ones and the rest; only the user's own.
      assert.equal(
        (await put('/entries', { entry_ids: everything.slice(0, 2), status: 'read' }, cyKey)).status,
        204,
      );
      assert.equal((await put(`/entries/${everything[2] ?? 0}/bookmark`, {}, cyKey)).status, 204);
      for (const q of [
        'status=unread',
        'status=read',
        'status=read&status=unread',
        'starred=true',
        'starred=false',
        `feed_id=${looseFeed}`,
        `category_id=${folder.id}`,
        'category_id=0',
        'order=published_at&direction=asc',
        'order=published_at&direction=desc&status=unread',
        'order=title&direction=asc',
        'search=loose',
        'tags=news&status=unread',
        `after_entry_id=${everything.at(-2) ?? 0}`,
        `before=${Math.floor((NOW - 2.5 * HOUR) / 1000)}`,
      ]) {
        const want = await listed(q.includes('order=') ? q : `order=id&direction=desc&${q}`);
        assert.deepEqual(await ids(q), { total: want.length, entry_ids: want }, q);
      }
      assert.equal((await ids('status=unread')).total, 4);
      assert.equal((await ids('starred=true')).total, 1);
      assert.equal((await api(`/entries/ids?feed_id=${bobFeed}`, {}, cyKey)).status, 404);
      for (const q of [
        'status=bogus',
        'limit=-1',
        'offset=x',
        'order=bogus',
        'direction=up',
        'starred=maybe',
      ])
        assert.equal((await api(`/entries/ids?${q}`, {}, cyKey)).status, 400, q);
      assert.equal((await api('/entries/ids', {}, null)).status, 401);
    });

    it('syncs as NetNewsWire’s Miniflux account does: every entry, then state by ids, then what changed', async () => {
      // Its steps, as its source takes them (2026): the version check, a first pull of everything
      // published since a date by offset until the total, unread and starred ids 10,000 a page,
      // marks sent in bulk, then a pull of what changed since the last sync.
      const { user: eve, key: eveKey } = await newReader('eve');
      const feed = await web.store.ensureFeed('https://synced.example/feed', DEFAULT_FETCH_OPTIONS, NOW);
      await web.store.subscribe(eve.id, feed.id, { folderId: null, title: null }, NOW);
      const count = 1203;
      await web.store.recordFetchSuccess(
        feed.id,
        fetchedUpdate(NOW, 'Synced'),
        Array.from({ length: count }, (_, i) =>
          preparedEntry(`synced-${i}`, { publishedAt: NOW - (count - i) * 60_000 }),
        ),
      );
      const get = async <T>(path: string): Promise<T> => {
        const res = await api(path, {}, eveKey);
        assert.equal(res.status, 200, `${path}: ${res.body}`);
        return res.json<T>();
      };
      const [major = 0, minor = 0, patch = 0] = (await get<{ version: string }>('/version')).version
        .split('.')
        .map(Number);
      assert.ok(major * 1e6 + minor * 1e3 + patch >= 2_003_002, 'NetNewsWire needs Miniflux 2.3.2');
      assert.equal((await get<{ username: string }>('/me')).username, 'eve');
      assert.equal((await get<unknown[]>('/feeds')).length, 1);
      const pull = async (filter: string): Promise<number[]> => {
        const ids: number[] = [];
        for (let offset = 0; ;) {
          const page = await get<EntryList>(
            `/entries?order=id&direction=asc&limit=500&offset=${offset}&${filter}`,
          );
          ids.push(...page.entries.map((e) => e.id));
          offset += page.entries.length;
          if (page.entries.length === 0 || offset >= page.total) return ids;
        }
      };
      const idsOf = async (filter: string): Promise<number[]> => {
        const ids: number[] = [];
        for (let offset = 0; ;) {
          const page = await get<{ total: number; entry_ids: number[] }>(
            `/entries/ids?limit=10000&offset=${offset}&${filter}`,
          );
          ids.push(...page.entry_ids);
          offset += page.entry_ids.length;
          if (page.entry_ids.length === 0 || offset >= page.total) return ids;
        }
      };
      const since = Math.floor((NOW - (count + 1) * 60_000) / 1000);
      const everything = await pull(`published_after=${since}`);
      assert.equal(everything.length, count);
      assert.deepEqual(
        everything,
        [...everything].sort((a, b) => a - b),
        'oldest id first',
      );
      assert.deepEqual(
        (await idsOf('status=unread')).sort((a, b) => a - b),
        everything,
      );
      assert.deepEqual(await idsOf('starred=true'), []);
      // Read three and star two on the phone, a minute after the first sync.
      const synced = Math.floor((Date.now() + skew) / 1000) + 1;
      skew += 60_000;
      const at = (i: number): number => everything[i] ?? 0;
      const [a, b, c, d, e] = [at(0), at(600), at(1202), at(5), at(700)];
      assert.equal((await put('/entries', { entry_ids: [a, b, c], status: 'read' }, eveKey)).status, 204);
      assert.equal((await put('/entries', { entry_ids: [d, e], starred: true }, eveKey)).status, 204);
      assert.deepEqual(await pull(`changed_after=${synced}`), [a, d, b, e, c]);
      const unread = await idsOf('status=unread');
      assert.equal(unread.length, count - 3);
      assert.ok(![a, b, c].some((id) => unread.includes(id)));
      assert.deepEqual(
        (await idsOf('starred=true')).sort((x, y) => x - y),
        [d, e],
      );
    });

    it('pages a long list in every order, with every filter, to its end, with its exact total', async () => {
      // Past the 10,000 entries lists were found among, sorted in memory, before the store paged them.
      const DEEP = 10_000;
      // NetNewsWire's first sync: every entry published since a date, oldest id first, 500 a page.
      const { user: dee, key: deeKey } = await newReader('dee');
      const feed = await web.store.ensureFeed('https://long.example/feed', DEFAULT_FETCH_OPTIONS, NOW);
      await web.store.subscribe(dee.id, feed.id, { folderId: null, title: null }, NOW);
      const count = DEEP + 5;
      await web.store.recordFetchSuccess(
        feed.id,
        fetchedUpdate(NOW, 'Long'),
        Array.from({ length: count }, (_, i) =>
          preparedEntry(`long-${i}`, {
            publishedAt: NOW - (count - i) * 1000,
            categories: i % 2 === 0 ? ['Even', 'long'] : ['long'],
          }),
        ),
      );
      const since = Math.floor((NOW - count * 1000) / 1000) - 1;
      const page = async (offset: number): Promise<EntryList> =>
        (
          await api(
            `/entries?order=id&direction=asc&limit=500&published_after=${since}&offset=${offset}`,
            {},
            deeKey,
          )
        ).json<EntryList>();
      const first = await page(0);
      assert.equal(first.total, count);
      assert.equal(first.entries[0]?.title, 'Entry long-0');
      const last = await page(DEEP);
      assert.equal(last.total, count);
      assert.deepEqual(
        last.entries.map((e) => e.title),
        [0, 1, 2, 3, 4].map((i) => `Entry long-${DEEP + i}`),
      );
      const ids = (await api(`/entries/ids?published_after=${since}&offset=${DEEP}`, {}, deeKey)).json<{
        total: number;
        entry_ids: number[];
      }>();
      assert.equal(ids.total, count);
      assert.deepEqual(
        ids.entry_ids,
        first.entries
          .slice(0, 5)
          .map((e) => e.id)
          .reverse(),
      );
      // By change time too: the two marked last come first, then the rest by id, to the end.
      const idOf = (n: number): number => first.entries[n]?.id ?? 0;
      for (const n of [3, 7]) {
        skew += 1_000;
        assert.equal((await put('/entries', { entry_ids: [idOf(n)], status: 'read' }, deeKey)).status, 204);
      }
      const byChange = async (offset: number, limit: number): Promise<EntryList> =>
        (
          await api(`/entries?order=changed_at&direction=desc&limit=${limit}&offset=${offset}`, {}, deeKey)
        ).json<EntryList>();
      const top = await byChange(0, 2);
      assert.equal(top.total, count);
      assert.deepEqual(
        top.entries.map((e) => e.title),
        ['Entry long-7', 'Entry long-3'],
      );
      const end = await byChange(count - 5, 500);
      assert.equal(end.total, count);
      assert.deepEqual(
        end.entries.map((e) => e.title),
        [5, 4, 2, 1, 0].map((i) => `Entry long-${i}`),
      );
      // By status (read first, ascending), title and arrival (created_at), to the end too.
      const ordered = async (q: string): Promise<EntryList> =>
        (await api(`/entries?${q}`, {}, deeKey)).json<EntryList>();
      const readFirst = await ordered('order=status&direction=asc&limit=3');
      assert.equal(readFirst.total, count);
      assert.deepEqual(
        readFirst.entries.map((e) => e.title),
        ['Entry long-3', 'Entry long-7', 'Entry long-0'],
      );
      const unreadFirst = await ordered(`order=status&direction=desc&limit=500&offset=${count - 3}`);
      assert.equal(unreadFirst.total, count);
      assert.deepEqual(
        unreadFirst.entries.map((e) => e.title),
        ['Entry long-0', 'Entry long-7', 'Entry long-3'],
      );
      const byTitle = await ordered(`order=title&direction=asc&limit=500&offset=${DEEP}`);
      assert.equal(byTitle.total, count);
      assert.deepEqual(
        byTitle.entries.map((e) => e.title),
        Array.from({ length: count }, (_, i) => `Entry long-${i}`)
          .sort()
          .slice(DEEP),
      );
      const byArrival = await ordered(`order=created_at&direction=desc&limit=500&offset=${DEEP}`);
      assert.deepEqual(
        byArrival.entries.map((e) => e.title),
        [4, 3, 2, 1, 0].map((i) => `Entry long-${i}`),
      );
      // The feeds in no folder (category 0) and entries by tags, to their ends as well.
      const listed = async (q: string): Promise<EntryList> =>
        (await api(`/entries?order=id&direction=asc&${q}`, {}, deeKey)).json<EntryList>();
      const unfiled = await listed(`category_id=0&limit=500&offset=${DEEP}`);
      assert.equal(unfiled.total, count);
      assert.equal(unfiled.entries.length, 5);
      const short = await web.store.ensureFeed('https://short.example/feed', DEFAULT_FETCH_OPTIONS, NOW);
      await web.store.subscribe(dee.id, short.id, { folderId: null, title: null }, NOW);
      await web.store.recordFetchSuccess(short.id, fetchedUpdate(NOW, 'Short'), [
        preparedEntry('short-1', { publishedAt: NOW }),
      ]);
      const two = await listed(`category_id=0&limit=500&offset=${DEEP}`);
      assert.equal(two.total, count + 1);
      assert.deepEqual(two.entries.at(-1)?.title, 'Entry short-1');
      const even = await listed(`tags=even&tags=LONG&limit=2&offset=${(count + 1) / 2 - 2}`);
      assert.equal(even.total, (count + 1) / 2);
      assert.deepEqual(
        even.entries.map((e) => e.title),
        [`Entry long-${count - 3}`, `Entry long-${count - 1}`],
      );
      // A search newest first, to its end too (its newest 1,000 matches were all it could give).
      const searched = async (q: string): Promise<EntryList> =>
        (await api(`/entries?search=long&direction=desc&${q}`, {}, deeKey)).json<EntryList>();
      const deepest = await searched(`limit=500&offset=${DEEP}`);
      assert.equal(deepest.total, count);
      assert.deepEqual(
        deepest.entries.map((e) => e.title),
        [4, 3, 2, 1, 0].map((i) => `Entry long-${i}`),
      );
      const oldestFirst = (
        await api(`/entries?search=long&direction=asc&limit=500&offset=${DEEP}`, {}, deeKey)
      ).json<EntryList>();
      assert.equal(oldestFirst.total, count);
      assert.deepEqual(
        oldestFirst.entries.map((e) => e.title),
        [0, 1, 2, 3, 4].map((i) => `Entry long-${DEEP + i}`),
      );
      const unreadMatches = await searched(`status=unread&limit=1&offset=${count - 3}`);
      assert.equal(unreadMatches.total, count - 2);
      assert.deepEqual(
        unreadMatches.entries.map((e) => e.title),
        ['Entry long-0'],
      );
      // Searches in other orders and with the other filters: the oldest matches, read ones, the
      // feeds in no folder, by tag, by title.
      const byId = await searched(`order=id&limit=500&offset=${DEEP}`);
      assert.equal(byId.total, count);
      assert.deepEqual(
        byId.entries.map((e) => e.title),
        [4, 3, 2, 1, 0].map((i) => `Entry long-${i}`),
      );
      const read = await searched('status=read');
      assert.equal(read.total, 2);
      assert.deepEqual(
        read.entries.map((e) => e.title),
        ['Entry long-7', 'Entry long-3'],
      );
      const unfiledMatches = await searched(`category_id=0&limit=500&offset=${DEEP}`);
      assert.equal(unfiledMatches.total, count);
      assert.equal(unfiledMatches.entries.at(-1)?.title, 'Entry long-0');
      const evenMatches = await searched(`tags=even&limit=2&offset=${(count + 1) / 2 - 2}`);
      assert.equal(evenMatches.total, (count + 1) / 2);
      assert.deepEqual(
        evenMatches.entries.map((e) => e.title),
        ['Entry long-2', 'Entry long-0'],
      );
      const titledMatches = await searched(`order=title&limit=1&offset=${count - 1}`);
      assert.equal(titledMatches.total, count);
      assert.deepEqual(
        titledMatches.entries.map((e) => e.title),
        [Array.from({ length: count }, (_, i) => `Entry long-${i}`).sort()[0]],
      );
    });

    it('answers any search text in any order and with any filter, matching only what it says', async () => {
      const texts = [
        '"',
        '""',
        'NEAR(a b)',
        '*',
        '-',
        'a OR',
        'AND',
        '^x',
        '中文',
        '\u0000',
        "'; DROP TABLE entries",
      ];
      for (const text of [...texts, 'x'.repeat(500)]) {
        for (const q of [
          'order=title',
          'order=status&status=read',
          'order=category_id',
          'tags=news&order=id',
        ]) {
          const res = await api(`/entries?search=${encodeURIComponent(text)}&${q}`);
          assert.equal(res.status, 200, `${text} ${q}`);
          assert.equal(res.json<EntryList>().total, 0, `${text} ${q}`);
        }
      }
      const matched = (await api('/entries?search=tech&order=title&direction=desc')).json<EntryList>();
      assert.deepEqual(
        matched.entries.map((e) => e.title),
        ['tech story 4', 'tech story 3', 'tech story 2', 'tech story 1'],
      );
      assert.equal(matched.total, 4);
    });

    it('filters by change time and tags, and by the newer names of the date filters', async () => {
      const all = (await api('/entries')).json<EntryList>().entries;
      assert.equal(all.length, 6);
      const changed = all.map((e) => Date.parse(e.changed_at));
      const first = Math.floor(Math.min(...changed) / 1000);
      const last = Math.ceil(Math.max(...changed) / 1000);
      const titles = async (q: string): Promise<string[]> =>
        (await api(`/entries?direction=desc&${q}`)).json<EntryList>().entries.map((e) => e.title);
      assert.equal((await titles(`changed_after=${first - 1}`)).length, 6);
      assert.deepEqual(await titles(`changed_after=${last + 1}`), []);
      assert.deepEqual(await titles(`changed_before=${first - 1}`), []);
      assert.deepEqual(await titles(`changed_after=${first - 1}&feed_id=${looseFeed}`), [
        'loose story 5',
        'loose story 6',
      ]);
      assert.equal((await api(`/entries?changed_after=${last + 1}`)).json<EntryList>().total, 0);
      // Every entry here is tagged "news".
      assert.ok(all.every((e) => e.tags.includes('news')));
      assert.equal((await titles('tags=news')).length, 6);
      assert.equal((await titles('tags=NEWS&tags=News')).length, 6, 'whatever the case, as Miniflux');
      assert.deepEqual(await titles('tags=news&tags=sports'), []);
      assert.deepEqual(await titles('tags=sports'), []);
      // published_before is before's newer name; given both, both hold. 0 is no limit.
      const hoursAgo = (h: number): number => Math.floor((NOW - h * HOUR) / 1000);
      assert.deepEqual(await titles(`published_before=${hoursAgo(2.5)}`), [
        'tech story 3',
        'tech story 4',
        'loose story 5',
        'loose story 6',
      ]);
      assert.deepEqual(await titles(`published_before=${hoursAgo(2.5)}&before=${hoursAgo(4.5)}`), [
        'loose story 5',
        'loose story 6',
      ]);
      assert.deepEqual(await titles(`published_after=${hoursAgo(1.5)}`), ['tech story 1']);
      assert.equal((await titles('before=0&after=0')).length, 6);
      // The orders newer Miniflux takes; ties go by publication time, in the same direction.
      assert.deepEqual(await titles('order=title&direction=asc&limit=3'), [
        'loose story 5',
        'loose story 6',
        'tech story 1',
      ]);
      assert.deepEqual(await titles('order=title&direction=desc&limit=2'), ['tech story 4', 'tech story 3']);
      assert.deepEqual(await titles('order=author&direction=desc&limit=2'), ['tech story 1', 'tech story 2']);
      // By category, each one's entries by date: "All" (the loose feed) before "Tech", and back.
      assert.deepEqual(await titles('order=category_title&direction=asc'), [
        'loose story 6',
        'loose story 5',
        'tech story 4',
        'tech story 3',
        'tech story 2',
        'tech story 1',
      ]);
      const byFolder = (
        await api('/entries?order=category_id&direction=desc&offset=3&limit=2')
      ).json<EntryList>();
      assert.equal(byFolder.total, 6);
      assert.deepEqual(
        byFolder.entries.map((e) => e.title),
        ['tech story 4', 'loose story 5'],
      );
      for (const order of ['changed_at', 'created_at']) {
        const res = await api(`/entries?order=${order}&direction=asc`);
        assert.equal(res.status, 200, order);
        const times = res.json<EntryList>().entries.map((e) => Date.parse(e[order as 'changed_at']));
        assert.deepEqual(
          times,
          [...times].sort((a, b) => a - b),
          order,
        );
      }
      for (const q of ['changed_after=soon', 'published_before=-1', `tags=${'x'.repeat(501)}`])
        assert.equal((await api(`/entries?${q}`)).status, 400, q);
    });

    it('counts reading and starring as a change, as Miniflux\u2019s changed_at does', async () => {
      const [first] = (await api(`/entries?feed_id=${looseFeed}&direction=desc&limit=1`)).json<EntryList>()
        .entries;
      assert.ok(first);
      const changed = Date.parse(first.changed_at);
      const since = Math.floor(changed / 1000) + 1;
      const changedSince = async (): Promise<number[]> =>
        (await api(`/entries?changed_after=${since}`)).json<EntryList>().entries.map((e) => e.id);
      assert.deepEqual(await changedSince(), []);
      // Marked read a few seconds later: a client syncing by changed_after sees it.
      skew += 5_000;
      assert.equal((await put('/entries', { entry_ids: [first.id], status: 'read' })).status, 204);
      assert.deepEqual(await changedSince(), [first.id]);
      const one = (await api(`/entries/${first.id}`)).json<EntryJson>();
      assert.ok(Date.parse(one.changed_at) >= since * 1000, one.changed_at);
      const byChange = (await api('/entries?order=changed_at&direction=desc&limit=1')).json<EntryList>();
      assert.equal(byChange.entries[0]?.id, first.id);
      assert.equal((await put('/entries', { entry_ids: [first.id], status: 'unread' })).status, 204);
    });

    it('reads parameters as Miniflux reads them', async () => {
      const titles = async (q: string): Promise<string[]> =>
        (await api(`/entries?${q}`)).json<EntryList>().entries.map((e) => e.title);
      // Oldest first unless asked otherwise, as Miniflux.
      const all = await titles('');
      assert.equal(all[0], 'loose story 6');
      assert.deepEqual(await titles('direction=desc'), [...all].reverse());
      // Empty values are none; booleans as Go reads them; 0 is no limit.
      assert.deepEqual(await titles('status=&order=&direction='), all);
      assert.deepEqual(await titles('status=unread&status='), await titles('status=unread'));
      assert.deepEqual(await titles('starred=True'), await titles('starred=true'));
      assert.deepEqual(await titles('starred=F'), await titles('starred=false'));
      assert.deepEqual(await titles('starred=maybe'), all);
      assert.equal((await api('/entries?limit=0')).json<EntryList>().entries.length, all.length);
      // A feed's icon is always an object, its id 0 when there is none.
      const feeds = (await api('/feeds')).json<
        { id: number; icon: { feed_id: number; icon_id: number } }[]
      >();
      for (const f of feeds) assert.equal(f.icon.feed_id, f.id);
    });

    it('stars and unstars in bulk, with or without a status, as Miniflux 2.3 does', async () => {
      const ids = (await api('/entries?feed_id=' + looseFeed)).json<EntryList>().entries.map((e) => e.id);
      assert.equal((await put('/entries', { entry_ids: ids, starred: true })).status, 204);
      let list = (await api('/entries?feed_id=' + looseFeed)).json<EntryList>().entries;
      assert.ok(list.every((e) => e.starred && e.status === 'unread'));
      assert.equal((await put('/entries', { entry_ids: ids, status: 'read', starred: false })).status, 204);
      list = (await api('/entries?feed_id=' + looseFeed)).json<EntryList>().entries;
      assert.ok(list.every((e) => !e.starred && e.status === 'read'));
      assert.equal((await put('/entries', { entry_ids: ids, status: 'unread' })).status, 204);
      for (const body of [
        { entry_ids: ids },
        { entry_ids: ids, starred: 'yes' },
        { entry_ids: ids, status: 'gone' },
      ])
        assert.equal((await put('/entries', body)).status, 400, JSON.stringify(body));
    });

    it('refuses malformed parameters', async () => {
      for (const q of [
        'status=gone',
        'limit=-1',
        'limit=abc',
        'order=rank',
        'direction=up',
        'feed_id=x',
        'after=soon',
      ])
        assert.equal((await api(`/entries?${q}`)).status, 400, q);
      assert.equal((await api(`/entries?feed_id=${bobFeed}`)).status, 404);
      assert.equal((await api(`/feeds/${bobFeed}/entries`)).status, 404);
    });

    it('gives one entry, and 404 for another user’s', async () => {
      const [first] = (await api('/entries?limit=1&direction=desc')).json<EntryList>().entries;
      assert.ok(first);
      const res = await api(`/entries/${first.id}`);
      assert.equal(res.json<EntryJson>().id, first.id);
      assert.equal((await api(`/feeds/${first.feed_id}/entries/${first.id}`)).status, 200);
      const [bobs] = (await api('/entries?limit=1', {}, bobKey)).json<EntryList>().entries;
      assert.ok(bobs);
      assert.equal((await api(`/entries/${bobs.id}`)).status, 404);
      assert.equal((await api('/entries/0')).status, 400);
    });

    it('gives every field of an entry as stored, whatever its text holds, in every kind of list and alone', async () => {
      const carol = await web.addUser('carol', 'carol-password-1');
      const key = newToken();
      await web.store.createApiKey(carol.id, 'test', tokenHash(key), NOW);
      const title = 'A "quoted" \\ </script> \u2028 line, a tab\t and 中文';
      const feed = await web.store.ensureFeed('https://fields.example/feed', DEFAULT_FETCH_OPTIONS, NOW);
      await web.store.recordFetchSuccess(feed.id, fetched('Fields'), [
        {
          ...entry(1, 'fields'),
          title,
          author: 'O\'Brien "the" author',
          commentsUrl: 'https://site.example/fields/1#comments',
          updatedAt: NOW - HOUR / 2,
          readingMinutes: 7,
          categories: ['a "tag"', '中文'],
          enclosures: [{ url: 'https://site.example/v.mp4', type: null, length: null }],
          contentHash: 'hash-of-fields-1',
        },
      ]);
      // The entry arrives for carol when she subscribes, a second after it was fetched.
      await web.store.subscribe(carol.id, feed.id, { folderId: null, title: null }, NOW + 1000);
      const [stored] = await web.store.queryEntries({ userId: carol.id, feedId: feed.id, limit: 1 });
      assert.ok(stored);
      const e = stored.entry;
      const expected = {
        id: e.id,
        user_id: carol.id,
        feed_id: feed.id,
        status: 'unread',
        hash: 'hash-of-fields-1',
        title: e.title,
        url: e.link,
        comments_url: 'https://site.example/fields/1#comments',
        published_at: new Date(e.publishedAt).toISOString(),
        created_at: new Date(e.createdAt).toISOString(),
        changed_at: new Date(NOW + 1000).toISOString(),
        author: 'O\'Brien "the" author',
        share_code: '',
        starred: false,
        reading_time: 7,
        enclosures: [
          {
            id: e.id * 1000,
            user_id: carol.id,
            entry_id: e.id,
            url: 'https://site.example/v.mp4',
            mime_type: 'application/octet-stream',
            size: 0,
            media_progression: 0,
          },
        ],
        tags: ['a "tag"', '中文'],
        content: e.contentHtml,
      };
      assert.equal(e.title, title);
      const got: Record<string, unknown>[] = [];
      for (const path of [
        '/entries?limit=10',
        `/feeds/${feed.id}/entries`,
        '/entries?order=status&limit=10',
      ]) {
        const res = await api(path, {}, key);
        assert.equal(res.status, 200, path);
        got.push(...res.json<{ entries: Record<string, unknown>[] }>().entries);
      }
      for (const path of [`/entries/${e.id}`, `/feeds/${feed.id}/entries/${e.id}`])
        got.push((await api(path, {}, key)).json<Record<string, unknown>>());
      assert.equal(got.length, 5);
      for (const [i, { feed: feedJson, ...fields }] of got.entries()) {
        assert.deepEqual(fields, expected, String(i));
        assert.equal((feedJson as { id: number; title: string }).title, 'Fields', String(i));
      }
      // Each feed's object is written once and kept: a rename shows at once all the same.
      assert.equal((await put(`/feeds/${feed.id}`, { title: 'Renamed' }, key)).status, 201);
      const [renamed] = (await api('/entries?limit=10', {}, key)).json<EntryList>().entries;
      assert.equal((renamed?.feed as unknown as { title: string }).title, 'Renamed');
    });

    it('sends bodies as stored, whatever they hold, in every kind of list and alone', async () => {
      const quoter = await web.addUser('quoter', 'quoter-password-1');
      const key = newToken();
      await web.store.createApiKey(quoter.id, 'test', tokenHash(key), NOW);
      const feedId = await feedOfBodiesToQuote(web.store, quoter.id, NOW);
      const expected = [...BODIES_TO_QUOTE].sort();
      // From the counted list, from a page of ids (by status), and one entry at a time.
      for (const q of ['limit=10', `feed_id=${feedId}&order=status&limit=10`]) {
        const list = (await api(`/entries?${q}`, {}, key)).json<{
          entries: (EntryJson & { content: string })[];
        }>();
        assert.deepEqual(list.entries.map((e) => e.content).sort(), expected, q);
        assert.ok(list.entries.every((e) => e.feed.id === feedId && e.title.startsWith('Entry quote-')));
        const alone = await Promise.all(list.entries.map((e) => api(`/entries/${e.id}`, {}, key)));
        assert.deepEqual(alone.map((r) => r.json<{ content: string }>().content).sort(), expected);
      }
    });

    it('marks entries read and unread, and toggles the star', async () => {
      const list = (await api(`/feeds/${techFeed}/entries?limit=2`)).json<EntryList>().entries;
      const ids = list.map((e) => e.id);
      assert.equal((await put('/entries', { entry_ids: ids, status: 'read' })).status, 204);
      const counters = (await api('/feeds/counters')).json<{ unreads: Record<string, number> }>();
      assert.equal(counters.unreads[String(techFeed)], 2);
      const read = (await api('/entries?status=read')).json<EntryList>();
      assert.deepEqual(read.entries.map((e) => e.id).sort(), [...ids].sort());
      assert.equal((await put('/entries', { entry_ids: ids, status: 'unread' })).status, 204);
      assert.equal((await put('/entries', { entry_ids: ids, status: 'done' })).status, 400);
      assert.equal((await put('/entries', { entry_ids: [], status: 'read' })).status, 400);
      assert.equal((await put('/entries', { entry_ids: ['x'], status: 'read' })).status, 400);
      assert.equal((await put('/entries', '{')).status, 400);
      assert.equal((await put('/entries', { entry_ids: ids, status: 'read' }, null)).status, 401);

      const id = ids[0] ?? 0;
      assert.equal((await put(`/entries/${id}/bookmark`, '')).status, 204);
      assert.equal((await api(`/entries/${id}`)).json<EntryJson>().starred, true);
      assert.equal((await api('/entries?starred=true')).json<EntryList>().total, 1);
      assert.equal((await put(`/entries/${id}/bookmark`, '')).status, 204);
      assert.equal((await api(`/entries/${id}`)).json<EntryJson>().starred, false);
      assert.equal((await put(`/entries/${id}/bookmark`, '', bobKey)).status, 404);
    });

    it('gives an entry’s enclosure by the id it was sent with, 404 for another user’s', async () => {
      const [first] = (await api('/entries?limit=1&direction=desc')).json<EntryList>().entries;
      const sent = first?.enclosures[0];
      assert.ok(first && sent);
      const res = await api(`/enclosures/${sent.id}`);
      assert.equal(res.status, 200);
      assert.deepEqual(res.json(), sent);
      assert.equal(res.json<{ entry_id: number }>().entry_id, first.id);
      assert.equal((await api(`/enclosures/${sent.id + 1}`)).status, 404);
      assert.equal((await api(`/enclosures/${sent.id}`, {}, bobKey)).status, 404);
      for (const id of ['0', 'x', '-1', '999']) {
        const bad = await api(`/enclosures/${id}`);
        assert.ok(bad.status === 400 || bad.status === 404, id);
        assert.ok(errorOf(bad).length > 0, id);
      }
      // No playback position is kept: the client is told so, and the enclosure is unchanged.
      const progress = await put(`/enclosures/${sent.id}`, { media_progression: 42 });
      assert.equal(progress.status, 400);
      assert.match(errorOf(progress), /progression/);
      assert.equal((await put(`/enclosures/${sent.id}`, { media_progression: 42 }, bobKey)).status, 404);
    });

    it('says what it does not do: integrations, edits and flushing the history', async () => {
      const status = await api('/users/integrations/status');
      assert.equal(status.status, 200);
      assert.deepEqual(status.json(), { has_integrations: false });
      assert.equal((await api('/users/integrations/status', {}, null)).status, 401);
      const [first] = (await api('/entries?limit=1&direction=desc')).json<EntryList>().entries;
      assert.ok(first);
      const save = await post(`/entries/${first.id}/save`, {});
      assert.equal(save.status, 400);
      assert.equal(errorOf(save), 'no third-party integration enabled');
      const edit = await put(`/entries/${first.id}`, { title: 'Mine now' });
      assert.equal(edit.status, 400);
      assert.match(errorOf(edit), /cannot be edited/);
      assert.equal((await api(`/entries/${first.id}`)).json<EntryJson>().title, first.title);
      const [bobs] = (await api('/entries?limit=1', {}, bobKey)).json<EntryList>().entries;
      assert.ok(bobs);
      assert.equal((await post(`/entries/${bobs.id}/save`, {})).status, 404);
      assert.equal((await put(`/entries/${bobs.id}`, { title: 'x' })).status, 404);
      const read = (await api('/entries?status=read')).json<EntryList>().total;
      for (const method of ['PUT', 'DELETE']) {
        const flush = await api('/flush-history', { method });
        assert.equal(flush.status, 400, method);
        assert.match(errorOf(flush), /history/);
      }
      assert.equal((await api('/entries?status=read')).json<EntryList>().total, read);
    });

    it('marks all read by feed, category and user', async () => {
      assert.equal((await put(`/feeds/${bobFeed}/mark-all-as-read`, '')).status, 404);
      assert.equal((await put(`/feeds/${looseFeed}/mark-all-as-read`, '')).status, 204);
      let unreads = (await api('/feeds/counters')).json<{ unreads: Record<string, number> }>().unreads;
      assert.equal(unreads[String(looseFeed)] ?? 0, 0);
      assert.equal(unreads[String(techFeed)], 4);
      assert.equal((await put(`/categories/${techFolder}/mark-all-as-read`, '')).status, 204);
      unreads = (await api('/feeds/counters')).json<{ unreads: Record<string, number> }>().unreads;
      assert.equal(unreads[String(techFeed)] ?? 0, 0);
      assert.equal((await put(`/users/${bob.id}/mark-all-as-read`, '')).status, 403);
      assert.equal((await put(`/users/${ann.id}/mark-all-as-read`, '')).status, 204);
      const bobs = (await api('/entries?status=unread', {}, bobKey)).json<EntryList>();
      assert.equal(bobs.total, 1);
      await web.store.markAllRead(ann.id, {}, NOW);
    });
  });

  describe('version, discovery and full articles', () => {
    it('tells a signed-in client the Miniflux version whose API it answers, and its own', async () => {
      const res = await api('/version');
      assert.equal(res.status, 200);
      const { version } = JSON.parse(
        readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
      ) as { version: string };
      const body = res.json<{ version: string; commit: string }>();
      // As NetNewsWire compares it: 2.3.2 at least (the id list, stars in bulk).
      const [major, minor, patch] = body.version.split('.').map(Number);
      assert.ok(
        (major ?? 0) * 1e6 + (minor ?? 0) * 1e3 + (patch ?? 0) >= 2_003_002,
        `Miniflux ${body.version} is older than 2.3.2`,
      );
      assert.equal(body.commit, `gleaner-${version}`);
      assert.equal((await api('/version', {}, null)).status, 401);
    });

    it('discovers the feeds behind a URL without subscribing', async () => {
      const before = (await api('/feeds')).json<unknown[]>().length;
      const feed = await post('/discover', { url: feeds.url('/added.xml') });
      assert.equal(feed.status, 200, feed.body);
      assert.deepEqual(feed.json(), [{ url: feeds.url('/added.xml'), title: 'Added', type: 'rss' }]);
      const site = await post('/discover', { url: feeds.url('/two-feeds/') });
      assert.deepEqual(site.json(), [
        { url: feeds.url('/added.xml'), title: 'Posts', type: 'rss' },
        { url: feeds.url('/comments.atom'), title: 'Comments', type: 'atom' },
      ]);
      const none = await post('/discover', { url: feeds.url('/bare-site/') });
      assert.equal(none.status, 404);
      assert.equal((await api('/feeds')).json<unknown[]>().length, before, 'nothing was subscribed');
    });

    it('refuses a discovery without a usable URL', async () => {
      for (const body of [
        {},
        { url: '' },
        { url: 42 },
        { url: 'javascript:alert(1)' },
        '[1',
        { url: 'x', cookie: 7 },
      ]) {
        const res = await post('/discover', body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.ok(errorOf(res));
      }
      assert.equal((await post('/discover', { url: feeds.url('/added.xml') }, null)).status, 401);
    });

    it('fetches an entry’s article, and stores it when asked', async () => {
      const store = web.store;
      const feed = await store.ensureFeed(feeds.url('/summaries.xml'), DEFAULT_FETCH_OPTIONS, NOW);
      const teaser = {
        ...entry(1, 'teaser'),
        link: feeds.url('/article.html'),
        contentHtml: '<p>Only a teaser.</p>',
      };
      const noArticle = { ...entry(2, 'teaser'), link: feeds.url('/not-an-article.html') };
      const noLink = { ...entry(3, 'teaser'), link: null };
      await store.recordFetchSuccess(feed.id, fetched('Teasers'), [teaser, noArticle, noLink]);
      await store.subscribe(ann.id, feed.id, { folderId: null, title: null }, NOW);
      const ids = new Map(
        (await store.queryEntries({ userId: ann.id, feedId: feed.id, limit: 10 })).map((v) => [
          v.entry.title,
          v.entry.id,
        ]),
      );
      const teaserId = ids.get('teaser story 1');
      const contentOf = async (id: number | undefined): Promise<{ content: string; reading_time: number }> =>
        (await api(`/entries/${id}`)).json();

      const fetchedOnly = await api(`/entries/${teaserId}/fetch-content`);
      assert.equal(fetchedOnly.status, 200, fetchedOnly.body);
      const article = fetchedOnly.json<{ content: string; reading_time: number }>();
      assert.match(article.content, /Paragraph 59 of the complete article/);
      assert.doesNotMatch(article.content, /<script|track\(\)|the blog/);
      assert.ok(article.reading_time > 2, String(article.reading_time));
      assert.equal((await contentOf(teaserId)).content, '<p>Only a teaser.</p>', 'not stored unless asked');

      const stored = await api(`/entries/${teaserId}/fetch-content?update_content=true`);
      assert.equal(stored.status, 200);
      const now = await contentOf(teaserId);
      assert.match(now.content, /Paragraph 59 of the complete article/);
      assert.equal(now.reading_time, article.reading_time);
      const found = await store.searchEntries({
        userId: ann.id,
        text: '"complete article"',
        sort: 'relevance',
        limit: 5,
        offset: 0,
      });
      assert.deepEqual(
        found.map((h) => h.view.entry.id),
        [teaserId],
        'search finds the article',
      );
      await store.recordFetchSuccess(feed.id, fetched('Teasers'), [teaser, noArticle, noLink]);
      assert.match(
        (await contentOf(teaserId)).content,
        /Paragraph 59/,
        'an unchanged item keeps the article',
      );

      const kept = await api(`/entries/${ids.get('teaser story 2')}/fetch-content`);
      assert.equal(kept.status, 200);
      assert.equal(
        kept.json<{ content: string }>().content,
        noArticle.contentHtml,
        'no article: the body as it is',
      );
      assert.equal((await api(`/entries/${ids.get('teaser story 3')}/fetch-content`)).status, 400);
      assert.equal((await api(`/entries/${teaserId}/fetch-content`, {}, bobKey)).status, 404);
      // A value that is no boolean is none, as Miniflux reads it: the body is not stored.
      assert.equal((await api(`/entries/${teaserId}/fetch-content?update_content=maybe`)).status, 200);
      assert.equal((await api('/entries/0/fetch-content')).status, 400);
      await store.unsubscribe(ann.id, feed.id);
    });

    it('finds an entry within its category only', async () => {
      const [tech] = (await api(`/feeds/${techFeed}/entries?limit=1`)).json<EntryList>().entries;
      const [loose] = (await api(`/feeds/${looseFeed}/entries?limit=1`)).json<EntryList>().entries;
      const inTech = await api(`/categories/${techFolder}/entries/${tech?.id}`);
      assert.equal(inTech.status, 200);
      assert.equal(inTech.json<EntryJson>().id, tech?.id);
      assert.equal((await api(`/categories/0/entries/${loose?.id}`)).json<EntryJson>().id, loose?.id);
      assert.equal((await api(`/categories/0/entries/${tech?.id}`)).status, 404);
      assert.equal((await api(`/categories/${techFolder}/entries/${loose?.id}`)).status, 404);
      assert.equal((await api(`/categories/${techFolder}/entries/${tech?.id}`, {}, bobKey)).status, 404);
      assert.equal((await api(`/categories/x/entries/${tech?.id}`)).status, 400);
    });
  });

  describe('users', () => {
    it('lets an administrator manage users, and a user see and change themself only', async () => {
      const root = await web.addUser('root', 'root-password-1', { isAdmin: true });
      const rootKey = newToken();
      await web.store.createApiKey(root.id, 'test', tokenHash(rootKey), NOW);
      const basic = (name: string, password: string) => ({
        authorization: `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}`,
      });
      const as = (name: string, password: string, path: string): Promise<WebResponse> =>
        api(path, { headers: basic(name, password) }, null);

      assert.equal((await api('/users', {}, bobKey)).status, 403);
      assert.equal((await api(`/users/${ann.id}`, {}, bobKey)).status, 403, 'not another user');
      assert.equal(
        (await api('/users/bob', {}, bobKey)).json<{ id: number }>().id,
        bob.id,
        'themself by name',
      );
      const names = (await api('/users', {}, rootKey)).json<{ username: string }[]>().map((u) => u.username);
      assert.ok(
        ['ann', 'bob', 'root'].every((n) => names.includes(n)),
        names.join(),
      );

      assert.equal(
        (await post('/users', { username: 'cleo', password: 'cleo-password-1' }, bobKey)).status,
        403,
      );
      for (const [body, says] of [
        [{ username: 'bad name!', password: 'cleo-password-1' }, /username/],
        [{ username: 'cleo', password: 'short' }, /The password needs at least/],
        [{ username: 'cleo' }, /password is required/],
        [{ username: 'cleo', password: 'cleo-password-1', is_admin: 'yes' }, /is_admin/],
        [{ username: 'ANN', password: 'cleo-password-1' }, /already exists/],
      ] as const) {
        const res = await post('/users', body, rootKey);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.match(errorOf(res), says);
      }
      const created = await post('/users', { username: 'cleo', password: 'cleo-password-1' }, rootKey);
      assert.equal(created.status, 201, created.body);
      const cleo = created.json<{ id: number; is_admin: boolean }>();
      assert.equal(cleo.is_admin, false);
      assert.equal((await as('cleo', 'cleo-password-1', '/me')).status, 200);

      const self = (body: unknown) =>
        api(
          `/users/${cleo.id}`,
          { method: 'PUT', body: JSON.stringify(body), headers: basic('cleo', 'cleo-password-1') },
          null,
        );
      assert.equal((await self({ is_admin: true })).status, 403, 'no rights of one’s own making');
      assert.equal((await self({ password: 'cleo-password-2' })).status, 201);
      assert.equal((await as('cleo', 'cleo-password-1', '/me')).status, 401, 'the old password is gone');
      assert.equal((await as('cleo', 'cleo-password-2', '/me')).status, 200);

      const promoted = await put(`/users/${cleo.id}`, { username: 'cleopatra', is_admin: true }, rootKey);
      assert.equal(promoted.status, 201, promoted.body);
      assert.deepEqual(
        [promoted.json<{ username: string }>().username, promoted.json<{ is_admin: boolean }>().is_admin],
        ['cleopatra', true],
      );
      assert.equal((await put(`/users/${cleo.id}`, { username: 'bob' }, rootKey)).status, 400);
      assert.equal(
        (await put(`/users/${root.id}`, { is_admin: false }, rootKey)).status,
        403,
        'not one’s own',
      );
      assert.equal((await api(`/users/${root.id}`, { method: 'DELETE' }, rootKey)).status, 400);
      assert.equal((await api(`/users/${cleo.id}`, { method: 'DELETE' }, bobKey)).status, 403);
      assert.equal((await api(`/users/${cleo.id}`, { method: 'DELETE' }, rootKey)).status, 204);
      assert.equal((await api(`/users/${cleo.id}`, {}, rootKey)).status, 404);
      assert.equal((await api('/users/x y', {}, rootKey)).status, 404);
    });
  });

  describe('API keys', () => {
    interface KeyJson {
      id: number;
      user_id: number;
      token: string;
      description: string;
      last_used_at: string | null;
      created_at: string;
    }
    const feverAuth = async (username: string, key: string): Promise<number> =>
      (
        await web.fetch('/api/fever.php?api', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            api_key: createHash('md5').update(`${username}:${key}`).digest('hex'),
          }).toString(),
        })
      ).json<{ auth: number }>().auth;

    it('makes, lists and revokes the user’s own keys, the token shown once', async () => {
      const before = (await api('/api-keys')).json<KeyJson[]>();
      assert.deepEqual(
        before.map((k) => [k.description, k.user_id, k.token]),
        [['test', ann.id, '']],
      );
      assert.ok(before[0]?.last_used_at, 'the key this request signs in with was used');
      const made = await post('/api-keys', { description: '  phone  ' });
      assert.equal(made.status, 201);
      const key = made.json<KeyJson>();
      assert.equal(key.description, 'phone');
      assert.equal(key.user_id, ann.id);
      assert.equal(key.last_used_at, null);
      assert.ok(key.token.length >= 24);
      // The new key signs in to Miniflux and, as MD5 of "name:key", to Fever.
      assert.equal((await api('/me', {}, key.token)).json<{ username: string }>().username, 'ann');
      assert.equal(await feverAuth('ann', key.token), 1);
      const listed = (await api('/api-keys')).json<KeyJson[]>();
      assert.deepEqual(listed.map((k) => k.description).sort(), ['phone', 'test']);
      assert.ok(listed.every((k) => k.token === ''));
      // Another user's key is not there to revoke.
      const [bobs] = (await api('/api-keys', {}, bobKey)).json<KeyJson[]>();
      assert.ok(bobs);
      assert.equal((await api(`/api-keys/${bobs.id}`, { method: 'DELETE' })).status, 404);
      assert.equal((await api('/me', {}, bobKey)).status, 200);
      const revoked = await api(`/api-keys/${key.id}`, { method: 'DELETE' });
      assert.equal(revoked.status, 204);
      assert.equal((await api('/me', {}, key.token)).status, 401);
      assert.equal(await feverAuth('ann', key.token), 0);
      assert.equal((await api(`/api-keys/${key.id}`, { method: 'DELETE' })).status, 404);
    });

    it('refuses a key without a description, and callers without credentials', async () => {
      for (const body of [
        {},
        { description: '  ' },
        { description: 7 },
        { description: 'x'.repeat(101) },
        '[',
      ]) {
        const res = await post('/api-keys', body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.ok(errorOf(res).length > 0);
      }
      assert.equal((await api('/api-keys', {}, null)).status, 401);
      assert.equal((await post('/api-keys', { description: 'sneaky' }, null)).status, 401);
      assert.equal((await api('/api-keys/x', { method: 'DELETE' })).status, 400);
      assert.deepEqual(
        (await api('/api-keys')).json<KeyJson[]>().map((k) => k.description),
        ['test'],
      );
    });
  });

  describe('OPML', () => {
    it('exports and imports subscriptions', async () => {
      const res = await api('/export');
      assert.equal(res.status, 200);
      assert.match(res.body, /xmlUrl="https:\/\/tech\.example\/feed"/);
      const opml =
        '<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>' +
        `<outline text="Imported" xmlUrl="${feeds.url('/imported.xml')}"/></body></opml>`;
      const imported = await api('/import', {
        method: 'POST',
        body: opml,
        headers: { 'content-type': 'text/xml' },
      });
      assert.equal(imported.status, 201, imported.body);
      const list = (await api('/feeds')).json<{ feed_url: string }[]>();
      assert.ok(list.some((f) => f.feed_url === feeds.url('/imported.xml')));
      assert.equal((await post('/import', 'not opml')).status, 400);
      assert.equal((await api('/export', {}, null)).status, 401);
    });
  });
});
