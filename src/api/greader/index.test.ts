// The Google Reader API over real HTTP, under both prefixes: login and tokens, subscriptions and
// labels, counts, streams with their paging and filters, state changes, and what one user may
// see or change of another's.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { User } from '../../model/index.js';
import { DEFAULT_FETCH_OPTIONS } from '../../subscribe/index.js';
import { BODIES_TO_QUOTE, feedOfBodiesToQuote, fetchedUpdate, preparedEntry } from '../../testing/fetched.js';
import { respond, startTestServer, type TestServer } from '../../testing/testserver.js';
import { startWebApp, type WebApp, type WebResponse } from '../../web/testing.js';
import { longItemId, parseItemId } from './index.js';

const P = '/api/greader.php';
const API = `${P}/reader/api/0`;
const READ = 'user/-/state/com.google/read';
const STARRED = 'user/-/state/com.google/starred';
const READING_LIST = 'user/-/state/com.google/reading-list';

const rss = (title: string, n: number): string => {
  const items = Array.from(
    { length: n },
    (_, i) =>
      `<item><title>${title} ${i + 1}</title><link>http://127.0.0.1/${title}/${i + 1}</link>` +
      `<guid>${title}-${i + 1}</guid><pubDate>${new Date(Date.UTC(2026, 0, 1 + i)).toUTCString()}</pubDate>` +
      `<description>Body ${i + 1}</description></item>`,
  ).join('');
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>${title}</title><link>http://127.0.0.1/${title}</link>${items}</channel></rss>`;
};

interface ItemJson {
  id: string;
  title: string;
  categories: string[];
  origin: { streamId: string };
  timestampUsec: string;
  crawlTimeMsec: string;
  summary: { direction: string; content: string };
}
interface StreamJson {
  items: ItemJson[];
  continuation?: string;
}
interface IdsJson {
  itemRefs: { id: string; timestampUsec: string }[];
  continuation?: string;
}

describe('Google Reader API', () => {
  let web: WebApp;
  let feeds: TestServer;
  let alice: User;
  let bob: User;
  let auth: string;
  let bobAuth: string;
  let token: string;
  let feedA: number;
  let feedB: number;
  let bobFeed: number;

  const get = (path: string, a: string | null = auth): Promise<WebResponse> =>
    web.fetch(path, { headers: a ? { authorization: `GoogleLogin auth=${a}` } : {} });
  const post = (path: string, fields: [string, string][], a: string | null = auth): Promise<WebResponse> =>
    web.fetch(path, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(a ? { authorization: `GoogleLogin auth=${a}` } : {}),
      },
      body: new URLSearchParams(fields).toString(),
    });
  const login = async (email: string, passwd: string): Promise<WebResponse> =>
    post(
      `${P}/accounts/ClientLogin`,
      [
        ['Email', email],
        ['Passwd', passwd],
      ],
      null,
    );
  const authOf = (res: WebResponse): string => {
    const m = /^Auth=(.+)$/m.exec(res.body);
    assert.ok(m?.[1], res.body);
    return m[1];
  };

  before(async () => {
    web = await startWebApp();
    feeds = await startTestServer({
      '/a.xml': respond(200, { 'content-type': 'application/rss+xml' }, rss('Alpha', 5)),
      '/b.xml': respond(200, { 'content-type': 'application/rss+xml' }, rss('Beta', 3)),
      '/c.xml': respond(200, { 'content-type': 'application/rss+xml' }, rss('Gamma', 2)),
      '/new.xml': respond(200, { 'content-type': 'application/rss+xml' }, rss('Delta', 2)),
      '/fields.xml': respond(
        200,
        { 'content-type': 'application/rss+xml' },
        `<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>` +
          `<title>Fields</title><link>http://127.0.0.1/fields</link><item>` +
          `<title>A "quoted" title \\ with a dash — &amp; an emoji 😀 end</title>` +
          `<link>http://127.0.0.1/fields/1</link><guid>fields-1</guid><dc:creator>Ann "Writer"</dc:creator>` +
          `<pubDate>${new Date(Date.UTC(2026, 0, 2, 3, 4, 5)).toUTCString()}</pubDate>` +
          `<enclosure url="http://127.0.0.1/fields/1.mp3" type="audio/mpeg" length="1234"/>` +
          `<enclosure url="http://127.0.0.1/fields/1.ogg"/>` +
          `<description>&lt;p&gt;Body&lt;/p&gt;</description></item></channel></rss>`,
      ),
    });
    alice = await web.addUser('alice', 'alice password 1');
    bob = await web.addUser('bob', 'bob password 1');
    const now = Date.now();
    const a = await web.store.ensureFeed(feeds.url('/a.xml'), DEFAULT_FETCH_OPTIONS, now);
    const b = await web.store.ensureFeed(feeds.url('/b.xml'), DEFAULT_FETCH_OPTIONS, now);
    const c = await web.store.ensureFeed(feeds.url('/c.xml'), DEFAULT_FETCH_OPTIONS, now);
    const tech = await web.store.ensureFolder(alice.id, 'Tech');
    await web.store.subscribe(alice.id, a.id, { folderId: tech.id, title: null }, now);
    await web.store.subscribe(alice.id, b.id, { folderId: null, title: 'My Beta' }, now);
    await web.store.subscribe(bob.id, c.id, { folderId: null, title: null }, now);
    await web.deps.refreshNow([a.id, b.id, c.id]);
    feedA = a.id;
    feedB = b.id;
    bobFeed = c.id;
    auth = authOf(await login('alice', 'alice password 1'));
    bobAuth = authOf(await login('bob', 'bob password 1'));
    token = (await get(`${API}/token`)).body.trim();
  });

  after(async () => {
    await web?.close();
    await feeds?.close();
  });

  it('parses item ids in both forms', () => {
    assert.equal(parseItemId(longItemId(255)), 255);
    // As FreshRSS reads them: digits with no leading zero are decimal, the rest hex (bare or long).
    assert.equal(parseItemId('10'), 10);
    assert.equal(parseItemId('0000000000000010'), 16);
    assert.equal(parseItemId('000000000000000a'), 10);
    assert.equal(parseItemId('00000000000000FF'), 255);
    for (const bad of ['', '0', 'junk', 'x/ff', '-1', '1'.repeat(21), 'f'.repeat(17)])
      assert.equal(parseItemId(bad), null, bad);
    assert.equal(longItemId(255), 'tag:google.com,2005:reader/item/00000000000000ff');
    assert.equal(parseItemId('42'), 42);
    assert.equal(parseItemId('tag:google.com,2005:reader/item/zz'), null);
    assert.equal(parseItemId('0'), null);
    assert.equal(parseItemId('-5'), null);
    assert.equal(parseItemId('tag:google.com,2005:reader/item/ffffffffffffffff'), null);
  });

  it('logs in with the password or an API key, by form or query, under both prefixes', async () => {
    const res = await login('alice', 'alice password 1');
    assert.equal(res.status, 200);
    assert.match(res.body, /^SID=.+\nLSID=.+\nAuth=alice\/.+\n$/);
    const viaQuery = await web.fetch('/accounts/ClientLogin?Email=alice&Passwd=alice%20password%201');
    assert.equal(viaQuery.status, 200);
    assert.equal(authOf(viaQuery), auth, 'a password login gives a stable token');
    assert.equal((await web.store.listApiKeys(alice.id)).length, 0, 'no key is stored per login');

    const { tokenHash } = await import('../../web/auth.js');
    await web.store.createApiKey(alice.id, 'app', tokenHash('alicekey123'), Date.now());
    const byKey = await login('alice', 'alicekey123');
    assert.equal(authOf(byKey), 'alice/alicekey123');
    assert.equal((await get(`${API}/user-info`, 'alice/alicekey123')).status, 200);
  });

  it('refuses bad logins', async () => {
    assert.equal((await login('alice', 'wrong password')).status, 401);
    assert.equal((await login('alice', 'wrong password')).body, 'Unauthorized!');
    assert.equal((await login('nobody', 'whatever it is')).status, 401);
    assert.equal((await post(`${P}/accounts/ClientLogin`, [['Email', 'alice']], null)).status, 400);
  });

  it('refuses requests without a valid token', async () => {
    for (const path of [`${API}/user-info`, '/reader/api/0/subscription/list', `${API}/unread-count`]) {
      assert.equal((await get(path, null)).status, 401, path);
      assert.equal((await get(path, 'alice/not-a-key')).status, 401, path);
      assert.equal((await get(path, `bob/${auth.split('/')[1]}`)).status, 401, path);
      assert.equal((await get(path, 'alice/gr1-' + '0'.repeat(64))).status, 401, path);
      assert.equal((await get(path, 'nothing')).status, 401, path);
    }
  });

  it('serves user-info and the write token at both prefixes', async () => {
    const info = await get(`${API}/user-info`);
    assert.equal(info.status, 200);
    assert.equal(info.json<{ userName: string }>().userName, 'alice');
    const rootInfo = await get('/reader/api/0/user-info');
    assert.deepEqual(rootInfo.json(), info.json());
    // What newsboat asks for when its feedhq-url ends with a slash.
    const doubled = await get(`${P}//reader/api/0/user-info`);
    assert.deepEqual(doubled.json(), info.json());
    assert.match(token, /^[0-9a-f]{40}$/);
    assert.equal((await get(`${API}/token`, null)).status, 401);
  });

  it('lists subscriptions and labels', async () => {
    const res = await get(`${API}/subscription/list?output=json`);
    assert.equal(res.status, 200);
    const subs = res.json<{
      subscriptions: {
        id: string;
        title: string;
        url: string;
        categories: { id: string; label: string }[];
      }[];
    }>().subscriptions;
    assert.equal(subs.length, 2, 'only her own');
    const a = subs.find((s) => s.id === `feed/${feedA}`);
    assert.ok(a);
    assert.equal(a.url, feeds.url('/a.xml'));
    assert.deepEqual(a.categories, [{ id: 'user/-/label/Tech', label: 'Tech' }]);
    assert.equal(subs.find((s) => s.id === `feed/${feedB}`)?.title, 'My Beta');

    const tags = (await get(`${API}/tag/list?output=json`)).json<{ tags: { id: string }[] }>().tags;
    assert.deepEqual(
      tags.map((t) => t.id),
      [STARRED, 'user/-/label/Tech'],
    );
    assert.equal((await get(`${API}/tag/list`, null)).status, 401);
  });

  it('counts unread entries per feed, label and in all', async () => {
    const res = await get(`${API}/unread-count?output=json`);
    const counts = new Map(
      res.json<{ unreadcounts: { id: string; count: number }[] }>().unreadcounts.map((c) => [c.id, c.count]),
    );
    assert.equal(counts.get(`feed/${feedA}`), 5);
    assert.equal(counts.get(`feed/${feedB}`), 3);
    assert.equal(counts.get('user/-/label/Tech'), 5);
    assert.equal(counts.get(READING_LIST), 8);
    assert.equal(counts.get(`feed/${bobFeed}`), undefined);
    // Each with the time no item of it is newer than, in microseconds as text, as FreshRSS sends it.
    const newest = new Map(
      res
        .json<{ unreadcounts: { id: string; newestItemTimestampUsec: string }[] }>()
        .unreadcounts.map((c) => [c.id, c.newestItemTimestampUsec]),
    );
    for (const [id, usec] of newest) assert.match(usec, /^\d+$/, id);
    const fetchedA = (await web.store.getFeed(feedA))?.lastSuccessAt ?? 0;
    assert.ok(fetchedA > 0);
    assert.equal(newest.get(`feed/${feedA}`), String(fetchedA * 1000));
    assert.ok(Number(newest.get(READING_LIST)) >= fetchedA * 1000);
    // Written as text: a folder's name escaped whatever it holds, and a reader of nothing answered.
    const dana = await web.addUser('dana', 'dana password 1');
    const danaAuth = authOf(await login('dana', 'dana password 1'));
    assert.deepEqual((await get(`${API}/unread-count?output=json`, danaAuth)).json(), {
      max: 0,
      unreadcounts: [{ id: READING_LIST, count: 0, newestItemTimestampUsec: '0' }],
    });
    const odd = await web.store.ensureFolder(dana.id, 'Say "hi" \\ 中文 \u2028');
    await web.store.subscribe(dana.id, feedA, { folderId: odd.id, title: null }, Date.now());
    const danas = (await get(`${API}/unread-count?output=json`, danaAuth)).json<{
      max: number;
      unreadcounts: { id: string; count: number }[];
    }>();
    assert.equal(danas.max, 5);
    assert.deepEqual(
      danas.unreadcounts.map((c) => [c.id, c.count]),
      [
        [`feed/${feedA}`, 5],
        [`user/-/label/${odd.name}`, 5],
        [READING_LIST, 5],
      ],
    );
  });

  it('pages stream item ids with n and c, newest or oldest first', async () => {
    const first = await get(`${API}/stream/items/ids?s=${READING_LIST}&n=3`);
    assert.equal(first.status, 200);
    const page1 = first.json<IdsJson>();
    assert.equal(page1.itemRefs.length, 3);
    assert.ok(page1.continuation);
    const rest = (
      await get(`${API}/stream/items/ids?s=${READING_LIST}&n=100&c=${page1.continuation}`)
    ).json<IdsJson>();
    assert.equal(rest.itemRefs.length, 5);
    assert.equal(rest.continuation, undefined);
    const all = new Set([...page1.itemRefs, ...rest.itemRefs].map((r) => r.id));
    assert.equal(all.size, 8);

    const oldest = (await get(`${API}/stream/items/ids?s=feed/${feedA}&r=o&n=1`)).json<IdsJson>();
    const newest = (await get(`${API}/stream/items/ids?s=feed/${feedA}&n=1`)).json<IdsJson>();
    assert.notEqual(oldest.itemRefs[0]?.id, newest.itemRefs[0]?.id);

    const bad = [
      `${API}/stream/items/ids`,
      `${API}/stream/items/ids?s=bogus`,
      `${API}/stream/items/ids?s=${READING_LIST}&n=abc`,
      `${API}/stream/items/ids?s=${READING_LIST}&c=nope`,
      `${API}/stream/items/ids?s=${READING_LIST}&ot=yesterday`,
    ];
    for (const path of bad) assert.equal((await get(path)).status, 400, path);
    assert.equal((await get(`${API}/stream/items/ids?s=${READING_LIST}`, null)).status, 401);
    // Another user's feed is an empty stream, not theirs.
    const other = (await get(`${API}/stream/items/ids?s=feed/${bobFeed}`)).json<IdsJson>();
    assert.equal(other.itemRefs.length, 0);
  });

  it('lets apps in a browser call it from their own origin, as FreshRSS does', async () => {
    const preflight = await web.fetch(`${API}/unread-count?output=json`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    const counts = await get(`${API}/unread-count?output=json`);
    assert.equal(counts.headers.get('access-control-allow-origin'), '*');
  });

  /**
   * A feed of Alice's whose entries arrived on January 1st, 3rd and 5th, 2026, at noon, one fetch
   * each: the one that arrived on the 3rd is dated December 31st (its feed back-dated it), the
   * others the day they arrived.
   */
  async function feedOfArrivals(name: string): Promise<{ feedId: number; day: (d: number) => number }> {
    const day = (d: number): number => Date.UTC(2026, 0, d, 12);
    const feed = await web.store.ensureFeed(`https://${name}.example/feed`, DEFAULT_FETCH_OPTIONS, day(1));
    await web.store.subscribe(alice.id, feed.id, { folderId: null, title: null }, day(1));
    for (const [arrived, published] of [
      [day(1), day(1)],
      [day(3), Date.UTC(2025, 11, 31)],
      [day(5), day(5)],
    ] as const) {
      await web.store.recordFetchSuccess(feed.id, fetchedUpdate(arrived, name), [
        preparedEntry(`${name}-${new Date(arrived).getUTCDate()}`, { publishedAt: published }),
      ]);
    }
    return { feedId: feed.id, day };
  }

  it('filters streams by when items arrived, as FreshRSS', async () => {
    const { feedId, day } = await feedOfArrivals('arrivals');
    const jan3 = Date.UTC(2026, 0, 3) / 1000;
    // ot: the items that arrived from that time on (what a client asks for after its last sync),
    // the one its feed back-dated included; nt: those that arrived before it. Newest first is by
    // date, as ever; timestampUsec is the arrival.
    const arrivals = async (q: string): Promise<number[]> =>
      (await get(`${API}/stream/items/ids?s=feed/${feedId}&${q}`))
        .json<IdsJson>()
        .itemRefs.map((r) => new Date(Number(r.timestampUsec) / 1000).getUTCDate());
    assert.deepEqual(await arrivals(''), [5, 1, 3]);
    assert.deepEqual(await arrivals(`ot=${jan3}`), [5, 3]);
    assert.deepEqual(await arrivals(`ot=${jan3}&r=o`), [3, 5]);
    assert.deepEqual(await arrivals(`ot=${day(3) / 1000}`), [5, 3], 'from that second on');
    assert.deepEqual(await arrivals(`nt=${jan3}`), [1]);
    assert.deepEqual(await arrivals(`nt=${day(3) / 1000}`), [1], 'before that second');
    assert.deepEqual(await arrivals(`ot=${jan3 - 86_400}&nt=${jan3 + 86_400}`), [3]);
    assert.deepEqual(await arrivals(`ot=${day(6) / 1000}`), []);
    // stream/contents says the same, and the reading list finds them among Alice's other feeds.
    const items = (await get(`${API}/stream/contents/user/-/state/com.google/reading-list?ot=${jan3}`))
      .json<StreamJson>()
      .items.filter((i) => i.origin.streamId === `feed/${feedId}`);
    assert.deepEqual(
      items.map((i) => Number(i.timestampUsec) / 1000),
      [day(5), day(3)],
    );
    // Paged through with continuation, the bound holds on every page.
    const first = (await get(`${API}/stream/items/ids?s=feed/${feedId}&ot=${jan3}&n=1`)).json<IdsJson>();
    assert.equal(first.itemRefs.length, 1);
    assert.ok(first.continuation);
    const rest = (
      await get(`${API}/stream/items/ids?s=feed/${feedId}&ot=${jan3}&n=1&c=${first.continuation}`)
    ).json<IdsJson>();
    assert.equal(rest.itemRefs.length, 1);
    assert.equal(new Date(Number(rest.itemRefs[0]?.timestampUsec) / 1000).getUTCDate(), 3);
    assert.equal(rest.continuation, undefined);
    assert.ok(await web.store.unsubscribe(alice.id, feedId));
  });

  it('counts a late subscription’s stored items as arriving when it was made', async () => {
    // The feed's items arrived on January 1st, 3rd and 5th; Alice subscribes on the 6th.
    const day = (d: number): number => Date.UTC(2026, 0, d, 12);
    const feed = await web.store.ensureFeed('https://late-sub.example/feed', DEFAULT_FETCH_OPTIONS, day(1));
    const early = await web.addUser('early-reader', 'early-reader-password-1');
    await web.store.subscribe(early.id, feed.id, { folderId: null, title: null }, day(1));
    for (const d of [1, 3, 5]) {
      await web.store.recordFetchSuccess(feed.id, fetchedUpdate(day(d), 'Late'), [
        preparedEntry(`late-sub-${d}`, { publishedAt: day(d) }),
      ]);
    }
    await web.store.subscribe(alice.id, feed.id, { folderId: null, title: null }, day(6));
    const arrivals = async (q: string): Promise<number[]> =>
      (await get(`${API}/stream/items/ids?s=feed/${feed.id}&${q}`))
        .json<IdsJson>()
        .itemRefs.map((r) => Number(r.timestampUsec) / 1000);
    // A client that last synced on the 5th, after the items arrived but before she subscribed, gets them.
    assert.deepEqual(await arrivals(`ot=${day(5) / 1000 + 60}`), [day(6), day(6), day(6)]);
    assert.deepEqual(await arrivals(`ot=${day(6) / 1000 + 60}`), []);
    assert.deepEqual(await arrivals(`nt=${day(6) / 1000}`), []);
    const items = (
      await get(`${API}/stream/contents/feed/${feed.id}?ot=${day(5) / 1000 + 60}`)
    ).json<StreamJson>().items;
    assert.deepEqual(
      items.map((i) => Number(i.crawlTimeMsec)),
      [day(6), day(6), day(6)],
    );
    // Marking what had arrived by the 5th leaves them unread: she had not seen them.
    const marked = await post(`${API}/mark-all-as-read`, [
      ['s', `feed/${feed.id}`],
      ['ts', String((day(5) + 60_000) * 1000)],
      ['T', token],
    ]);
    assert.equal(marked.body, 'OK');
    assert.equal((await arrivals(`xt=${READ}`)).length, 3);
    // Her unread count's newest item is no older than her subscription.
    const counts = (await get(`${API}/unread-count?output=json`)).json<{
      unreadcounts: { id: string; count: number; newestItemTimestampUsec: string }[];
    }>();
    const mine = counts.unreadcounts.find((c) => c.id === `feed/${feed.id}`);
    assert.deepEqual([mine?.count, Number(mine?.newestItemTimestampUsec) / 1000], [3, day(6)]);
    assert.ok(await web.store.unsubscribe(alice.id, feed.id));
  });

  it('serves stream contents in the Google Reader shape', async () => {
    const res = await get(`${API}/stream/contents/feed%2F${feedA}?n=2`);
    assert.equal(res.status, 200);
    const body = res.json<StreamJson>();
    assert.equal(body.items.length, 2);
    const item = body.items[0];
    assert.ok(item);
    assert.match(item.id, /^tag:google\.com,2005:reader\/item\/[0-9a-f]{16}$/);
    assert.equal(item.origin.streamId, `feed/${feedA}`);
    assert.ok(item.categories.includes(READING_LIST));
    assert.ok(item.categories.includes('user/-/label/Tech'));
    assert.ok(!item.categories.includes(READ));
    assert.ok(body.continuation);

    const byLabel = (await get(`/reader/api/0/stream/contents/user/-/label/Tech`)).json<StreamJson>();
    assert.equal(byLabel.items.length, 5);
    const byQuery = (await get(`${API}/stream/contents?s=feed/${feedB}`)).json<StreamJson>();
    assert.equal(byQuery.items.length, 3);
    const missingLabel = (await get(`${API}/stream/contents/user/-/label/Nope`)).json<StreamJson>();
    assert.equal(missingLabel.items.length, 0);
    assert.equal((await get(`${API}/stream/contents/feed%2F${feedA}`, null)).status, 401);
    assert.equal((await get(`${API}/stream/contents/bogus`)).status, 400);
  });

  it('writes every field of an item, escaped, with its enclosures and label', async () => {
    const now = Date.now();
    const user = await web.addUser('fields', 'fields password 1');
    const userAuth = authOf(await login('fields', 'fields password 1'));
    const feed = await web.store.ensureFeed(feeds.url('/fields.xml'), DEFAULT_FETCH_OPTIONS, now);
    const folder = await web.store.ensureFolder(user.id, 'Q & A "quoted" \\ label');
    await web.store.subscribe(user.id, feed.id, { folderId: folder.id, title: 'My "Feed"' }, now);
    await web.deps.refreshNow([feed.id]);
    const published = Date.UTC(2026, 0, 2, 3, 4, 5);
    const res = await get(`${API}/stream/contents/feed%2F${feed.id}?n=5`, userAuth);
    assert.equal(res.status, 200);
    const [item, ...rest] = res.json<{ items: Record<string, unknown>[] }>().items;
    assert.ok(item);
    assert.equal(rest.length, 0);
    const { id, crawlTimeMsec, timestampUsec, ...fields } = item;
    assert.match(String(id), /^tag:google\.com,2005:reader\/item\/[0-9a-f]{16}$/);
    // When it arrived, in ms and in µs.
    assert.match(String(crawlTimeMsec), /^\d+$/);
    assert.ok(Number(crawlTimeMsec) >= now, String(crawlTimeMsec));
    assert.equal(timestampUsec, `${String(crawlTimeMsec)}000`);
    assert.deepEqual(fields, {
      published: published / 1000,
      updated: published / 1000,
      title: 'A "quoted" title \\ with a dash — & an emoji 😀 end',
      canonical: [{ href: 'http://127.0.0.1/fields/1', type: 'text/html' }],
      alternate: [{ href: 'http://127.0.0.1/fields/1', type: 'text/html' }],
      author: 'Ann "Writer"',
      origin: { streamId: `feed/${feed.id}`, title: 'My "Feed"', htmlUrl: 'http://127.0.0.1/fields' },
      categories: [READING_LIST, 'user/-/label/Q & A "quoted" \\ label'],
      enclosure: [
        { href: 'http://127.0.0.1/fields/1.mp3', type: 'audio/mpeg', length: 1234 },
        { href: 'http://127.0.0.1/fields/1.ogg', type: '' },
      ],
      summary: { direction: 'ltr', content: '<p>Body</p>' },
    });
  });

  it('sends bodies as stored, whatever they hold, in streams and by id', async () => {
    const now = Date.now();
    const quoter = await web.addUser('quoter', 'quoter password 1');
    const feedId = await feedOfBodiesToQuote(web.store, quoter.id, now);
    const quoterAuth = authOf(await login('quoter', 'quoter password 1'));
    const bodies = (items: ItemJson[]): string[] => items.map((i) => i.summary.content).sort();
    const stream = (await get(`${API}/stream/contents/feed%2F${feedId}?n=10`, quoterAuth)).json<StreamJson>();
    const expected = [...BODIES_TO_QUOTE].sort();
    assert.deepEqual(bodies(stream.items), expected);
    assert.ok(
      stream.items.every((i) => i.origin.streamId === `feed/${feedId}` && i.title.startsWith('Entry quote-')),
    );
    const byId = await post(
      `${API}/stream/items/contents`,
      stream.items.map((i) => ['i', i.id]),
      quoterAuth,
    );
    assert.deepEqual(bodies(byId.json<StreamJson>().items), expected);
    // The Atom stream escapes them for XML instead, without the control characters XML forbids.
    const atom = await get(`/reader/atom/feed%2F${feedId}?n=10`, quoterAuth);
    assert.ok(atom.body.includes('&lt;p class="a"&gt;"quoted" \\ back\\slash \\u0041 \\"&lt;/p&gt;'));
    assert.ok(atom.body.includes('line\nbreak\ttab\rreturn and  controls,  delete'));
    const forbidden = [...atom.body].filter((c) => (c < ' ' && !'\t\n\r'.includes(c)) || c === '\u007f');
    assert.deepEqual(forbidden, []);
  });

  it('serves items by id, only the caller’s', async () => {
    const ids = (await get(`${API}/stream/items/ids?s=feed/${feedB}`)).json<IdsJson>();
    const [first, second] = ids.itemRefs;
    assert.ok(first && second);
    const res = await post(`${API}/stream/items/contents`, [
      ['i', first.id],
      ['i', longItemId(Number(second.id))],
    ]);
    assert.equal(res.status, 200);
    assert.equal(res.json<StreamJson>().items.length, 2);

    const bobs = (await get(`${API}/stream/items/ids?s=feed/${bobFeed}`, bobAuth)).json<IdsJson>();
    const bobItem = bobs.itemRefs[0];
    assert.ok(bobItem);
    const stolen = await post(`${API}/stream/items/contents`, [['i', bobItem.id]]);
    assert.equal(stolen.json<StreamJson>().items.length, 0);
    assert.equal((await post(`${API}/stream/items/contents`, [['i', 'x']])).status, 400);
    assert.equal((await post(`${API}/stream/items/contents`, [])).status, 400);
    assert.equal((await post(`${API}/stream/items/contents`, [['i', first.id]], null)).status, 401);
  });

  it('marks read and starred with edit-tag, given the write token', async () => {
    const ids = (await get(`${API}/stream/items/ids?s=feed/${feedB}`)).json<IdsJson>();
    const target = ids.itemRefs[0];
    assert.ok(target);
    const longId = longItemId(Number(target.id));

    assert.equal(
      (
        await post(`${API}/edit-tag`, [
          ['i', longId],
          ['a', READ],
          ['T', 'wrong'],
        ])
      ).status,
      401,
    );
    assert.equal(
      (
        await post(
          `${API}/edit-tag`,
          [
            ['i', longId],
            ['a', READ],
            ['T', token],
          ],
          null,
        )
      ).status,
      401,
    );
    assert.equal(
      (
        await post(`${API}/edit-tag`, [
          ['i', 'junk'],
          ['a', READ],
          ['T', token],
        ])
      ).status,
      400,
    );

    const res = await post(`${API}/edit-tag`, [
      ['i', longId],
      ['a', READ],
      ['a', STARRED],
      ['T', token],
    ]);
    assert.equal(res.status, 200);
    assert.equal(res.body, 'OK');
    const unread = (await get(`${API}/stream/items/ids?s=feed/${feedB}&xt=${READ}`)).json<IdsJson>();
    assert.equal(unread.itemRefs.length, 2);
    const starred = (await get(`${API}/stream/contents/${STARRED}`)).json<StreamJson>();
    assert.equal(starred.items.length, 1);
    assert.ok(starred.items[0]?.categories.includes(READ));
    const readOnes = (await get(`${API}/stream/items/ids?s=${READ}`)).json<IdsJson>();
    assert.deepEqual(
      readOnes.itemRefs.map((r) => r.id),
      [target.id],
    );
    // xt=starred leaves the starred out, as FreshRSS.
    const unstarred = (await get(`${API}/stream/items/ids?s=feed/${feedB}&xt=${STARRED}`)).json<IdsJson>();
    assert.equal(unstarred.itemRefs.length, 2);
    assert.ok(!unstarred.itemRefs.some((r) => r.id === target.id));
    const starredFeed = (await get(`${API}/stream/items/ids?s=feed/${feedB}&it=${STARRED}`)).json<IdsJson>();
    assert.deepEqual(
      starredFeed.itemRefs.map((r) => r.id),
      [target.id],
    );

    // Back to unread, by short id, at the root prefix.
    await post('/reader/api/0/edit-tag', [
      ['i', target.id],
      ['r', READ],
      ['r', STARRED],
      ['T', token],
    ]);
    const again = (await get(`${API}/stream/items/ids?s=feed/${feedB}&xt=${READ}`)).json<IdsJson>();
    assert.equal(again.itemRefs.length, 3);

    // Bob's token cannot touch Alice's entry, nor Alice's token Bob's.
    const bobToken = (await get(`${API}/token`, bobAuth)).body.trim();
    await post(
      `${API}/edit-tag`,
      [
        ['i', target.id],
        ['a', READ],
        ['T', bobToken],
      ],
      bobAuth,
    );
    assert.equal(
      (await get(`${API}/stream/items/ids?s=feed/${feedB}&xt=${READ}`)).json<IdsJson>().itemRefs.length,
      3,
    );
    assert.equal(
      (
        await post(
          `${API}/edit-tag`,
          [
            ['i', target.id],
            ['a', READ],
            ['T', token],
          ],
          bobAuth,
        )
      ).status,
      401,
    );
  });

  it('marks a stream read with mark-all-as-read', async () => {
    assert.equal(
      (
        await post(`${API}/mark-all-as-read`, [
          ['s', `feed/${feedA}`],
          ['T', 'wrong'],
        ])
      ).status,
      401,
    );
    assert.equal((await post(`${API}/mark-all-as-read`, [['T', token]])).status, 400);
    assert.equal(
      (
        await post(`${API}/mark-all-as-read`, [
          ['s', `feed/${feedA}`],
          ['ts', 'soon'],
          ['T', token],
        ])
      ).status,
      400,
    );
    // ts: what had arrived by then (µs, as timestampUsec), that item included. The item its feed
    // back-dated to December 31st arrived on January 3rd: marking up to January 2nd leaves it unread.
    const { feedId, day } = await feedOfArrivals('marks');
    const unreadArrivals = async (): Promise<number[]> =>
      (await get(`${API}/stream/items/ids?s=feed/${feedId}&xt=${READ}`))
        .json<IdsJson>()
        .itemRefs.map((r) => new Date(Number(r.timestampUsec) / 1000).getUTCDate());
    for (const [ts, left] of [
      [Date.UTC(2026, 0, 2) * 1000, [5, 3]],
      [day(3) * 1000, [5]],
    ] as const) {
      const res = await post(`${API}/mark-all-as-read`, [
        ['s', `feed/${feedId}`],
        ['ts', String(ts)],
        ['T', token],
      ]);
      assert.equal(res.body, 'OK');
      assert.deepEqual(await unreadArrivals(), left);
    }
    assert.ok(await web.store.unsubscribe(alice.id, feedId));
    // Bob's feed, named by Alice, is not hers to mark.
    await post(`${API}/mark-all-as-read`, [
      ['s', `feed/${bobFeed}`],
      ['T', token],
    ]);
    const bobUnread = (
      await get(`${API}/stream/items/ids?s=feed/${bobFeed}&xt=${READ}`, bobAuth)
    ).json<IdsJson>();
    assert.equal(bobUnread.itemRefs.length, 2);

    await post(`${API}/mark-all-as-read`, [
      ['s', 'user/-/label/Tech'],
      ['T', token],
    ]);
    const none = (await get(`${API}/stream/items/ids?s=feed/${feedA}&xt=${READ}`)).json<IdsJson>();
    assert.equal(none.itemRefs.length, 0);
  });

  it('edits, renames and removes subscriptions and labels', async () => {
    assert.equal(
      (
        await post(`${API}/subscription/edit`, [
          ['ac', 'edit'],
          ['s', `feed/${feedB}`],
          ['t', 'Renamed'],
          ['T', 'wrong'],
        ])
      ).status,
      401,
    );
    const edit = await post(`${API}/subscription/edit`, [
      ['ac', 'edit'],
      ['s', `feed/${feedB}`],
      ['t', 'Renamed'],
      ['a', 'user/-/label/News'],
      ['T', token],
    ]);
    assert.equal(edit.body, 'OK');
    let subs = await web.store.listSubscriptions(alice.id);
    let b = subs.find((s) => s.feed.id === feedB);
    assert.equal(b?.subscription.title, 'Renamed');
    assert.equal(b?.folderName, 'News');
    // Taking off a label the feed is not in leaves it where it is.
    const elsewhere = await post(`${API}/subscription/edit`, [
      ['ac', 'edit'],
      ['s', `feed/${feedB}`],
      ['r', 'user/-/label/Elsewhere'],
      ['T', token],
    ]);
    assert.equal(elsewhere.body, 'OK');
    b = (await web.store.listSubscriptions(alice.id)).find((s) => s.feed.id === feedB);
    assert.equal(b?.folderName, 'News');
    assert.equal(
      (
        await post(`${API}/subscription/edit`, [
          ['ac', 'edit'],
          ['s', `feed/${bobFeed}`],
          ['t', 'Mine'],
          ['T', token],
        ])
      ).status,
      400,
    );
    assert.equal(
      (
        await post(`${API}/subscription/edit`, [
          ['ac', 'dance'],
          ['s', `feed/${feedB}`],
          ['T', token],
        ])
      ).status,
      400,
    );

    assert.equal(
      (
        await post(`${API}/rename-tag`, [
          ['s', 'user/-/label/News'],
          ['dest', 'user/-/label/Daily'],
          ['T', token],
        ])
      ).body,
      'OK',
    );
    assert.equal(
      (
        await post(`${API}/rename-tag`, [
          ['s', 'user/-/label/Missing'],
          ['dest', 'user/-/label/X'],
          ['T', token],
        ])
      ).status,
      400,
    );
    subs = await web.store.listSubscriptions(alice.id);
    assert.equal(subs.find((s) => s.feed.id === feedB)?.folderName, 'Daily');

    assert.equal(
      (
        await post(`${API}/disable-tag`, [
          ['s', 'user/-/label/Daily'],
          ['T', token],
        ])
      ).body,
      'OK',
    );
    assert.equal(
      (
        await post(`${API}/disable-tag`, [
          ['s', 'user/-/label/Daily'],
          ['T', token],
        ])
      ).status,
      400,
    );
    subs = await web.store.listSubscriptions(alice.id);
    b = subs.find((s) => s.feed.id === feedB);
    assert.equal(b?.folderName, null);
    assert.equal(b?.subscription.title, 'Renamed');

    // Into a label and out of it again.
    for (const [change, folder] of [
      ['a', 'Later'],
      ['r', null],
    ] as const) {
      const res = await post(`${API}/subscription/edit`, [
        ['ac', 'edit'],
        ['s', `feed/${feedB}`],
        [change, 'user/-/label/Later'],
        ['T', token],
      ]);
      assert.equal(res.body, 'OK');
      b = (await web.store.listSubscriptions(alice.id)).find((s) => s.feed.id === feedB);
      assert.equal(b?.folderName, folder);
    }

    // Unsubscribing from Bob's feed does nothing to Bob.
    await post(`${API}/subscription/edit`, [
      ['ac', 'unsubscribe'],
      ['s', `feed/${bobFeed}`],
      ['T', token],
    ]);
    assert.equal((await web.store.listSubscriptions(bob.id)).length, 1);
    const gone = await post(`${API}/subscription/edit`, [
      ['ac', 'unsubscribe'],
      ['s', `feed/${feedB}`],
      ['T', token],
    ]);
    assert.equal(gone.body, 'OK');
    assert.equal((await web.store.listSubscriptions(alice.id)).length, 1);
  });

  it('exports the subscriptions as OPML and imports an OPML file, as FreshRSS does', async () => {
    const exported = await get(`${API}/subscription/export`);
    assert.equal(exported.status, 200);
    assert.match(exported.headers.get('content-type') ?? '', /xml/);
    const mine = await web.store.listSubscriptions(alice.id);
    for (const s of mine) assert.ok(exported.body.includes(`xmlUrl="${s.feed.url}"`), s.feed.url);
    assert.doesNotMatch(exported.body, /bob\.example|Bob/, 'only the caller’s feeds');
    assert.equal((await get(`${API}/subscription/export`, null)).status, 401);

    const opml =
      '<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>' +
      `<outline text="Work"><outline text="Imported" xmlUrl="${feeds.url('/imported.xml')}"/></outline></body></opml>`;
    const send = (body: string, query: string, a: string | null = auth): Promise<WebResponse> =>
      web.fetch(`${API}/subscription/import${query}`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml', ...(a ? { authorization: `GoogleLogin auth=${a}` } : {}) },
        body,
      });
    assert.equal((await send(opml, '?T=wrong')).status, 401, 'a wrong write token is refused');
    assert.equal((await send(opml, `?T=${token}`, null)).status, 401);
    assert.equal((await send('<html>not opml</html>', `?T=${token}`)).status, 400);
    assert.equal((await send('', `?T=${token}`)).status, 400);
    const res = await send(opml, `?T=${token}`);
    assert.equal(res.status, 200, res.body);
    assert.equal(res.body, 'OK');
    const imported = (await web.store.listSubscriptions(alice.id)).find(
      (s) => s.feed.url === feeds.url('/imported.xml'),
    );
    assert.equal(imported?.folderName, 'Work');
    assert.ok(await web.store.unsubscribe(alice.id, imported.feed.id));
  });

  it('subscribes with quickadd and subscription/edit', async () => {
    assert.equal(
      (
        await post(`${API}/subscription/quickadd`, [
          ['quickadd', feeds.url('/b.xml')],
          ['T', 'wrong'],
        ])
      ).status,
      401,
    );
    assert.equal((await post(`${API}/subscription/quickadd`, [['T', token]])).status, 400);
    const res = await post(`${API}/subscription/quickadd`, [
      ['quickadd', feeds.url('/new.xml')],
      ['T', token],
    ]);
    assert.equal(res.status, 200, res.body);
    const { streamId, streamName } = res.json<{ streamId: string; streamName: string }>();
    assert.match(streamId, /^feed\/\d+$/);
    // Its entries are there for the next sync, from the one fetch that found the feed.
    assert.equal(streamName, 'Delta');
    assert.equal(await web.store.countEntries(Number(streamId.slice('feed/'.length))), 2);
    assert.equal(feeds.requests.filter((r) => r.path === '/new.xml').length, 1);
    const listed = (await get(`${API}/subscription/list`)).json<{ subscriptions: { id: string }[] }>();
    assert.ok(listed.subscriptions.some((s) => s.id === streamId));
    // A feed that cannot be added is no result, with the reason, as FreshRSS answers it.
    const bad = await post(`${API}/subscription/quickadd`, [
      ['quickadd', feeds.url('/missing.xml')],
      ['T', token],
    ]);
    assert.equal(bad.status, 200);
    const none = bad.json<{ numResults: number; error: string }>();
    assert.equal(none.numResults, 0);
    assert.match(none.error, /404|not found/i);
    // NetNewsWire then sends the folder and title as ac=subscribe with the feed/<id> it was given.
    const named = await post(`${API}/subscription/edit`, [
      ['ac', 'subscribe'],
      ['s', streamId],
      ['a', 'user/-/label/Later'],
      ['t', 'My B'],
      ['T', token],
    ]);
    assert.equal(named.body, 'OK');
    const b = (await web.store.listSubscriptions(alice.id)).find((x) => `feed/${x.feed.id}` === streamId);
    assert.equal(b?.folderName, 'Later');
    assert.equal(b?.subscription.title, 'My B');

    const sub = await post(`${API}/subscription/edit`, [
      ['ac', 'subscribe'],
      ['s', `feed/${feeds.url('/c.xml')}`],
      ['a', 'user/-/label/Shared'],
      ['T', token],
    ]);
    assert.equal(sub.body, 'OK');
    const subs = await web.store.listSubscriptions(alice.id);
    assert.equal(subs.find((s) => s.feed.url === feeds.url('/c.xml'))?.folderName, 'Shared');
    // Named by its address; Alice's own state of it.
    const ids = (await get(`${API}/stream/items/ids?s=feed/${feeds.url('/c.xml')}`)).json<IdsJson>();
    assert.equal(ids.itemRefs.length, 2);
  });

  it('takes the write token and item ids as other clients send them, as FreshRSS does', async () => {
    const refs = (await get(`${API}/stream/items/ids?s=feed/${feedA}&n=10`)).json<IdsJson>().itemRefs;
    const [a, b] = refs.map((r) => Number(r.id));
    assert.ok(a && b);
    const stateOf = async (id: number): Promise<{ read: boolean; starred: boolean } | undefined> => {
      const [v] = await web.store.queryEntries({
        userId: alice.id,
        entryIds: [id],
        limit: 1,
        withContent: false,
      });
      return v && { read: v.read, starred: v.starred };
    };
    // The token kept with the line break of the token call's answer; none at all; "x".
    for (const t of [`${token}\n`, null, 'x']) {
      const star: [string, string][] = [
        ['i', String(a)],
        ['a', STARRED],
        ...(t === null ? [] : [['T', t] as [string, string]]),
      ];
      assert.equal((await post(`${API}/edit-tag`, star)).body, 'OK', String(t));
      assert.equal((await stateOf(a))?.starred, true, String(t));
      await post(`${API}/edit-tag`, [
        ['i', String(a)],
        ['r', STARRED],
        ['T', token],
      ]);
      assert.equal((await stateOf(a))?.starred, false);
    }
    // Hex alone (as older clients send the long form's), and an id that is none beside it, skipped.
    const hex = b.toString(16).padStart(16, '0');
    const starred = await post(`${API}/edit-tag`, [
      ['i', hex],
      ['i', 'junk'],
      ['a', STARRED],
      ['r', READ],
      ['T', token],
    ]);
    assert.equal(starred.body, 'OK');
    assert.deepEqual(await stateOf(b), { read: false, starred: true });
    // The unread stream, and unread as a filter.
    const unread = (
      await get(`${API}/stream/items/ids?s=user/-/state/com.google/unread&n=1000`)
    ).json<IdsJson>();
    assert.ok(unread.itemRefs.some((r) => Number(r.id) === b));
    const filtered = (
      await get(`${API}/stream/items/ids?s=feed/${feedA}&it=user/-/state/com.google/unread&n=1000`)
    ).json<IdsJson>();
    assert.ok(filtered.itemRefs.some((r) => Number(r.id) === b));
    for (const r of filtered.itemRefs) assert.equal((await stateOf(Number(r.id)))?.read, false);
    // Marking the starred stream read marks the starred entries, and no other.
    const before = await stateOf(a);
    const markRead = async (stream: string): Promise<string> =>
      (
        await post(`${API}/mark-all-as-read`, [
          ['s', stream],
          ['T', token],
        ])
      ).body;
    assert.equal(await markRead(STARRED), 'OK');
    assert.deepEqual(await stateOf(b), { read: true, starred: true });
    assert.deepEqual(await stateOf(a), before);
    assert.equal(await markRead(READ), 'OK');
  });

  it('keeps the labels put on items, lists them, streams them, renames and drops them, as FreshRSS', async () => {
    const refs = (await get(`${API}/stream/items/ids?s=feed/${feedA}&n=10`)).json<IdsJson>().itemRefs;
    const [a, b] = refs.map((r) => r.id);
    assert.ok(a && b);
    const edit = (form: [string, string][]): Promise<WebResponse> =>
      post(`${API}/edit-tag`, [...form, ['T', token]]);
    assert.equal(
      (
        await edit([
          ['i', a],
          ['i', b],
          ['a', 'user/-/label/To read'],
        ])
      ).body,
      'OK',
    );
    assert.equal(
      (
        await edit([
          ['i', b],
          ['a', 'user/5/label/Keep'],
        ])
      ).body,
      'OK',
    );
    const tags = (await get(`${API}/tag/list?output=json`)).json<{ tags: { id: string; type?: string }[] }>()
      .tags;
    assert.ok(tags.some((t) => t.id === 'user/-/label/To read' && t.type === 'tag'));
    assert.ok(tags.some((t) => t.id === 'user/-/label/Keep' && t.type === 'tag'));
    const labelled = async (label: string): Promise<string[]> =>
      (await get(`${API}/stream/items/ids?s=${encodeURIComponent(`user/-/label/${label}`)}&n=100`))
        .json<IdsJson>()
        .itemRefs.map((r) => r.id)
        .sort();
    assert.deepEqual(await labelled('To read'), [a, b].sort());
    assert.deepEqual(await labelled('Keep'), [b]);
    // More labels at once than any client sends is refused, and nothing is labelled.
    const many = Array.from({ length: 21 }, (_, i): [string, string] => ['a', `user/-/label/L${i}`]);
    assert.equal((await edit([['i', a], ...many])).status, 400);
    assert.ok(!(await web.store.listEntryLabels(alice.id)).includes('L0'));
    // An item's labels come with it.
    const items = (await post(`${API}/stream/items/contents`, [['i', b]])).json<{
      items: { categories: string[] }[];
    }>().items;
    assert.ok(items[0]?.categories.includes('user/-/label/To read'));
    assert.ok(items[0]?.categories.includes('user/-/label/Keep'));
    // Taken off one item; renamed; dropped.
    assert.equal(
      (
        await edit([
          ['i', a],
          ['r', 'user/-/label/To read'],
        ])
      ).body,
      'OK',
    );
    assert.deepEqual(await labelled('To read'), [b]);
    const renamed = await post(`${API}/rename-tag`, [
      ['s', 'user/-/label/To read'],
      ['dest', 'user/-/label/Someday'],
      ['T', token],
    ]);
    assert.equal(renamed.body, 'OK');
    assert.deepEqual(await labelled('Someday'), [b]);
    assert.deepEqual(await labelled('To read'), []);
    // Marking the label read marks its items.
    assert.equal(
      (
        await post(`${API}/mark-all-as-read`, [
          ['s', 'user/-/label/Someday'],
          ['T', token],
        ])
      ).body,
      'OK',
    );
    const [bView] = await web.store.queryEntries({
      userId: alice.id,
      entryIds: [Number(b)],
      limit: 1,
      withContent: false,
    });
    assert.equal(bView?.read, true);
    for (const label of ['Someday', 'Keep'])
      assert.equal(
        (
          await post(`${API}/disable-tag`, [
            ['s', `user/-/label/${label}`],
            ['T', token],
          ])
        ).body,
        'OK',
      );
    assert.deepEqual(await web.store.listEntryLabels(alice.id), []);
    assert.equal(
      (
        await post(`${API}/disable-tag`, [
          ['s', 'user/-/label/Nothing'],
          ['T', token],
        ])
      ).status,
      400,
    );
    // Another user's items take no label of hers: an entry only Bob has.
    const own = await web.store.ensureFeed(
      'https://bobs-own.example/feed',
      DEFAULT_FETCH_OPTIONS,
      Date.now(),
    );
    await web.store.subscribe(bob.id, own.id, { folderId: null, title: null }, Date.now());
    await web.store.recordFetchSuccess(own.id, fetchedUpdate(Date.now(), 'Own'), [
      preparedEntry('own-1', { title: 'Only Bob reads this', publishedAt: Date.now() }),
    ]);
    const [bobsEntry] = await web.store.queryEntries({
      userId: bob.id,
      feedId: own.id,
      limit: 1,
      withContent: false,
    });
    assert.ok(bobsEntry);
    const stranger = bobsEntry.entry.id;
    assert.equal(
      (
        await edit([
          ['i', String(stranger)],
          ['a', 'user/-/label/Stolen'],
        ])
      ).body,
      'OK',
    );
    assert.deepEqual(await web.store.listEntryLabels(alice.id), []);
  });

  it('sends one link for an item that has none, where clients read it', async () => {
    const feed = await web.store.ensureFeed('https://nolink.example/feed', DEFAULT_FETCH_OPTIONS, Date.now());
    await web.store.recordFetchSuccess(feed.id, fetchedUpdate(Date.now(), 'No links'), [
      preparedEntry('nolink-1', { link: null, title: 'A note without a link', publishedAt: Date.now() }),
    ]);
    await web.store.subscribe(alice.id, feed.id, { folderId: null, title: null }, Date.now());
    const body = (await get(`${API}/stream/contents/feed%2F${feed.id}`)).json<{
      items: { canonical: { href: string }[]; alternate: { href: string }[] }[];
    }>();
    assert.equal(body.items.length, 1);
    assert.deepEqual(body.items[0]?.canonical, [{ href: '', type: 'text/html' }]);
    assert.deepEqual(body.items[0]?.alternate, [{ href: '', type: 'text/html' }]);
    assert.ok(await web.store.unsubscribe(alice.id, feed.id));
  });

  it('serves Atom streams with read state for FeedHQ clients', async () => {
    const res = await get(`${P}/reader/atom/feed%2F${feedA}?n=20`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /atom/);
    assert.equal((res.body.match(/<entry>/g) ?? []).length, 5);
    assert.match(res.body, /label="read"/);
    assert.equal((await get(`${P}/reader/atom/feed%2F${feedA}`, null)).status, 401);
    assert.equal((await get(`${P}/reader/atom/feed%2F${feedA}?n=0`)).status, 400);
  });
});
