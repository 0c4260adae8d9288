// The Fever API over real HTTP: the key, groups, feeds and favicons, items by since_id, max_id and
// with_ids, the id lists, marking items, feeds and groups, what one user may do to another's items,
// and parameters no client should send.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { PreparedEntry, User } from '../../model/index.js';
import type { FeedFetchUpdate } from '../../store/index.js';
import { feverKey, newToken, tokenHash } from '../../web/auth.js';
import { startWebApp, type WebApp, type WebResponse } from '../../web/testing.js';
import { MAX_ITEMS, parseMultipart } from './index.js';
import { DEFAULT_FETCH_OPTIONS } from '../../subscribe/index.js';
import { BODIES_TO_QUOTE, feedOfBodiesToQuote } from '../../testing/fetched.js';

const NOW = Date.now();
const HOUR = 3_600_000;
/** When the readers subscribed: before every entry here arrived (a later subscription brings them). */
const SUBSCRIBED = NOW - 1000 * HOUR;
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function entry(n: number, feed: string, publishedAt = NOW - n * HOUR): PreparedEntry {
  return {
    guid: `${feed}-${n}`,
    link: `https://site.example/${feed}/${n}`,
    title: `${feed} story ${n}`,
    author: 'Ada',
    contentHtml: `<p>Body of ${feed} story ${n}</p>`,
    contentText: `Body of ${feed} story ${n}`,
    summaryText: `Body of ${feed} story ${n}`,
    readingMinutes: 2,
    publishedAt,
    updatedAt: null,
    categories: [],
    enclosures: [],
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

interface Item {
  id: number;
  feed_id: number;
  title: string;
  author: string;
  html: string;
  url: string;
  is_saved: number;
  is_read: number;
  created_on_time: number;
}
interface Reply {
  api_version: number;
  auth: number;
  last_refreshed_on_time: number;
  groups?: { id: number; title: string }[];
  feeds_groups?: { group_id: number; feed_ids: string }[];
  feeds?: {
    id: number;
    favicon_id: number;
    title: string;
    url: string;
    site_url: string;
    is_spark: number;
    last_updated_on_time: number;
  }[];
  favicons?: { id: number; data: string }[];
  items?: Item[];
  total_items?: number;
  links?: unknown[];
  unread_item_ids?: string;
  saved_item_ids?: string;
}

const idList = (s: string | undefined): number[] => (s ? s.split(',').map(Number) : []);

describe('Fever API', () => {
  let web: WebApp;
  let ann: User;
  let bob: User;
  let annFever: string;
  let bobFever: string;
  let techFeed: number;
  let looseFeed: number;
  let techFolder: number;
  let bobFolder: number;
  /** Ann's entry ids, ascending. */
  let annIds: number[];
  let bobIds: number[];

  /** A Fever call as clients make it: the flags in the query string, the key in a form body. */
  async function fever(
    query: string,
    key: string | null = annFever,
    path = '/api/fever.php',
  ): Promise<Reply> {
    const res: WebResponse = await web.fetch(`${path}?api${query ? `&${query}` : ''}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: key === null ? '' : new URLSearchParams({ api_key: key }).toString(),
    });
    assert.equal(res.status, 200, res.body);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    return res.json<Reply>();
  }

  async function itemsOf(
    userId: number,
    ids: number[],
  ): Promise<Map<number, { read: boolean; starred: boolean }>> {
    const views = await web.store.queryEntries({ userId, entryIds: ids, status: 'all', limit: 1000 });
    return new Map(views.map((v) => [v.entry.id, { read: v.read, starred: v.starred }]));
  }

  async function unreadIds(userId: number): Promise<number[]> {
    const views = await web.store.queryEntries({ userId, status: 'unread', limit: 1000, withContent: false });
    return views.map((v) => v.entry.id).sort((a, b) => a - b);
  }

  before(async () => {
    web = await startWebApp();
    ann = await web.addUser('ann', 'ann-password-1');
    bob = await web.addUser('bob', 'bob-password-1');
    const annKey = newToken();
    const bobKey = newToken();
    annFever = feverKey('ann', annKey);
    bobFever = feverKey('bob', bobKey);
    await web.store.createApiKey(ann.id, 'fever', tokenHash(annKey), NOW, annFever);
    await web.store.createApiKey(bob.id, 'fever', tokenHash(bobKey), NOW, bobFever);
    const store = web.store;
    const tech = await store.ensureFeed('https://tech.example/feed', DEFAULT_FETCH_OPTIONS, NOW);
    const loose = await store.ensureFeed('https://loose.example/feed', DEFAULT_FETCH_OPTIONS, NOW);
    const other = await store.ensureFeed('https://bob.example/feed', DEFAULT_FETCH_OPTIONS, NOW);
    const folder = await store.ensureFolder(ann.id, 'Tech');
    techFolder = folder.id;
    bobFolder = (await store.ensureFolder(bob.id, 'Bobs')).id;
    await store.subscribe(ann.id, tech.id, { folderId: folder.id, title: null }, SUBSCRIBED);
    await store.subscribe(ann.id, loose.id, { folderId: null, title: 'My loose feed' }, SUBSCRIBED);
    await store.subscribe(bob.id, other.id, { folderId: bobFolder, title: null }, SUBSCRIBED);
    // Each entry arrives when it was published (a `before` is about arrivals), then the feed is
    // fetched once more now.
    const arrive = async (feedId: number, title: string, entries: PreparedEntry[]): Promise<void> => {
      for (const e of entries)
        await store.recordFetchSuccess(feedId, { ...fetched(title), checkedAt: e.publishedAt }, [e]);
      await store.recordFetchSuccess(feedId, fetched(title), []);
    };
    await arrive(
      tech.id,
      'Tech',
      Array.from({ length: 30 }, (_, i) => entry(i + 1, 'tech')),
    );
    await arrive(
      other.id,
      'Bob',
      [1, 2, 3].map((n) => entry(n, 'bob')),
    );
    await arrive(
      loose.id,
      'Loose',
      Array.from({ length: 30 }, (_, i) => entry(i + 1, 'loose', NOW - (i + 100) * HOUR)),
    );
    await store.setFeedIcon(tech.id, 'https://tech.example/favicon.png');
    await store.saveFeedIcon(tech.id, { contentType: 'image/png', data: PNG }, NOW);
    techFeed = tech.id;
    looseFeed = loose.id;
    annIds = await unreadIds(ann.id);
    bobIds = await unreadIds(bob.id);
  });
  after(() => web.close());

  describe('the key', () => {
    it('answers auth 0 and nothing else without a key, with a wrong key and with a malformed one', async () => {
      for (const key of [null, '', 'a'.repeat(32), 'not-a-key', feverKey('ann', 'wrong'), `${annFever}x`]) {
        const body = await fever('groups&feeds&favicons&items&unread_item_ids&saved_item_ids&links', key);
        assert.deepEqual(body, { api_version: 3, auth: 0, last_refreshed_on_time: 0 }, `key ${key}`);
      }
    });

    it('marks nothing without a valid key', async () => {
      const id = annIds[0] ?? 0;
      await fever(`mark=item&as=read&id=${id}`, feverKey('ann', 'wrong'));
      await fever(`mark=group&as=read&id=0`, null);
      assert.equal((await unreadIds(ann.id)).length, annIds.length);
    });

    it('answers auth 1 with the version and the last refresh, at both addresses, in either case', async () => {
      for (const path of ['/api/fever.php', '/fever/', '/fever']) {
        const body = await fever('', annFever.toUpperCase(), path);
        assert.equal(body.auth, 1, path);
        assert.equal(body.api_version, 3);
        assert.equal(body.last_refreshed_on_time, Math.floor(NOW / 1000));
        assert.equal(body.items, undefined);
      }
    });

    it('takes the key from the query string too, and takes no CSRF token', async () => {
      const res = await web.fetch(`/fever/?api&api_key=${annFever}&groups`, { method: 'POST' });
      assert.equal(res.status, 200);
      assert.equal(res.json<Reply>().auth, 1);
      assert.equal(res.json<Reply>().groups?.length, 1);
    });
  });

  describe('multipart bodies', () => {
    it('reads the key and the parameters from a multipart/form-data body', async () => {
      const form = new FormData();
      form.set('api_key', annFever);
      form.set('mark', 'item');
      form.set('as', 'saved');
      form.set('id', String(annIds[5]));
      const res = await web.fetch('/fever/?api&saved_item_ids', { method: 'POST', body: form });
      assert.equal(res.status, 200, res.body);
      assert.equal(res.json<Reply>().auth, 1);
      assert.equal(res.json<Reply>().saved_item_ids, String(annIds[5]));
      await fever(`mark=item&as=unsaved&id=${annIds[5]}`);
    });

    it('reads a form sent with no content type, or called text or JSON, and answers what it cannot read as Fever', async () => {
      const send = async (body: string, type: string | null): Promise<WebResponse> =>
        web.fetch('/api/fever.php?api', {
          method: 'POST',
          headers: type ? { 'content-type': type } : {},
          body,
        });
      const form = `api_key=${annFever}`;
      for (const type of [null, 'text/plain', 'application/json', 'application/x-www-form-urlencoded']) {
        const res = await send(form, type);
        assert.equal(res.status, 200, String(type));
        assert.equal(res.json<Reply>().auth, 1, String(type));
      }
      for (const [body, type] of [
        ['', 'application/json'],
        ['{"api_key": 1}', 'application/json'],
        ['[', 'application/json'],
        ['\u0000\u00ff', 'text/plain'],
        ['<x/>', 'application/xml'],
      ]) {
        const res = await send(body ?? '', type ?? null);
        assert.equal(res.status, 200, `${type} ${body}`);
        assert.deepEqual(res.json(), { api_version: 3, auth: 0, last_refreshed_on_time: 0 });
      }
      const huge = await send(`api_key=${annFever}&x=${'a'.repeat(70 * 1024)}`, 'text/plain');
      assert.equal(huge.status, 413);
      assert.deepEqual(huge.json(), { api_version: 3, auth: 0, last_refreshed_on_time: 0 });
    });

    it('keeps text fields only, the first of each name', () => {
      const body =
        '--xx\r\nContent-Disposition: form-data; name="api_key"\r\n\r\nabc\r\n' +
        '--xx\r\nContent-Disposition: form-data; name="api_key"\r\n\r\nlater\r\n' +
        '--xx\r\nContent-Disposition: form-data; name="__proto__"\r\n\r\nx\r\n' +
        '--xx\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n\r\nfile\r\n--xx--\r\n';
      assert.deepEqual(parseMultipart('multipart/form-data; boundary=xx', body), { api_key: 'abc' });
      assert.deepEqual(parseMultipart('multipart/form-data', body), {});
    });
  });

  describe('groups, feeds and favicons', () => {
    it('lists the folders as groups and which feeds are in them', async () => {
      const body = await fever('groups');
      assert.deepEqual(body.groups, [{ id: techFolder, title: 'Tech' }]);
      assert.deepEqual(body.feeds_groups, [{ group_id: techFolder, feed_ids: String(techFeed) }]);
    });

    it("lists the user's feeds, with their favicon when there is one", async () => {
      const body = await fever('feeds');
      const feeds = body.feeds ?? [];
      assert.deepEqual(
        feeds.map((f) => f.id).sort((a, b) => a - b),
        [techFeed, looseFeed].sort((a, b) => a - b),
      );
      const tech = feeds.find((f) => f.id === techFeed);
      const loose = feeds.find((f) => f.id === looseFeed);
      assert.deepEqual(tech, {
        id: techFeed,
        favicon_id: techFeed,
        title: 'Tech',
        url: 'https://tech.example/feed',
        site_url: 'https://site.example/',
        is_spark: 0,
        last_updated_on_time: Math.floor(NOW / 1000),
      });
      assert.equal(loose?.favicon_id, 0);
      assert.equal(loose?.title, 'My loose feed');
      assert.deepEqual(body.feeds_groups, [{ group_id: techFolder, feed_ids: String(techFeed) }]);
    });

    it('serves favicons as data', async () => {
      const body = await fever('favicons');
      assert.deepEqual(body.favicons, [
        { id: techFeed, data: `image/png;base64,${Buffer.from(PNG).toString('base64')}` },
      ]);
    });

    it('answers links with an empty list', async () => {
      assert.deepEqual((await fever('links')).links, []);
    });
  });

  describe('items', () => {
    it('pages up from since_id, oldest id first, 50 at a time', async () => {
      const seen: number[] = [];
      let since = 0;
      for (;;) {
        const body = await fever(`items&since_id=${since}`);
        assert.equal(body.total_items, 60);
        const items = body.items ?? [];
        assert.ok(items.length <= MAX_ITEMS);
        if (items.length === 0) break;
        const ids = items.map((i) => i.id);
        assert.deepEqual(
          ids,
          [...ids].sort((a, b) => a - b),
        );
        assert.ok(ids.every((id) => id > since));
        seen.push(...ids);
        since = ids[ids.length - 1] ?? 0;
      }
      assert.deepEqual(seen, annIds);
    });

    it('starts at the beginning without since_id', async () => {
      const items = (await fever('items')).items ?? [];
      assert.equal(items.length, MAX_ITEMS);
      assert.deepEqual(
        items.map((i) => i.id),
        annIds.slice(0, MAX_ITEMS),
      );
    });

    it('pages down from max_id, newest id first, from 0 as from the top', async () => {
      const top = (await fever('items&max_id=0')).items ?? [];
      assert.deepEqual(
        top.map((i) => i.id),
        [...annIds].reverse().slice(0, MAX_ITEMS),
      );
      const seen: number[] = [];
      let max = Math.max(...annIds, ...bobIds) + 1;
      for (;;) {
        const items = (await fever(`items&max_id=${max}`)).items ?? [];
        if (items.length === 0) break;
        const ids = items.map((i) => i.id);
        assert.deepEqual(
          ids,
          [...ids].sort((a, b) => b - a),
        );
        assert.ok(ids.every((id) => id < max));
        seen.push(...ids);
        max = ids[ids.length - 1] ?? 0;
      }
      assert.deepEqual(seen, [...annIds].reverse());
    });

    it('serves an item in full', async () => {
      const id = annIds[0] ?? 0;
      const [item] = (await fever(`items&with_ids=${id}`)).items ?? [];
      assert.deepEqual(item, {
        id,
        feed_id: techFeed,
        title: 'tech story 1',
        author: 'Ada',
        html: '<p>Body of tech story 1</p>',
        url: 'https://site.example/tech/1',
        is_saved: 0,
        is_read: 0,
        created_on_time: Math.floor((NOW - HOUR) / 1000),
      });
    });

    it('sends bodies as stored, whatever they hold, by id and in pages', async () => {
      const quoter = await web.addUser('quoter', 'quoter-password-1');
      const key = newToken();
      const quoterFever = feverKey('quoter', key);
      await web.store.createApiKey(quoter.id, 'fever', tokenHash(key), NOW, quoterFever);
      const feedId = await feedOfBodiesToQuote(web.store, quoter.id, NOW);
      const expected = [...BODIES_TO_QUOTE].sort();
      const paged = (await fever('items', quoterFever)).items ?? [];
      assert.deepEqual(paged.map((i) => i.html).sort(), expected);
      assert.ok(paged.every((i) => i.feed_id === feedId && i.title.startsWith('Entry quote-')));
      const byId =
        (await fever(`items&with_ids=${paged.map((i) => i.id).join(',')}`, quoterFever)).items ?? [];
      assert.deepEqual(byId.map((i) => i.html).sort(), expected);
    });

    it("serves with_ids of the user's own items only, at most 50", async () => {
      const mixed = [annIds[2], bobIds[0], annIds[1]].join(',');
      const body = await fever(`items&with_ids=${mixed}`);
      assert.deepEqual(
        body.items?.map((i) => i.id),
        [annIds[1], annIds[2]],
      );
      const many = Array.from({ length: 1000 }, (_, i) => i + 1).join(',');
      const items = (await fever(`items&with_ids=${many}`)).items ?? [];
      assert.ok(items.length <= MAX_ITEMS);
      assert.ok(items.every((i) => annIds.includes(i.id)));
    });

    it('answers hostile paging parameters with no items', async () => {
      for (const q of [
        'since_id=abc',
        'since_id=-5',
        'since_id=1e3',
        'since_id=99999999999999999999',
        'max_id=abc',
        'max_id=-1',
        'with_ids=abc,-1,0,1e3,,',
        'with_ids=',
      ]) {
        const body = await fever(`items&${q}`);
        assert.equal(body.auth, 1, q);
        assert.deepEqual(body.items, [], q);
      }
    });

    it('lists unread and saved item ids', async () => {
      const body = await fever('unread_item_ids&saved_item_ids');
      assert.deepEqual(
        idList(body.unread_item_ids).sort((a, b) => a - b),
        annIds,
      );
      assert.equal(body.saved_item_ids, '');
    });
  });

  describe('marking', () => {
    it('marks an item read and unread, saved and unsaved', async () => {
      const id = annIds[3] ?? 0;
      let body = await fever(`mark=item&as=read&id=${id}`);
      assert.equal(body.auth, 1);
      assert.ok(!idList(body.unread_item_ids).includes(id));
      assert.deepEqual((await itemsOf(ann.id, [id])).get(id), { read: true, starred: false });
      body = await fever(`mark=item&as=saved&id=${id}`);
      assert.deepEqual(idList(body.saved_item_ids), [id]);
      assert.equal((await fever('saved_item_ids')).saved_item_ids, String(id));
      await fever(`mark=item&as=unread&id=${id}`);
      assert.deepEqual((await itemsOf(ann.id, [id])).get(id), { read: false, starred: true });
      body = await fever(`mark=item&as=unsaved&id=${id}`);
      assert.equal(body.saved_item_ids, '');
      assert.deepEqual((await itemsOf(ann.id, [id])).get(id), { read: false, starred: false });
    });

    it("cannot mark another user's items", async () => {
      const id = annIds[0] ?? 0;
      for (const as of ['read', 'saved']) await fever(`mark=item&as=${as}&id=${id}`, bobFever);
      assert.deepEqual((await itemsOf(ann.id, [id])).get(id), { read: false, starred: false });
      await fever(`mark=feed&as=read&id=${techFeed}`, bobFever);
      await fever(`mark=group&as=read&id=${techFolder}`, bobFever);
      assert.equal((await unreadIds(ann.id)).length, annIds.length);
    });

    it('ignores hostile and unknown marks', async () => {
      for (const q of [
        'mark=item&as=read&id=abc',
        'mark=item&as=read&id=-1',
        'mark=item&as=read',
        'mark=item&as=delete&id=1',
        'mark=feed&as=unread&id=1',
        `mark=feed&as=read&id=${techFeed}&before=abc`,
        `mark=feed&as=read&id=${techFeed}&before=-10`,
        'mark=feed&as=read&id=abc',
        'mark=group&as=read&id=-1',
        `mark=group&as=read&id=${bobFolder}`,
        'mark=everything&as=read&id=0',
      ]) {
        assert.equal((await fever(q)).auth, 1, q);
      }
      assert.equal((await unreadIds(ann.id)).length, annIds.length);
      assert.equal((await unreadIds(bob.id)).length, bobIds.length);
    });

    it('marks by `before` what had arrived by then, not what arrived later with an older date', async () => {
      const late = await web.store.ensureFeed('https://late.example/feed', DEFAULT_FETCH_OPTIONS, NOW);
      await web.store.subscribe(ann.id, late.id, { folderId: null, title: null }, SUBSCRIBED);
      // Published 60 hours ago and fetched 40 hours ago; published 50 hours ago, fetched only now.
      const early = { ...entry(1, 'late', NOW - 60 * HOUR) };
      const lateOne = { ...entry(2, 'late', NOW - 50 * HOUR) };
      await web.store.recordFetchSuccess(late.id, { ...fetched('Late'), checkedAt: NOW - 40 * HOUR }, [
        early,
      ]);
      await web.store.recordFetchSuccess(late.id, fetched('Late'), [lateOne]);
      // The client last fetched items 20 hours ago (sent with a fraction of a second, as some do).
      await fever(`mark=feed&as=read&id=${late.id}&before=${Math.floor((NOW - 20 * HOUR) / 1000)}.25`);
      const unread = await web.store.queryEntries({
        userId: ann.id,
        feedId: late.id,
        status: 'unread',
        limit: 10,
      });
      assert.deepEqual(
        unread.map((v) => v.entry.title),
        ['late story 2'],
      );
      assert.ok(await web.store.unsubscribe(ann.id, late.id));
    });

    it('marks a feed read up to `before`, inclusive', async () => {
      // Tech story n was published n hours ago: marking up to story 10 leaves stories 1-9.
      const before = Math.floor((NOW - 10 * HOUR) / 1000);
      const body = await fever(`mark=feed&as=read&id=${techFeed}&before=${before}`);
      const views = await web.store.queryEntries({
        userId: ann.id,
        feedId: techFeed,
        status: 'unread',
        limit: 100,
      });
      assert.deepEqual(
        views.map((v) => v.entry.title).sort(),
        Array.from({ length: 9 }, (_, i) => `tech story ${i + 1}`).sort(),
      );
      assert.equal(idList(body.unread_item_ids).length, 9 + 30);
      assert.equal((await unreadIds(bob.id)).length, bobIds.length);
    });

    it('marks a group read, and group 0 means every feed', async () => {
      const before = Math.floor((NOW - 5 * HOUR) / 1000);
      await fever(`mark=group&as=read&id=${techFolder}&before=${before}`);
      assert.equal((await unreadIds(ann.id)).length, 4 + 30);
      const loose = await web.store.queryEntries({
        userId: ann.id,
        feedId: looseFeed,
        status: 'unread',
        limit: 100,
      });
      assert.equal(loose.length, 30);
      await fever(`mark=group&as=read&id=0&before=${Math.floor((NOW - 115 * HOUR) / 1000)}`);
      // Loose story n was published n + 99 hours ago: stories 16-30 are now read.
      assert.equal((await unreadIds(ann.id)).length, 4 + 15);
      await fever('mark=group&as=read&id=0');
      assert.deepEqual(await unreadIds(ann.id), []);
      assert.equal((await fever('unread_item_ids')).unread_item_ids, '');
      assert.equal((await unreadIds(bob.id)).length, bobIds.length);
    });
  });
});

describe('Fever API at scale', () => {
  // More than the 10,000 ids these lists once stopped at: a client takes them as the whole state.
  const COUNT = 10_020;
  let web: WebApp;
  let key: string;
  let carolId: number;

  before(async () => {
    web = await startWebApp();
    const carol = await web.addUser('carol', 'carol-password-1');
    carolId = carol.id;
    const raw = newToken();
    key = feverKey('carol', raw);
    await web.store.createApiKey(carol.id, 'fever', tokenHash(raw), NOW, key);
    const feed = await web.store.ensureFeed('https://big.example/feed', DEFAULT_FETCH_OPTIONS, NOW);
    await web.store.subscribe(carol.id, feed.id, { folderId: null, title: null }, NOW);
    const entries = Array.from({ length: COUNT }, (_, i) => entry(i + 1, 'big', NOW - i * 1000));
    await web.store.recordFetchSuccess(feed.id, fetched('Big'), entries);
  });
  after(() => web.close());

  const listed = async (what: 'unread_item_ids' | 'saved_item_ids'): Promise<number[]> => {
    const res = await web.fetch(`/fever/?api&${what}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `api_key=${key}`,
    });
    assert.equal(res.status, 200);
    return idList(res.json<Reply>()[what]);
  };

  it('lists every unread and saved id, the oldest too', async () => {
    const all = await listed('unread_item_ids');
    assert.equal(all.length, COUNT);
    assert.equal(new Set(all).size, COUNT);
    // The two oldest are read, then starred with a newer one.
    const oldest = all.slice(-2);
    const newest = all[0] ?? 0;
    await web.store.setEntryState(carolId, oldest, { read: true }, NOW);
    await web.store.setEntryState(carolId, [newest, ...oldest], { starred: true }, NOW);
    assert.deepEqual(await listed('unread_item_ids'), all.slice(0, -2));
    assert.deepEqual((await listed('saved_item_ids')).sort(), [newest, ...oldest].sort());
  });
});
