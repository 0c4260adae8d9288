// WebSub end to end over loopback: a refresh of a feed that names a hub asks the hub (once, and
// again before the lease ends), the hub's verification is answered only for what was asked, and a
// document the hub sends is stored when signed with the subscription's secret, ignored otherwise.
import { strict as assert } from 'node:assert';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../log/index.js';
import type { Feed } from '../model/index.js';
import { refreshFeed, type RefreshDeps } from '../refresh/refresh.js';
import { DEFAULT_SCHEDULE_POLICY } from '../refresh/schedule.js';
import { LEASE_SECONDS } from '../refresh/websub.js';
import { DEFAULT_FETCH_OPTIONS } from '../subscribe/index.js';
import { feedProxyFetcher, startTestProxy } from '../testing/proxyserver.js';
import { recordForms, startTestServer, type TestServer } from '../testing/testserver.js';
import { startWebApp, type WebApp } from './testing.js';

const DAY = 86_400_000;

describe('WebSub', () => {
  let web: WebApp;
  let sites: TestServer;
  let now = Date.UTC(2026, 11, 7, 12);
  let hubStatus = 202;
  /** The subscription requests the hub received, as forms. */
  const asked: URLSearchParams[] = [];
  let feed: Feed;
  let deps: RefreshDeps;
  let userId: number;

  const item = (n: number): string =>
    `<item><title>Post ${n}</title><guid>post-${n}</guid><description>Body ${n}</description></item>`;
  const document = (items: number[]): string =>
    `<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>Pushed</title>` +
    `<atom:link rel="hub" href="${sites.url('/hub')}"/><atom:link rel="self" href="https://pushed.example/feed"/>` +
    `${items.map(item).join('')}</channel></rss>`;
  const sign = (secret: string, body: string, algorithm = 'sha256'): string =>
    `${algorithm}=${createHmac(algorithm, secret).update(body).digest('hex')}`;
  const lastAsked = (): URLSearchParams => asked.at(-1) ?? assert.fail('the hub was asked');
  const callbackPath = (form: URLSearchParams): string =>
    new URL(form.get('hub.callback') ?? assert.fail('a callback')).pathname;
  const verify = (path: string, query: Record<string, string>) =>
    web.fetch(`${path}?${new URLSearchParams(query).toString()}`);
  const send = (path: string, body: string, signature: string | null) =>
    web.fetch(path, {
      method: 'POST',
      headers: {
        'content-type': 'application/rss+xml',
        ...(signature === null ? {} : { 'x-hub-signature': signature }),
      },
      body,
    });

  before(async () => {
    web = await startWebApp({ clock: () => now });
    sites = await startTestServer();
    sites.route('/feed.xml', (_req, res) =>
      res.writeHead(200, { 'content-type': 'application/rss+xml', etag: '"v1"' }).end(document([1, 2])),
    );
    sites.route(
      '/hub',
      recordForms(asked, () => hubStatus),
    );
    const user = await web.addUser('ann', 'correct horse battery');
    userId = user.id;
    feed = await web.store.ensureFeed(sites.url('/feed.xml'), DEFAULT_FETCH_OPTIONS, now);
    await web.store.subscribe(user.id, feed.id, { folderId: null, title: null }, now);
    deps = {
      store: web.store,
      fetcher: web.fetcher,
      clock: () => now,
      random: () => 0.5,
      log: silentLogger,
      policy: DEFAULT_SCHEDULE_POLICY,
      maxFeedBytes: 1 << 20,
      webSub: { callbackBase: web.baseUrl },
    };
  });
  after(async () => {
    await web.close();
    await sites.close();
  });

  it('asks the hub the feed names, for its stated topic, with a secret and a callback of its own', async () => {
    assert.equal((await refreshFeed(feed, deps)).status, 'updated');
    assert.equal(asked.length, 1);
    const form = lastAsked();
    assert.equal(form.get('hub.mode'), 'subscribe');
    assert.equal(form.get('hub.topic'), 'https://pushed.example/feed');
    assert.match(form.get('hub.secret') ?? '', /^[0-9a-f]{48}$/);
    assert.equal(form.get('hub.lease_seconds'), String(LEASE_SECONDS));
    assert.match(
      form.get('hub.callback') ?? '',
      new RegExp(`^${web.baseUrl}/websub/${feed.id}/[0-9a-f]{32}$`),
    );
    // Asked in the last day, unconfirmed: not asked again at every refresh.
    await refreshFeed(feed, deps);
    assert.equal(asked.length, 1);
  });

  it('confirms what it asked for, and nothing else', async () => {
    const path = callbackPath(lastAsked());
    const topic = 'https://pushed.example/feed';
    const base = { 'hub.mode': 'subscribe', 'hub.topic': topic, 'hub.challenge': 'c-123' };
    for (const [query, at] of [
      [{ ...base, 'hub.topic': 'https://other.example/feed' }, path],
      [{ ...base, 'hub.mode': 'unsubscribe' }, path],
      [{ ...base, 'hub.challenge': '' }, path],
      [base, `/websub/${feed.id}/${'0'.repeat(32)}`],
      [base, `/websub/999999/${path.split('/').at(-1) ?? ''}`],
      [base, '/websub/x/y'],
    ] as const) {
      const res = await verify(at, query);
      assert.equal(res.status, 404, `${at} ${JSON.stringify(query)}`);
    }
    assert.equal((await web.store.webSubOf(feed.id))?.leaseUntil, null, 'no lease from those');
    const res = await verify(path, { ...base, 'hub.lease_seconds': '3600' });
    assert.equal(res.status, 200);
    assert.equal(res.body, 'c-123');
    assert.equal((await web.store.webSubOf(feed.id))?.leaseUntil, now + 3_600_000);
    // A lease past a month is taken as a month.
    await verify(path, { ...base, 'hub.lease_seconds': String(365 * 86_400) });
    assert.equal((await web.store.webSubOf(feed.id))?.leaseUntil, now + 30 * DAY);
    // Checked as a safety net only, at the longest interval (a day), while its hub sends it.
    const pushedFeed = (await web.store.getFeed(feed.id)) ?? assert.fail('the feed');
    await refreshFeed(pushedFeed, deps);
    assert.equal((await web.store.getFeed(feed.id))?.nextCheckAt, now + DAY);
    // The feed's status says so.
    const ann = await web.login('ann', 'correct horse battery');
    assert.match(
      (await ann.get('/feeds')).body,
      /OK<\/span> · checked [\s\S]*? · new entries sent by its WebSub hub/,
    );
  });

  it('stores a document the hub signed with the secret, one in 30 s, and ignores one it did not', async () => {
    const form = lastAsked();
    const path = callbackPath(form);
    const secret = form.get('hub.secret') ?? '';
    const stored = await web.store.countEntries(feed.id);
    assert.equal(stored, 2);

    const forged = document([1, 2, 3]);
    for (const signature of [null, sign('not the secret', forged), 'sha256=zz', `md5=${'0'.repeat(32)}`]) {
      const res = await send(path, forged, signature);
      assert.equal(res.status, 202, String(signature));
    }
    assert.equal(await web.store.countEntries(feed.id), 2, 'nothing stored from unsigned documents');
    assert.equal((await send(path, forged, sign(secret, forged.replace('Post 3', 'Post X')))).status, 202);
    assert.equal(await web.store.countEntries(feed.id), 2, 'a signature over other bytes');

    const pushed = document([3]);
    assert.equal((await send(path, pushed, sign(secret, pushed))).status, 202);
    assert.equal(await web.store.countEntries(feed.id), 3, 'the new entry stored');
    // The next, sent at once, waits: a hub sends no faster than one document in 30 s.
    const sha1 = document([4]);
    const soon = await send(path, sha1, sign(secret, sha1, 'sha1'));
    assert.equal(soon.status, 429);
    assert.equal(soon.headers.get('retry-after'), '30');
    assert.equal(await web.store.countEntries(feed.id), 3);
    now += 30_000;
    assert.equal((await send(path, sha1, sign(secret, sha1, 'sha1'))).status, 202);
    assert.equal(await web.store.countEntries(feed.id), 4);
    // The feed's validators stay those of its last fetch: the next check is still conditional.
    assert.equal((await web.store.getFeed(feed.id))?.etag, '"v1"');

    const gone = await send(`/websub/${feed.id}/${'f'.repeat(32)}`, pushed, sign(secret, pushed));
    assert.equal(gone.status, 410, 'an address that subscribes to nothing');

    // Paused by its only reader: not fetched, and nothing its hub sends is stored either.
    await web.store.updateSubscription(userId, feed.id, { paused: true });
    now += 30_000;
    const whilePaused = document([6]);
    assert.equal((await send(path, whilePaused, sign(secret, whilePaused))).status, 202);
    assert.equal(await web.store.countEntries(feed.id), 4);
    await web.store.updateSubscription(userId, feed.id, { paused: false });
  });

  it('asks again before the lease ends, with a new secret; the old address is gone', async () => {
    const before = lastAsked();
    const lease = (await web.store.webSubOf(feed.id))?.leaseUntil ?? assert.fail('a lease');
    now = lease - 2 * DAY;
    await refreshFeed(feed, deps);
    assert.equal(asked.length, 1, 'not while the lease runs past a day');
    now = lease - DAY / 2;
    await refreshFeed(feed, deps);
    assert.equal(asked.length, 2, 'asked again in its last day');
    assert.notEqual(lastAsked().get('hub.secret'), before.get('hub.secret'));
    const old = document([5]);
    const res = await send(callbackPath(before), old, sign(before.get('hub.secret') ?? '', old));
    assert.equal(res.status, 410);
  });

  it('keeps refreshing when the hub refuses, and asks it again a day later', async () => {
    hubStatus = 500;
    const requested = (await web.store.webSubOf(feed.id))?.requestedAt ?? assert.fail('asked');
    now = requested + 2 * DAY;
    assert.equal((await refreshFeed(feed, deps)).status, 'updated');
    assert.equal(asked.length, 3);
    now += DAY / 2;
    await refreshFeed(feed, deps);
    assert.equal(asked.length, 3, 'not within the day');
    now += DAY;
    await refreshFeed(feed, deps);
    assert.equal(asked.length, 4);
    hubStatus = 202;
  });

  it('gives its secret to no hub over plain HTTP, and asks none for a feed fetched with a cookie', async () => {
    sites.route('/plain-hub.xml', (_req, res) =>
      res
        .writeHead(200, { 'content-type': 'application/rss+xml' })
        .end(
          `<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>P</title>` +
            `<atom:link rel="hub" href="http://hub.example/"/>${item(1)}</channel></rss>`,
        ),
    );
    const plain = await web.store.ensureFeed(sites.url('/plain-hub.xml'), DEFAULT_FETCH_OPTIONS, now);
    const private_ = await web.store.ensureFeed(
      sites.url('/feed.xml'),
      { ...DEFAULT_FETCH_OPTIONS, cookie: 'session=1' },
      now,
    );
    for (const f of [plain, private_]) {
      assert.equal((await refreshFeed(f, deps)).status, 'updated');
      assert.equal((await web.store.webSubOf(f.id))?.requestedAt, null, f.url);
    }
    assert.equal(asked.length, 4);
  });

  it('asks no hub for a feed fetched through the feed proxy, which would tell it where the reader is', async () => {
    const proxy = await startTestProxy();
    const fetcher = feedProxyFetcher(proxy);
    try {
      const hidden = await web.store.ensureFeed(
        sites.url('/feed.xml'),
        { ...DEFAULT_FETCH_OPTIONS, fetchViaProxy: true },
        now,
      );
      assert.equal((await refreshFeed(hidden, { ...deps, fetcher })).status, 'updated');
      assert.ok(proxy.requests.length > 0, 'fetched through the proxy');
      assert.equal((await web.store.webSubOf(hidden.id))?.requestedAt, null);
      assert.equal(asked.length, 4);
    } finally {
      await fetcher.close();
      await proxy.close();
    }
  });

  it('asks no hub without a public address to be called back at', async () => {
    const { webSub: _webSub, ...alone } = deps;
    now += 10 * DAY;
    await refreshFeed(feed, alone);
    assert.equal(asked.length, 4);
  });
});
